"""The Node BGP model without a datastore: options to spec.bgp, rules, effective AS, table rows."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
from collections import OrderedDict

import pytest

from ansible_collections.netops.calico.plugins.module_utils import _kind_node as node
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import ResourceError
from ansible_collections.netops.calico.plugins.module_utils._model_values import ValidationError

STORED = OrderedDict([
    ("kind", "Node"), ("apiVersion", "projectcalico.org/v3"),
    ("metadata", OrderedDict([("name", "kube-node1"), ("uid", "u-1"), ("creationTimestamp", "2026-11-20T08:01:02Z"),
                              ("labels", OrderedDict([("kubernetes.io/hostname", "kube-node1"), ("rack", "r1")])),
                              ("annotations", {"a": "b"}), ("resourceVersion", "7")])),
    ("spec", OrderedDict([("bgp", OrderedDict([("ipv4Address", "172.31.3.11/32"),
                                               ("ipv4IPIPTunnelAddr", "10.244.1.1")])),
                          ("orchRefs", [{"nodeName": "kube-node1", "orchestrator": "k8s"}]),
                          ("unknownField", 1)])),
    ("status", {"podCIDRs": ["10.244.1.0/24"]}),
])


def params(**options):
    base = dict(name="kube-node1", as_number=None, ipv4_address=None, ipv6_address=None,
                route_reflector_cluster_id=None, labels=None, unset=[])
    base.update(options)
    return base


def desired(**options):
    return node.desired_state(copy.deepcopy(STORED), "kube-node1", params(**options))


def test_as_number_goes_first_in_bgp_like_calicos_encoder_and_nothing_else_moves():
    result = desired(as_number=65011)
    assert list(result["spec"]["bgp"].items()) == [
        ("asNumber", 65011), ("ipv4Address", "172.31.3.11/32"), ("ipv4IPIPTunnelAddr", "10.244.1.1")]
    expected = copy.deepcopy(STORED)
    del expected["spec"]["bgp"]
    del result["spec"]["bgp"]
    assert json.dumps(result) == json.dumps(expected)  # order included


def test_every_option_maps_to_its_field():
    result = desired(as_number="1.10", ipv4_address="10.0.0.11/24", ipv6_address="FD00:10::0:11/64",
                     route_reflector_cluster_id="224.0.0.1")
    assert dict(result["spec"]["bgp"]) == {
        "asNumber": 65546, "ipv4Address": "10.0.0.11/24", "ipv6Address": "FD00:10::0:11/64",  # as typed
        "ipv4IPIPTunnelAddr": "10.244.1.1", "routeReflectorClusterID": "224.0.0.1"}


def test_bare_addresses_are_accepted():
    result = desired(ipv4_address="10.0.0.11", ipv6_address="fd00::11")
    assert result["spec"]["bgp"]["ipv4Address"] == "10.0.0.11"
    assert result["spec"]["bgp"]["ipv6Address"] == "fd00::11"


def test_nothing_given_changes_nothing():
    assert json.dumps(desired()) == json.dumps(STORED)


def test_an_equivalent_stored_value_keeps_its_text():
    stored = copy.deepcopy(STORED)
    stored["spec"]["bgp"]["asNumber"] = "65546"
    stored["spec"]["bgp"]["ipv6Address"] = "FD00:10:0::11/64"
    result = node.desired_state(copy.deepcopy(stored), "kube-node1",
                                params(as_number=65546, ipv6_address="fd00:10::11/64"))
    assert json.dumps(result) == json.dumps(stored)


def test_labels_merge_remove_and_yaml_booleans():
    result = desired(labels={"rack": None, "route-reflector": True, "zone": 3})
    assert dict(result["metadata"]["labels"]) == {
        "kubernetes.io/hostname": "kube-node1", "route-reflector": "true", "zone": "3"}


def test_removing_every_label_drops_the_field():
    result = desired(labels={"rack": None, "kubernetes.io/hostname": None})
    assert "labels" not in result["metadata"]


def test_unset_removes_a_field():
    stored = copy.deepcopy(STORED)
    stored["spec"]["bgp"]["asNumber"] = 65011
    result = node.desired_state(stored, "kube-node1", params(unset=["as_number"]))
    assert "asNumber" not in result["spec"]["bgp"]


def test_the_last_address_cannot_be_unset():
    with pytest.raises(ValidationError) as error:
        desired(unset=["ipv4_address"])
    assert error.value.field == "unset"


def test_unsetting_one_of_two_addresses_is_fine():
    result = desired(ipv6_address="fd00::11/64")
    result = node.desired_state(result, "kube-node1", params(unset=["ipv4_address"]))
    assert "ipv4Address" not in result["spec"]["bgp"]
    assert result["spec"]["bgp"]["ipv6Address"] == "fd00::11/64"


def test_an_address_less_bgp_spec_is_never_written_but_an_emptied_one_is_dropped():
    stored = copy.deepcopy(STORED)
    del stored["spec"]["bgp"]
    with pytest.raises(ValidationError) as error:
        node.desired_state(copy.deepcopy(stored), "kube-node1", params(as_number=65011))
    assert error.value.field == "ipv4_address"
    # a (invalid) stored bgp with only an AS: removing it leaves nothing, so bgp goes away
    stored["spec"]["bgp"] = OrderedDict([("asNumber", 65011)])
    result = node.desired_state(copy.deepcopy(stored), "kube-node1", params(unset=["as_number"]))
    assert "bgp" not in result["spec"]


def test_labels_on_a_node_with_an_odd_bgp_spec_leave_it_alone():
    stored = copy.deepcopy(STORED)
    stored["spec"]["bgp"] = OrderedDict([("ipv4IPIPTunnelAddr", "10.244.1.1")])
    result = node.desired_state(copy.deepcopy(stored), "kube-node1", params(labels={"zone": "a"}))
    assert result["spec"]["bgp"] == stored["spec"]["bgp"]


def test_an_unregistered_node_is_an_error():
    with pytest.raises(node.NodeNotRegistered) as error:
        node.desired_state(None, "kube-node9", params(name="kube-node9", as_number=65019))
    assert str(error.value).startswith("node kube-node9 is not registered in the Calico datastore; "
                                       "calico/node registers nodes when it starts")
    assert isinstance(error.value, ResourceError)


def test_the_error_lists_registered_nodes():
    assert "registered nodes: a, b" in str(node.NodeNotRegistered("c", ["b", "a"]))
    many = str(node.NodeNotRegistered("c", ["n%02d" % index for index in range(12)]))
    assert "n09, ..." in many and "n10" not in many
    assert "no node is registered at all" in str(node.NodeNotRegistered("c", []))


def test_a_malformed_bgp_spec_is_refused():
    stored = copy.deepcopy(STORED)
    stored["spec"]["bgp"] = "172.31.3.11"
    with pytest.raises(ResourceError) as error:
        node.desired_state(stored, "kube-node1", params(as_number=1))
    assert "refusing to use or overwrite it" in str(error.value)


@pytest.mark.parametrize("options, field", [
    (dict(as_number=4294967296), "as_number"),
    (dict(as_number="65536.0"), "as_number"),
    (dict(as_number="0.65536"), "as_number"),
    (dict(as_number=False), "as_number"),
    (dict(ipv4_address="fd00::1/64"), "ipv4_address"),
    (dict(ipv4_address="10.0.0.1/40"), "ipv4_address"),
    (dict(ipv4_address="10.0.1"), "ipv4_address"),
    (dict(ipv6_address="10.0.0.1"), "ipv6_address"),
    (dict(ipv6_address="[fd00::1]"), "ipv6_address"),
    (dict(route_reflector_cluster_id="fd00::1"), "route_reflector_cluster_id"),
    (dict(route_reflector_cluster_id="1.2.3"), "route_reflector_cluster_id"),
    (dict(name="Kube-node1"), "name"),
    (dict(name="-node"), "name"),
    (dict(name=""), "name"),
    (dict(labels={"a b": "x"}), "labels (key 'a b')"),
    (dict(labels={"Example.com/x": "y"}), "labels (key 'Example.com/x')"),
    (dict(labels={"x": "a/b"}), "labels.x"),
    (dict(labels={"x": {"y": 1}}), "labels.x"),
    (dict(labels="rack=r1"), "labels"),
    (dict(unset=["labels"]), "unset"),
    (dict(ipv4_address="10.0.0.11", unset=["ipv4_address"]), "unset"),
])
def test_invalid_options_name_the_option(options, field):
    with pytest.raises(ValidationError) as error:
        node.requested_changes(params(**options))
    assert error.value.field == field
    assert str(error.value).startswith(field)


def test_summary_and_table_rows():
    own = node.summary(node.desired_state(copy.deepcopy(STORED), "kube-node1", params(as_number=65011)), 64512)
    assert own["as_number"] == 65011 and own["effective_as_number"] == 65011
    assert own["as_number_inherited"] is False
    assert node.summary_row(own) == ["kube-node1", "65011", "172.31.3.11/32", ""]

    inherited = node.summary(STORED, 64513)
    assert inherited["as_number"] is None and inherited["effective_as_number"] == 64513
    assert inherited["ipv4_ipip_tunnel_address"] == "10.244.1.1"
    assert node.summary_row(inherited) == ["kube-node1", "(64513)", "172.31.3.11/32", ""]

    policy_only = copy.deepcopy(STORED)
    del policy_only["spec"]["bgp"]
    summary = node.summary(policy_only, 64512)
    assert summary["bgp_enabled"] is False and summary["effective_as_number"] is None
    assert node.summary_row(summary) == ["kube-node1", "", "", ""]


def test_an_own_as_stored_as_dotted_text():
    stored = copy.deepcopy(STORED)
    stored["spec"]["bgp"]["asNumber"] = "1.10"
    assert node.summary(stored, 64512)["effective_as_number"] == 65546


def test_default_as_number():
    assert node.default_as_number(None) == 64512
    assert node.default_as_number({"spec": {}}) == 64512
    assert node.default_as_number({"spec": {"asNumber": 64513}}) == 64513
    assert node.default_as_number({"spec": {"asNumber": "1.1"}}) == 65537
