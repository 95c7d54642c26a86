"""calico_node_status against real BIRD 1.6 daemons on loopback, peered as calico/node names
its sessions: Mesh_ (node-to-node mesh), Global_ with a _port_N suffix, Node_ (node specific),
and an IPv6 session between two bird6 on ::1 (the only IPv6 loopback address, so each bird6
listens on its own port)."""
import os
import re
import socket
import subprocess
import sys
import threading
import time

import pytest

from ansible_collections.netops.calico.plugins.module_utils._bird_client import BirdClient, BirdCommandError
from tests.support.bird_daemon import BgpProtocol, bird_config
from tests.support.module_runner import run_module
from tests.support.processes import free_port

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Bound for "fails within the timeout": the deadline plus generous slack for a busy machine.
SLACK = 10.0
# Sessions on loopback come up in about a second; this only bounds a broken run.
SESSION_TIMEOUT = 30

NODE, MESH_PEER, GLOBAL_PEER, NODE_PEER = "127.0.0.51", "127.0.0.52", "127.0.0.53", "127.0.0.54"


class Fabric(object):
    """The node under test (IPv4 and IPv6 BIRD) and one daemon per peer."""

    def __init__(self, daemons):
        self.port = free_port(NODE)              # the cluster's listenPort: no suffix in names
        self.global_port = free_port(GLOBAL_PEER)  # a global peer with its own port
        self.v6_node_port, self.v6_peer_port = free_port("::1"), free_port("::1")
        self.global_name = "Global_127_0_0_53_port_%d" % self.global_port
        self.v6_name = "Global___1_port_%d" % self.v6_peer_port

        node_protocols = [
            # calico/node: of a mesh pair only the node whose address sorts higher dials.
            BgpProtocol("Mesh_127_0_0_52", MESH_PEER, self.port, source_address=NODE, passive=True),
            BgpProtocol(self.global_name, GLOBAL_PEER, self.global_port, neighbor_as=64513,
                        source_address=NODE, multihop=True),
            BgpProtocol("Node_127_0_0_54", NODE_PEER, self.port, source_address=NODE),
        ]
        self.node = daemons.new("node", NODE)
        self.node.start(bird_config(NODE, NODE, self.port, protocols=node_protocols, timeformat_iso_long=True,
                                    static_routes=["198.51.100.51/32"]))
        self.mesh_peer = daemons.new("mesh", MESH_PEER)
        self.mesh_peer.start(bird_config(MESH_PEER, MESH_PEER, self.port, protocols=[
            BgpProtocol("Mesh_127_0_0_51", NODE, self.port, source_address=MESH_PEER)]))
        self.global_peer = daemons.new("global", GLOBAL_PEER)
        self.global_peer.start(bird_config(GLOBAL_PEER, GLOBAL_PEER, self.global_port, protocols=[
            BgpProtocol("Node_127_0_0_51", NODE, self.port, local_as=64513, source_address=GLOBAL_PEER,
                        multihop=True)]))
        self.node_peer = daemons.new("nodepeer", NODE_PEER)
        self.node_peer.start(bird_config(NODE_PEER, NODE_PEER, self.port, protocols=[
            BgpProtocol("Node_127_0_0_51", NODE, self.port, source_address=NODE_PEER)]))

        self.node6 = daemons.new("node6", NODE, ipv6=True)
        self.node6.start(bird_config(NODE, "::1", self.v6_node_port, static_routes=["2001:db8:51::/64"], protocols=[
            BgpProtocol(self.v6_name, "::1", self.v6_peer_port, source_address="::1")]))
        self.peer6 = daemons.new("peer6", MESH_PEER, ipv6=True)
        self.peer6.start(bird_config(MESH_PEER, "::1", self.v6_peer_port, protocols=[
            # Both ends are ::1: one side must stay passive or the two connections collide.
            BgpProtocol("Mesh___1", "::1", self.v6_node_port, source_address="::1", passive=True)]))

    def args(self, **extra):
        return dict(extra, bird_socket=self.node.socket_path, bird6_socket=self.node6.socket_path)


@pytest.fixture(scope="module")
def fabric(module_bird_daemons):
    return Fabric(module_bird_daemons)


def test_every_session_established_with_address_port_and_type(fabric):
    result = run_module("calico_node_status", fabric.args(wait_for=["all"], wait_timeout=SESSION_TIMEOUT))

    assert result["changed"] is False and result["not_in_wait_state"] == []
    assert [(p["name"], p["peer_address"], p["peer_port"], p["peer_type"], p["state"], p["bgp_state"])
            for p in result["ipv4_peers"]] == [
        ("Mesh_127_0_0_52", MESH_PEER, None, "node-to-node mesh", "up", "Established"),
        (fabric.global_name, GLOBAL_PEER, fabric.global_port, "global", "up", "Established"),
        ("Node_127_0_0_54", NODE_PEER, None, "node specific", "up", "Established"),
    ]
    assert [(p["peer_address"], p["peer_port"], p["peer_type"], p["ip_version"], p["bgp_state"])
            for p in result["ipv6_peers"]] == [("::1", fabric.v6_peer_port, "global", 6, "Established")]
    assert result["counts"] == {"Established": 4}
    # `timeformat protocol iso long`: a since with a space, read whole.
    assert all(re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", p["since"]) for p in result["ipv4_peers"])
    table = result["table"]
    assert "| %s:%d | global " % (GLOBAL_PEER, fabric.global_port) in table
    assert re.search(r"\| \[::1\]:%d +\| global +\| up +\|" % fabric.v6_peer_port, table)
    assert "| 127.0.0.52       | node-to-node mesh | up    | " in table
    assert table.count("| Established |") == 4
    assert (result["bird_socket"], result["bird6_socket"]) == (fabric.node.socket_path, fabric.node6.socket_path)
    assert result["bird_running"] and result["bird6_running"]  # the test daemons themselves


def test_check_mode_reads_the_same_sessions(fabric):
    result = run_module("calico_node_status", fabric.args(wait_for=["all"], wait_timeout=SESSION_TIMEOUT),
                        check_mode=True)
    assert result["changed"] is False
    assert len(result["ipv4_peers"]) == 3 and len(result["ipv6_peers"]) == 1


def test_playbook_prints_every_nodes_table(fabric, tmp_path):
    fabric.node.wait_for_protocols(["Mesh_127_0_0_52", fabric.global_name, "Node_127_0_0_54"],
                                   timeout=SESSION_TIMEOUT)
    inventory = tmp_path / "inventory.ini"
    common = "ansible_connection=local ansible_python_interpreter=%s calico_node_status_become=false" % sys.executable
    host = "%s %s calico_bird_socket=%s calico_bird6_socket=%s"
    inventory.write_text("\n".join([
        "[calico_nodes]",
        host % ("node", common, fabric.node.socket_path, fabric.node6.socket_path),
        # The mesh peer has no IPv6 BIRD: its IPv6 is reported as not in use.
        host % ("mesh", common, fabric.mesh_peer.socket_path, tmp_path / "none6.ctl"),
        "",
    ]))
    playbook = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inventory),
         os.path.join(REPO_ROOT, "playbooks", "node_status.yml")],
        capture_output=True, text=True, timeout=120, env=dict(os.environ, ANSIBLE_NOCOLOR="1"), check=False)
    assert playbook.returncode == 0, playbook.stdout + playbook.stderr
    output = playbook.stdout
    assert "ok: [node] => {" in output and "ok: [mesh] => {" in output
    assert '"| %s:%d | global ' % (GLOBAL_PEER, fabric.global_port) in output
    assert '"| 127.0.0.51   | node-to-node mesh | up    | ' in output  # the mesh peer's view
    assert '"INFO: IPv6 BGP is not in use (no BIRDv6 socket at %s)."' % (tmp_path / "none6.ctl") in output
    assert re.search(r"node\s+: ok=2\s+changed=0\s+unreachable=0\s+failed=0", output)
    assert re.search(r"mesh\s+: ok=2\s+changed=0\s+unreachable=0\s+failed=0", output)


def pair(daemons, node_address, peer_address, start_peer=True, node_passive=True):
    """A node with one Node_ peer. The peer dials the node; unless `node_passive` is false,
    the node does not dial back."""
    port = free_port(node_address)
    node = daemons.new("n" + node_address.split(".")[-1], node_address)
    node.start(bird_config(node_address, node_address, port, protocols=[
        BgpProtocol("Node_" + peer_address.replace(".", "_"), peer_address, port,
                    source_address=node_address, passive=node_passive)]))
    peer = daemons.new("p" + peer_address.split(".")[-1], peer_address)
    peer_config = bird_config(peer_address, peer_address, port, protocols=[
        BgpProtocol("Node_" + node_address.replace(".", "_"), node_address, port, source_address=peer_address)])
    if start_peer:
        peer.start(peer_config)
    return node, peer, peer_config


def poll_module(args, predicate, timeout=SESSION_TIMEOUT):
    """Run the module until its result satisfies predicate; returns that result."""
    deadline = time.monotonic() + timeout
    while True:
        result = run_module("calico_node_status", args)
        if predicate(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def test_killed_peer_shows_non_established_state_and_error(bird_daemons, tmp_path):
    # The node dials too, so after the crash it sees its reconnects refused.
    node, peer, _config = pair(bird_daemons, "127.0.0.61", "127.0.0.62", node_passive=False)
    args = {"bird_socket": node.socket_path, "bird6_socket": str(tmp_path / "none6.ctl")}
    established = run_module("calico_node_status",
                             dict(args, wait_for=["127.0.0.62"], wait_timeout=SESSION_TIMEOUT))
    assert established["ipv4_peers"][0]["bgp_state"] == "Established"

    peer.kill()  # a crashed peer, then every reconnect refused
    result = poll_module(args, lambda r: r["ipv4_peers"][0]["last_error"] == "Socket: Connection refused")
    [down] = result["ipv4_peers"]
    assert (down["peer_address"], down["peer_type"], down["state"]) == ("127.0.0.62", "node specific", "start")
    assert down["bgp_state"] in ("Idle", "Connect", "Active", "Passive")
    assert down["last_error"] == "Socket: Connection refused"
    assert "| 127.0.0.62   | node specific | start | " in result["table"]
    # calicoctl's table wraps the info column at 30 characters.
    assert "| %s Socket: Connection " % down["bgp_state"] in result["table"]
    assert re.search(r"\|\s+\|\s+\|\s+\|\s+\| refused\s+\|", result["table"])
    assert result["counts"] == {down["bgp_state"]: 1}


def test_peer_shut_down_cleanly_reports_administrative_shutdown(bird_daemons, tmp_path):
    node, peer, _config = pair(bird_daemons, "127.0.0.63", "127.0.0.64")
    args = {"bird_socket": node.socket_path, "bird6_socket": str(tmp_path / "none6.ctl")}
    run_module("calico_node_status", dict(args, wait_for=["all"], wait_timeout=SESSION_TIMEOUT))
    peer.stop()
    result = poll_module(args, lambda r: r["ipv4_peers"][0]["bgp_state"] != "Established")
    assert result["ipv4_peers"][0]["state"] == "start"
    assert result["ipv4_peers"][0]["last_error"] == "Received: Administrative shutdown"


def test_wait_for_returns_once_peers_established_that_were_connecting(bird_daemons, tmp_path):
    node, peer, peer_config = pair(bird_daemons, "127.0.0.71", "127.0.0.72", start_peer=False)
    args = {"bird_socket": node.socket_path, "bird6_socket": str(tmp_path / "none6.ctl")}
    before = run_module("calico_node_status", args)
    assert before["ipv4_peers"][0]["bgp_state"] != "Established"  # the peer is not even running

    # Start the peer while the module is already waiting.
    starter = threading.Timer(0.5, peer.start, args=(peer_config,))
    starter.start()
    try:
        result = run_module("calico_node_status", dict(args, wait_for=["127.0.0.72"], wait_timeout=SESSION_TIMEOUT,
                                                       wait_interval=0.2))
    finally:
        starter.join()
    assert result["not_in_wait_state"] == []
    assert result["ipv4_peers"][0]["bgp_state"] == "Established"
    assert 0 < result["waited"] < SESSION_TIMEOUT


def test_a_session_established_long_enough_by_birds_clock_passes_a_stable_wait_in_one_reading(bird_daemons, tmp_path):
    node, _peer, _config = pair(bird_daemons, "127.0.0.75", "127.0.0.76")
    args = {"bird_socket": node.socket_path, "bird6_socket": str(tmp_path / "none6.ctl")}
    # BIRD's default time format (HH:MM:SS) and its clock date the session
    aged = poll_module(args, lambda r: r["ipv4_peers"][0]["seconds_in_state"] is not None
                       and r["ipv4_peers"][0]["seconds_in_state"] >= 2)
    assert aged["ipv4_peers"][0]["bgp_state"] == "Established" and aged["ipv4_peers"][0]["seconds_in_state"] >= 2
    result = run_module("calico_node_status", dict(args, wait_for=["all"], wait_timeout=SESSION_TIMEOUT,
                                                   wait_interval=1, stable_polls=3))
    # Three readings would mean two 1 s sleeps; BIRD's clock vouched for the span, so one reading did.
    assert result["not_in_wait_state"] == [] and result["waited"] < 1


def test_a_restarted_session_is_dated_from_its_restart(bird_daemons, tmp_path):
    """BIRD resets SINCE when a session restarts, so one that came back a moment ago gets no credit
    for the time before: a 2-reading wait 5 s apart takes both readings."""
    node, _peer, _config = pair(bird_daemons, "127.0.0.77", "127.0.0.78")
    args = {"bird_socket": node.socket_path, "bird6_socket": str(tmp_path / "none6.ctl")}
    aged = poll_module(args, lambda r: (r["ipv4_peers"][0]["seconds_in_state"] or 0) >= 3)
    since = aged["ipv4_peers"][0]["since"]
    with BirdClient(node.socket_path) as bird:
        bird.command("restart Node_127_0_0_78")
    back = poll_module(args, lambda r: r["ipv4_peers"][0]["bgp_state"] == "Established"
                       and r["ipv4_peers"][0]["since"] != since)
    assert back["ipv4_peers"][0]["since"] != since
    assert back["ipv4_peers"][0]["seconds_in_state"] is None or back["ipv4_peers"][0]["seconds_in_state"] < 3
    result = run_module("calico_node_status", dict(args, wait_for=["127.0.0.78"], wait_timeout=SESSION_TIMEOUT,
                                                   wait_interval=5, stable_polls=2))
    assert result["not_in_wait_state"] == [] and result["waited"] >= 5


def test_iso_long_times_date_the_sessions_too(fabric):
    def dated(result):
        return all(peer["since"][4] == "-" and peer["seconds_in_state"] is not None and peer["seconds_in_state"] >= 0
                   for peer in result["ipv4_peers"])
    result = poll_module(fabric.args(wait_for=["all"], wait_timeout=SESSION_TIMEOUT), dated)
    assert dated(result), result["ipv4_peers"]


def test_wait_for_fails_after_timeout_listing_peers_and_their_states(bird_daemons, tmp_path):
    node, _peer, _config = pair(bird_daemons, "127.0.0.73", "127.0.0.74", start_peer=False)
    args = {"bird_socket": node.socket_path, "bird6_socket": str(tmp_path / "none6.ctl")}
    started = time.monotonic()
    result = run_module("calico_node_status", dict(args, wait_for=["127.0.0.74", "127.0.0.99"],
                                                   wait_timeout=1.5, wait_interval=0.2), expect_failure=True)
    elapsed = time.monotonic() - started
    assert re.match(r"^after 1\.5 s, not every peer is Established: "
                    r"127\.0\.0\.74 \(node specific\) is (Idle|Connect|Active|Passive)(: .+)?; "
                    r"127\.0\.0\.99 is not a BGP peer of this node$", result["msg"]), result["msg"]
    assert [(u["peer"], u["present"]) for u in result["not_in_wait_state"]] == [
        ("127.0.0.74", True), ("127.0.0.99", False)]
    assert 1.5 <= elapsed < 1.5 + SLACK


def test_missing_socket_path_is_one_clear_error(tmp_path):
    path = str(tmp_path / "bird.ctl")
    started = time.monotonic()
    result = run_module("calico_node_status", {"bird_socket": path}, expect_failure=True)
    assert result["msg"] == "cannot reach BIRDv4 (IPv4 BGP): BIRD control socket %s does not exist" % path
    assert time.monotonic() - started < 2 + SLACK


def test_socket_that_accepts_but_never_answers_fails_within_the_timeout(tmp_path):
    path = "/tmp/ncb-silent-%d.ctl" % os.getpid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)  # connections complete in the backlog; nothing ever reads or writes
    try:
        started = time.monotonic()
        result = run_module("calico_node_status", {"bird_socket": path, "timeout": 1}, expect_failure=True)
        elapsed = time.monotonic() - started
    finally:
        listener.close()
        os.unlink(path)
    assert result["msg"] == "BIRD at %s did not send its greeting within 1 s" % path
    assert elapsed < 1 + SLACK


def test_crashed_bird_leaves_a_socket_that_refuses(bird_daemons):
    node, _peer, _config = pair(bird_daemons, "127.0.0.75", "127.0.0.76", start_peer=False)
    node.kill()
    assert os.path.exists(node.socket_path)
    result = run_module("calico_node_status", {"bird_socket": node.socket_path}, expect_failure=True)
    assert result["msg"] == ("cannot reach BIRDv4 (IPv4 BGP): BIRD control socket %s refused the connection "
                             "(no BIRD listens on it)" % node.socket_path)


def test_real_bird_answering_a_syntax_error(bird_daemons):
    node, _peer, _config = pair(bird_daemons, "127.0.0.77", "127.0.0.78", start_peer=False)
    started = time.monotonic()
    with BirdClient(node.socket_path) as bird:
        with pytest.raises(BirdCommandError) as caught:
            bird.command("show protocol detail")
        # The connection stays usable after an error reply, as with birdc.
        assert bird.command("show status").code == "0013"
    assert (caught.value.code, caught.value.text) == ("9001", "syntax error")
    assert str(caught.value) == ("BIRD at %s rejected 'show protocol detail' with error 9001: syntax error"
                                 % node.socket_path)
    assert time.monotonic() - started < 2 + SLACK


def test_reconfigure_adds_a_peer_the_module_then_reports(bird_daemons, tmp_path):
    node, _peer, _config = pair(bird_daemons, "127.0.0.79", "127.0.0.80", start_peer=False)
    port = free_port("127.0.0.79")
    node.reconfigure(bird_config("127.0.0.79", "127.0.0.79", port, protocols=[
        BgpProtocol("Node_127_0_0_80", "127.0.0.80", port, source_address="127.0.0.79", passive=True),
        BgpProtocol("Global_127_0_0_81_port_1790", "127.0.0.81", 1790, source_address="127.0.0.79",
                    disabled=True)]))
    result = run_module("calico_node_status", {"bird_socket": node.socket_path,
                                               "bird6_socket": str(tmp_path / "none6.ctl")})
    peers = {p["name"]: p for p in result["ipv4_peers"]}
    assert sorted(peers) == ["Global_127_0_0_81_port_1790", "Node_127_0_0_80"]
    added = peers["Global_127_0_0_81_port_1790"]
    assert (added["peer_address"], added["peer_port"], added["peer_type"]) == ("127.0.0.81", 1790, "global")
    assert (added["state"], added["bgp_state"], added["info"]) == ("down", "Down", "")
    # The session BIRD kept through the reload: its peer is not running, so it waits passively.
    assert peers["Node_127_0_0_80"]["bgp_state"] == "Passive"
