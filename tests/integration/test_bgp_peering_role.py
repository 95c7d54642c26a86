"""The netops.calico.bgp_peering role and its playbooks, run with the real ansible-playbook:
on the lab (real BIRD sessions, the route-continuity monitor) and on a plain etcd.

What is proven here:
- mesh -> ToR route reflectors (playbooks/mesh_to_route_reflectors.yml) and back
  (playbooks/route_reflectors_to_mesh.yml): zero continuity gaps on every node, the datastore
  ends as wanted, and a second run of each changes nothing and waits on nothing;
- a ToR whose BIRD is stopped: the role fails before the mesh is touched, naming every node of
  the rack and the ToR peer, the mesh stays on in the datastore, no node loses a route;
- playbooks/rack_rollout.yml: racks one at a time, the mesh off only at the end, zero gaps;
- inventory-driven node peers: a host's calico_bgp_node_peers become exactly its peers, and one
  removed from the inventory is removed on the next run, without touching a peer made by hand
  or an owned peer of a node outside the play.
"""
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from tests.integration.helpers import PREFIX, put, stored
from tests.lab.lab import Lab, free_relocation
from tests.lab.topology import Topology

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOKS = os.path.join(REPO_ROOT, "playbooks")
WAIT_TASK = "Wait on the node until those BGP sessions are Established"
FLEET_WAIT_TASK = "Wait from the controller until those BGP sessions of every node are Established"
DATASTORE = ("-e", "calico_bgp_status_source=datastore")
OWNER = {"netops.calico/managed-by": "ansible"}


def run_playbook(inventory, playbook, *extra):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, ".tmp", "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_DISPLAY_SKIPPED_HOSTS="1")
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory,
               playbook, "-e", "calico_node_status_become=false"] + list(extra)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    result.output = result.stdout + result.stderr
    return result


def recap(output):
    """{host: {'ok': n, 'changed': n, 'failed': n, ...}} from the PLAY RECAP."""
    hosts = {}
    for host, counters in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", output, re.M):
        hosts[host] = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", counters)}
    return hosts


def task_hosts(output, task_name):
    """The result lines (ok/changed/skipping/fatal) of every run of a task, in order."""
    lines = []
    for block in re.split(r"^TASK \[", output, flags=re.M)[1:]:
        title = block.split("]", 1)[0]
        if task_name in title:
            lines += [line for line in block.splitlines()[1:]
                      if re.match(r"^(ok|changed|skipping|fatal|failed):", line)]
    return lines


def tasks_that_ran(output, *names):
    """Titles (among `names`) of the tasks that ran (ok or changed on some host), in order."""
    ran = []
    for block in re.split(r"^TASK \[", output, flags=re.M)[1:]:
        title = block.split("]", 1)[0]
        for name in names:
            if name in title and re.search(r"^(ok|changed):", block, re.M):
                ran.append(name)
    return ran


def assert_no_change_no_wait(result, wait_task=WAIT_TASK):
    assert result.returncode == 0, result.output
    counters = recap(result.output)
    assert counters and all(c["changed"] == 0 for c in counters.values()), result.output
    # nothing to wait for: the waits of either source are not even included
    includes = task_hosts(result.output, "Wait for those sessions, where calico_bgp_status_source reads them")
    assert includes and all(line.startswith("skipping:") for line in includes), includes
    assert [line for line in task_hosts(result.output, wait_task) if not line.startswith("skipping:")] == []


def mesh_enabled(lab):
    document = lab.store.get("BGPConfiguration", "default")
    return document["spec"].get("nodeToNodeMeshEnabled", True) is not False


def stored_peers(lab):
    return {doc["metadata"]["name"]: doc for doc in lab.store.list("BGPPeer")}


def tor_sessions_established(lab):
    """{node: bgp state of its ToR session} read with the collection's BIRD parser."""
    states = {}
    for rack in lab.topology.racks:
        for node in rack.nodes:
            states[node.name] = [p["bgp_state"] for p in lab.peers(node.name)
                                 if p["peer_address"] == rack.tor.address]
    return states


@pytest.fixture
def lab(tmp_path):
    with Lab(free_relocation(Topology.load())) as running:
        running.inventory_path = running.write_inventory(str(tmp_path / "inventory.yml"))
        yield running


@pytest.mark.parametrize("source", ["node", "datastore"])
def test_mesh_to_route_reflectors_and_back_leave_no_gap_and_rerun_changes_nothing(lab, source):
    by_source = ("-e", "calico_bgp_status_source=%s" % source)
    wait_task, other_wait = (WAIT_TASK, FLEET_WAIT_TASK) if source == "node" else (FLEET_WAIT_TASK, WAIT_TASK)
    forward = os.path.join(PLAYBOOKS, "mesh_to_route_reflectors.yml")
    reverse = os.path.join(PLAYBOOKS, "route_reflectors_to_mesh.yml")
    assert mesh_enabled(lab)

    with lab.monitor() as monitor:
        result = run_playbook(lab.inventory_path, forward, *by_source)
    report = monitor.report()
    assert result.returncode == 0, result.output
    assert report.ok, report.text()
    assert all(report.samples.get(node, 0) > 5 for node in lab.node_names), report.text()
    assert not mesh_enabled(lab)
    # the waits ran where the source says, and only there
    assert tasks_that_ran(result.output, wait_task) == [wait_task]
    assert all(line.startswith("skipping:") for line in task_hosts(result.output, other_wait))
    peers = stored_peers(lab)
    # one ToR peer per node and family (the lab is dual-stack)
    assert lab.ipv6
    assert sorted((p["spec"]["node"], p["spec"]["peerIP"]) for p in peers.values()) == sorted(
        [(node.name, "%s:%d" % (rack.tor.address, lab.topology.listen_port))
         for rack in lab.topology.racks for node in rack.nodes]
        + [(node.name, "[%s]:%d" % (rack.tor.address6, lab.topology.listen_port))
           for rack in lab.topology.racks for node in rack.nodes])
    assert all(p["metadata"]["labels"] == OWNER for p in peers.values())
    lab.wait_for_sync()
    states = tor_sessions_established(lab)
    assert all(s == ["Established"] for s in states.values()), states
    # nothing but the ToR sessions is left on any node: the mesh is really gone from BIRD
    assert all(len(lab.peers(node)) == 1 for node in lab.node_names)
    assert all([p["peer_address"] for p in lab.peers(node + ".bird6", version=6)] ==
               [lab.topology.rack(lab.topology.node(node).rack).tor.address6] for node in lab.node_names)

    assert_no_change_no_wait(run_playbook(lab.inventory_path, forward, *by_source), wait_task)

    with lab.monitor() as monitor:
        result = run_playbook(lab.inventory_path, reverse, *by_source)
    report = monitor.report()
    assert result.returncode == 0, result.output
    assert report.ok, report.text()
    assert mesh_enabled(lab)
    assert stored_peers(lab) == {}
    assert tasks_that_ran(result.output, wait_task) == [wait_task]
    lab.wait_for_sync()
    lab.wait_established()  # the full mesh again (every node, 5 mesh sessions each)
    assert all(len(lab.peers(node)) == len(lab.node_names) - 1 for node in lab.node_names)

    assert_no_change_no_wait(run_playbook(lab.inventory_path, reverse, *by_source), wait_task)
    assert lab.store.list("CalicoNodeStatus") == []


def test_role_stops_before_the_mesh_when_a_tor_is_down(lab):
    down_rack = lab.topology.racks[0]
    lab.tors[down_rack.tor.name].stop()
    tor_peer = "%s:%d" % (down_rack.tor.address, lab.topology.listen_port)

    with lab.monitor() as monitor:
        result = run_playbook(lab.inventory_path, os.path.join(PLAYBOOKS, "mesh_to_route_reflectors.yml"),
                              "-e", "calico_bgp_wait_timeout=4")
    report = monitor.report()
    assert result.returncode != 0, result.output
    message = re.search(r"BGP sessions are not Established.*", result.output).group(0)
    assert "left on" in message
    for node in down_rack.nodes:
        assert "node %s: " % node.name in message, message
    assert tor_peer in message
    for rack in lab.topology.racks[1:]:  # the other racks' sessions came up: not named
        for node in rack.nodes:
            assert "node %s: " % node.name not in message
    # stopped before the mesh: still on in the datastore, and nobody lost a route
    assert mesh_enabled(lab)
    assert task_hosts(result.output, "Turn the node-to-node mesh off") == []
    assert report.ok, report.text()
    lab.wait_for_sync()
    assert all(len([p for p in lab.peers(node) if p["peer_type"] == "node-to-node mesh"]) == 5
               for node in lab.node_names)


def test_role_stops_before_the_mesh_when_a_tor_is_down_with_the_datastore_source(lab):
    """The same, read from the controller: one task names every node of the rack and the ToR."""
    down_rack = lab.topology.racks[0]
    lab.tors[down_rack.tor.name].stop()
    with lab.monitor() as monitor:
        result = run_playbook(lab.inventory_path, os.path.join(PLAYBOOKS, "mesh_to_route_reflectors.yml"),
                              "-e", "calico_bgp_wait_timeout=4", *DATASTORE)
    report = monitor.report()
    assert result.returncode != 0, result.output
    message = re.search(r"BGP sessions are not Established.*", result.output).group(0)
    assert "left on" in message and "not every peer is Established" in message
    for node in down_rack.nodes:
        # calico/node's status names a peer by its neighbor address, without the port
        assert "node %s: %s (node specific) is " % (node.name, down_rack.tor.address) in message, message
    for rack in lab.topology.racks[1:]:
        for node in rack.nodes:
            assert "node %s: " % node.name not in message
    assert all(line.startswith("skipping:") for line in task_hosts(result.output, WAIT_TASK))
    assert mesh_enabled(lab)
    assert task_hosts(result.output, "Turn the node-to-node mesh off") == []
    assert report.ok, report.text()
    assert lab.store.list("CalicoNodeStatus") == []


def test_role_waits_on_the_ipv6_sessions_too(lab):
    """Only the ToR's bird6 is down: its IPv4 sessions come up, its IPv6 ones cannot, and the role
    stops before the mesh goes off, naming the IPv6 peer; no route of either family is lost."""
    down_rack = lab.topology.racks[0]
    lab.tors[down_rack.tor.name + ".bird6"].stop()
    tor_peer6 = "[%s]:%d" % (down_rack.tor.address6, lab.topology.listen_port)

    with lab.monitor() as monitor:
        result = run_playbook(lab.inventory_path, os.path.join(PLAYBOOKS, "mesh_to_route_reflectors.yml"),
                              "-e", "calico_bgp_wait_timeout=4")
    report = monitor.report()
    assert result.returncode != 0, result.output
    message = re.search(r"BGP sessions are not Established.*", result.output).group(0)
    for node in down_rack.nodes:
        assert "node %s: " % node.name in message, message
    assert tor_peer6 in message
    assert "%s:%d" % (down_rack.tor.address, lab.topology.listen_port) not in message  # IPv4 came up
    assert mesh_enabled(lab)
    assert task_hosts(result.output, "Turn the node-to-node mesh off") == []
    assert report.ok and any(node.endswith(".bird6") for node in report.samples), report.text()


def test_rack_rollout_goes_rack_by_rack_and_turns_the_mesh_off_last(lab):
    with lab.monitor() as monitor:
        result = run_playbook(lab.inventory_path, os.path.join(PLAYBOOKS, "rack_rollout.yml"),
                              "-e", "calico_bgp_node_to_node_mesh=false")
    report = monitor.report()
    assert result.returncode == 0, result.output
    assert report.ok, report.text()
    assert not mesh_enabled(lab)
    # one bulk task per rack, rack r1 before rack r2, each followed by the wait on every session of
    # every node of the rack, and the mesh turned off once, after both
    bulk = task_hosts(result.output, "Create and update the global and node peers")
    assert [line.split("[")[1].split(" ")[0].rstrip("]") for line in bulk if line.startswith("changed")] == [
        rack.nodes[0].name for rack in lab.topology.racks]
    create, verify, mesh_off = ("Create and update the global and node peers",
                                "Wait on the node until those BGP sessions are Established", "Turn the node-to-node mesh off now")
    assert tasks_that_ran(result.output, create, verify, mesh_off) == [
        create, verify, create, verify, create, verify, mesh_off]
    # each node waited twice: with its rack, and before the mesh went off
    waits = task_hosts(result.output, verify)
    for node in lab.topology.nodes:
        assert sum(line.startswith("ok: [%s]" % node.name) for line in waits) == 2, waits
    mesh_off = task_hosts(result.output, "Turn the node-to-node mesh off now")
    assert [line for line in mesh_off if line.startswith("changed")], mesh_off
    states = tor_sessions_established(lab)
    assert all(s == ["Established"] for s in states.values()), states


def test_rack_rollout_from_the_controller_runs_no_task_on_the_nodes(lab):
    with lab.monitor() as monitor:
        result = run_playbook(lab.inventory_path, os.path.join(PLAYBOOKS, "rack_rollout.yml"),
                              "-e", "calico_bgp_node_to_node_mesh=false", *DATASTORE)
    report = monitor.report()
    assert result.returncode == 0, result.output
    assert report.ok, report.text()
    assert not mesh_enabled(lab)
    create, verify, mesh_off, read = ("Create and update the global and node peers", FLEET_WAIT_TASK,
                                      "Turn the node-to-node mesh off now",
                                      "Read every node's BGP sessions (from the controller")
    assert tasks_that_ran(result.output, create, verify, mesh_off, read) == [
        create, verify, create, verify, create, verify, mesh_off, read]
    # one controller task per wait, delegated to localhost; nothing read BIRD on a node
    for line in task_hosts(result.output, verify) + task_hosts(result.output, read):
        assert re.match(r"^ok: \[\S+ -> localhost\]", line), line
    for task in (WAIT_TASK, "Wait on the node until every BGP session is Established",
                 "Read every node's BGP sessions (on the node)"):
        assert all(line.startswith("skipping:") for line in task_hosts(result.output, task)), task
    for node in lab.topology.nodes:
        assert "Node %s" % node.name in result.output
    states = tor_sessions_established(lab)
    assert all(s == ["Established"] for s in states.values()), states
    assert lab.store.list("CalicoNodeStatus") == []


def test_rack_rollout_stops_at_the_rack_with_a_session_the_change_does_not_touch_down(lab):
    """A peer made by hand (not in the inventory, not owned, so never purged) to an address
    nothing answers on, on a node of the second rack: the first rack goes through, the second
    stops before the next rack and before the mesh goes off, naming that session."""
    broken = lab.topology.racks[1].nodes[0]
    document = peer_doc("by-hand-dead", broken.name, "127.0.0.250", 65099)
    assert lab.datastore.create(PREFIX + "bgppeers/by-hand-dead", json.dumps(document).encode())
    with lab.monitor() as monitor:
        result = run_playbook(lab.inventory_path, os.path.join(PLAYBOOKS, "rack_rollout.yml"),
                              "-e", "calico_bgp_node_to_node_mesh=false", "-e", "calico_bgp_wait_timeout=4")
    report = monitor.report()
    assert result.returncode != 0, result.output
    message = re.search(r"BGP sessions are not Established.*", result.output).group(0)
    assert "node %s: after 4.0 s, not every peer is Established: 127.0.0.250 (node specific) is Active" % broken.name \
        in message, message
    assert len(re.findall(r"node [^ ]+: after", message)) == 1, message  # the other nodes of the rack are fine
    bulk = task_hosts(result.output, "Create and update the global and node peers")
    assert len([line for line in bulk if line.startswith("changed")]) == 2  # both racks, no final play
    assert mesh_enabled(lab)
    # (rack r1 passed the task by, since the mesh goes off only after the last rack)
    assert [line for line in task_hosts(result.output, "Turn the node-to-node mesh off")
            if not line.startswith("skipping")] == []
    assert report.ok, report.text()


INVENTORY_PLAY = """
- name: Inventory-driven peers
  hosts: calico_nodes
  gather_facts: false
  roles:
    - role: netops.calico.bgp_peering
"""


def node_doc(name, address):
    return {"kind": "Node", "apiVersion": "projectcalico.org/v3", "metadata": {"name": name},
            "spec": {"bgp": {"ipv4Address": address}}}


def peer_doc(name, node, address, as_number, labels=None):
    metadata = {"name": name}
    if labels:
        metadata["labels"] = labels
    return {"kind": "BGPPeer", "apiVersion": "projectcalico.org/v3", "metadata": metadata,
            "spec": {"node": node, "peerIP": address, "asNumber": as_number}}


def test_inventory_node_peers_become_exactly_the_nodes_peers_and_removals_are_purged(etcd, tmp_path):
    for name, address in (("node-a", "10.97.0.1/32"), ("node-b", "10.97.0.2/32"), ("node-c", "10.97.0.3/32")):
        put(etcd, PREFIX + "nodes/" + name, node_doc(name, address))
    # made by hand (no ownership label), on a node of the play: never removed
    put(etcd, PREFIX + "bgppeers/by-hand", peer_doc("by-hand", "node-a", "10.97.9.9", 65009))
    # owned by the collection, on a node outside the play: out of the purge scope
    put(etcd, PREFIX + "bgppeers/node-c.10-97-3-1", peer_doc("node-c.10-97-3-1", "node-c", "10.97.3.1", 65003, OWNER))

    def write_inventory(peers_a):
        inventory = {"all": {
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                     "calico_etcd_endpoints": list(etcd.endpoints), "calico_bgp_wait": False},
            "children": {"calico_nodes": {"hosts": {
                "node-a": {"calico_bgp_node_peers": peers_a},
                "node-b": {"calico_bgp_node_peers": [{"peer_ip": "10.97.2.1:1179", "as_number": 65002}]},
            }}}}}
        path = str(tmp_path / "hosts.yml")
        with open(path, "w") as handle:
            yaml.safe_dump(inventory, handle)
        return path

    playbook = str(tmp_path / "play.yml")
    with open(playbook, "w") as handle:
        handle.write(INVENTORY_PLAY)

    def peers():
        out = etcd.etcdctl("get", "--prefix", PREFIX + "bgppeers/", "--print-value-only").stdout
        docs = [json.loads(line) for line in out.splitlines() if line.strip()]
        return sorted((d["spec"]["node"], d["spec"]["peerIP"], d["spec"]["asNumber"],
                       d["metadata"].get("labels") == OWNER) for d in docs)

    two = [{"peer_ip": "10.97.1.1", "as_number": 65001}, {"peer_ip": "10.97.1.2", "as_number": 65001}]
    result = run_playbook(write_inventory(two), playbook)
    assert result.returncode == 0, result.output
    assert peers() == [("node-a", "10.97.1.1", 65001, True), ("node-a", "10.97.1.2", 65001, True),
                       ("node-a", "10.97.9.9", 65009, False), ("node-b", "10.97.2.1:1179", 65002, True),
                       ("node-c", "10.97.3.1", 65003, True)]
    # one bulk task wrote the peers of both hosts
    assert len([l for l in task_hosts(result.output, "Create and update the global and node peers")
                if l.startswith("changed")]) == 1

    result = run_playbook(write_inventory(two[:1]), playbook)
    assert result.returncode == 0, result.output
    assert peers() == [("node-a", "10.97.1.1", 65001, True), ("node-a", "10.97.9.9", 65009, False),
                       ("node-b", "10.97.2.1:1179", 65002, True), ("node-c", "10.97.3.1", 65003, True)]
    removed = task_hosts(result.output, "Remove the peers no longer listed")
    assert [l for l in removed if l.startswith("changed")], removed

    result = run_playbook(write_inventory(two[:1]), playbook)
    assert result.returncode == 0, result.output
    assert all(c["changed"] == 0 for c in recap(result.output).values()), result.output


def test_bad_input_anywhere_and_check_mode_write_nothing(etcd, tmp_path):
    from tests.integration.helpers import revision

    for name, address in (("node-a", "10.96.0.1/32"), ("node-b", "10.96.0.2/32")):
        put(etcd, PREFIX + "nodes/" + name, node_doc(name, address))
    playbook = str(tmp_path / "play.yml")
    with open(playbook, "w") as handle:
        handle.write(INVENTORY_PLAY)

    def inventory(peers_b):
        data = {"all": {
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                     "calico_etcd_endpoints": list(etcd.endpoints), "calico_bgp_wait": False,
                     "calico_bgp_as_number": 64601, "calico_bgp_node_to_node_mesh": False},
            "children": {"calico_nodes": {"hosts": {
                "node-a": {"calico_bgp_node_as_number": 65011,
                           "calico_bgp_node_peers": [{"peer_ip": "10.96.1.1", "as_number": 65011}]},
                "node-b": {"calico_bgp_node_peers": peers_b},
            }}}}}
        path = str(tmp_path / "hosts.yml")
        with open(path, "w") as handle:
            yaml.safe_dump(data, handle)
        return path

    good = [{"peer_ip": "10.96.2.1", "as_number": 65012}]
    before = revision(etcd)
    # a bad AS number in node-b's second peer: the global AS, node-a's AS and every peer stay unwritten
    result = run_playbook(inventory(good + [{"peer_ip": "10.96.2.2", "as_number": "not-an-as"}]), playbook)
    assert result.returncode != 0
    assert re.search(r"peers\[2\]\.as_number", result.output), result.output
    assert "Traceback" not in result.output
    assert revision(etcd) == before
    # a node that is not registered: refused before any write
    result = run_playbook(inventory(good), playbook, "-e", "calico_node_name=node-zz")
    assert result.returncode != 0 and "node-zz" in result.output
    assert revision(etcd) == before
    # a bad AS number of a node, or a bad global one: the plan refuses it, naming the node, before any write
    result = run_playbook(inventory(good), playbook, "-e", "calico_bgp_node_as_number=not-an-as")
    assert result.returncode != 0
    assert "nodes[0].as_number: 'not-an-as' is not an AS number" in result.output, result.output
    assert "(nodes[0] is node node-a)" in result.output and "Traceback" not in result.output
    result = run_playbook(inventory(good), playbook, "-e", "calico_bgp_as_number=0")
    assert result.returncode != 0 and "bgp_configuration.as_number: " in result.output, result.output
    assert revision(etcd) == before

    # check mode: reports the changes, writes nothing, waits on nothing
    result = run_playbook(inventory(good), playbook, "--check")
    assert result.returncode == 0, result.output
    assert sum(c["changed"] for c in recap(result.output).values()) > 0
    assert revision(etcd) == before

    result = run_playbook(inventory(good), playbook)
    assert result.returncode == 0, result.output
    assert revision(etcd) > before
    config = stored(etcd, PREFIX + "bgpconfigurations/default")[0]
    assert config["spec"]["asNumber"] == 64601 and config["spec"]["nodeToNodeMeshEnabled"] is False
    node_a = stored(etcd, PREFIX + "nodes/node-a")[0]
    assert node_a["spec"]["bgp"]["asNumber"] == 65011


RR_LAYOUT = {"all": {
    "vars": {
        "calico_rack_peers": [],
        # one reflector per rack, no redundant pair (the plan asks for two by default with two reflectors)
        "calico_bgp_min_route_reflectors": 1,
        "calico_bgp_global_peers": [
            {"name": "rack-r1-to-reflectors", "node_selector": "rack == 'r1' && !has(route-reflector)",
             "peer_selector": "rack == 'r1' && has(route-reflector)"},
            {"name": "rack-r2-to-reflectors", "node_selector": "rack == 'r2' && !has(route-reflector)",
             "peer_selector": "rack == 'r2' && has(route-reflector)"},
            {"name": "reflectors-mesh", "node_selector": "has(route-reflector)",
             "peer_selector": "has(route-reflector)"}]},
    "children": {"calico_nodes": {"children": {
        "rack_r1": {"hosts": {"r1-n1": {"calico_bgp_route_reflector_cluster_id": "224.0.0.1",
                                        "calico_bgp_node_labels": {"route-reflector": "true"}}}},
        "rack_r2": {"hosts": {"r2-n1": {"calico_bgp_route_reflector_cluster_id": "224.0.0.2",
                                        "calico_bgp_node_labels": {"route-reflector": "true"}}}}}}}}}


def test_rack_rollout_with_calico_node_route_reflectors_needs_the_disruption_accepted(lab, tmp_path):
    """The route-reflector layout (one Calico node per rack as reflector, selector peers) from the
    inventory: refused while the mesh is on unless accepted (Calico drops a new reflector from the
    mesh at once), then converged rack by rack to exactly that topology."""
    overlay = str(tmp_path / "rr.yml")
    with open(overlay, "w") as handle:
        yaml.safe_dump(RR_LAYOUT, handle)
    playbook = os.path.join(PLAYBOOKS, "rack_rollout.yml")
    before = lab.datastore.revision()
    result = run_playbook(lab.inventory_path, playbook, "-i", overlay)
    assert result.returncode != 0
    assert "would become route reflectors while the node-to-node mesh is on: r1-n1" in result.output, result.output
    assert lab.datastore.revision() == before  # refused before anything was written

    result = run_playbook(lab.inventory_path, playbook, "-i", overlay,
                          "-e", "calico_bgp_allow_route_reflector_disruption=true", "-e", "calico_bgp_render_delay=2")
    assert result.returncode == 0, result.output
    assert not mesh_enabled(lab)
    lab.wait_for_sync()
    sessions = {node: sorted((p["peer_address"], p["bgp_state"]) for p in lab.peers(node)) for node in lab.node_names}
    address = {node.name: node.address for node in lab.topology.nodes}
    assert sessions["r1-n1"] == sorted((address[n], "Established") for n in ("r1-n2", "r1-n3", "r2-n1"))
    assert sessions["r2-n1"] == sorted((address[n], "Established") for n in ("r2-n2", "r2-n3", "r1-n1"))
    for client, reflector in (("r1-n2", "r1-n1"), ("r1-n3", "r1-n1"), ("r2-n2", "r2-n1"), ("r2-n3", "r2-n1")):
        assert sessions[client] == [(address[reflector], "Established")]
    # (a second run of playbooks/rack_rollout.yml changing nothing: tests/integration/test_lab.py, the demo's)
