"""The lab's calico/node status reporter against the cases of Calico's populator tests
(node/pkg/status/populators: peers_test.go, bird_status_test.go, route_test.go): for each case of
those suites, a BIRD reply of the same shape (our own addresses and names) must give the status
fields Calico's code gives. Then the reporter's own rules from reporter.go."""
import pytest

from tests.lab import status_reporter as reporter


def lines(text):
    return text.strip("\n").split("\n")


# ---- peers_test.go ----------------------------------------------------------------------------

PROTOCOLS = """
0001 BIRD 1.6.8 ready.
2002-name     proto    table    state  since       info
1002-kernel1  Kernel   master   up     2026-11-02
 device1  Device   master   up     2026-11-02
 direct1  Direct   master   up     2026-11-02
 Mesh_192_0_2_21 BGP      master   up     2026-11-02  Established
 Global_192_0_2_22 BGP      master   up     2026-11-02  Established
 Node_192_0_2_23 BGP      master   down     2026-11-02  Failed  Socket: error
0000
Nothing is read after the end
"""


def details(name, state, address):
    return """
0001 BIRD 1.6.8 ready.
name     proto    table    state  since       info
%s BGP      master   up     2026-11-02    Established
Preference:     100
Input filter:   ACCEPT
Output filter:  calico_export
BGP state:          %s
  Neighbor address: %s
  Neighbor AS:      64512
  Hold timer:       66/90
0000
""" % (name, state, address)


def test_a_table_of_valid_and_invalid_rows_gives_the_calico_peers_with_their_details():
    peers = reporter.scan_peers(lines(PROTOCOLS))
    assert [peer["session"] for peer in peers] == ["Mesh_192_0_2_21", "Global_192_0_2_22", "Node_192_0_2_23"]
    reporter.complete_peer(peers[0], lines(details("mesh_192_0_2_21", "Established", "192.0.2.21")))
    reporter.complete_peer(peers[1], lines(details("mesh_192_0_2_22", "Established", "192.0.2.22")))
    reporter.complete_peer(peers[2], lines(details("mesh_192_0_2_23", "OpenSent", "192.0.2.23")))
    assert peers == [
        {"session": "Mesh_192_0_2_21", "peer_type": "Mesh", "state": "up", "since": "2026-11-02", "info": "",
         "peer_ip": "192.0.2.21", "bgp_state": "Established"},
        {"session": "Global_192_0_2_22", "peer_type": "Global", "state": "up", "since": "2026-11-02", "info": "",
         "peer_ip": "192.0.2.22", "bgp_state": "Established"},
        {"session": "Node_192_0_2_23", "peer_type": "Node", "state": "down", "since": "2026-11-02",
         "info": "Socket: error", "peer_ip": "192.0.2.23", "bgp_state": "OpenSent"},
    ]


def test_a_table_with_other_headings_is_refused():
    table = """
0001 BIRD 1.6.8 ready.
2002-name     proto    table    state  when       info
1002-kernel1  Kernel   master   up     2026-11-02
0000
"""
    with pytest.raises(reporter.PopulateError, match="unknown BIRD table output format"):
        reporter.scan_peers(lines(table))


def test_a_table_with_a_rogue_line_is_refused():
    table = """
0001 BIRD 1.6.8 ready.
2002-name     proto    table    state  since       info
1002-kernel1  Kernel   master   up     2026-11-02
9000
"""
    with pytest.raises(reporter.PopulateError, match="unexpected output line"):
        reporter.scan_peers(lines(table))


def test_an_ipv6_table():
    table = """
0001 BIRD 1.6.8 ready.
2002-name     proto    table    state  since       info
1002-kernel1  Kernel   master   up     2026-11-02
 Mesh_2001_db8__21 BGP      master   up     2026-11-02  Established
0000
"""
    (peer,) = reporter.scan_peers(lines(table))
    reporter.complete_peer(peer, lines(details("mesh_2001_db8__21", "Established", "2001:db8::21")))
    assert (peer["session"], peer["peer_type"], peer["peer_ip"], peer["bgp_state"]) == \
        ("Mesh_2001_db8__21", "Mesh", "2001:db8::21", "Established")
    assert reporter.session_type_and_ip("Mesh_2001_db8__21", 6) == ("Mesh", "2001:db8::21")


def test_a_peer_converts_to_calico_node_peer():
    peer = {"session": "Mesh_2001_db8__21", "peer_type": "Mesh", "state": "up", "since": "2026-11-02", "info": "",
            "peer_ip": "2001:db8::21", "bgp_state": "Established"}
    assert reporter.peer_status(peer) == {"peerIP": "2001:db8::21", "type": "NodeMesh", "state": "Established",
                                          "since": "2026-11-02"}


def test_a_bgp_state_calico_does_not_map_is_left_out():
    # calico/node's birdStateToBGPState has no Passive or Down: the state is empty, so omitted
    peer = {"session": "Node_192_0_2_23", "peer_type": "Node", "state": "down", "since": "21:00:00", "info": "",
            "peer_ip": "192.0.2.23", "bgp_state": "Down"}
    assert reporter.peer_status(peer) == {"peerIP": "192.0.2.23", "type": "NodePeer", "since": "21:00:00"}


# ---- bird_status_test.go ----------------------------------------------------------------------

STATUS = """
0001 BIRD v0.3.3+birdv1.6.8 ready.
1000-BIRD v0.3.3+birdv1.6.8
1011-Router ID is 192.0.2.21
 Current server time is 2026-11-02 20:48:43
 Last reboot on 2026-11-02 20:10:56
 Last reconfiguration on 2026-11-02 20:11:02
0013 Daemon is up and running
"""


def test_a_status_reply_gives_the_daemon():
    assert reporter.scan_bird_status(lines(STATUS)) == {
        "ready": True, "version": "v0.3.3+birdv1.6.8", "router_id": "192.0.2.21",
        "server_time": "2026-11-02 20:48:43", "last_boot": "2026-11-02 20:10:56",
        "last_reconfig": "2026-11-02 20:11:02"}


@pytest.mark.parametrize("ready, state", [(True, "Ready"), (False, "NotReady")])
def test_a_daemon_converts_to_bgp_daemon_status(ready, state):
    daemon = {"ready": ready, "version": "v0.3.3+birdv1.6.8", "router_id": "192.0.2.21",
              "server_time": "2026-11-02 20:48:43", "last_boot": "2026-11-02 20:48:56",
              "last_reconfig": "2026-11-02 20:48:56"}
    assert reporter.daemon_status(daemon) == {"state": state, "version": "v0.3.3+birdv1.6.8", "routerID": "192.0.2.21",
                                              "lastBootTime": "2026-11-02 20:48:56",
                                              "lastReconfigurationTime": "2026-11-02 20:48:56"}


def test_debians_bird_has_no_version_calico_reads():
    # calico/node reads a version only from "BIRD v..." (its own BIRD's banner); Debian's says "BIRD 1.6.8"
    daemon = reporter.scan_bird_status(["0001 BIRD 1.6.8 ready.", "1000-BIRD 1.6.8", "1011-Router ID is 192.0.2.21",
                                        "0013 Daemon is up and running"])
    assert daemon["ready"] is True and daemon["version"] == "" and daemon["router_id"] == "192.0.2.21"
    assert "version" not in reporter.daemon_status(daemon)


# ---- route_test.go ----------------------------------------------------------------------------

ROUTES = """
0001 BIRD v0.3.3+birdv1.6.8 ready.
1007-0.0.0.0/0          via 192.0.2.1 on eth0 [kernel1 20:10:57] * (10)
 10.1.110.128/26 via 192.0.2.25 on eth0 [Mesh_192_0_2_25 20:10:57] * (100/0) [i]
 10.1.82.0/26    via 192.0.2.24 on eth0 [Mesh_192_0_2_24 20:11:00] * (100/0) [i]
                    via 198.51.100.7 on em0 [Global_198_51_100_7 20:11:00] (100/?) [AS65001?]
 10.1.162.128/26 blackhole [static1 20:10:56] * (200)
 10.1.162.128/32 dev tunl0 [direct1 20:10:56] * (240)
 10.1.162.129/32 dev cali1234abcd [kernel1 20:11:10] * (10)
 192.0.2.0/24      dev eth0 [direct1 20:10:56] * (240)
0000
"""


def route(dest, gateway, iface, learned_from, primary):
    return {"dest": dest, "gateway": gateway, "iface": iface, "learned_from": learned_from, "primary": primary}


def test_routes_via_dev_and_blackhole_and_a_second_path_without_a_destination():
    assert reporter.scan_routes(lines(ROUTES)) == [
        route("0.0.0.0/0", "192.0.2.1", "eth0", "kernel1", True),
        route("10.1.110.128/26", "192.0.2.25", "eth0", "Mesh_192_0_2_25", True),
        route("10.1.82.0/26", "192.0.2.24", "eth0", "Mesh_192_0_2_24", True),
        route("10.1.82.0/26", "198.51.100.7", "em0", "Global_198_51_100_7", False),
        route("10.1.162.128/26", "N/A", "blackhole", "static1", True),
        route("10.1.162.128/32", "N/A", "tunl0", "direct1", True),
        route("10.1.162.129/32", "N/A", "cali1234abcd", "kernel1", True),
        route("192.0.2.0/24", "N/A", "eth0", "direct1", True),
    ]


MULTIPATH = """
0001 BIRD v0.3.3+birdv1.6.8 ready.
1007-0.0.0.0/0          via 192.0.2.1 on eth0 [kernel1 09:23:20] * (10)
 10.1.69.128/26  blackhole [static1 09:23:20] * (200)
                   unreachable [Mesh_192_0_2_44 09:23:24 from 192.0.2.44] (100/-) [i]
                   blackhole [kernel1 09:23:21] (10)
 10.1.36.64/26   via 192.0.2.1 on ens4 [Mesh_192_0_2_41 09:23:23 from 192.0.2.41] * (100/?) [i]
                   unreachable [Mesh_192_0_2_44 09:23:24 from 192.0.2.44] (100/-) [i]
                   via 192.0.2.1 on ens4 [Mesh_192_0_2_41 09:23:23 from 192.0.2.41] (100/?) [i]
                   unreachable [Mesh_192_0_2_40 09:23:23 from 192.0.2.40] (100/-) [i]
                   via 10.1.36.64 on vxlan.calico [kernel1 09:23:21] (10)
0000
"""


def test_several_blackhole_and_unreachable_paths_inherit_the_destination():
    assert reporter.scan_routes(lines(MULTIPATH)) == [
        route("0.0.0.0/0", "192.0.2.1", "eth0", "kernel1", True),
        route("10.1.69.128/26", "N/A", "blackhole", "static1", True),
        route("10.1.69.128/26", "N/A", "unreachable", "Mesh_192_0_2_44", False),
        route("10.1.69.128/26", "N/A", "blackhole", "kernel1", False),
        route("10.1.36.64/26", "192.0.2.1", "ens4", "Mesh_192_0_2_41", True),
        route("10.1.36.64/26", "N/A", "unreachable", "Mesh_192_0_2_44", False),
        route("10.1.36.64/26", "192.0.2.1", "ens4", "Mesh_192_0_2_41", False),
        route("10.1.36.64/26", "N/A", "unreachable", "Mesh_192_0_2_40", False),
        route("10.1.36.64/26", "10.1.36.64", "vxlan.calico", "kernel1", False),
    ]


@pytest.mark.parametrize("parsed, expected", [
    (route("10.1.110.128/26", "192.0.2.25", "eth0", "Mesh_192_0_2_25", True),
     {"type": "FIB", "destination": "10.1.110.128/26", "gateway": "192.0.2.25", "interface": "eth0",
      "learnedFrom": {"sourceType": "NodeMesh", "peerIP": "192.0.2.25"}}),
    (route("10.1.110.128/26", "192.0.2.25", "eth0", "Global_192_0_2_25", False),
     {"type": "RIB", "destination": "10.1.110.128/26", "gateway": "192.0.2.25", "interface": "eth0",
      "learnedFrom": {"sourceType": "BGPPeer", "peerIP": "192.0.2.25"}}),
    (route("10.1.162.129/32", "N/A", "cali1234abcd", "kernel1", True),
     {"type": "FIB", "destination": "10.1.162.129/32", "gateway": "N/A", "interface": "cali1234abcd",
      "learnedFrom": {"sourceType": "Kernel"}}),
    (route("192.0.2.0/24", "N/A", "eth0", "direct1", True),
     {"type": "FIB", "destination": "192.0.2.0/24", "gateway": "N/A", "interface": "eth0",
      "learnedFrom": {"sourceType": "Direct"}}),
], ids=["mesh route fib", "global route rib", "kernel route", "direct route"])
def test_a_route_converts_to_calico_node_route(parsed, expected):
    assert reporter.route_status(parsed) == expected


def test_a_route_from_a_source_calico_cannot_name_drops_the_report():
    with pytest.raises(reporter.PopulateError):
        reporter.route_status(route("10.1.0.0/26", "N/A", "blackhole", "pod_blocks", True))


# ---- reporter.go and the populators' Populate ---------------------------------------------------

def fake_bird(replies):
    """bird_replies stand-in: {(socket, command): reply text}; a socket not listed is unreachable."""
    def read(socket_path, commands, timeout=None):
        if not any(key[0] == socket_path for key in replies):
            raise reporter.SocketUnreachable(socket_path)
        return [lines(replies[(socket_path, command)]) for command in commands]
    return read


def node_replies(socket_path, peer, address, destination="10.1.0.0/26"):
    return {
        (socket_path, "show status"): STATUS,
        (socket_path, "show protocols"): """
0001 BIRD 1.6.8 ready.
2002-name     proto    table    state  since       info
1002-%s BGP      master   up     20:11:00  Established
0000
""" % peer,
        (socket_path, "show protocols all"): """
2002-name     proto    table    state  since       info
1002-%s BGP      master   up     20:11:00  Established
1006-  Preference:     100
  BGP state:          Established
    Neighbor address: %s
0000
""" % (peer, address),
        (socket_path, "show route"): """
0001 BIRD 1.6.8 ready.
1007-%s  unreachable [%s 20:11:01 from %s] * (100/-) [i]
0000
""" % (destination, peer, address),
    }


CLASSES = ["Agent", "BGP", "Routes"]


def test_a_report_fills_every_class_of_both_families(monkeypatch):
    replies = node_replies("/v4", "Mesh_192_0_2_22", "192.0.2.22")
    replies.update(node_replies("/v6", "Mesh_2001_db8__22", "2001:db8::22", "fd00:1::/122"))
    monkeypatch.setattr(reporter, "bird_replies", fake_bird(replies))
    status = reporter.report(reporter.go_status(None), CLASSES, {4: "/v4", 6: "/v6"})
    stored = reporter.stored_form(status)
    assert stored["agent"]["birdV4"]["state"] == "Ready" and stored["agent"]["birdV6"]["routerID"] == "192.0.2.21"
    assert stored["bgp"] == {
        "numberEstablishedV4": 1, "numberNotEstablishedV4": 0, "numberEstablishedV6": 1, "numberNotEstablishedV6": 0,
        "peersV4": [{"peerIP": "192.0.2.22", "type": "NodeMesh", "state": "Established", "since": "20:11:00"}],
        "peersV6": [{"peerIP": "2001:db8::22", "type": "NodeMesh", "state": "Established", "since": "20:11:00"}]}
    assert stored["routes"]["routesV6"] == [{"type": "FIB", "destination": "fd00:1::/122", "gateway": "N/A",
                                             "interface": "unreachable",
                                             "learnedFrom": {"sourceType": "NodeMesh", "peerIP": "2001:db8::22"}}]
    # nothing changed since: calico/node writes nothing
    assert reporter.report(status, CLASSES, {4: "/v4", 6: "/v6"}) is None


def test_an_unreachable_bird6_empties_the_bgp_and_routes_of_both_families(monkeypatch):
    monkeypatch.setattr(reporter, "bird_replies", fake_bird(node_replies("/v4", "Mesh_192_0_2_22", "192.0.2.22")))
    status = reporter.stored_form(reporter.report(reporter.go_status(None), CLASSES, {4: "/v4", 6: "/missing"}))
    assert status["agent"]["birdV6"] == {"state": "NotReady"}
    assert status["agent"]["birdV4"]["state"] == "Ready"
    # as calico/node's Populate does on a socket error: status.Status.BGP = {} for either family
    assert status["bgp"] == {"numberEstablishedV4": 0, "numberNotEstablishedV4": 0, "numberEstablishedV6": 0,
                             "numberNotEstablishedV6": 0}
    assert status["routes"] == {}


def test_only_the_classes_asked_for_are_read(monkeypatch):
    asked = []

    def read(socket_path, commands, timeout=None):
        asked.extend(commands)
        return fake_bird(node_replies(socket_path, "Mesh_192_0_2_22", "192.0.2.22"))(socket_path, commands)
    monkeypatch.setattr(reporter, "bird_replies", read)
    status = reporter.report(reporter.go_status(None), ["Agent"], {4: "/v4", 6: "/v6"})
    assert asked == ["show status", "show status"]
    assert "peersV4" not in status["bgp"] and status["routes"] == {}


def test_a_first_report_with_no_peers_is_still_a_change():
    # Go's populated empty slice is not DeepEqual to the nil slice decoded from the request
    before = reporter.go_status({"lastUpdated": None, "bgp": {"numberEstablishedV4": 0}})
    after = reporter.go_status(None)
    after["bgp"]["peersV4"] = []
    assert after != before and reporter.stored_form(after) == reporter.stored_form(before)


def test_the_stored_status_of_calicoctl_decodes_to_the_go_zero_value():
    calicoctl = {"lastUpdated": None, "agent": {"birdV4": {}, "birdV6": {}},
                 "bgp": {"numberEstablishedV4": 0, "numberNotEstablishedV4": 0, "numberEstablishedV6": 0,
                         "numberNotEstablishedV6": 0}, "routes": {}}
    assert reporter.stored_form(reporter.go_status(calicoctl)) == calicoctl
    assert reporter.go_status({"unknown": 1}) == reporter.go_status(None)


def protocol_blocks_case():
    return lines("""
2002-name     proto    table    state  since       info
1002-device1  Device   master   up     20:10:56
1006-  Preference:     240
1002-Mesh_192_0_2_22 BGP      master   up     20:11:00  Established
1006-  Preference:     100
  BGP state:          Established
    Neighbor address: 192.0.2.22
0000
""")


def test_one_show_protocols_all_is_read_protocol_by_protocol():
    blocks = reporter.protocol_blocks(protocol_blocks_case())
    assert list(blocks) == ["device1", "Mesh_192_0_2_22"]
    peer = {"session": "Mesh_192_0_2_22", "peer_ip": "", "bgp_state": ""}
    reporter.complete_peer(peer, blocks["Mesh_192_0_2_22"])
    assert (peer["peer_ip"], peer["bgp_state"]) == ("192.0.2.22", "Established")
