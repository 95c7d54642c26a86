"""`make demo`: a live Calico BGP fabric on this machine, migrated from the node-to-node mesh to
per-rack route reflectors by an Ansible playbook, with proof that no route was dropped.

Run with `python -m tests.lab.demo` (what `make demo` does after preparing the virtualenv).
Exit status 0 only when the playbook succeeded and no node ever lost a route.
"""
import os
import subprocess
import sys
import textwrap
import time

from tests.lab import COLLECTIONS, REPO_ROOT
from tests.lab.lab import Lab, busy_addresses, free_relocation
from tests.lab.topology import Topology

PLAYBOOK = os.path.join(REPO_ROOT, "playbooks", "rack_rollout.yml")  # the collection's, with the bgp_peering role
# the waits and the final read from the controller, through calico/node's CalicoNodeStatus reports
PLAYBOOK_OPTIONS = ["-e", "calico_bgp_status_source=datastore"]
WIDTH = 78


def say(text=""):
    print(text, flush=True)


def heading(step, text):
    say()
    say("=" * WIDTH)
    say("[%s] %s" % (step, text))
    say("=" * WIDTH)


def explain(text):
    say(textwrap.fill(" ".join(text.split()), WIDTH))


def indent(text, prefix="    "):
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def ansible_playbook():
    beside = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    return beside if os.access(beside, os.X_OK) else "ansible-playbook"


def main():
    started = time.monotonic()
    topology = Topology.load()
    if busy_addresses(topology):  # a `python -m tests.lab up` is running: stay out of its way
        topology = free_relocation(topology)
    say("netops.calico demo: change a live Calico BGP fabric's topology without dropping a route")
    explain("""What runs here, on BGP port 1179, without changing this machine's routes: one etcd
        (Calico's datastore); %d Calico nodes in %d racks, each running real BIRD 1.6 daemons (bird
        for IPv4 on loopback addresses, bird6 for IPv6 in a network namespace the lab creates)
        configured by an agent that does what calico/node does (it reads the datastore and
        renders the BGP sessions calico/node's confd renders); and one top-of-rack router (ToR) per
        rack, also BIRD. The fabric is dual-stack: each node announces one IPv4 pod block (a /26)
        and one IPv6 pod block (a /122)."""
            % (len(topology.nodes), len(topology.racks)))

    heading("1/5", "Starting the lab")
    lab = Lab(topology)
    try:
        t0 = time.monotonic()
        lab.start()
        say("Up in %.1f s: etcd at %s; every node's BGP sessions are Established%s."
            % (time.monotonic() - t0, lab.etcd_endpoints[0],
               " (IPv4 and IPv6)" if lab.ipv6 else " (IPv4 only: IPv6 needs root for its network namespace)"))
        for rack in topology.racks:
            say("  rack %s (AS %d): ToR %s at %s%s; nodes %s" % (
                rack.name, rack.as_number, rack.tor.name, rack.tor.address,
                " / " + rack.tor.address6 if lab.ipv6 else "",
                ", ".join("%s (%s)" % (n.name, n.address) for n in rack.nodes)))

        heading("2/5", "Before: the node-to-node mesh (calicoctl node status, on every node)")
        explain("""Calico's default: every node has a BGP session with every other node ("node-to-node
            mesh"). That is %d sessions for %d nodes, and grows with the square of the cluster."""
                % (len(topology.nodes) * (len(topology.nodes) - 1) // 2, len(topology.nodes)))
        say()
        say(lab.status_text())

        heading("3/5", "The rack rollout: ansible-playbook playbooks/rack_rollout.yml")
        explain("""The playbook runs the collection's bgp_peering role rack by rack (Ansible's
            `serial`): one bulk calico_bgp_peer task gives every node of the rack a BGPPeer to
            its ToR, then one calico_bgp_status task on the controller waits until those sessions
            are Established, reading what calico/node reports through the datastore (a
            CalicoNodeStatus request per node; calico_bgp_status_source=datastore: no task runs on
            the nodes), and the rack is verified before the next one. Only when every rack is
            done does the role turn the mesh off; the last task reads every node's sessions from
            the controller. Meanwhile the lab's monitor reads every node's routing table every
            0.2 s and notes any moment a node lacks a route to another node's pod block.""")
        say()
        inventory = lab.write_inventory(os.path.join(lab.workdir, "inventory.yml"))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1",
                   ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_LOCALHOST_WARNING="0")
        command = [ansible_playbook(), "-i", inventory, PLAYBOOK] + PLAYBOOK_OPTIONS
        t0 = time.monotonic()
        with lab.monitor() as monitor:
            playbook = subprocess.run(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True, check=False)
        playbook_seconds = time.monotonic() - t0
        say(indent(playbook.stdout.strip()))
        report = monitor.report()
        if playbook.returncode != 0:
            say("\nThe playbook FAILED (exit %d)." % playbook.returncode)

        heading("4/5", "After: each node has one session per family, to its rack's ToR (route reflector)")
        explain("""The mesh sessions are gone; each node now peers only with its ToR, over IPv4 and
            over IPv6 ("node specific" peers, shown with their port 1179). The ToR reflects the
            rack's routes to the rack and exchanges them with the other rack's ToR.""")
        say()
        say(lab.status_text())
        say()
        for rack in topology.racks:
            for speaker in [rack.tor.name] + ([rack.tor.name + ".bird6"] if lab.ipv6 else []):
                say("%s's sessions: %s" % (speaker, ", ".join(
                    "%s %s" % item for item in sorted(lab.protocols(speaker).items()))))

        heading("5/5", "Did any node lose a route during the change?")
        say(report.text("Route continuity during the playbook (%.1f s)" % playbook_seconds))
        say()
        explain("""The order is what kept the routes: with the mesh turned off first, every node
            loses its routes, in both families, until its ToR sessions are up (about a second here;
            on a real fabric, as long as the new sessions take). tests/integration/test_lab.py runs
            that wrong order too, and the same monitor reports the gap on every node's bird and
            bird6.""")
    finally:
        lab.stop()
    say()
    ok = playbook.returncode == 0 and report.ok
    say("Lab stopped (every process stopped by PID, its directory removed). Demo %s in %.0f s."
        % ("succeeded" if ok else "FAILED", time.monotonic() - started))
    explain("""Try it yourself: `python -m tests.lab up`, then `python -m tests.lab status`,
        `python -m tests.lab inventory`, run any playbook against that inventory (wrap it in
        `python -m tests.lab monitor -- ansible-playbook ...` to watch continuity), and
        `python -m tests.lab down`. See tests/lab/README.md.""")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
