"""Unit tests of the BGPFilter kind: stored form in Go's order, rules, versions, peers naming it."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_filter as bgp_filter
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import new_resource
from ansible_collections.netops.calico.plugins.module_utils._errors import ValidationError


def params(**values):
    base = dict((option, None) for option in bgp_filter.MODEL.options)
    base.update(state="present", unset=[], labels=None)
    base.update(values)
    return base


def test_rules_are_stored_in_go_order_and_in_the_order_given():
    document = bgp_filter.desired_state(None, "f", params(export_v4=[
        {"action": "Accept", "priority": 5, "match_operator": "In", "cidr": "10.0.0.0/8"},
        {"action": "Reject"}]))
    assert json.dumps(document["spec"], separators=(",", ":")) == (
        '{"exportV4":[{"cidr":"10.0.0.0/8","matchOperator":"In","priority":5,"action":"Accept"},{"action":"Reject"}]}')


def test_ansible_fills_unset_suboptions_with_null_and_they_are_not_stored():
    rule = dict((key, None) for key in bgp_filter.RULE_SUBOPTIONS)
    rule.update(action="Accept", prefix_length={"min": None, "max": 24}, cidr="10.0.0.0/8", match_operator="In",
                operations=[{"add_community": None, "prepend_as_path": None, "set_priority": {"value": 7}}])
    document = bgp_filter.desired_state(None, "f", params(import_v4=[rule]))
    assert document["spec"]["importV4"] == [{"cidr": "10.0.0.0/8", "prefixLength": {"max": 24}, "matchOperator": "In",
                                             "action": "Accept", "operations": [{"setPriority": {"value": 7}}]}]


def test_every_problem_of_every_rule_is_reported_with_its_index():
    with pytest.raises(ValidationError) as info:
        bgp_filter.desired_state(None, "f", params(export_v6=[
            {"action": "Accept"}, {"action": "Maybe", "cidr": "10.0.0.0/8", "match_operator": "In"},
            {"action": "Reject", "operations": [{"set_priority": {"value": 1}}]}]))
    messages = info.value.messages
    assert any(m.startswith("export_v6[1].action: 'Maybe' is not one of Accept, Reject") for m in messages)
    assert any(m.startswith("export_v6[1].cidr: '10.0.0.0' is not an IPv6 address") for m in messages)
    assert any(m.startswith("export_v6[2].operations, export_v6[2].action: operations may only be used") for m in messages)


@pytest.mark.parametrize("value, valid", [
    ("65535:65535", True), ("0:0", True), ("4294967295:4294967295:4294967295", True),
    ("65536:0", False), ("01:1", False), ("1:1:", False), ("4294967296:0:0", False), ("1", False), ("a:b", False)])
def test_community_values_follow_the_crd_pattern(value, valid):
    if valid:
        assert bgp_filter.community(value, "c") == value
    else:
        with pytest.raises(ValidationError, match="^c: "):
            bgp_filter.community(value, "c")


def test_rule_versions_name_the_fields_newer_than_the_kind():
    spec = bgp_filter.desired_state(None, "f", params(export_v4=[
        {"action": "Accept", "source": "RemotePeers", "peer_type": "iBGP"}, {"action": "Reject"}]))["spec"]
    assert dict(bgp_filter.rule_versions(spec)) == {"export_v4[0].source": "3.27", "export_v4[0].peer_type": "3.32"}


def test_peers_naming_a_filter():
    peers = [new_resource("BGPPeer", "a", spec={"filters": ["x", "y"]}), new_resource("BGPPeer", "b", spec={}),
             new_resource("BGPPeer", "c", spec={"filters": ["y"]})]
    assert bgp_filter.peers_naming(peers, "y") == ["a", "c"]
    assert bgp_filter.peers_naming(peers, "z") == []
