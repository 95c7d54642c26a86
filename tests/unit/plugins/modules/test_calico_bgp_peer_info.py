"""calico_bgp_peer_info's Ansible surface without a server, and its logic on an in-memory datastore."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import yaml

from ansible_collections.netops.calico.plugins.module_utils import _datastore_etcd
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import encode, new_resource, resource_key
from ansible_collections.netops.calico.plugins.modules import calico_bgp_peer_info
from tests.support.fake_datastore import FakeDatastore
from tests.support.module_runner import run_module
from tests.support.processes import free_port

NOWHERE = ["http://127.0.0.1:%d" % free_port()]


def test_documented_options_match_the_argument_spec():
    options = yaml.safe_load(calico_bgp_peer_info.DOCUMENTATION)["options"]
    assert sorted(options) == sorted(calico_bgp_peer_info.ARGUMENT_SPEC)
    for name, spec in calico_bgp_peer_info.ARGUMENT_SPEC.items():
        assert options[name]["type"] == spec["type"] and options[name].get("choices") == spec.get("choices")


def test_examples_use_documented_options():
    tasks = yaml.safe_load(calico_bgp_peer_info.EXAMPLES)
    used = [task["netops.calico.calico_bgp_peer_info"] for task in tasks if "netops.calico.calico_bgp_peer_info" in task]
    assert {"scope": "global"} in used and {"node": "node1"} in used


@pytest.mark.parametrize("args, message", [
    (dict(node="Node 1"), "node: "),
    (dict(name="Bad_Name"), "name: "),
    (dict(scope="everywhere"), "value of scope must be one of"),
])
def test_bad_input_fails_before_connecting(args, message):
    result = run_module("calico_bgp_peer_info", dict(args, etcd_endpoints=NOWHERE), expect_failure=True)
    assert result["msg"].startswith(message), result["msg"]


def test_lists_the_peers_that_apply_to_a_node(monkeypatch):
    fake = FakeDatastore()
    monkeypatch.setattr(_datastore_etcd, "EtcdDatastore", lambda settings: fake)
    node = new_resource("Node", "node1", labels={"rack": "r1"})
    fake.put(resource_key("Node", "node1"), encode(node))
    for name, spec in (("own", {"node": "node1", "peerIP": "10.0.0.1", "asNumber": 1}),
                       ("other", {"node": "node2", "peerIP": "10.0.0.2", "asNumber": 1}),
                       ("everyone", {"peerIP": "10.0.0.3", "asNumber": 1}),
                       ("rack-r1", {"nodeSelector": "rack == 'r1'", "peerIP": "10.0.0.4", "asNumber": 1}),
                       ("rack-r2", {"nodeSelector": "rack == 'r2'", "peerIP": "10.0.0.5", "asNumber": 1})):
        fake.put(resource_key("BGPPeer", name), encode(new_resource("BGPPeer", name, spec=spec)))
    result = run_module("calico_bgp_peer_info", dict(node="node1"))
    assert dict((peer["name"], peer["applies"]) for peer in result["peers"]) == {
        "own": "node", "everyone": "global", "rack-r1": "selector"}
    assert result["node_found"] is True
    assert json.dumps(result["resources"]).count('"kind": "BGPPeer"') == 3
