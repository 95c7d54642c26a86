"""The lab agent's renderer (tests/lab/render.py): one test per calico/node semantic."""
import subprocess

import pytest

from tests.lab.render import Snapshot, node_sessions, protocol_suffix, render_node_config
from tests.support.fixtures import require_binary
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import new_resource

POD_CIDR = "10.244.0.0/16"


def node(name, address=None, as_number=None, labels=None, cluster_id=None):
    bgp = {}
    if address:
        bgp["ipv4Address"] = address + "/32"
    if as_number is not None:
        bgp["asNumber"] = as_number
    if cluster_id:
        bgp["routeReflectorClusterID"] = cluster_id
    return new_resource("Node", name, spec={"bgp": bgp} if bgp else {}, labels=labels)


def config(name="default", **spec):
    return new_resource("BGPConfiguration", name, spec=spec)


def peer(name, **spec):
    return new_resource("BGPPeer", name, spec=spec)


def sessions(snapshot, name):
    return {s.name: s for s in node_sessions(snapshot, name)}


def three_nodes(**kwargs):
    return [node("n1", "10.0.0.1", labels={"rack": "r1"}), node("n2", "10.0.0.2", labels={"rack": "r1"}),
            node("n3", "10.0.0.3", labels={"rack": "r2"})]


# ---- mesh ------------------------------------------------------------------------------

def test_mesh_peers_every_other_node_with_an_address():
    snapshot = Snapshot(three_nodes() + [node("n4")])  # n4 has no address
    assert sorted(sessions(snapshot, "n1")) == ["Mesh_10_0_0_2", "Mesh_10_0_0_3"]
    mesh = sessions(snapshot, "n1")["Mesh_10_0_0_2"]
    assert (mesh.type, mesh.ip, mesh.as_number, mesh.source_address) == ("mesh", "10.0.0.2", "64512", "10.0.0.1")


def test_mesh_passive_rule_compares_addresses_as_text():
    # "10.0.0.5" > "10.0.0.10" as text: the node at .10 waits for .5 to dial, not the reverse
    snapshot = Snapshot([node("a", "10.0.0.5"), node("b", "10.0.0.10")])
    assert sessions(snapshot, "b")["Mesh_10_0_0_5"].passive is True
    assert sessions(snapshot, "a")["Mesh_10_0_0_10"].passive is False
    text = render_node_config(snapshot, "b", POD_CIDR)
    assert "protocol bgp Mesh_10_0_0_5 from bgp_template {\n  neighbor 10.0.0.5 as 64512;" in text
    assert "passive on;" in text
    assert "passive on;" not in render_node_config(snapshot, "a", POD_CIDR)


def test_mesh_off_renders_no_mesh_sessions():
    snapshot = Snapshot(three_nodes(), [config(nodeToNodeMeshEnabled=False)])
    assert sessions(snapshot, "n1") == {}
    assert "protocol bgp Mesh_" not in render_node_config(snapshot, "n1", POD_CIDR)


def test_mesh_uses_the_other_nodes_as_number():
    nodes = [node("n1", "10.0.0.1", as_number=65001), node("n2", "10.0.0.2", as_number=65002),
             node("n3", "10.0.0.3")]
    snapshot = Snapshot(nodes, [config(asNumber=65000)])
    found = sessions(snapshot, "n1")
    assert found["Mesh_10_0_0_2"].as_number == "65002"
    # no own AS: confd's processMeshPeers falls back to *this* node's AS (config.ASNumber), not the
    # global one: n1 renders n3 with AS 65001, as calico/node does
    assert found["Mesh_10_0_0_3"].as_number == "65001"
    assert sessions(snapshot, "n3")["Mesh_10_0_0_1"].as_number == "65001"


# ---- AS number ----------------------------------------------------------------------------

@pytest.mark.parametrize("node_as, global_as, expected", [
    (65010, 65000, 65010),   # the node's own AS wins
    (None, 65000, 65000),    # else the global asNumber
    (None, None, 64512),     # else Calico's default
    ("1.10", None, 65546),   # dotted form accepted
])
def test_local_as_is_node_else_global_else_64512(node_as, global_as, expected):
    configs = [config(asNumber=global_as)] if global_as else []
    snapshot = Snapshot([node("n1", "10.0.0.1", as_number=node_as)], configs)
    assert "  local as %d;\n" % expected in render_node_config(snapshot, "n1", POD_CIDR)


# ---- global and node peers ---------------------------------------------------------------

def test_global_peer_applies_to_every_node_but_never_to_itself():
    snapshot = Snapshot(three_nodes(), [config(nodeToNodeMeshEnabled=False)],
                        [peer("tor", peerIP="10.0.0.3", asNumber=65000)])
    assert list(sessions(snapshot, "n1")) == ["Global_10_0_0_3"]
    assert list(sessions(snapshot, "n2")) == ["Global_10_0_0_3"]
    assert sessions(snapshot, "n3") == {}  # skipping ourselves
    assert "protocol bgp Global_10_0_0_3 from bgp_template {\n  neighbor 10.0.0.3 as 65000;" in \
        render_node_config(snapshot, "n1", POD_CIDR)


def test_node_peer_by_node_name_applies_to_that_node_only():
    snapshot = Snapshot(three_nodes(), [config(nodeToNodeMeshEnabled=False)],
                        [peer("p", node="n2", peerIP="10.9.0.1", asNumber=65100)])
    assert sessions(snapshot, "n1") == {}
    assert list(sessions(snapshot, "n2")) == ["Node_10_9_0_1"]
    assert sessions(snapshot, "n2")["Node_10_9_0_1"].type == "node"


def test_node_peer_by_node_selector_applies_to_matching_nodes():
    snapshot = Snapshot(three_nodes(), [config(nodeToNodeMeshEnabled=False)],
                        [peer("rack-r1", nodeSelector="rack == 'r1'", peerIP="10.9.0.1", asNumber=65100)])
    assert list(sessions(snapshot, "n1")) == ["Node_10_9_0_1"]
    assert list(sessions(snapshot, "n2")) == ["Node_10_9_0_1"]
    assert sessions(snapshot, "n3") == {}


def test_node_peer_is_dropped_when_a_global_peer_has_the_same_address_and_port():
    snapshot = Snapshot(three_nodes(), [config(nodeToNodeMeshEnabled=False)],
                        [peer("a-node", node="n1", peerIP="10.9.0.1", asNumber=65100),
                         peer("b-global", peerIP="10.9.0.1", asNumber=65100)])
    assert list(sessions(snapshot, "n1")) == ["Global_10_9_0_1"]


def test_peer_selector_expands_to_each_selected_node_never_to_itself_and_in_reverse():
    nodes = [node("n1", "10.0.0.1", as_number=65001, labels={"rr": "yes"}),
             node("n2", "10.0.0.2", labels={"rr": "yes"}),
             node("n3", "10.0.0.3")]
    snapshot = Snapshot(nodes, [config(nodeToNodeMeshEnabled=False, asNumber=65000)],
                        [peer("to-rrs", nodeSelector="all()", peerSelector="rr == 'yes'")])
    n3 = sessions(snapshot, "n3")
    assert sorted(n3) == ["Node_10_0_0_1", "Node_10_0_0_2"]
    assert n3["Node_10_0_0_1"].as_number == "65001"  # the selected node's own AS
    assert n3["Node_10_0_0_2"].as_number == "65000"  # else the global AS
    # the selected nodes peer with each other, never with themselves, and back with n3
    assert sorted(sessions(snapshot, "n1")) == ["Node_10_0_0_2", "Node_10_0_0_3"]
    assert sorted(sessions(snapshot, "n2")) == ["Node_10_0_0_1", "Node_10_0_0_3"]


def test_peer_ip_pointing_at_a_calico_node_is_made_in_reverse_with_its_listen_port():
    snapshot = Snapshot(three_nodes(), [config(nodeToNodeMeshEnabled=False, listenPort=1179)],
                        [peer("n1-to-n3", node="n1", peerIP="10.0.0.3", asNumber=64512)])
    # n1 dials n3 on n3's listen port (the peer gave none); n3 gets the reverse peering
    assert list(sessions(snapshot, "n1")) == ["Node_10_0_0_3_port_1179"]
    assert list(sessions(snapshot, "n3")) == ["Node_10_0_0_1_port_1179"]
    assert sessions(snapshot, "n2") == {}


def test_reverse_peering_follows_calicos_listen_port_test_quirk_included():
    # n3 listens on 1180 (its own listenPort) while the global listenPort is 1179: Calico's
    # nodesWithIPPortAndAS still skips n3 for peerIP 10.0.0.3:1180, so no reverse peering.
    configs = [config(nodeToNodeMeshEnabled=False, listenPort=1179), config("node.n3", listenPort=1180)]
    snapshot = Snapshot(three_nodes(), configs, [peer("p", node="n1", peerIP="10.0.0.3:1180", asNumber=64512)])
    assert list(sessions(snapshot, "n1")) == ["Node_10_0_0_3_port_1180"]
    assert sessions(snapshot, "n3") == {}
    same_port = Snapshot(three_nodes(), [config(nodeToNodeMeshEnabled=False, listenPort=1179)],
                         [peer("p", node="n1", peerIP="10.0.0.3:1179", asNumber=64512)])
    assert list(sessions(same_port, "n3")) == ["Node_10_0_0_1_port_1179"]


# ---- ports and listen ports ---------------------------------------------------------------

def test_peer_port_suffix_and_neighbor_port():
    snapshot = Snapshot(three_nodes(), [config(nodeToNodeMeshEnabled=False)],
                        [peer("tor", peerIP="10.9.0.1:1790", asNumber=65100)])
    assert list(sessions(snapshot, "n1")) == ["Global_10_9_0_1_port_1790"]
    text = render_node_config(snapshot, "n1", POD_CIDR)
    assert "protocol bgp Global_10_9_0_1_port_1790 from bgp_template {\n" \
           "  neighbor 10.9.0.1 port 1790 as 65100;" in text


def test_protocol_suffix_names():
    assert protocol_suffix("10.0.0.1") == "10_0_0_1"
    assert protocol_suffix("10.0.0.1", 1790) == "10_0_0_1_port_1790"
    assert protocol_suffix("fd80::2") == "fd80__2"


def test_listen_port_node_then_global_then_179_and_mesh_dials_the_peers_port():
    snapshot = Snapshot([node("n1", "10.0.0.1"), node("n2", "10.0.0.2")],
                        [config(listenPort=1179), config("node.n2", listenPort=1180)])
    n1 = render_node_config(snapshot, "n1", POD_CIDR)
    n2 = render_node_config(snapshot, "n2", POD_CIDR)
    assert "listen bgp address 10.0.0.1 port 1179;" in n1
    assert "listen bgp address 10.0.0.2 port 1180;" in n2
    assert "neighbor 10.0.0.2 port 1180 as 64512;" in n1
    assert "neighbor 10.0.0.1 port 1179 as 64512;" in n2
    assert "listen bgp address 10.0.0.1 port 179;" in render_node_config(
        Snapshot([node("n1", "10.0.0.1")]), "n1", POD_CIDR)
    # no listenPort anywhere: mesh neighbors get no port (BGP's 179)
    assert "neighbor 10.0.0.2 as 64512;" in render_node_config(
        Snapshot([node("n1", "10.0.0.1"), node("n2", "10.0.0.2")]), "n1", POD_CIDR)


# ---- route reflectors -------------------------------------------------------------------

def test_route_reflector_clients_by_cluster_id():
    nodes = [node("rr1", "10.0.0.1", cluster_id="224.0.0.1", labels={"rr": "yes"}),
             node("rr2", "10.0.0.2", cluster_id="224.0.0.1", labels={"rr": "yes"}),
             node("c1", "10.0.0.3"), node("c2", "10.0.0.4", as_number=65099)]
    snapshot = Snapshot(nodes, [config(nodeToNodeMeshEnabled=False)],
                        [peer("to-rrs", nodeSelector="all()", peerSelector="rr == 'yes'")])
    rr1 = sessions(snapshot, "rr1")
    assert rr1["Node_10_0_0_3"].rr_cluster_id == "224.0.0.1"   # iBGP, not in the cluster: client
    assert rr1["Node_10_0_0_2"].rr_cluster_id is None          # same cluster: not a client
    assert rr1["Node_10_0_0_4"].rr_cluster_id is None          # eBGP: never a client
    text = render_node_config(snapshot, "rr1", POD_CIDR)
    assert "  neighbor 10.0.0.3 as 64512;\n  source address 10.0.0.1;" in text
    assert "  rr client;\n  rr cluster id 224.0.0.1;" in text
    assert "rr client" not in render_node_config(snapshot, "c1", POD_CIDR)


def test_route_reflectors_take_no_part_in_the_mesh():
    nodes = [node("rr1", "10.0.0.1", cluster_id="224.0.0.1"), node("c1", "10.0.0.3"), node("c2", "10.0.0.4")]
    snapshot = Snapshot(nodes)
    assert sessions(snapshot, "rr1") == {}
    assert "protocol bgp Mesh_" not in render_node_config(snapshot, "rr1", POD_CIDR)
    assert list(sessions(snapshot, "c1")) == ["Mesh_10_0_0_4"]


# ---- keepOriginalNextHop, sourceAddress ---------------------------------------------------

def test_keep_original_next_hop_renders_next_hop_keep_for_ebgp_peers():
    snapshot = Snapshot([node("n1", "10.0.0.1")], [config(nodeToNodeMeshEnabled=False)],
                        [peer("ebgp", peerIP="10.9.0.1", asNumber=65100, keepOriginalNextHop=True),
                         peer("ibgp", peerIP="10.9.0.2", asNumber=64512, keepOriginalNextHop=True)])
    found = sessions(snapshot, "n1")
    assert found["Global_10_9_0_1"].next_hop_keep is True
    assert found["Global_10_9_0_2"].next_hop_keep is False  # Calico renders it for eBGP only
    text = render_node_config(snapshot, "n1", POD_CIDR)
    assert text.count("next hop keep;") == 1


def test_keep_original_next_hop_applies_to_peer_selector_sessions_too():
    # Calico 3.31's nodeAsBGPPeers carries keepOriginalNextHop to selected nodes (eBGP only)
    nodes = [node("n1", "10.0.0.1", as_number=65001, labels={"edge": "yes"}), node("n2", "10.0.0.2")]
    snapshot = Snapshot(nodes, [config(nodeToNodeMeshEnabled=False)],
                        [peer("edge", node="n2", peerSelector="edge == 'yes'", keepOriginalNextHop=True)])
    assert sessions(snapshot, "n2")["Node_10_0_0_1"].next_hop_keep is True


def test_source_address_none_drops_the_source_address_line():
    snapshot = Snapshot([node("n1", "10.0.0.1")], [config(nodeToNodeMeshEnabled=False)],
                        [peer("plain", peerIP="10.9.0.1", asNumber=65100),
                         peer("none", peerIP="10.9.0.2", asNumber=65100, sourceAddress="None"),
                         peer("explicit", peerIP="10.9.0.3", asNumber=65100, sourceAddress="UseNodeIP")])
    found = sessions(snapshot, "n1")
    assert found["Global_10_9_0_1"].source_address == "10.0.0.1"
    assert found["Global_10_9_0_2"].source_address is None
    assert found["Global_10_9_0_3"].source_address == "10.0.0.1"
    block = render_node_config(snapshot, "n1", POD_CIDR).split("Global_10_9_0_2")[1].split("}")[0]
    assert "source address" not in block


# ---- the whole file -----------------------------------------------------------------------

def test_node_without_address_gets_no_config():
    assert render_node_config(Snapshot([node("n1")]), "n1", POD_CIDR) is None


def test_rendering_is_deterministic_whatever_the_input_order():
    nodes = three_nodes()
    peers = [peer("b", peerIP="10.9.0.2", asNumber=65100), peer("a", peerIP="10.9.0.1", asNumber=65100)]
    first = render_node_config(Snapshot(nodes, [], peers), "n1", POD_CIDR)
    second = render_node_config(Snapshot(list(reversed(nodes)), [], list(reversed(peers))), "n1", POD_CIDR)
    assert first == second


def test_pod_blocks_are_static_blackholes_and_only_the_pod_cidr_is_exported():
    text = render_node_config(Snapshot([node("n1", "10.0.0.1")]), "n1", POD_CIDR, ["10.244.1.0/26"])
    assert "route 10.244.1.0/26 blackhole;" in text
    assert "if ( net ~ 10.244.0.0/16 ) then { accept; }" in text
    assert "\nprotocol kernel" not in text


def test_ipv6_peers_are_left_to_bird6():
    snapshot = Snapshot([node("n1", "10.0.0.1")], [], [peer("v6", peerIP="fd80::2", asNumber=65100)])
    assert sessions(snapshot, "n1") == {}


def test_bird_accepts_the_rendered_config(tmp_path):
    """Every feature at once, parsed by the real BIRD 1.6 (`bird -p` only parses)."""
    bird = require_binary("bird")
    nodes = [node("rr1", "10.0.0.1", cluster_id="224.0.0.1", labels={"rr": "yes"}),
             node("n2", "10.0.0.2", as_number=65002), node("n3", "10.0.0.3")]
    snapshot = Snapshot(nodes, [config(listenPort=1179, asNumber=64512)], [
        peer("to-rrs", nodeSelector="all()", peerSelector="rr == 'yes'"),
        peer("tor", peerIP="10.9.0.1:1790", asNumber=65100, keepOriginalNextHop=True, sourceAddress="None"),
        peer("n3-only", node="n3", peerIP="10.9.0.2", asNumber=64512),
    ])
    for name in ("rr1", "n2", "n3"):
        path = tmp_path / (name + ".conf")
        path.write_text(render_node_config(snapshot, name, POD_CIDR, ["10.244.1.0/26"]))
        result = subprocess.run([bird, "-p", "-c", str(path)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, (name, result.stderr, path.read_text())
