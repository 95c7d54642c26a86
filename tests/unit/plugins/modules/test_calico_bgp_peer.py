"""calico_bgp_peer's Ansible surface without a server: documentation matches the argument spec,
examples mirror the guide, bad input fails before any connection; module logic on an in-memory
datastore (the real-etcd proof is in tests/integration)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.netops.calico.plugins.module_utils import _datastore_etcd
from ansible_collections.netops.calico.plugins.modules import calico_bgp_peer
from tests.support.fake_datastore import FakeDatastore
from tests.support.module_runner import run_module
from tests.support.processes import free_port

# Nothing listens here: a test that got past validation would fail with a connection error.
NOWHERE = ["http://127.0.0.1:%d" % free_port()]


def test_documented_options_match_the_argument_spec():
    options = yaml.safe_load(calico_bgp_peer.DOCUMENTATION)["options"]
    assert sorted(options) == sorted(calico_bgp_peer.ARGUMENT_SPEC)
    for name, spec in calico_bgp_peer.ARGUMENT_SPEC.items():
        assert options[name]["type"] == spec["type"], name
        assert options[name].get("choices") == spec.get("choices"), name
        assert options[name].get("default") == spec.get("default"), name
        assert options[name].get("elements") == spec.get("elements"), name
        assert sorted(options[name].get("suboptions") or {}) == sorted(spec.get("options") or {}), name


def test_examples_mirror_the_guide_and_use_documented_options():
    tasks = yaml.safe_load(calico_bgp_peer.EXAMPLES)
    used = [task["netops.calico.calico_bgp_peer"] for task in tasks]
    for options in used:
        assert set(options) <= set(calico_bgp_peer.ARGUMENT_SPEC), options
    assert dict(peer_ip="192.20.30.40", scope="global", as_number=64567) in used
    assert dict(peer_ip="aa:bb::ff", scope="node", node="node1", as_number=64514) in used
    assert dict(peer_ip="192.20.30.40", scope="global", state="absent") in used


@pytest.mark.parametrize("args, message", [
    (dict(peer_ip="[fd00::1]", as_number=1), "peer_ip: '[fd00::1]': an IPv6 address in brackets must be followed"),
    (dict(peer_ip="10.0.0.1:99999", as_number=1), "peer_ip: port '99999' is out of range"),
    (dict(peer_ip="10.0.0.1", as_number=4294967296), "as_number: 4294967296 is out of range"),
    (dict(peer_ip="10.0.0.1", as_number=1, node="Node1"), "node: 'Node1' is not a valid name"),
    (dict(name="x" * 254, peer_ip="10.0.0.1", as_number=1), "name: "),
    (dict(peer_ip="10.0.0.1", as_number=1, scope="global", node="n1"), "scope, node: a global peer applies"),
    (dict(peer_selector="has(rr)"), "name: a selector-based peer"),
    (dict(peer_ip="10.0.0.1", as_number=1, peers=[]), "peers: cannot be combined with the single-peer option(s) "
                                                      "peer_ip, as_number"),
    (dict(peers=[dict(peer_ip="10.0.0.x")]), "peers[0].peer_ip: "),
    (dict(peers=[], purge=True), "purge_scope: is required with purge=true"),
    (dict(name="p", purge=True), "purge: purge and purge_scope work with peers"),
])
def test_bad_input_fails_before_connecting(args, message):
    args = dict(args, etcd_endpoints=NOWHERE)
    result = run_module("calico_bgp_peer", args, expect_failure=True)
    assert result["msg"].startswith(message), result["msg"]


@pytest.fixture
def fake(monkeypatch):
    datastore = FakeDatastore()
    monkeypatch.setattr(_datastore_etcd, "EtcdDatastore", lambda settings: datastore)
    return datastore


def test_single_peer_lifecycle_on_a_fake_datastore(fake):
    created = run_module("calico_bgp_peer", dict(peer_ip="aa:bb::ff", node="node1", as_number=64514))
    assert created["action"] == "created" and created["name"] == "node1.00aa-00bb-0000-0000-0000-0000-0000-00ff"
    assert run_module("calico_bgp_peer", dict(peer_ip="00aa:bb::ff", node="node1", as_number=64514))["changed"] is False
    gone = run_module("calico_bgp_peer", dict(peer_ip="aa:bb::ff", node="node1", state="absent"), diff=True)
    assert gone["action"] == "deleted" and gone["diff"]["after"] == {} and fake.data == {}


def test_bulk_results_and_counts_on_a_fake_datastore(fake):
    peers = [dict(node="node%d" % index, peer_ip="10.0.0.%d" % index, as_number=1) for index in range(130)]
    result = run_module("calico_bgp_peer", dict(peers=peers))
    assert result["transactions"] == 2 and result["writes"] == 130 and len(result["created"]) == 130
    peers[0]["state"] = "absent"
    result = run_module("calico_bgp_peer", dict(peers=peers), diff=True)
    assert result["deleted"] == ["node0.10-0-0-0"] and len(result["unchanged"]) == 129
    assert result["results"][0] == {"index": 0, "name": "node0.10-0-0-0", "action": "deleted"}
    assert [diff["before_header"] for diff in result["diff"]] == ["BGPPeer node0.10-0-0-0"]
