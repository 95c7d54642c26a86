"""The newer fields of Calico's BGP API against a real etcd: BGPPeer localWorkloadSelector with its
rules, `optional` on every secret reference, and BGPConfiguration's serviceLoadBalancerAggregation,
localWorkloadPeeringIPV4/IPV6, programClusterRoutes and the normal route priorities, shown by the
info modules with Calico's defaults."""
import pytest

from tests.integration.helpers import PREFIX, revision, stored
from tests.support.module_runner import ModuleFailed, run_module


def conn(etcd, **args):
    args["etcd_endpoints"] = etcd.endpoints
    return args


def test_a_local_workload_peer_can_be_created_changed_and_read(etcd):
    result = run_module("calico_bgp_peer", conn(etcd, name="vm-peering", node_selector="has(vm-host)",
                                                local_workload_selector="app == 'router-vm'", as_number=65100))
    assert result["changed"]
    spec = stored(etcd, PREFIX + "bgppeers/vm-peering")[0]["spec"]
    assert list(spec) == ["nodeSelector", "asNumber", "localWorkloadSelector"]
    changed = run_module("calico_bgp_peer", conn(etcd, name="vm-peering", labels={"team": "vms"}))
    assert changed["changed"]  # a task on such a peer is no longer refused
    info = run_module("calico_bgp_peer_info", conn(etcd, name="vm-peering"))
    assert info["peers"][0]["local_workload_selector"] == "app == 'router-vm'"


@pytest.mark.parametrize("options, start", [
    (dict(local_workload_selector="all()", as_number=65100, peer_ip="10.0.0.1"),
     "peer_ip, local_workload_selector: peer_ip must be empty"),
    (dict(local_workload_selector="all()", as_number=65100, peer_selector="all()"),
     "peer_selector, local_workload_selector: peer_selector must be empty"),
    (dict(local_workload_selector="all()"), "as_number: is required when local_workload_selector is set"),
    (dict(local_workload_selector="app ==", as_number=65100), "local_workload_selector: "),
])
def test_local_workload_peers_follow_calicos_rules(etcd, options, start):
    before = revision(etcd)
    with pytest.raises(ModuleFailed) as failure:
        run_module("calico_bgp_peer", conn(etcd, name="vm", **options))
    assert start in failure.value.result["msg"], failure.value.result["msg"]
    assert revision(etcd) == before


def test_optional_on_secret_references(etcd):
    run_module("calico_bgp_peer", conn(etcd, name="p", peer_ip="10.0.0.1", as_number=65001, password={
        "secret_name": "bgp", "secret_key": "p", "optional": True}))
    assert stored(etcd, PREFIX + "bgppeers/p")[0]["spec"]["password"] == {
        "secretKeyRef": {"name": "bgp", "key": "p", "optional": True}}
    run_module("calico_bgp_config", conn(etcd, node_mesh_password={"secret_name": "bgp", "secret_key": "mesh",
                                                                   "optional": False}))
    raw = stored(etcd, PREFIX + "bgpconfigurations/default")[1]
    assert '"nodeMeshPassword":{"secretKeyRef":{"name":"bgp","key":"mesh","optional":false}}' in raw


def test_newer_bgp_configuration_fields_and_their_defaults(etcd):
    info = run_module("calico_bgp_config_info", conn(etcd))
    assert info["effective"]["service_load_balancer_aggregation"] == "Enabled"
    assert info["effective"]["program_cluster_routes"] == "EnabledNoEncapOnly"
    assert info["effective"]["ipv4_normal_route_priority"] == 1024 == info["effective"]["ipv6_normal_route_priority"]
    run_module("calico_bgp_config", conn(
        etcd, service_load_balancer_aggregation="Disabled", local_workload_peering_ipv4="169.254.0.179",
        local_workload_peering_ipv6="fe80::179", program_cluster_routes="Disabled", ipv4_normal_route_priority=512,
        ipv6_normal_route_priority=256))
    raw = stored(etcd, PREFIX + "bgpconfigurations/default")[1]
    assert ('"spec":{"serviceLoadBalancerAggregation":"Disabled","localWorkloadPeeringIPV4":"169.254.0.179",'
            '"localWorkloadPeeringIPV6":"fe80::179","programClusterRoutes":"Disabled","ipv4NormalRoutePriority":512,'
            '"ipv6NormalRoutePriority":256}') in raw
    info = run_module("calico_bgp_config_info", conn(etcd))
    assert info["effective"]["service_load_balancer_aggregation"] == "Disabled"
    assert info["effective"]["ipv4_normal_route_priority"] == 512
    again = run_module("calico_bgp_config", conn(etcd, local_workload_peering_ipv6="FE80:0::179"))
    assert again["changed"] is False  # the same address written another way


@pytest.mark.parametrize("options, start", [
    (dict(service_load_balancer_aggregation="Off"), "value of service_load_balancer_aggregation must be one of"),
    (dict(local_workload_peering_ipv4="fe80::1"), "local_workload_peering_ipv4: 'fe80::1' is not an IPv4 address"),
    (dict(local_workload_peering_ipv6="169.254.0.1"), "local_workload_peering_ipv6: '169.254.0.1' is not an IPv6"),
    (dict(program_cluster_routes="Always"), "value of program_cluster_routes must be one of"),
    (dict(ipv4_normal_route_priority=0), "ipv4_normal_route_priority: 0 is out of range (1 to 2147483646)"),
    (dict(ipv6_normal_route_priority=2147483647), "ipv6_normal_route_priority: 2147483647 is out of range"),
    (dict(node="n1", ipv4_normal_route_priority=5), "ipv4_normal_route_priority: only the global 'default'"),
])
def test_newer_bgp_configuration_fields_follow_calicos_rules(etcd, options, start):
    before = revision(etcd)
    with pytest.raises(ModuleFailed) as failure:
        run_module("calico_bgp_config", conn(etcd, **options))
    assert failure.value.result["msg"].startswith(start), failure.value.result["msg"]
    assert revision(etcd) == before
