"""Record real BIRD 1.6 control-socket replies as unit-test fixtures.

    python -m tests.support.record_bird_replies [output directory]

Starts a small calico-like topology of real `bird` and `bird6` daemons on loopback, waits for
each situation (sessions Established, a peer killed, ...), and writes what BIRD sent, byte for
byte, to tests/unit/plugins/module_utils/fixtures/bird/<name>.txt (the reply to one command,
without the greeting, which is in greeting.txt). Re-run it after changing the topology; the unit
tests assert on the recorded content, so update them with it.
"""
import os
import shutil
import socket
import sys
import tempfile
import time

from tests.support.bird_daemon import BgpProtocol, BirdDaemon, bird_config
from tests.support.processes import free_port

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "unit", "plugins", "module_utils", "fixtures", "bird")

NODE1, NODE2, NODE3, NODE4 = "127.0.0.31", "127.0.0.32", "127.0.0.33", "127.0.0.34"


def raw_exchange(socket_path, command):
    """(greeting, reply) exactly as BIRD sent them; the reply ends with its final line."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(socket_path)
        data = b""
        while b"\n" not in data:
            data += sock.recv(65536)
        greeting, data = data.split(b"\n", 1)
        sock.sendall(command.encode() + b"\n")
        while not _has_final_line(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return greeting.decode() + "\n", data.decode()


def _has_final_line(data):
    for line in data.decode("utf-8", "replace").split("\n")[:-1]:
        if len(line) >= 5 and line[:4].isdigit() and line[4] == " ":
            return True
    return False


def record(directory, name, daemon, command):
    greeting, reply = raw_exchange(daemon.socket_path, command)
    with open(os.path.join(directory, name + ".txt"), "w") as handle:
        handle.write(reply)
    print("recorded %-28s %s: %s" % (name, daemon.name, command))
    return greeting


def wait_until(predicate, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("gave up waiting for " + what)
        time.sleep(0.1)


def main(directory=FIXTURES):
    os.makedirs(directory, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="ncbird-rec-", dir="/tmp")
    daemons = []

    def daemon(name, router_id, ipv6=False):
        created = BirdDaemon(name, workdir, router_id, ipv6=ipv6)
        daemons.append(created)
        return created

    try:
        port = free_port(NODE1)          # the cluster's BGP listenPort (no suffix in names)
        global_port = free_port(NODE3)   # a global peer with its own port: Global_..._port_N
        node1, node2, node3, node4 = (daemon("node%d" % i, a)
                                      for i, a in enumerate((NODE1, NODE2, NODE3, NODE4), 1))
        node1.start(bird_config(NODE1, NODE1, port, static_routes=["198.51.100.31/32"], protocols=[
            # calico/node: the node with the lower address (as text) is passive in the mesh.
            BgpProtocol("Mesh_127_0_0_32", NODE2, port, source_address=NODE1, passive=True),
            BgpProtocol("Global_127_0_0_33_port_%d" % global_port, NODE3, global_port,
                        neighbor_as=64513, source_address=NODE1, multihop=True),
            BgpProtocol("Node_127_0_0_34", NODE4, port, source_address=NODE1),
            BgpProtocol("Node_127_0_0_35", "127.0.0.35", port, source_address=NODE1, disabled=True),
            # eBGP without multihop: BIRD takes it down with "Error: Invalid next hop".
            BgpProtocol("Global_127_0_0_36", "127.0.0.36", port, neighbor_as=64513,
                        source_address=NODE1),
            # Not calico/node's names: left out of node status.
            BgpProtocol("tor_uplink", "127.0.0.37", port, source_address=NODE1, disabled=True),
            BgpProtocol("Local_Workload_127_0_0_38", "127.0.0.38", port, source_address=NODE1,
                        disabled=True),
        ]))
        node2.start(bird_config(NODE2, NODE2, port, timeformat_iso_long=True, protocols=[
            BgpProtocol("Mesh_127_0_0_31", NODE1, port, source_address=NODE2)]))
        node3.start(bird_config(NODE3, NODE3, global_port, protocols=[
            BgpProtocol("Node_127_0_0_31", NODE1, port, local_as=64513, source_address=NODE3,
                        multihop=True)]))
        node4.start(bird_config(NODE4, NODE4, port, protocols=[
            BgpProtocol("Node_127_0_0_31", NODE1, port, source_address=NODE4)]))
        bare = daemon("bare", "127.0.0.39")
        bare.start(bird_config("127.0.0.39", "127.0.0.39", port, static_routes=["198.51.100.39/32"]))

        v6_port_a, v6_port_b = free_port("::1"), free_port("::1")
        closed_port = free_port("::1")  # nothing listens there: Connection refused
        v6a, v6b = daemon("v6a", "127.0.1.1", ipv6=True), daemon("v6b", "127.0.1.2", ipv6=True)
        v6a.start(bird_config("127.0.1.1", "::1", v6_port_a, static_routes=["2001:db8:31::/64"], protocols=[
            BgpProtocol("Global___1_port_%d" % v6_port_b, "::1", v6_port_b, source_address="::1"),
            # A long IPv6 name with a port, aimed at a closed port on ::1 (never off this host).
            BgpProtocol("Node_fd80_24e2_f998_72d7_0_0_0_2_port_%d" % closed_port, "::1", closed_port,
                        source_address="::1"),
            # Disabled: BIRD never dials fd80::2 (this host has an IPv6 default route).
            BgpProtocol("Mesh_fd80__2", "fd80::2", v6_port_b, disabled=True),
        ]))
        v6b.start(bird_config("127.0.1.2", "::1", v6_port_b, static_routes=["2001:db8:32::/64"], protocols=[
            BgpProtocol("Mesh___1", "::1", v6_port_a, source_address="::1", passive=True)]))

        node1.wait_for_protocols(["Mesh_127_0_0_32", "Global_127_0_0_33_port_%d" % global_port,
                                  "Node_127_0_0_34"])
        node2.wait_for_protocols(["Mesh_127_0_0_31"])
        v6a.wait_for_protocols(["Global___1_port_%d" % v6_port_b])
        wait_until(lambda: "Connection refused" in v6a.protocol_info()[
            "Node_fd80_24e2_f998_72d7_0_0_0_2_port_%d" % closed_port][1], "a refused IPv6 session")
        wait_until(lambda: "Invalid next hop" in node1.protocol_info()["Global_127_0_0_36"][1],
                   "the eBGP session without multihop to go down")

        greeting = record(directory, "show_protocols_v4_established", node1, "show protocols")
        record(directory, "show_protocols_v4_iso_long", node2, "show protocols")
        record(directory, "show_protocols_v6", v6a, "show protocols")
        record(directory, "show_protocols_v6_passive_side", v6b, "show protocols")
        record(directory, "show_protocols_no_peers", bare, "show protocols")
        record(directory, "show_protocols_all_mesh", node1, "show protocols all Mesh_127_0_0_32")
        record(directory, "show_status", node1, "show status")
        record(directory, "error_syntax", node1, "show foo")
        record(directory, "error_not_a_protocol", node1, "show protocols all Nope")
        with open(os.path.join(directory, "greeting.txt"), "w") as handle:
            handle.write(greeting)

        node4.kill()  # a crashed peer: the session drops, then every reconnect is refused
        wait_until(lambda: "Connection refused" in node1.protocol_info()["Node_127_0_0_34"][1],
                   "node1 to see node4's connection refused")
        node2.stop()  # a peer shut down cleanly: BIRD sends a Cease (administrative shutdown)
        wait_until(lambda: "Administrative shutdown" in node1.protocol_info()["Mesh_127_0_0_32"][1],
                   "node1 to see node2's administrative shutdown")
        record(directory, "show_protocols_v4_peers_down", node1, "show protocols")
    finally:
        for each in daemons:
            each.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
