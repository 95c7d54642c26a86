"""calico_bgp_filter and calico_bgp_filter_info against a real etcd: every rule field and operation
stored as calicoctl stores it, Calico's rules for each, referential integrity with the peers,
the Calico version the cluster runs, check mode, diff, labels, deletion."""
import json

import pytest

from tests.integration.helpers import PREFIX, put, revision, stored
from tests.support.module_runner import ModuleFailed, run_module

FILTERS = PREFIX + "bgpfilters/"
CLUSTER_INFO = PREFIX + "clusterinformations/default"

EVERY_FIELD = dict(
    export_v4=[
        {"action": "Accept", "cidr": "10.244.0.0/16", "match_operator": "In",
         "prefix_length": {"min": 24, "max": 26}, "source": "RemotePeers", "interface": "eth*",
         "peer_type": "eBGP", "communities": {"values": ["65001:100"]}, "as_path_prefix": [65001, "1.10"],
         "priority": 512,
         "operations": [{"add_community": {"value": "65001:200:300"}}, {"prepend_as_path": {"prefix": [65001, 65002]}},
                        {"set_priority": {"value": 100}}]},
        {"action": "Reject"},
    ],
    import_v4=[{"action": "Reject", "cidr": "10.0.0.0/8", "match_operator": "NotIn"}],
    export_v6=[{"action": "Accept", "cidr": "fd00:244::/32", "match_operator": "Equal",
                "prefix_length": {"max": 122}}],
    import_v6=[{"action": "Reject", "cidr": "fd00::/8", "match_operator": "NotEqual", "peer_type": "iBGP"}],
)
# What calicoctl stores for the same filter: Go's field order, AS numbers as numbers.
EVERY_FIELD_JSON = (
    '{"exportV4":[{"cidr":"10.244.0.0/16","prefixLength":{"min":24,"max":26},"source":"RemotePeers",'
    '"interface":"eth*","matchOperator":"In","peerType":"eBGP","communities":{"values":["65001:100"]},'
    '"asPathPrefix":[65001,65546],"priority":512,"action":"Accept","operations":[{"addCommunity":'
    '{"value":"65001:200:300"}},{"prependASPath":{"prefix":[65001,65002]}},{"setPriority":{"value":100}}]},'
    '{"action":"Reject"}],'
    '"importV4":[{"cidr":"10.0.0.0/8","matchOperator":"NotIn","action":"Reject"}],'
    '"exportV6":[{"cidr":"fd00:244::/32","prefixLength":{"max":122},"matchOperator":"Equal","action":"Accept"}],'
    '"importV6":[{"cidr":"fd00::/8","matchOperator":"NotEqual","peerType":"iBGP","action":"Reject"}]}')


def conn(etcd, **args):
    args["etcd_endpoints"] = etcd.endpoints
    return args


def raw_spec(etcd, name):
    document, raw, _revision = stored(etcd, FILTERS + name)
    return raw[raw.index('"spec":') + len('"spec":'):-1], document


def test_every_rule_field_and_operation_round_trips_as_calicoctl_stores_it(etcd):
    result = run_module("calico_bgp_filter", conn(etcd, name="every-field", labels={"team": "net"}, **EVERY_FIELD),
                        diff=True)
    assert result["changed"] and result["action"] == "created"
    spec, document = raw_spec(etcd, "every-field")
    assert spec == EVERY_FIELD_JSON
    assert document["metadata"]["labels"] == {"team": "net"}
    assert result["diff"]["before"] == {} and result["diff"]["after"]["spec"] == json.loads(EVERY_FIELD_JSON)
    _doc, _raw, mod_revision = stored(etcd, FILTERS + "every-field")
    again = run_module("calico_bgp_filter", conn(etcd, name="every-field", **EVERY_FIELD))
    assert again["changed"] is False and stored(etcd, FILTERS + "every-field")[2] == mod_revision


def test_a_filter_written_by_calicoctl_is_no_change(etcd):
    put(etcd, FILTERS + "by-calicoctl", '{"kind":"BGPFilter","apiVersion":"projectcalico.org/v3","metadata":'
        '{"name":"by-calicoctl","uid":"7c0b6a14-1f0c-4a4e-8f67-0a7a0c7e9d11","creationTimestamp":'
        '"2026-11-02T03:04:05Z"},"spec":%s}' % EVERY_FIELD_JSON)
    before = stored(etcd, FILTERS + "by-calicoctl")[2]
    result = run_module("calico_bgp_filter", conn(etcd, name="by-calicoctl", **EVERY_FIELD))
    assert result["changed"] is False and stored(etcd, FILTERS + "by-calicoctl")[2] == before


def test_rule_order_is_kept_and_a_list_replaces_the_stored_one(etcd):
    first = [{"action": "Reject", "cidr": "10.1.0.0/16", "match_operator": "In"}, {"action": "Accept"}]
    run_module("calico_bgp_filter", conn(etcd, name="ordered", export_v4=first, import_v4=[{"action": "Accept"}]))
    run_module("calico_bgp_filter", conn(etcd, name="ordered", export_v4=list(reversed(first))))
    spec = stored(etcd, FILTERS + "ordered")[0]["spec"]
    assert [rule["action"] for rule in spec["exportV4"]] == ["Accept", "Reject"]
    assert spec["importV4"] == [{"action": "Accept"}]  # left out: kept
    run_module("calico_bgp_filter", conn(etcd, name="ordered", unset=["import_v4"]))
    assert "importV4" not in stored(etcd, FILTERS + "ordered")[0]["spec"]


def test_check_mode_diff_and_absent(etcd):
    before = revision(etcd)
    result = run_module("calico_bgp_filter", conn(etcd, name="f", export_v4=[{"action": "Reject"}]), check_mode=True,
                        diff=True)
    assert result["changed"] and result["diff"]["after"]["spec"] == {"exportV4": [{"action": "Reject"}]}
    assert revision(etcd) == before
    run_module("calico_bgp_filter", conn(etcd, name="f", export_v4=[{"action": "Reject"}]))
    deleted = run_module("calico_bgp_filter", conn(etcd, name="f", state="absent"), diff=True)
    assert deleted["changed"] and deleted["action"] == "deleted" and deleted["diff"]["after"] == {}
    assert stored(etcd, FILTERS + "f")[0] is None
    assert run_module("calico_bgp_filter", conn(etcd, name="f", state="absent"))["changed"] is False


# (rule, the message's start): each of Calico's BGPFilter rules, valid and invalid
INVALID_RULES = [
    ({"action": "Allow"}, "export_v4[0].action"),
    ({"cidr": "10.0.0.0/8", "match_operator": "In"}, "export_v4[0].action: is required"),
    ({"action": "Accept", "cidr": "10.0.0.0/8"}, "export_v4[0].cidr, export_v4[0].match_operator: must both"),
    ({"action": "Accept", "match_operator": "In"}, "export_v4[0].cidr, export_v4[0].match_operator: must both"),
    ({"action": "Accept", "cidr": "10.0.0.1/8", "match_operator": "In"}, "export_v4[0].cidr: '10.0.0.1/8' has host bits"),
    ({"action": "Accept", "cidr": "fd00::/8", "match_operator": "In"}, "export_v4[0].cidr: 'fd00::' is not an IPv4"),
    ({"action": "Accept", "match_operator": "Above", "cidr": "10.0.0.0/8"}, "export_v4[0].match_operator"),
    ({"action": "Accept", "prefix_length": {"min": 8}}, "export_v4[0].prefix_length: needs cidr"),
    ({"action": "Accept", "cidr": "10.0.0.0/8", "match_operator": "In", "prefix_length": {"max": 33}},
     "export_v4[0].prefix_length.max: 33 is out of range (0 to 32)"),
    ({"action": "Accept", "source": "Anywhere"}, "export_v4[0].source"),
    ({"action": "Accept", "interface": "eth[0-9]"}, "export_v4[0].interface: 'eth[0-9]' is not an interface"),
    ({"action": "Accept", "interface": "x" * 16}, "export_v4[0].interface"),
    ({"action": "Accept", "peer_type": "external"}, "export_v4[0].peer_type"),
    ({"action": "Accept", "communities": {"values": ["65536:1"]}}, "export_v4[0].communities.values[0]: '65536:1'"),
    ({"action": "Accept", "communities": {"values": ["01:1"]}}, "export_v4[0].communities.values[0]: '01:1'"),
    ({"action": "Accept", "communities": {"values": ["1:1", "2:2"]}}, "export_v4[0].communities.values: must hold exactly"),
    ({"action": "Accept", "as_path_prefix": ["x"]}, "export_v4[0].as_path_prefix[0]: 'x' is not an AS number"),
    ({"action": "Accept", "priority": 0}, "export_v4[0].priority: 0 is out of range (1 to 2147483646)"),
    ({"action": "Accept", "priority": 2147483647}, "export_v4[0].priority: 2147483647 is out of range"),
    ({"action": "Reject", "operations": [{"set_priority": {"value": 5}}]},
     "export_v4[0].operations, export_v4[0].action: operations may only be used with action Accept"),
    ({"action": "Accept", "operations": [{"set_priority": {"value": 5}, "add_community": {"value": "1:1"}}]},
     "export_v4[0].operations[0]: must set exactly one"),
    ({"action": "Accept", "operations": [{}]}, "export_v4[0].operations[0]: must set exactly one"),
    ({"action": "Accept", "operations": [{"set_priority": {"value": 5}}] * 11},
     "export_v4[0].operations: has 11 operations; Calico allows at most 10"),
    ({"action": "Accept", "operations": [{"prepend_as_path": {"prefix": [65001] * 11}}]},
     "export_v4[0].operations[0].prepend_as_path.prefix: has 11 AS numbers"),
    ({"action": "Accept", "operations": [{"add_community": {"value": "1:2:3:4"}}]},
     "export_v4[0].operations[0].add_community.value"),
    ({"action": "Accept", "operations": [{"set_priority": {"value": 0}}]},
     "export_v4[0].operations[0].set_priority.value: 0 is out of range"),
]


@pytest.mark.parametrize("rule, start", INVALID_RULES, ids=[start.split(":")[0] + "-%d" % index
                                                            for index, (_rule, start) in enumerate(INVALID_RULES)])
def test_each_calico_rule_refuses_what_calico_refuses_and_writes_nothing(etcd, rule, start):
    before = revision(etcd)
    with pytest.raises(ModuleFailed) as failure:
        run_module("calico_bgp_filter", conn(etcd, name="bad", export_v4=[{"action": "Accept"}, rule][1:]))
    message = failure.value.result["msg"]
    assert start in message, message
    assert "Traceback" not in message
    assert revision(etcd) == before


@pytest.mark.parametrize("rule", [
    {"action": "Accept", "cidr": "10.0.0.0/8", "match_operator": "In", "prefix_length": {"min": 0, "max": 32}},
    {"action": "Accept", "interface": "*"},
    {"action": "Accept", "communities": {"values": ["4294967295:0:4294967295"]}},
    {"action": "Accept", "priority": 2147483646},
    {"action": "Accept", "operations": [{"prepend_as_path": {"prefix": [65001] * 10}}]},
    {"action": "Accept", "operations": [{"set_priority": {"value": 1}}] * 10},
    {"action": "Reject", "peer_type": "iBGP", "source": "RemotePeers"},
])
def test_each_calico_rule_accepts_what_calico_accepts(etcd, rule):
    assert run_module("calico_bgp_filter", conn(etcd, name="good", export_v4=[rule]))["changed"]


def test_ipv6_rules_have_ipv6_prefix_lengths(etcd):
    assert run_module("calico_bgp_filter", conn(etcd, name="v6", import_v6=[
        {"action": "Accept", "cidr": "fd00::/8", "match_operator": "In", "prefix_length": {"min": 64, "max": 128}}]))
    with pytest.raises(ModuleFailed, match=r"import_v6\[0\].prefix_length.max: 129 is out of range \(0 to 128\)"):
        run_module("calico_bgp_filter", conn(etcd, name="v6", import_v6=[
            {"action": "Accept", "cidr": "fd00::/8", "match_operator": "In", "prefix_length": {"max": 129}}]))


def test_a_peer_naming_a_missing_filter_is_refused_single_and_bulk(etcd):
    before = revision(etcd)
    with pytest.raises(ModuleFailed, match=r"^filters: BGPFilter\(s\) tor-out do not exist"):
        run_module("calico_bgp_peer", conn(etcd, peer_ip="10.0.0.1", as_number=65001, filters=["tor-out"]))
    with pytest.raises(ModuleFailed, match=r"peers\[1\].filters: BGPFilter\(s\) tor-out do not exist"):
        run_module("calico_bgp_peer", conn(etcd, peers=[{"peer_ip": "10.0.0.2", "as_number": 65001},
                                                        {"peer_ip": "10.0.0.3", "as_number": 65001,
                                                         "filters": ["tor-out"]}]))
    assert revision(etcd) == before
    run_module("calico_bgp_filter", conn(etcd, name="tor-out", export_v4=[{"action": "Reject"}]))
    assert run_module("calico_bgp_peer", conn(etcd, peer_ip="10.0.0.1", as_number=65001, filters=["tor-out"]))["changed"]


def test_a_filter_in_use_is_not_deleted_without_force(etcd):
    run_module("calico_bgp_filter", conn(etcd, name="in-use", export_v4=[{"action": "Reject"}]))
    run_module("calico_bgp_peer", conn(etcd, name="rack1-tor", peer_ip="10.0.0.1", as_number=65001, filters=["in-use"]))
    run_module("calico_bgp_peer", conn(etcd, name="rack2-tor", peer_ip="10.0.0.2", as_number=65001, filters=["in-use"]))
    before = revision(etcd)
    with pytest.raises(ModuleFailed, match=r"^force: BGPFilter in-use is still named by the BGP peer\(s\) rack1-tor, "
                                           r"rack2-tor"):
        run_module("calico_bgp_filter", conn(etcd, name="in-use", state="absent"))
    assert revision(etcd) == before
    info = run_module("calico_bgp_filter_info", conn(etcd))
    assert info["filters"][0]["peers"] == ["rack1-tor", "rack2-tor"] and info["filters"][0]["export_v4"] == 1
    assert info["table"].splitlines() == ["NAME", "in-use"]
    assert run_module("calico_bgp_filter", conn(etcd, name="in-use", state="absent", force=True))["changed"]
    assert stored(etcd, FILTERS + "in-use")[0] is None


def _record_version(etcd, version):
    spec = {"datastoreReady": True}
    if version:
        spec["calicoVersion"] = version
    put(etcd, CLUSTER_INFO, {"kind": "ClusterInformation", "apiVersion": "projectcalico.org/v3",
                             "metadata": {"name": "default"}, "spec": spec})


def test_the_calico_version_of_the_cluster_decides_what_may_be_written(etcd):
    _record_version(etcd, "v3.25.0")
    before = revision(etcd)
    with pytest.raises(ModuleFailed) as failure:
        run_module("calico_bgp_filter", conn(etcd, name="f", export_v4=[{"action": "Reject"}]))
    assert failure.value.result["msg"].startswith(
        "BGPFilter: BGPFilter needs Calico v3.26 or later; the cluster runs Calico 3.25.0 "
        "(clusterinformations/default records calicoVersion v3.25.0)")
    with pytest.raises(ModuleFailed, match=r"^filters: filters needs Calico v3.26"):
        run_module("calico_bgp_peer", conn(etcd, peer_ip="10.0.0.1", as_number=1, filters=["f"]))
    assert revision(etcd) == before

    _record_version(etcd, "v3.31.0")
    assert run_module("calico_bgp_filter", conn(etcd, name="f", export_v4=[{"action": "Reject"}]))["changed"]
    before = revision(etcd)
    with pytest.raises(ModuleFailed, match=r"^export_v4\[0\].peer_type: export_v4\[0\].peer_type needs Calico v3.32"):
        run_module("calico_bgp_filter", conn(etcd, name="f", export_v4=[{"action": "Reject", "peer_type": "eBGP"}]))
    with pytest.raises(ModuleFailed, match=r"^peers\[0\].keepalive_time: peers\[0\].keepalive_time needs Calico v3.32"):
        run_module("calico_bgp_peer", conn(etcd, peers=[{"peer_ip": "10.0.0.1", "as_number": 1, "keepalive_time": "20s"}]))
    with pytest.raises(ModuleFailed, match=r"^ipv4_normal_route_priority: ipv4_normal_route_priority needs"):
        run_module("calico_bgp_config", conn(etcd, ipv4_normal_route_priority=512))
    # the plan refuses what those modules would, naming its own options
    with pytest.raises(ModuleFailed, match=r"^bgp_configuration.ipv4_normal_route_priority: \S+ needs Calico v3.32"):
        run_module("calico_bgp_plan", conn(etcd, bgp_configuration={"ipv4_normal_route_priority": 512}))
    with pytest.raises(ModuleFailed, match=r"^peers\[0\].keepalive_time: \S+ needs Calico v3.32"):
        run_module("calico_bgp_plan", conn(etcd, peers=[{"peer_ip": "10.0.0.1", "as_number": 1, "keepalive_time": "20s"}]))
    assert revision(etcd) == before

    _record_version(etcd, None)
    result = run_module("calico_bgp_filter", conn(etcd, name="g", export_v4=[{"action": "Reject", "peer_type": "eBGP"}]))
    assert result["changed"]
    assert "records no Calico version" in json.dumps(result["warnings"])
    # the option stands in for a cluster that records none
    with pytest.raises(ModuleFailed, match=r"calico_version is v3.25.1"):
        run_module("calico_bgp_filter", conn(etcd, name="h", export_v4=[{"action": "Reject"}], calico_version="v3.25.1"))
    with pytest.raises(ModuleFailed, match=r"^calico_version: 'latest' is not a Calico version"):
        run_module("calico_bgp_filter", conn(etcd, name="h", export_v4=[{"action": "Reject"}], calico_version="latest"))
