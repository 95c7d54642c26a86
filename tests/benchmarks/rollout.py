"""The rack rollout at 12, 24, 48 and 96 nodes, with both status sources, against its floors,
measured in one run.

For each size a generated fabric (racks of 6 nodes, all in AS 64512, the ToR of each rack its
route reflector, the node-to-node mesh on) is started three times:

- floor: the same change driven through the collection's Python code without Ansible. Per rack,
  the bulk write of the rack's ToR peers (calico_bgp_peer's apply()) and the time until every
  node of the rack has its ToR sessions Established (calico_node_status's reader, polled every
  50 ms); then the mesh turned off (calico_bgp_config's apply()) and the time until every node
  has only its ToR sessions, all Established.
- second floor: the floor plus the waits the rollout must make: per batch (each rack, then every
  node before the mesh goes off) the stable window ((stable_polls - 1) x wait_interval, the
  role's 3 readings 1 s apart) and one status period (the datastore source's update_period),
  and one more status period for the read after the mesh goes off.
- rollout, twice: `ansible-playbook playbooks/rack_rollout.yml` on the lab's inventory with
  calico_bgp_status_source=node (the waits on every node, from BIRD) and =datastore (one
  controller task per wait, from calico/node's CalicoNodeStatus reports), each under the lab's
  route monitor (every node's routing table every 0.2 s); a gap is any sample in which a node
  lacked a route to another node's pod block.

Printed per size and source: lab up, lab down, the floors, rollout, rollout per node, the ratios
to the floors, gaps, and the tasks the first rack's batch ran (all, and those that went over each
host of the rack instead of running once). Checked (exit 1 when missed), for the datastore source: at the largest size the rollout
within 1.5x its second floor with no gap on any node, the per-node cost at most 1.3x the smallest
size's; for both: no gap; lab down under 10 s and lab up under 40 s.

    python tests/benchmarks/rollout.py [--sizes 12,24,48,96] [--forks N] [--sources node,datastore]
"""
import argparse
import os
import re
import subprocess
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from tests.lab import COLLECTIONS  # noqa: E402  (first: it puts the collection on sys.path)
from tests.benchmarks.direct import DirectModule  # noqa: E402
from tests.lab.lab import Lab  # noqa: E402
from tests.lab.topology import Topology  # noqa: E402
from ansible_collections.netops.calico.plugins.module_utils import _bird_node_status as node_status  # noqa: E402
from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_configuration as bgp_configuration  # noqa: E402
from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_peer as bgp_peer  # noqa: E402
from ansible_collections.netops.calico.plugins.module_utils._model_values import format_peer_ip  # noqa: E402
from ansible_collections.netops.calico.plugins.modules import calico_bgp_config, calico_bgp_peer  # noqa: E402

NODES_PER_RACK = 6
LAYOUT = "rr-per-rack"
PLAYBOOK = os.path.join(REPO_ROOT, "playbooks", "rack_rollout.yml")
POLL = 0.05
TIMEOUT = 120.0
SOURCES = ("node", "datastore")
# the role's stable wait (calico_bgp_wait_stable_polls 3, calico_bgp_wait_interval 1) and the
# datastore source's update period (calico_bgp_status_update_period 1)
STABLE_WINDOW = (3 - 1) * 1.0
STATUS_PERIOD = 1.0


def topology(nodes):
    return Topology.generate(nodes // NODES_PER_RACK, NODES_PER_RACK, LAYOUT)


def tor_peer_ips(lab, rack):
    port = lab.topology.listen_port
    return [format_peer_ip(address, port) for address in [rack.tor.address] + ([rack.tor.address6] if lab.ipv6 else [])]


def apply(kind_apply, argument_spec, lab, **options):
    module = DirectModule(argument_spec, etcd_endpoints=lab.etcd_endpoints, **options)
    try:
        return kind_apply(module, module.params)
    finally:
        module.close()


def read_status(lab, node):
    """The node's sessions of both families, read as calico_node_status reads them (without its
    scan of the machine's processes, which a floor need not pay)."""
    return node_status.collect_node_status([lab.socket(node.name)],
                                           [lab.socket(node.name + ".bird6")] if lab.ipv6 else [],
                                           process_scan=dict)


def wait_until(condition, what):
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("floor: %s not reached within %.0f s" % (what, TIMEOUT))
        time.sleep(POLL)


def rack_established(lab, rack, targets):
    def check():
        return all(not node_status.unmet_peers(read_status(lab, node), targets, "Established")
                   for node in rack.nodes)
    return check


def only_tor_sessions(lab):
    families = 2 if lab.ipv6 else 1

    def check():
        for node in lab.topology.nodes:
            peers = read_status(lab, node).peers
            if len(peers) != families or any(peer["bgp_state"] != "Established" for peer in peers):
                return False
        return True
    return check


def floor(lab):
    """Seconds of the floor: per rack write + Established, then mesh off + settled."""
    start = time.perf_counter()
    for rack in lab.topology.racks:
        ips = tor_peer_ips(lab, rack)
        entries = [dict(node=node.name, peer_ip=ip, as_number=rack.tor.as_number)
                   for node in rack.nodes for ip in ips]
        apply(bgp_peer.apply, calico_bgp_peer.ARGUMENT_SPEC, lab, peers=entries)
        wait_until(rack_established(lab, rack, node_status.parse_wait_for(ips)), "rack %s Established" % rack.name)
    apply(bgp_configuration.apply, calico_bgp_config.ARGUMENT_SPEC, lab, node_to_node_mesh=False)
    wait_until(only_tor_sessions(lab), "mesh off everywhere")
    return time.perf_counter() - start


def started(nodes):
    lab = Lab(topology(nodes), start_timeout=TIMEOUT)
    began = time.perf_counter()
    lab.start()
    return lab, time.perf_counter() - began


def stopped(lab):
    began = time.perf_counter()
    lab.stop()
    return time.perf_counter() - began


def rack_batch_tasks(output):
    """(tasks, tasks with a result for each host) of the first rack's batch: the task headers of
    the first play up to its second batch, and those that went over every host of the rack (run,
    skipped or included per host rather than once)."""
    first_play = output.split("PLAY [", 2)[1]
    first_batch = first_play.split("PLAY [", 1)[0]
    blocks = first_batch.split("TASK [")[1:]
    per_host = 0
    for block in blocks:
        results = [line for line in block.splitlines()[1:]
                   if line.startswith(("ok:", "changed:", "failed:", "fatal:", "skipping:", "included:"))]
        hosts = set(re.findall(r"\[([^\] ]+)", " ".join(results)))
        per_host += len(hosts) > 1 or any(" for " in line and "," in line for line in results if line.startswith("included:"))
    return len(blocks), per_host


def rollout(lab, forks, source):
    inventory = lab.write_inventory(os.path.join(lab.workdir, "inventory.yml"))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1",
               ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_LOCALHOST_WARNING="0")
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, PLAYBOOK,
               "-e", "calico_bgp_status_source=%s" % source]
    if forks:
        command += ["--forks", str(forks)]
    began = time.perf_counter()
    with lab.monitor() as monitor:
        result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - began
    if result.returncode != 0:
        raise RuntimeError("rack_rollout.yml (%s source) failed (exit %d):\n%s"
                           % (source, result.returncode, result.stdout[-3000:]))
    report = monitor.report()
    tasks, per_host = rack_batch_tasks(result.stdout)
    return dict(rollout=elapsed, gaps=len(report.gaps), gap_nodes=sorted(set(gap.node for gap in report.gaps)),
                tasks=tasks, tasks_per_host=per_host)


def measure(nodes, forks, sources):
    lab, up = started(nodes)
    try:
        floor_seconds = floor(lab)
    finally:
        down = stopped(lab)
    batches = len(lab.topology.racks) + 1
    second_floor = floor_seconds + batches * (STABLE_WINDOW + STATUS_PERIOD) + STATUS_PERIOD
    rows = []
    for source in sources:
        lab, _up = started(nodes)
        try:
            row = rollout(lab, forks, source)
        finally:
            stopped(lab)
        row.update(nodes=nodes, source=source, up=up, down=down, floor=floor_seconds, second_floor=second_floor,
                   per_node=row["rollout"] / nodes, ratio=row["rollout"] / floor_seconds,
                   second_ratio=row["rollout"] / second_floor)
        rows.append(row)
    return rows


def table(rows):
    lines = ["| nodes | source | lab up | lab down | floor | second floor | rollout | per node | rollout / floor "
             "| rollout / second floor | gaps | tasks per rack batch (per host) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append("| %(nodes)d | %(source)s | %(up).1f s | %(down).1f s | %(floor).1f s | %(second_floor).1f s "
                     "| %(rollout).1f s | %(per_node).2f s | %(ratio).2fx | %(second_ratio).2fx | %(gaps)d "
                     "| %(tasks)d (%(tasks_per_host)d) |" % row)
    return "\n".join(lines)


def targets(rows):
    """[(target, measured, ok or None for information)] at the largest and smallest sizes."""
    results = []
    by_source = dict((source, [row for row in rows if row["source"] == source]) for source in SOURCES)
    for source, measured in by_source.items():
        if not measured:
            continue
        small, large = measured[0], measured[-1]
        growth = large["per_node"] / small["per_node"]
        datastore = source == "datastore"
        results += [
            ("%s: %d nodes within 1.5x the second floor" % (source, large["nodes"]), "%.2fx" % large["second_ratio"],
             large["second_ratio"] <= 1.5 if datastore else None),
            ("%s: %d nodes no gap on any node" % (source, large["nodes"]), "%d gaps" % large["gaps"],
             large["gaps"] == 0),
            ("%s: per-node cost at %d <= 1.3x at %d" % (source, large["nodes"], small["nodes"]), "%.2fx" % growth,
             growth <= 1.3 if datastore else None),
        ]
    large = rows[-1]
    results += [("%d nodes: lab down < 10 s" % large["nodes"], "%.1f s" % large["down"], large["down"] < 10.0),
                ("%d nodes: lab up < 40 s" % large["nodes"], "%.1f s" % large["up"], large["up"] < 40.0)]
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="12,24,48,96", help="node counts, multiples of %d" % NODES_PER_RACK)
    parser.add_argument("--forks", type=int, default=NODES_PER_RACK,
                        help="ansible-playbook --forks (default: a rack's nodes, so a rack runs in one round)")
    parser.add_argument("--sources", default=",".join(SOURCES), help="calico_bgp_status_source values to run")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    if any(size <= 0 or size % NODES_PER_RACK for size in sizes):
        parser.error("--sizes: each size must be a positive multiple of %d" % NODES_PER_RACK)
    sources = [source for source in args.sources.split(",") if source]
    if not sources or any(source not in SOURCES for source in sources):
        parser.error("--sources: a comma-separated list of %s" % ", ".join(SOURCES))
    rows = []
    for nodes in sizes:
        rows += measure(nodes, args.forks, sources)
        print("measured %d nodes: %s; floor %.1f s, second floor %.1f s" % (
            nodes, ", ".join("%s rollout %.1f s" % (row["source"], row["rollout"]) for row in rows[-len(sources):]),
            rows[-1]["floor"], rows[-1]["second_floor"]), flush=True)
    print()
    print("Rack rollout (%s, racks of %d, forks %d), one run on this machine:" % (LAYOUT, NODES_PER_RACK, args.forks))
    print(table(rows))
    print()
    missed = False
    for target, measured, ok in targets(rows):
        print("  %-52s %-10s %s" % (target, measured, "information" if ok is None else "ok" if ok else "MISSED"))
        missed = missed or ok is False
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
