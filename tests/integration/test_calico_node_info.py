"""calico_node_info against a real etcd: own and effective AS numbers (with and without a global
default), the `calicoctl get node -o wide` table, filtering, and unreadable values."""
import json

from tests.integration.helpers import PREFIX as RESOURCES
from tests.support.module_runner import run_module

PREFIX = RESOURCES + "nodes/"
DEFAULT_KEY = RESOURCES + "bgpconfigurations/default"


def node_json(name, bgp=None, labels=None):
    document = {"kind": "Node", "apiVersion": "projectcalico.org/v3",
                "metadata": {"name": name, "uid": "uid-" + name, "creationTimestamp": "2026-11-20T08:01:02Z"},
                "spec": {"orchRefs": [{"nodeName": name, "orchestrator": "k8s"}]},
                "status": {}}
    if labels:
        document["metadata"]["labels"] = labels
    if bgp is not None:
        document["spec"]["bgp"] = bgp
    return json.dumps(document, separators=(",", ":"))


def store_nodes(etcd):
    # Stored out of name order on purpose; etcd returns keys sorted, the module sorts by name.
    etcd.etcdctl("put", PREFIX + "kube-node3", node_json("kube-node3"))  # policy-only: no spec.bgp
    etcd.etcdctl("put", PREFIX + "kube-node1", node_json(
        "kube-node1", {"asNumber": 65011, "ipv4Address": "172.31.3.11/32", "ipv4IPIPTunnelAddr": "10.244.1.1"},
        labels={"rack": "r1"}))
    etcd.etcdctl("put", PREFIX + "kube-node2", node_json(
        "kube-node2", {"ipv4Address": "172.31.3.12/32", "ipv6Address": "fd00:10::12/64",
                       "routeReflectorClusterID": "224.0.0.1"},
        labels={"route-reflector": "true"}))


def store_default(etcd, as_number):
    etcd.etcdctl("put", DEFAULT_KEY, json.dumps({
        "kind": "BGPConfiguration", "apiVersion": "projectcalico.org/v3",
        "metadata": {"name": "default"}, "spec": {"asNumber": as_number}}))


def info(etcd, **options):
    options["etcd_endpoints"] = etcd.endpoints
    return run_module("calico_node_info", options)


def by_name(result):
    return dict((node["name"], node) for node in result["nodes"])


def test_without_a_global_default_nodes_inherit_64512(etcd):
    store_nodes(etcd)
    result = info(etcd)
    assert result["changed"] is False
    assert result["default_as_number"] == 64512
    assert [node["name"] for node in result["nodes"]] == ["kube-node1", "kube-node2", "kube-node3"]
    nodes = by_name(result)
    assert nodes["kube-node1"]["as_number"] == 65011
    assert nodes["kube-node1"]["effective_as_number"] == 65011
    assert nodes["kube-node1"]["as_number_inherited"] is False
    assert nodes["kube-node1"]["ipv4_address"] == "172.31.3.11/32"
    assert nodes["kube-node1"]["ipv6_address"] is None
    assert nodes["kube-node1"]["ipv4_ipip_tunnel_address"] == "10.244.1.1"
    assert nodes["kube-node1"]["labels"] == {"rack": "r1"}
    assert nodes["kube-node2"]["as_number"] is None
    assert nodes["kube-node2"]["effective_as_number"] == 64512
    assert nodes["kube-node2"]["as_number_inherited"] is True
    assert nodes["kube-node2"]["route_reflector_cluster_id"] == "224.0.0.1"
    assert nodes["kube-node2"]["ipv6_address"] == "fd00:10::12/64"
    assert nodes["kube-node3"]["bgp_enabled"] is False
    assert nodes["kube-node3"]["effective_as_number"] is None
    assert nodes["kube-node3"]["resource"]["spec"]["orchRefs"] == [{"nodeName": "kube-node3", "orchestrator": "k8s"}]
    assert result["table"] == "\n".join([
        "NAME         ASN       IPV4             IPV6",
        "kube-node1   65011     172.31.3.11/32",
        "kube-node2   (64512)   172.31.3.12/32   fd00:10::12/64",
        "kube-node3",
    ])


def test_a_global_default_is_inherited_but_an_own_as_wins(etcd):
    store_nodes(etcd)
    store_default(etcd, 64513)
    result = info(etcd)
    nodes = by_name(result)
    assert result["default_as_number"] == 64513
    assert nodes["kube-node1"]["effective_as_number"] == 65011
    assert nodes["kube-node2"]["effective_as_number"] == 64513
    assert result["table"].splitlines()[2] == "kube-node2   (64513)   172.31.3.12/32   fd00:10::12/64"
    assert result["table"].splitlines()[1] == "kube-node1   65011     172.31.3.11/32"


def test_a_dotted_default_stored_as_text_is_understood(etcd):
    store_nodes(etcd)
    store_default(etcd, "1.10")
    assert by_name(info(etcd))["kube-node2"]["effective_as_number"] == 65546


def test_set_by_calico_node_then_read_back(etcd):
    """calico_node's write is what calico_node_info (and calicoctl) then show."""
    store_nodes(etcd)
    run_module("calico_node", dict(name="kube-node2", as_number="1.10", etcd_endpoints=etcd.endpoints))
    node = by_name(info(etcd, name="kube-node2"))["kube-node2"]
    assert node["as_number"] == 65546
    assert node["as_number_inherited"] is False
    run_module("calico_node", dict(name="kube-node2", unset=["as_number"], etcd_endpoints=etcd.endpoints))
    node = by_name(info(etcd, name="kube-node2"))["kube-node2"]
    assert node["as_number"] is None and node["effective_as_number"] == 64512


def test_one_node_by_name_and_an_unknown_one(etcd):
    store_nodes(etcd)
    result = info(etcd, name="kube-node2")
    assert [node["name"] for node in result["nodes"]] == ["kube-node2"]
    assert result["table"] == "\n".join([
        "NAME         ASN       IPV4             IPV6",
        "kube-node2   (64512)   172.31.3.12/32   fd00:10::12/64",
    ])
    missing = info(etcd, name="kube-node9")
    assert missing["nodes"] == []
    assert missing["table"] == "NAME   ASN   IPV4   IPV6"


def test_an_empty_datastore(etcd):
    result = info(etcd)
    assert result["nodes"] == []
    assert result["default_as_number"] == 64512


def test_check_mode_reads_the_same(etcd):
    store_nodes(etcd)
    assert run_module("calico_node_info", dict(etcd_endpoints=etcd.endpoints), check_mode=True)["nodes"] == \
        info(etcd)["nodes"]


def test_an_invalid_name_is_refused(etcd):
    result = run_module("calico_node_info", dict(name="Kube-Node1", etcd_endpoints=etcd.endpoints),
                        expect_failure=True)
    assert result["msg"].startswith("name:")


def test_an_unreadable_node_is_skipped_with_a_warning_naming_its_key(etcd):
    store_nodes(etcd)
    etcd.etcdctl("put", PREFIX + "kube-node4", '{"kind":"Node","metadata":')
    etcd.etcdctl("put", PREFIX + "kube-node5", node_json("kube-node5", {"asNumber": "AS1", "ipv4Address": "172.31.3.15"}))
    result = info(etcd)
    assert [node["name"] for node in result["nodes"]] == ["kube-node1", "kube-node2", "kube-node3"]
    warnings = json.dumps(result["warnings"])  # ansible-core 2.19 wraps each warning in a dict
    assert PREFIX + "kube-node4" in warnings and "not valid JSON" in warnings
    assert "kube-node5 spec.bgp.asNumber" in warnings
    # the unreadable values are still there, untouched
    assert etcd.etcdctl("get", PREFIX + "kube-node4", "--print-value-only").stdout.strip() == '{"kind":"Node","metadata":'
