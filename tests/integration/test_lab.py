"""The lab, live: real etcd, real BIRD 1.6 daemons, the node agents, the collection's modules.

Each lab runs on its own free 127.N.0.0/16 so these tests never collide with a `make demo`,
a `python -m tests.lab up` or another test on the same machine.
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import pytest
import yaml

from tests.lab import REPO_ROOT
from tests.lab.cli import processes_using, running
from tests.lab.lab import Lab, LabError, busy_addresses, free_relocation
from tests.lab.routers import rack_protocol
from tests.lab.topology import Topology
from tests.support.fixtures import require_binary
from tests.support.module_runner import run_module

pytestmark = pytest.mark.slow


def wait_until(condition, timeout, what):
    """Poll `condition` (returns a truthy value when met); fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail("%s: not within %.0f s" % (what, timeout))
        time.sleep(0.1)


def _session(lab, node, address, port):
    for peer in lab.peers(node):
        if peer["peer_address"] == address and peer["peer_port"] == port:
            return peer
    return None


def test_peer_created_with_the_module_is_established_then_removed(lab):
    tor = lab.topology.rack("r1").tor
    peer_ip = "%s:%d" % (tor.address, lab.topology.listen_port)
    created = run_module("calico_bgp_peer", {
        "name": "lab-it-r1-n2-tor", "node": "r1-n2", "peer_ip": peer_ip, "as_number": tor.as_number,
        "etcd_endpoints": lab.etcd_endpoints})
    assert created["changed"] is True
    started = time.monotonic()
    peer = wait_until(lambda: (_session(lab, "r1-n2", tor.address, 1179) or {}).get("bgp_state") == "Established"
                      and _session(lab, "r1-n2", tor.address, 1179), 15, "r1-n2's new ToR peer Established")
    print("peer Established in BIRD %.1f s after the module returned" % (time.monotonic() - started))
    assert peer["name"] == "Node_%s_port_1179" % tor.address.replace(".", "_")
    assert peer["peer_type"] == "node specific"
    # the collection's own status module sees it too, from the node's socket
    status = run_module("calico_node_status", {"bird_socket": lab.socket("r1-n2"),
                                               "bird6_socket": lab.socket("r1-n2") + ".v6-unused",
                                               "wait_for": [peer_ip], "wait_timeout": 10})
    assert status["counts"].get("Established") == len(status["ipv4_peers"])
    assert lab.protocols(tor.name)["Rack_%s" % lab.topology.node("r1-n2").address.replace(".", "_")] == "Established"
    # the other nodes did not get it
    assert _session(lab, "r1-n1", tor.address, 1179) is None

    deleted = run_module("calico_bgp_peer", {"name": "lab-it-r1-n2-tor", "state": "absent",
                                             "etcd_endpoints": lab.etcd_endpoints})
    assert deleted["changed"] is True
    wait_until(lambda: _session(lab, "r1-n2", tor.address, 1179) is None, 15, "peer gone from r1-n2's BIRD")
    assert peer["name"] not in lab.protocols("r1-n2")
    # the mesh sessions were never touched by these reloads
    assert all(p["bgp_state"] == "Established" for p in lab.peers("r1-n2"))


def test_a_second_lab_on_the_same_addresses_is_refused_and_leaves_nothing(lab):
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "netops-calico-lab-*")))
    with pytest.raises(LabError, match="already in use .*%s:1179" % lab.topology.node("r1-n1").address):
        Lab(lab.topology).start()
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "netops-calico-lab-*"))) == before


def test_a_stopped_tor_takes_its_sessions_down_until_it_is_back(lab):
    tor = lab.topology.rack("r1").tor
    run_module("calico_bgp_peer", {
        "name": "lab-it-r1-tor", "node_selector": "rack == 'r1'", "as_number": tor.as_number,
        "peer_ip": "%s:%d" % (tor.address, lab.topology.listen_port), "etcd_endpoints": lab.etcd_endpoints})
    _settle(lab)
    lab.stop_router(tor.name)
    wait_until(lambda: all((_session(lab, n.name, tor.address, 1179) or {}).get("bgp_state") != "Established"
                           for n in lab.topology.rack("r1").nodes), 15, "r1's ToR sessions down")
    assert lab.protocols("tor-r2")["Fabric_%s" % tor.address.replace(".", "_")] != "Established"
    # the mesh still carries every route
    assert lab.missing_routes() == {}
    lab.start_router(tor.name)
    _settle(lab)
    run_module("calico_bgp_peer", {"name": "lab-it-r1-tor", "state": "absent", "etcd_endpoints": lab.etcd_endpoints})
    _settle(lab)
    assert all(_session(lab, n.name, tor.address, 1179) is None for n in lab.topology.rack("r1").nodes)


def _rack_peers(lab, state):
    """Each rack's nodes peer with their ToR, over IPv4 and (dual-stack) IPv6."""
    for rack in lab.topology.racks:
        addresses = [("rack-%s-tor" % rack.name, "%s:%d" % (rack.tor.address, lab.topology.listen_port))]
        if lab.ipv6:
            addresses.append(("rack-%s-tor6" % rack.name, "[%s]:%d" % (rack.tor.address6, lab.topology.listen_port)))
        for name, peer_ip in addresses:
            options = {"name": name, "etcd_endpoints": lab.etcd_endpoints}
            if state == "present":
                options.update(node_selector="rack == '%s'" % rack.name, as_number=rack.tor.as_number,
                               peer_ip=peer_ip)
            else:
                options["state"] = "absent"
            run_module("calico_bgp_peer", options)


def _speakers(lab):
    """The monitor's speakers: every node's BIRD, and its bird6 in a dual-stack lab."""
    return set(lab.node_names) | (set(name + ".bird6" for name in lab.node_names) if lab.ipv6 else set())


def test_the_default_lab_is_dual_stack(lab):
    assert lab.ipv6, "this machine runs the tests as root: the lab must run IPv6 too"
    for name in lab.node_names:
        peers = lab.peers(name + ".bird6", version=6)
        assert len(peers) == 5 and all(p["bgp_state"] == "Established" for p in peers), peers
        assert all(p["peer_address"].startswith("fd00:65:") for p in peers)
    assert lab.missing_routes() == {}
    assert any(key.endswith(".bird6") for key in lab.monitor().sockets)


def _mesh(lab, enabled):
    run_module("calico_bgp_config", {"node_to_node_mesh": enabled, "etcd_endpoints": lab.etcd_endpoints})


def _settle(lab):
    """The agents rendered the datastore, every session is Established, every route is there."""
    lab.wait_for_sync()
    lab.wait_established(timeout=30)
    lab.wait_for_routes(timeout=30)


def test_safe_migration_keeps_every_route_and_the_unsafe_order_drops_them(lab):
    """Both orders, measured by the same monitor in the same run."""
    _settle(lab)
    # Safe: ToR peers first, wait until Established, then the mesh off.
    with lab.monitor() as monitor:
        _rack_peers(lab, "present")
        _settle(lab)
        _mesh(lab, False)
        _settle(lab)
    safe = monitor.report()
    print(safe.text("safe order"))
    assert all(not any(peer["peer_type"] == "node-to-node mesh" for peer in lab.peers(n)) for n in lab.node_names)
    assert min(safe.samples.values()) >= 3

    # Back to the mesh, the safe way round (mesh on and Established, then peers removed).
    _mesh(lab, True)
    _settle(lab)
    _rack_peers(lab, "absent")
    _settle(lab)
    assert lab.missing_routes() == {}

    # Unsafe: the mesh off before the ToR peers exist.
    with lab.monitor() as monitor:
        _mesh(lab, False)
        lab.wait_for_sync()
        _rack_peers(lab, "present")
        _settle(lab)
    unsafe = monitor.report()
    print(unsafe.text("unsafe order"))

    assert safe.gaps == [] and safe.ok, safe.text()
    assert set(safe.samples) == _speakers(lab)                          # both families watched
    assert unsafe.gaps, unsafe.text()
    assert {gap.node for gap in unsafe.gaps} == _speakers(lab)          # everybody lost routes, in both families
    assert all(gap.end is not None for gap in unsafe.gaps)              # and got them back
    # leave the module's lab as it was found
    _mesh(lab, True)
    _settle(lab)
    _rack_peers(lab, "absent")
    _settle(lab)


def _lab_command(directory, *args, **kwargs):
    return subprocess.run([sys.executable, "-m", "tests.lab", "--dir", directory] + list(args),
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=180, check=False, **kwargs)


def test_lab_up_then_down_leaves_no_process_socket_or_directory(tmp_path):
    require_binary("bird")
    topology = free_relocation(Topology.load())
    topology_file = tmp_path / "topology.yml"
    topology_file.write_text(yaml.safe_dump(topology.data))
    directory = str(tmp_path / "lab")

    up = _lab_command(directory, "up", "--topology", str(topology_file))
    assert up.returncode == 0, up.stderr + up.stdout
    assert "Every configured session is Established" in up.stdout
    with open(os.path.join(directory, "lab.json")) as handle:
        state = json.load(handle)
    assert state["ipv6"] is True and state["netns"]
    pids = [state["supervisor_pid"], state["etcd"]["pid"]] + \
        [s[field] for s in state["nodes"] + state["tors"] for field in ("pid", "pid6")]
    sockets = [s[field] for s in state["nodes"] + state["tors"] for field in ("socket", "socket6")]
    assert len(pids) == 2 + 8 * 2 and all(running(pid) for pid in pids)
    assert all(os.path.exists(path) for path in sockets)

    status = _lab_command(directory, "status")
    assert status.returncode == 0, status.stderr
    assert status.stdout.count("node-to-node mesh") == 6 * 5 * 2  # IPv4 and IPv6 tables
    assert status.stdout.count("IPv6 BGP status") == 6
    inventory = _lab_command(directory, "inventory")
    assert inventory.returncode == 0, inventory.stderr
    listed = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-inventory"),
                             "-i", inventory.stdout.strip(), "--list"], capture_output=True, text=True,
                            check=False)
    assert listed.returncode == 0, listed.stderr
    hostvars = json.loads(listed.stdout)["_meta"]["hostvars"]
    assert hostvars["r2-n1"]["calico_bird_socket"] == state["nodes"][3]["socket"]
    assert hostvars["r2-n1"]["calico_bird6_socket"] == state["nodes"][3]["socket6"]
    assert hostvars["r2-n1"]["calico_tor_peer_ip6"] == "[%s]:1179" % topology.rack("r2").tor.address6
    assert hostvars["r2-n1"]["calico_tor_peer_ip"] == "%s:1179" % topology.rack("r2").tor.address
    assert hostvars["r2-n1"]["calico_etcd_endpoints"] == state["etcd"]["endpoints"]

    monitored = _lab_command(directory, "monitor", "--fail-on-gap", "--", sys.executable, "-c", "import time; time.sleep(1)")
    assert monitored.returncode == 0, monitored.stderr + monitored.stdout
    assert "=> no node ever lost a route" in monitored.stdout

    down = _lab_command(directory, "down")
    assert down.returncode == 0, down.stderr + down.stdout
    assert [pid for pid in pids if running(pid)] == []
    assert processes_using(directory) == []
    assert [path for path in sockets if os.path.exists(path)] == []
    assert not os.path.exists(directory)
    assert busy_addresses(topology) == []  # no BGP listener left on the lab's addresses
    assert not os.path.exists(os.path.join("/run/netns", state["netns"]))  # nor its namespace
    # a second `down` is harmless
    assert _lab_command(directory, "down").returncode == 0


def test_lab_up_on_a_generated_route_reflector_fabric_then_down(tmp_path):
    """`up --racks --nodes-per-rack --layout`: a fabric of that size and layout, Established, then
    stopped without leftovers."""
    require_binary("bird")
    directory = str(tmp_path / "lab")
    try:
        refused = _lab_command(directory, "up", "--racks", "0")
        assert refused.returncode != 0 and refused.stderr.strip().splitlines()[-1] == \
            "racks: 0 is not a whole number from 1 to 250"
        assert not os.path.exists(directory)
        _generated_fabric_up_and_down(directory)
    finally:
        _lab_command(directory, "down")  # whatever a failed assertion left running


def _generated_fabric_up_and_down(directory):
    up = _lab_command(directory, "up", "--racks", "3", "--nodes-per-rack", "2", "--layout", "rr-per-rack")
    assert up.returncode == 0, up.stderr + up.stdout
    assert "Every configured session is Established" in up.stdout
    with open(os.path.join(directory, "lab.json")) as handle:
        state = json.load(handle)
    assert [node["name"] for node in state["nodes"]] == ["r1-n1", "r1-n2", "r2-n1", "r2-n2", "r3-n1", "r3-n2"]
    assert set(node["as_number"] for node in state["nodes"]) == {64512}
    pids = [state["supervisor_pid"], state["etcd"]["pid"]] + \
        [s[field] for s in state["nodes"] + state["tors"] for field in ("pid", "pid6") if s.get(field)]
    status = _lab_command(directory, "status")
    assert status.returncode == 0 and status.stdout.count("node-to-node mesh") == 6 * 5 * 2, status.stdout

    down = _lab_command(directory, "down")
    assert down.returncode == 0, down.stderr + down.stdout
    assert [pid for pid in pids if running(pid)] == []
    assert not os.path.exists(directory)


def test_demo_rack_rollout_playbook_keeps_every_route_and_is_idempotent(tmp_path):
    """The playbook `make demo` runs, under the real ansible-playbook, on a fresh lab."""
    from tests.lab.demo import PLAYBOOK, PLAYBOOK_OPTIONS, ansible_playbook

    with Lab(free_relocation(Topology.load())) as fresh:
        inventory = fresh.write_inventory(str(tmp_path / "inventory.yml"))
        command = [ansible_playbook(), "-i", inventory, PLAYBOOK] + PLAYBOOK_OPTIONS
        env = dict(os.environ, ANSIBLE_NOCOLOR="1")
        with fresh.monitor() as monitor:
            first = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
        assert first.returncode == 0, first.stdout + first.stderr
        report = monitor.report()
        assert report.ok, report.text()
        assert set(report.samples) == _speakers(fresh) and fresh.ipv6  # no gap in either family
        for rack in fresh.topology.racks:
            for lab_node in rack.nodes:
                peers = fresh.peers(lab_node.name)
                assert [(p["peer_address"], p["peer_port"], p["peer_type"], p["bgp_state"]) for p in peers] == \
                    [(rack.tor.address, 1179, "node specific", "Established")]
                peers = fresh.peers(lab_node.name + ".bird6", version=6)
                assert [(p["peer_address"], p["peer_port"], p["peer_type"], p["bgp_state"]) for p in peers] == \
                    [(rack.tor.address6, 1179, "node specific", "Established")]
        second = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
        assert second.returncode == 0, second.stdout + second.stderr
        recap = re.findall(r"changed=(\d+)", second.stdout)
        assert len(recap) == len(fresh.node_names) and set(recap) == {"0"}, second.stdout

        # The unsafe order in the same run: back to the mesh (mesh on, then the ToR peers removed),
        # then the mesh off before the ToR peers exist: a gap in both families.
        _mesh(fresh, True)
        _settle(fresh)
        run_module("calico_bgp_peer", {"peers": [], "purge": True, "purge_scope": {"nodes": fresh.node_names},
                                       "etcd_endpoints": fresh.etcd_endpoints})
        _settle(fresh)
        with fresh.monitor() as monitor:
            _mesh(fresh, False)
            fresh.wait_for_sync()
            _rack_peers(fresh, "present")
            _settle(fresh)
        unsafe = monitor.report()
        print(report.text("rack rollout"))
        print(unsafe.text("unsafe order"))
        assert {gap.node for gap in unsafe.gaps} == _speakers(fresh), unsafe.text()
        assert any(gap.node.endswith(".bird6") for gap in unsafe.gaps)


def _protocol_names(lab, speaker):
    return set(lab.protocols(speaker))


def test_reverse_peering_manual_gets_no_reverse_session_as_in_calico(lab):
    """A BGPPeer from r1-n1 to the Calico node r2-n1: with reversePeering Auto calico/node also
    configures r2-n1 back towards r1-n1; with Manual it does not, and neither does the lab."""
    _settle(lab)
    _rack_peers(lab, "present")
    _settle(lab)
    _mesh(lab, False)  # the mesh would already pair the two nodes
    _settle(lab)
    r1n1, r2n1 = lab.topology.node("r1-n1"), lab.topology.node("r2-n1")
    forward = "Node_%s_port_1179" % r2n1.address.replace(".", "_")
    reverse = "Node_%s_port_1179" % r1n1.address.replace(".", "_")
    try:
        for mode, reverse_expected in (("Manual", False), ("Auto", True)):
            run_module("calico_bgp_peer", {
                "name": "lab-it-cross-rack", "node": "r1-n1", "peer_ip": "%s:1179" % r2n1.address,
                "as_number": r2n1.as_number, "reverse_peering": mode, "etcd_endpoints": lab.etcd_endpoints})
            lab.wait_for_sync()
            assert forward in _protocol_names(lab, "r1-n1")
            assert (reverse in _protocol_names(lab, "r2-n1")) is reverse_expected, mode
        # with both sides configured the session comes up
        lab.wait_established({"r1-n1": [forward], "r2-n1": [reverse]}, timeout=20)
    finally:
        run_module("calico_bgp_peer", {"name": "lab-it-cross-rack", "state": "absent",
                                       "etcd_endpoints": lab.etcd_endpoints})
        _mesh(lab, True)
        _settle(lab)
        _rack_peers(lab, "absent")
        _settle(lab)


def test_a_local_as_number_peer_comes_up_with_that_as_on_the_wire(lab, tmp_path):
    """r1-n1 peers with an external router as AS 65101 (localASNumber) instead of its own 65001:
    the router, which only accepts AS 65101, reaches Established and sees 65101."""
    from tests.support.bird_daemon import BgpProtocol, BirdDaemon, bird_config

    node = lab.topology.node("r1-n1")
    external = node.address.rsplit(".", 2)[0] + ".9.1"  # free: the lab uses .1.x and .2.x
    router = BirdDaemon("ext", str(tmp_path), external)
    router.start(bird_config(external, external, 1179, protocols=[BgpProtocol(
        "to_r1_n1", node.address, 1179, local_as=64999, neighbor_as=65101, source_address=external,
        multihop=True)]))
    try:
        run_module("calico_bgp_peer", {
            "name": "lab-it-local-as", "node": "r1-n1", "peer_ip": "%s:1179" % external, "as_number": 64999,
            "local_as_number": 65101, "etcd_endpoints": lab.etcd_endpoints})
        lab.wait_for_sync()
        name = "Node_%s_port_1179" % external.replace(".", "_")
        lab.wait_established({"r1-n1": [name]}, timeout=20)
        router.wait_for_protocols(["to_r1_n1"], timeout=20)
        details = router.birdc("show", "protocols", "all", "to_r1_n1")
        assert re.search(r"Neighbor AS:\s+65101", details), details
        assert "local as 65101;" in open(lab.daemon("r1-n1").config_path).read()
    finally:
        run_module("calico_bgp_peer", {"name": "lab-it-local-as", "state": "absent",
                                       "etcd_endpoints": lab.etcd_endpoints})
        router.stop()
        _settle(lab)


def test_an_export_filter_on_a_tor_peer_removes_exactly_that_prefix_until_it_is_removed(lab):
    """Mesh off, every node peering with its rack's ToR (both families). A BGPFilter on rack r1's
    ToR peers that rejects r1-n1's pod blocks on export: r1-n1 keeps them, every other node loses
    exactly those two prefixes (r1's other nodes learn them only through the ToR too), and
    nothing else; without the filter they come back."""
    r1n1 = lab.topology.node("r1-n1")
    _settle(lab)
    _rack_peers(lab, "present")
    _settle(lab)
    _mesh(lab, False)
    _settle(lab)
    rules = dict(export_v4=[{"action": "Reject", "cidr": r1n1.pod_block, "match_operator": "Equal"}],
                 export_v6=[{"action": "Reject", "cidr": r1n1.pod_block6, "match_operator": "Equal"}])
    run_module("calico_bgp_filter", dict(name="drop-r1-n1", etcd_endpoints=lab.etcd_endpoints, **rules))
    try:
        with lab.monitor() as monitor:
            for name in ("rack-r1-tor", "rack-r1-tor6"):
                run_module("calico_bgp_peer", {"name": name, "filters": ["drop-r1-n1"],
                                               "etcd_endpoints": lab.etcd_endpoints})
            lab.wait_for_sync()
            expected = dict((speaker, {block}) for speaker, block in
                            [(n, r1n1.pod_block) for n in lab.node_names if n != "r1-n1"] +
                            [(n + ".bird6", r1n1.pod_block6) for n in lab.node_names if n != "r1-n1"])
            wait_until(lambda: lab.missing_routes() == dict((k, sorted(v)) for k, v in expected.items()), 20,
                       "exactly r1-n1's blocks missing on every other node")
            filtered = lab.missing_routes()
            for name in ("rack-r1-tor", "rack-r1-tor6"):
                run_module("calico_bgp_peer", {"name": name, "unset": ["filters"],
                                               "etcd_endpoints": lab.etcd_endpoints})
            lab.wait_for_sync()
            lab.wait_for_routes(timeout=20)
        report = monitor.report()
        print(report.text("export filter on r1's ToR peers"))
        assert filtered == dict((k, sorted(v)) for k, v in expected.items())
        missing = {}
        for gap in report.gaps:
            missing.setdefault(gap.node, set()).update(gap.missing)
        assert missing == expected, report.text()        # that prefix, on those nodes, and no other
        assert all(gap.end is not None for gap in report.gaps)  # and back once the filter is gone
        # the filter's function is still defined (the filter exists) but no peer calls it any more
        config = open(lab.daemon("r1-n1").config_path).read()
        assert "function 'bgp_drop-r1-n1_exportFilterV4'()" in config
        assert "'bgp_drop-r1-n1_exportFilterV4'();" not in config
    finally:
        for name in ("rack-r1-tor", "rack-r1-tor6"):
            run_module("calico_bgp_peer", {"name": name, "unset": ["filters"], "etcd_endpoints": lab.etcd_endpoints})
        run_module("calico_bgp_filter", {"name": "drop-r1-n1", "state": "absent", "force": True,
                                         "etcd_endpoints": lab.etcd_endpoints})
        _mesh(lab, True)
        _settle(lab)
        _rack_peers(lab, "absent")
        _settle(lab)


def test_the_calico_nodes_inventory_plugin_groups_the_lab_by_rack_and_as(lab, tmp_path):
    source = tmp_path / "lab.calico_nodes.yml"
    source.write_text(yaml.safe_dump({
        "plugin": "netops.calico.calico_nodes",
        "etcd_endpoints": lab.etcd_endpoints,
        "keyed_groups": [{"key": "calico_labels.rack", "prefix": "rack"},
                         {"key": "calico_effective_as_number | string", "prefix": "as"}],
        "groups": {"dual_stack": "calico_ipv6_address is not none"},
        "compose": {"ansible_host": "calico_ipv4_address | regex_replace('/.*$', '')"},
        "cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"),
    }))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", str(source)]
    env = dict(os.environ, ANSIBLE_INVENTORY_ENABLED="netops.calico.calico_nodes", ANSIBLE_NOCOLOR="1")
    graph = subprocess.run(command + ["--graph"], capture_output=True, text=True, env=env, check=False)
    assert graph.returncode == 0, graph.stderr
    groups = {}
    for line in graph.stdout.splitlines():
        if "@" in line:
            current = line.split("@", 1)[1].rstrip(":")
            groups[current] = []
        elif "|--" in line:
            groups[current].append(line.split("|--", 1)[1].strip())
    for rack in lab.topology.racks:
        assert sorted(groups["rack_%s" % rack.name]) == sorted(n.name for n in rack.nodes), graph.stdout
        assert sorted(groups["as_%d" % rack.as_number]) == sorted(n.name for n in rack.nodes), graph.stdout
    assert sorted(groups["dual_stack"]) == sorted(lab.node_names)
    listed = subprocess.run(command + ["--host", "r1-n2"], capture_output=True, text=True, env=env, check=False)
    host = json.loads(listed.stdout)
    node = lab.topology.node("r1-n2")
    assert host["ansible_host"] == node.address and host["calico_as_number"] == 65001
    assert host["calico_labels"]["rack"] == "r1" and host["calico_ipv6_address"] == node.address6 + "/128"
    assert os.listdir(str(tmp_path / "cache"))  # the inventory was cached


def test_rack_rollout_of_a_generated_24_node_fabric_keeps_every_route(tmp_path):
    """playbooks/rack_rollout.yml on 4 racks of 6 nodes (one AS, each ToR its rack's reflector, the
    mesh of 24 nodes on at the start): every route kept in both families, and at the end each node
    has exactly its ToR session per family and each ToR a session to each node of its rack.
    (How fast, against the floor, is `make bench`'s business: tests/benchmarks/rollout.py.)"""
    from tests.lab.demo import PLAYBOOK, ansible_playbook

    with Lab(free_relocation(Topology.generate(4, 6, "rr-per-rack"))) as fabric:
        assert len(fabric.node_names) == 24 and fabric.ipv6
        assert all(len(fabric.peers(node)) == 23 for node in fabric.node_names)  # the mesh
        inventory = fabric.write_inventory(str(tmp_path / "inventory.yml"))
        command = [ansible_playbook(), "-i", inventory, PLAYBOOK, "--forks", "6"]
        with fabric.monitor() as monitor:
            result = subprocess.run(command, cwd=REPO_ROOT, env=dict(os.environ, ANSIBLE_NOCOLOR="1"),
                                    capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr
        report = monitor.report()
        assert report.ok, report.text()
        assert set(report.samples) == _speakers(fabric) and min(report.samples.values()) > 5
        stored = run_module("calico_bgp_config_info", {"etcd_endpoints": fabric.etcd_endpoints})
        assert stored["effective"]["node_to_node_mesh"] is False
        for rack in fabric.topology.racks:
            for lab_node in rack.nodes:
                for speaker, version, address in ((lab_node.name, 4, rack.tor.address),
                                                  (lab_node.name + ".bird6", 6, rack.tor.address6)):
                    assert [(p["peer_address"], p["peer_port"], p["bgp_state"])
                            for p in fabric.peers(speaker, version=version)] == [(address, 1179, "Established")]
            tor_sessions = fabric.protocols(rack.tor.name)
            assert all(tor_sessions[rack_protocol(lab_node)].startswith("Established") for lab_node in rack.nodes)
