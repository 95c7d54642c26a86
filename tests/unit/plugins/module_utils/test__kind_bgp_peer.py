"""Unit tests of the BGPPeer model: naming, identity, option rules, bulk planning and batching."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_peer as bgp_peer
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import (
    ConflictError,
    ResourceError,
    ResourceStore,
    apply_batch,
    kind_prefix,
    new_resource,
)
from ansible_collections.netops.calico.plugins.module_utils._model_values import ValidationError

from tests.support.fake_datastore import FakeDatastore

PREFIX = kind_prefix("BGPPeer")


def peer(name, labels=None, **spec):
    document = new_resource("BGPPeer", name, spec=spec, labels=labels)
    return document


def request(**params):
    return bgp_peer.parse_request(params)


def errors_of(**params):
    with pytest.raises(ValidationError) as info:
        bgp_peer.parse_request(params)
    return str(info.value)


@pytest.mark.parametrize("raw, normalized", [
    ("node1", "node1"),
    ("Kube-Node1", "kube-node1"),
    ("rack1/node_2", "rack1.node-2"),
    ("a..-.b", "a.b"),
    ("-.host name!.", "host-name"),
    ("my__host", "my-host"),
])
def test_normalize_node_name_like_calico(raw, normalized):
    assert bgp_peer.normalize_node_name(raw) == normalized


@pytest.mark.parametrize("address, node, name", [
    ("192.20.30.40", None, "192-20-30-40"),
    ("aa:bb::ff", None, "00aa-00bb-0000-0000-0000-0000-0000-00ff"),
    ("aa:bb::ff", "node1", "node1.00aa-00bb-0000-0000-0000-0000-0000-00ff"),
    ("00aa:00bb:0:0:0:0:0:ff", "Node1", "node1.00aa-00bb-0000-0000-0000-0000-0000-00ff"),
    ("::", None, "0000-0000-0000-0000-0000-0000-0000-0000"),
    ("::ffff:10.1.2.3", None, "10-1-2-3"),  # Go's To4() treats a mapped address as IPv4
    ("10.0.0.1", "rack1/node_2", "rack1.node-2.10-0-0-1"),
])
def test_migration_names(address, node, name):
    assert bgp_peer.migration_name(address, node) == name


def test_identity_compares_addresses_not_text():
    index = bgp_peer.IdentityIndex([
        peer("by-hand", node="node1", peerIP="00aa:00bb:0:0:0:0:0:ff", asNumber=1),
        peer("global-one", peerIP="10.0.0.1:1790", asNumber=1),
        peer("selector", nodeSelector="all()", peerIP="10.0.0.2", asNumber=1),
        peer("broken", peerIP="not an ip", asNumber=1),
    ])
    assert index.find(request(peer_ip="aa:bb::ff", node="node1")) == "by-hand"
    assert index.find(request(peer_ip="aa:bb::ff", node="node2")) is None
    assert index.find(request(peer_ip="aa:bb::ff")) is None
    assert index.find(request(peer_ip="10.0.0.1")) == "global-one"  # the port is a field, not identity
    assert index.find(request(peer_ip="10.0.0.2")) is None  # selector peers are found by name only


def test_ambiguous_identity_prefers_the_exact_port_else_asks_for_a_name():
    index = bgp_peer.IdentityIndex([peer("a", peerIP="10.0.0.1", asNumber=1),
                                    peer("b", peerIP="10.0.0.1:1790", asNumber=1)])
    assert index.find(request(peer_ip="10.0.0.1:1790")) == "b"
    assert index.find(request(peer_ip="10.0.0.1")) == "a"
    with pytest.raises(ValidationError, match="^name: 2 peers match"):
        index.find(request(peer_ip="10.0.0.1:179"))


def test_request_maps_options_to_calico_fields():
    result = request(peer_ip="[fd00::0001]:1790", node="node1", as_number="1.10", keep_original_next_hop=True,
                     password={"secret_name": "bgp", "secret_key": "k"}, ttl_security=0, filters=["f1"],
                     labels={"a": "1", "b": None})
    assert result.values == {"node": "node1", "peerIP": "[fd00::0001]:1790", "asNumber": 65546,  # as typed
                             "keepOriginalNextHop": True,
                             "password": {"secretKeyRef": {"name": "bgp", "key": "k"}},
                             "ttlSecurity": 0, "filters": ["f1"]}
    assert result.identity == ("node1", 6, 0xfd000000000000000000000000000001) and result.port == 1790
    assert result.labels == {"a": "1", "b": None}
    assert result.default_name() == "node1.fd00-0000-0000-0000-0000-0000-0000-0001"
    assert request(peer_ip="10.0.0.1", keep_original_next_hop=False).remove == ["keepOriginalNextHop"]


def test_every_problem_of_a_request_is_reported_at_once():
    message = errors_of(peer_ip="10.0.0.300", as_number="x", ttl_security=300, scope="global", node="node1")
    for expected in ("peer_ip: ", "as_number: ", "ttl_security: ", "scope, node: "):
        assert expected in message


@pytest.mark.parametrize("params, start", [
    (dict(name="p", node="n", node_selector="all()", peer_ip="10.0.0.1", as_number=1), "node, node_selector: "),
    (dict(name="p", peer_ip="10.0.0.1", peer_selector="all()"), "peer_ip, peer_selector: "),
    (dict(name="p", peer_selector="all()", as_number=1), "as_number, peer_selector: "),
    (dict(peer_ip="10.0.0.1", as_number=1, reachable_by="fd00::1"), "reachable_by, peer_ip: "),
    (dict(peer_ip="10.0.0.1", keep_original_next_hop=True, next_hop_mode="Keep"),
     "keep_original_next_hop, next_hop_mode: "),
    (dict(peer_selector="all()"), "name: "),
    (dict(peer_ip="10.0.0.1", node_selector="all()"), "name: "),
    (dict(name="p", scope="node", node_selector="all()"), "scope, node_selector: "),
    (dict(as_number=1), "peer_ip: "),
    (dict(peer_ip="10.0.0.1", unset=["node"]), "unset: "),
    (dict(peer_ip="10.0.0.1", as_number=1, unset=["as_number"]), "unset: "),
    (dict(name="p", unset=["colour"]), "unset: "),
    (dict(name="p", password={"secret_name": "s"}), "password.secret_key: "),
    (dict(name="p", source_address="Never"), "source_address: "),
])
def test_combination_rules_name_the_options(params, start):
    assert errors_of(**params).startswith(start)


def test_resulting_spec_is_checked_with_stored_fields():
    stored = peer("rr", nodeSelector="all()", peerSelector="has(rr)")
    with pytest.raises(ValidationError) as info:
        bgp_peer.desired_state(stored, "rr", request(name="rr", node="node1"))
    assert str(info.value).startswith("node, node_selector: ") and "node_selector already stored" in str(info.value)
    with pytest.raises(ValidationError, match="^peer_ip, peer_selector: one of them is required"):
        bgp_peer.desired_state(peer("rr", nodeSelector="all()", peerSelector="has(rr)"), "rr",
                               request(name="rr", unset=["peer_selector"]))
    with pytest.raises(ValidationError, match="^scope, node: a global peer applies to every node, but this one "
                                              "applies to node n1"):
        bgp_peer.desired_state(peer("p", node="n1", peerIP="10.0.0.1", asNumber=1), "p",
                               request(name="p", scope="global"))


def test_desired_state_keeps_equivalent_stored_text_and_unmanaged_fields():
    stored = peer("x", node="node1", peerIP="00aa:00bb::00ff", asNumber="64514", someFutureField=True)
    stored["metadata"]["annotations"] = {"a": "b"}
    result = bgp_peer.desired_state(json.loads(json.dumps(stored)), "x",
                                    request(peer_ip="aa:bb::ff", node="node1", as_number=64514))
    assert result["spec"] == stored["spec"] and result["metadata"] == stored["metadata"]


def test_new_peers_carry_the_ownership_label_and_calico_field_order():
    result = bgp_peer.desired_state(None, "p", request(peer_ip="10.0.0.1", as_number=1, node="n",
                                                       keepalive_time="10s", labels={"x": "y"}))
    assert result["metadata"]["labels"] == {"netops.calico/managed-by": "ansible", "x": "y"}
    assert list(result["spec"]) == ["node", "peerIP", "asNumber", "keepaliveTime"]
    assert bgp_peer.is_owned(result)


def test_migration_name_taken_by_another_peer_is_refused():
    taken = peer("10-0-0-1", node="node9", peerIP="10.0.0.1", asNumber=1)
    with pytest.raises(ValidationError, match="^name: a peer named 10-0-0-1 already exists"):
        bgp_peer.desired_state(taken, "10-0-0-1", request(peer_ip="10.0.0.1", as_number=1))


def test_how_peers_apply_to_a_node_and_table_rows():
    labels = {"rack": "r1"}
    assert bgp_peer.how_it_applies(peer("a", node="node1"), "node1", labels) == "node"
    assert bgp_peer.how_it_applies(peer("a", node="node2"), "node1", labels) is None
    assert bgp_peer.how_it_applies(peer("a", peerIP="10.0.0.1"), "node1", labels) == "global"
    assert bgp_peer.how_it_applies(peer("a", nodeSelector="rack == 'r1'"), "node1", labels) == "selector"
    assert bgp_peer.how_it_applies(peer("a", nodeSelector="rack == 'r2'"), "node1", labels) is None
    assert bgp_peer.how_it_applies(peer("a", nodeSelector="rack =="), "node1", labels) is None
    assert bgp_peer.table_row(peer("g", peerIP="10.0.0.1", asNumber=64567)) == ["g", "10.0.0.1", "(global)", "64567"]
    assert bgp_peer.table_row(peer("n", node="node1", peerIP="aa:bb::ff", asNumber=1))[2] == "node1"
    assert bgp_peer.table_row(peer("s", nodeSelector="all()", peerSelector="has(rr)")) == ["s", "", "all()", "0"]


def test_bulk_entries_are_type_checked_and_reported_by_index():
    requests = bgp_peer.parse_entries([
        dict(peer_ip="10.0.0.1", as_number=1, keep_original_next_hop="yes", ttl_security="3", filters="a, b"),
        dict(peer_ip="10.0.0.2", as_number=1, state="absent"),
    ], default_state="present")
    assert requests[0].values["keepOriginalNextHop"] is True and requests[0].values["ttlSecurity"] == 3
    assert requests[0].values["filters"] == ["a", "b"] and requests[0].state == "present"
    assert requests[1].state == "absent"
    with pytest.raises(ValidationError) as info:
        bgp_peer.parse_entries([dict(peer_ip="10.0.0.1", as_number=1, keep_original_next_hop="maybe"),
                                dict(peer_ip="10.0.0.1", as_number=2),
                                dict(name="a", peer_ip="10.0.0.3", as_number=1),
                                dict(name="a", peer_ip="10.0.0.4", as_number=1, labels=["x"])])
    message = str(info.value)
    assert "peers[0].keep_original_next_hop: " in message
    assert "peers[3].labels: " in message
    assert "peers[1]" not in message  # entry 0 failed, so entry 1 is no duplicate of it
    assert len(info.value.messages) == 2


def test_purge_scope_parsing_and_matching():
    scope = bgp_peer.parse_purge_scope({"nodes": ["node1"], "global": False})
    assert bgp_peer.in_purge_scope(peer("a", node="node1"), scope)
    assert not bgp_peer.in_purge_scope(peer("a", node="node2"), scope)
    assert not bgp_peer.in_purge_scope(peer("a", peerIP="10.0.0.1"), scope)
    assert bgp_peer.in_purge_scope(peer("a", peerIP="10.0.0.1"), bgp_peer.parse_purge_scope({"global": True}))
    assert not bgp_peer.in_purge_scope(peer("a", nodeSelector="all()"), bgp_peer.parse_purge_scope({"global": True}))
    for bad in (None, {}, {"nodes": []}, {"racks": ["r1"]}, {"nodes": ["Bad_Node"]}):
        with pytest.raises(ValidationError, match="^purge_scope"):
            bgp_peer.parse_purge_scope(bad)


def test_plan_bulk_purges_only_owned_unlisted_peers_in_scope():
    owner = {bgp_peer.OWNER_LABEL: bgp_peer.OWNER_VALUE}
    current = {
        "node1.10-0-0-1": peer("node1.10-0-0-1", owner, node="node1", peerIP="10.0.0.1", asNumber=1),
        "node1.10-0-0-2": peer("node1.10-0-0-2", owner, node="node1", peerIP="10.0.0.2", asNumber=1),
        "hand": peer("hand", node="node1", peerIP="10.0.0.3", asNumber=1),
        "node2.10-0-0-4": peer("node2.10-0-0-4", owner, node="node2", peerIP="10.0.0.4", asNumber=1),
    }
    requests = bgp_peer.parse_entries([dict(node="node1", peer_ip="10.0.0.1", as_number=1)])
    wanted, names = bgp_peer.plan_bulk(current, requests, bgp_peer.parse_purge_scope({"nodes": ["node1"]}))
    assert names == ["node1.10-0-0-1"]
    assert dict((name, value is None) for name, value in wanted.items()) == {
        "node1.10-0-0-1": False, "node1.10-0-0-2": True}


def test_plan_bulk_two_entries_adopting_the_same_peer_is_an_error():
    current = {"hand": peer("hand", node="node1", peerIP="10.0.0.3", asNumber=1)}
    requests = bgp_peer.parse_entries([dict(node="node1", peer_ip="10.0.0.3", as_number=1),
                                       dict(name="hand", as_number=2)])
    with pytest.raises(ValidationError, match=r"peers\[1\]\.name: is the same peer \(hand\) as peers\[0\]"):
        bgp_peer.plan_bulk(current, requests)


# ---- apply_batch (the generic batched writer in _resource) on an in-memory datastore ---------

def bulk(store, entries, check_mode=False, batch_size=None):
    requests = bgp_peer.parse_entries(entries)
    return apply_batch(store, "BGPPeer", lambda current: bgp_peer.plan_bulk(current, requests)[0],
                       check_mode=check_mode, batch_size=batch_size)


def entries(count, **extra):
    return [dict(node="node%d" % index, peer_ip="10.0.%d.%d" % (index // 200, index % 200), as_number=1, **extra)
            for index in range(count)]


def test_apply_batch_splits_into_transactions_of_at_most_128():
    datastore = FakeDatastore()
    result = bulk(ResourceStore(datastore), entries(300))
    assert result.transactions == 3 and result.writes == 300 and datastore.transactions_sent == 3
    assert all(item.action == "created" for item in result.results.values())
    again = bulk(ResourceStore(datastore), entries(300))
    assert again.transactions == 0 and again.writes == 0 and datastore.writes_sent == 300
    assert not any(item.changed for item in again.results.values())


def test_apply_batch_check_mode_writes_nothing():
    datastore = FakeDatastore()
    result = bulk(ResourceStore(datastore), entries(5), check_mode=True)
    assert [item.action for item in result.results.values()] == ["created"] * 5
    assert datastore.data == {} and datastore.transactions_sent == 0


def test_apply_batch_recomputes_after_a_conflict_and_keeps_the_other_change():
    datastore = FakeDatastore()
    store = ResourceStore(datastore)
    bulk(store, entries(10))

    def other_writer(fake):
        key = PREFIX + "node3.10-0-0-3"
        document = json.loads(fake.data[key].value)
        document["metadata"]["labels"]["someone"] = "else"
        fake.put(key, json.dumps(document).encode())

    datastore.before_commit.append(other_writer)
    result = bulk(store, entries(10, labels={"rollout": "2"}), batch_size=4)
    assert result.writes == 10 and result.transactions == 4  # refused once, then 4 + 4 + 2
    assert all(item.action == "updated" for item in result.results.values())
    labels = json.loads(datastore.data[PREFIX + "node3.10-0-0-3"].value)["metadata"]["labels"]
    assert labels == {"netops.calico/managed-by": "ansible", "rollout": "2", "someone": "else"}


def test_apply_batch_gives_up_when_others_never_stop_writing():
    datastore = FakeDatastore()
    store = ResourceStore(datastore)
    bulk(store, entries(2))

    def other_writer(fake):
        key = PREFIX + "node0.10-0-0-0"
        fake.put(key, fake.data[key].value)

    datastore.before_commit.extend([other_writer] * 10)
    with pytest.raises(ConflictError, match="nothing was lost"):
        bulk(store, entries(2, labels={"x": "y"}))


def test_apply_batch_never_overwrites_a_corrupt_value():
    datastore = FakeDatastore()
    datastore.put(PREFIX + "node0.10-0-0-0", b"{not json")
    with pytest.raises(ResourceError, match="not valid JSON"):
        bulk(ResourceStore(datastore), entries(2))
    assert datastore.writes_sent == 0


def test_apply_batch_takes_go_escaped_json_as_equal():
    datastore = FakeDatastore()
    store = ResourceStore(datastore)
    bulk(store, [dict(name="s", node_selector="a == 'x' && has(b)", peer_ip="10.0.0.1", as_number=1)])
    key = PREFIX + "s"
    # the same JSON written by another encoder: other key order, spaces, unescaped '&'
    go_style = json.dumps(json.loads(datastore.data[key].value), sort_keys=True).encode()
    assert go_style != datastore.data[key].value
    datastore.put(key, go_style)
    again = bulk(store, [dict(name="s", node_selector="a == 'x' && has(b)", peer_ip="10.0.0.1", as_number=1)])
    assert again.writes == 0 and datastore.data[key].value == go_style
