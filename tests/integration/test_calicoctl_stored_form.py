"""Resources as calicoctl writes them (Go's encoder: fields in struct order, durations as Go prints a
time.Duration, addresses as the user typed them, empty fields omitted), with every field the
modules know: the same intent through the module is no change, and the key's mod_revision stays."""
import json

import pytest

from tests.integration.helpers import PREFIX, put, put_filters, stored
from tests.support.module_runner import run_module

METADATA = {"uid": "5b1f3c9e-8d0a-4e52-9a55-3c2b1f0d9e7a", "creationTimestamp": "2026-11-26T09:14:47Z"}


def calicoctl_document(kind, name, spec, labels=None):
    metadata = dict(name=name, **METADATA)
    if labels:
        metadata["labels"] = labels
    document = {"kind": kind, "apiVersion": "projectcalico.org/v3", "metadata": metadata, "spec": spec}
    if kind == "Node":
        document["status"] = {}
    return json.dumps(document, separators=(",", ":"))


CASES = [
    ("bgpconfigurations/default", "BGPConfiguration", "default", {
        "logSeverityScreen": "Info", "nodeToNodeMeshEnabled": True, "asNumber": 64513,
        "serviceLoadBalancerIPs": [{"cidr": "203.0.113.0/24"}], "serviceExternalIPs": [{"cidr": "fd00:0:0:1::/64"}],
        "serviceClusterIPs": [{"cidr": "10.96.0.0/12"}],
        "communities": [{"name": "gold", "value": "65001:100"}, {"name": "spare", "value": "65001:9:9"}],
        "prefixAdvertisements": [{"cidr": "203.0.113.0/24", "communities": ["gold", "65001:7"]}],
        "listenPort": 1179, "nodeMeshPassword": {"secretKeyRef": {"name": "bgp-secrets", "key": "mesh"}},
        "nodeMeshMaxRestartTime": "2m0s", "bindMode": "NodeIP", "ignoredInterfaces": ["veth*", "eth9"],
    }, "calico_bgp_config", dict(
        log_severity_screen="Info", node_to_node_mesh=True, as_number="64513",
        service_load_balancer_ips=["203.0.113.0/24"], service_external_ips=["fd00::1:0:0:0:0/64"],
        service_cluster_ips=["10.96.0.0/12"],
        communities=[{"name": "gold", "value": "65001:100"}, {"name": "spare", "value": "65001:9:9"}],
        prefix_advertisements=[{"cidr": "203.0.113.0/24", "communities": ["gold", "65001:7"]}],
        listen_port=1179, node_mesh_password={"secret_name": "bgp-secrets", "secret_key": "mesh"},
        node_mesh_max_restart_time="120s", bind_mode="NodeIP", ignored_interfaces=["veth*", "eth9"])),
    ("bgppeers/rack1-tor", "BGPPeer", "rack1-tor", {
        "node": "kube-node1", "peerIP": "[FD00:0::1]:1790", "asNumber": 64514, "localASNumber": 65001,
        "nextHopMode": "Self", "password": {"secretKeyRef": {"name": "bgp-secrets", "key": "tor"}},
        "sourceAddress": "None", "maxRestartTime": "1m30s", "keepaliveTime": "20s",
        "numAllowedLocalASNumbers": 1, "ttlSecurity": 2, "reachableBy": "fd00::fe", "filters": ["tor-out"],
        "reversePeering": "Manual",
    }, "calico_bgp_peer", dict(
        name="rack1-tor", node="kube-node1", peer_ip="[fd00::1]:1790", as_number=64514,
        local_as_number="0.65001", next_hop_mode="Self",
        password={"secret_name": "bgp-secrets", "secret_key": "tor"}, source_address="None",
        max_restart_time="90s", keepalive_time="20000ms", num_allowed_local_as_numbers=1, ttl_security=2,
        reachable_by="fd00:0::fe", filters=["tor-out"], reverse_peering="Manual")),
    ("bgppeers/192-20-30-40", "BGPPeer", "192-20-30-40", {
        "peerIP": "192.20.30.40", "asNumber": 64567, "keepOriginalNextHop": True,
    }, "calico_bgp_peer", dict(peer_ip="192.20.30.40", as_number=64567, keep_original_next_hop=True)),
    ("bgppeers/rr-mesh", "BGPPeer", "rr-mesh", {
        "nodeSelector": "!has(route-reflector)", "peerSelector": "has(route-reflector)",
    }, "calico_bgp_peer", dict(name="rr-mesh", node_selector="!has(route-reflector)",
                               peer_selector="has(route-reflector)")),
    ("nodes/kube-node1", "Node", "kube-node1", {
        "bgp": {"asNumber": 65011, "ipv4Address": "10.0.0.11/24", "ipv6Address": "FD00:10::11/64",
                "ipv4IPIPTunnelAddr": "10.244.1.1", "routeReflectorClusterID": "224.0.0.1"},
    }, "calico_node", dict(name="kube-node1", as_number="65011", ipv4_address="10.0.0.11/24",
                           ipv6_address="fd00:10:0::11/64", route_reflector_cluster_id="224.0.0.1",
                           labels={"rack": "r1"})),
]


@pytest.mark.parametrize("key, kind, name, spec, module, options", CASES, ids=[case[0] for case in CASES])
def test_the_same_intent_as_calicoctl_wrote_is_no_change(etcd, key, kind, name, spec, module, options):
    put_filters(etcd, "tor-out")
    labels = {"rack": "r1"} if kind == "Node" else None
    put(etcd, PREFIX + key, calicoctl_document(kind, name, spec, labels))
    _document, raw_before, revision_before = stored(etcd, PREFIX + key)
    result = run_module(module, dict(options, etcd_endpoints=etcd.endpoints), diff=True)
    assert result["changed"] is False, result.get("diff")
    _document, raw_after, revision_after = stored(etcd, PREFIX + key)
    assert (raw_after, revision_after) == (raw_before, revision_before)


def test_a_new_resource_is_written_as_calicoctl_writes_it(etcd):
    """Go's struct order, durations as Go prints them, addresses as typed, empty fields omitted."""
    put_filters(etcd, "f1")
    run_module("calico_bgp_peer", dict(
        name="p1", reverse_peering="Auto", filters=["f1"], keepalive_time="20s", max_restart_time="120s",
        as_number=64514, peer_ip="FD00::1", node="kube-node1", keep_original_next_hop=False,
        etcd_endpoints=etcd.endpoints))
    document, raw, _revision = stored(etcd, PREFIX + "bgppeers/p1")
    assert list(document["spec"]) == ["node", "peerIP", "asNumber", "maxRestartTime", "keepaliveTime", "filters",
                                      "reversePeering"]
    assert document["spec"]["peerIP"] == "FD00::1"
    assert document["spec"]["maxRestartTime"] == "2m0s"
    assert '"keepOriginalNextHop"' not in raw
    run_module("calico_bgp_peer", dict(name="sel", peer_selector="has(rr)", etcd_endpoints=etcd.endpoints))
    document, raw, _revision = stored(etcd, PREFIX + "bgppeers/sel")
    assert '"asNumber"' not in raw
    run_module("calico_bgp_config", dict(service_external_ips=[], as_number=64513, etcd_endpoints=etcd.endpoints))
    document, raw, _revision = stored(etcd, PREFIX + "bgpconfigurations/default")
    assert '"serviceExternalIPs"' not in raw
