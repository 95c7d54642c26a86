from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.netops.calico.plugins.module_utils._datastore_etcd import KeyValue
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import (
    ConflictError,
    ResourceError,
    ResourceStore,
    decode,
    encode,
    make_diff,
    new_resource,
    resource_key,
)
from tests.support.fake_datastore import FakeDatastore

KEY = "/calico/resources/v3/projectcalico.org/bgpconfigurations/default"
# As calicoctl writes it: labels, annotations and a spec field this collection does not manage.
CALICOCTL_DOCUMENT = (
    '{"kind":"BGPConfiguration","apiVersion":"projectcalico.org/v3","metadata":{"name":"default",'
    '"uid":"2c0b6a14-1f0c-4a4e-8f67-0a7a0c7e9d11","creationTimestamp":"2025-01-02T03:04:05Z",'
    '"labels":{"team":"net"},"annotations":{"note":"by hand"}},'
    '"spec":{"asNumber":64512,"futureField":{"x":1}}}')


def test_keys():
    assert resource_key("BGPConfiguration", "default") == KEY
    assert resource_key("BGPPeer", "192-20-30-40") == "/calico/resources/v3/projectcalico.org/bgppeers/192-20-30-40"
    assert resource_key("Node", "kube-node1") == "/calico/resources/v3/projectcalico.org/nodes/kube-node1"


def test_new_resource_envelope_in_calico_order():
    document = new_resource("BGPPeer", "p1", {"peerIP": "10.0.0.1", "asNumber": 64567})
    stored = json.loads(encode(document))
    assert list(stored) == ["kind", "apiVersion", "metadata", "spec"]
    assert stored["apiVersion"] == "projectcalico.org/v3"
    assert list(stored["metadata"]) == ["name", "uid", "creationTimestamp"]
    assert len(stored["metadata"]["uid"]) == 36
    assert stored["metadata"]["creationTimestamp"].endswith("Z")
    assert len(stored["metadata"]["creationTimestamp"]) == len("2026-11-26T09:14:47Z")
    node = new_resource("Node", "n1", {"bgp": {"ipv4Address": "10.0.0.1/24"}})
    assert json.loads(encode(node))["status"] == {}


def test_encode_is_compact_and_never_stores_resource_version():
    document = decode(KeyValue(KEY, CALICOCTL_DOCUMENT.encode(), 7, 1), "BGPConfiguration")
    assert document["metadata"]["resourceVersion"] == "7"
    assert encode(document) == CALICOCTL_DOCUMENT.encode()


@pytest.mark.parametrize("value, message", [
    (b"{not json", "not valid JSON"),
    (b'{"kind":"BGPPeer","metadata":{},"spec":{}}', "is a 'BGPPeer', not a BGPConfiguration"),
    (b"[1, 2]", "not a BGPConfiguration"),
    (b'{"kind":"BGPConfiguration","metadata":[],"spec":{}}', "malformed"),
])
def test_decode_refuses_corrupt_values(value, message):
    with pytest.raises(ResourceError, match=message):
        decode(KeyValue(KEY, value, 3, 1), "BGPConfiguration")


def test_apply_preserves_everything_it_does_not_manage():
    datastore = FakeDatastore()
    datastore.put(KEY, CALICOCTL_DOCUMENT.encode())
    store = ResourceStore(datastore)

    def set_as(current):
        current["spec"]["asNumber"] = 64513
        return current

    result = store.apply("BGPConfiguration", "default", set_as)
    assert result.changed and result.action == "updated"
    stored = json.loads(datastore.get(KEY).value)
    original = json.loads(CALICOCTL_DOCUMENT)
    assert stored["metadata"] == original["metadata"]
    assert stored["spec"] == {"asNumber": 64513, "futureField": {"x": 1}}


def test_apply_no_change_writes_nothing():
    datastore = FakeDatastore()
    datastore.put(KEY, CALICOCTL_DOCUMENT.encode())
    result = ResourceStore(datastore).apply("BGPConfiguration", "default", lambda current: current)
    assert not result.changed
    assert datastore.transactions_sent == 0


def test_apply_check_mode_writes_nothing():
    datastore = FakeDatastore()
    result = ResourceStore(datastore).apply(
        "BGPConfiguration", "default", lambda current: new_resource("BGPConfiguration", "default"), check_mode=True)
    assert result.changed and result.action == "created"
    assert datastore.transactions_sent == 0 and datastore.data == {}


def test_apply_recomputes_on_conflict_and_keeps_the_other_change():
    datastore = FakeDatastore()
    datastore.put(KEY, CALICOCTL_DOCUMENT.encode())

    def concurrent_writer(fake):
        document = json.loads(fake.get(KEY).value)
        document["spec"]["logSeverityScreen"] = "Debug"
        fake.put(KEY, json.dumps(document).encode())

    datastore.before_commit.append(concurrent_writer)
    calls = []

    def set_as(current):
        calls.append(dict(current["spec"]))
        current["spec"]["asNumber"] = 65000
        return current

    ResourceStore(datastore).apply("BGPConfiguration", "default", set_as)
    assert len(calls) == 2  # computed again on the re-read value
    assert json.loads(datastore.get(KEY).value)["spec"]["logSeverityScreen"] == "Debug"
    assert json.loads(datastore.get(KEY).value)["spec"]["asNumber"] == 65000


def test_apply_gives_up_after_bounded_attempts():
    datastore = FakeDatastore()
    datastore.put(KEY, CALICOCTL_DOCUMENT.encode())
    datastore.before_commit.extend([lambda fake: fake.put(KEY, CALICOCTL_DOCUMENT.encode())] * 5)

    def set_as(current):
        current["spec"]["asNumber"] = 65000
        return current

    with pytest.raises(ConflictError, match="gave up after 5 attempts"):
        ResourceStore(datastore).apply("BGPConfiguration", "default", set_as)


def test_apply_delete_and_absent_noop():
    datastore = FakeDatastore()
    store = ResourceStore(datastore)
    assert not store.apply("BGPConfiguration", "default", lambda current: None).changed
    datastore.put(KEY, CALICOCTL_DOCUMENT.encode())
    result = store.apply("BGPConfiguration", "default", lambda current: None)
    assert result.action == "deleted" and datastore.get(KEY) is None


def test_corrupt_value_is_not_overwritten():
    datastore = FakeDatastore()
    datastore.put(KEY, b"garbage")
    with pytest.raises(ResourceError, match="refusing to use or overwrite"):
        ResourceStore(datastore).apply("BGPConfiguration", "default", lambda current: new_resource(
            "BGPConfiguration", "default"))
    assert datastore.get(KEY).value == b"garbage"


def test_datastore_not_ready_refuses_writes_but_not_reads():
    datastore = FakeDatastore()
    datastore.put(resource_key("ClusterInformation", "default"),
                  b'{"kind":"ClusterInformation","apiVersion":"projectcalico.org/v3",'
                  b'"metadata":{"name":"default"},"spec":{"datastoreReady":false}}')
    store = ResourceStore(datastore)
    assert store.get("BGPConfiguration", "default") is None
    with pytest.raises(ResourceError, match="datastoreReady: false"):
        store.apply("BGPConfiguration", "default", lambda current: new_resource("BGPConfiguration", "default"))
    assert datastore.get(KEY) is None


def test_diff_hides_metadata_noise():
    before = decode(KeyValue(KEY, CALICOCTL_DOCUMENT.encode(), 7, 1), "BGPConfiguration")
    diff = make_diff(before, None, "BGPConfiguration default")
    assert "uid" not in diff["before"]["metadata"]
    assert "resourceVersion" not in diff["before"]["metadata"]
    assert diff["before"]["metadata"]["labels"] == {"team": "net"}
    assert diff["after"] == {}


def test_encode_writes_strings_as_go_does():
    document = new_resource("BGPPeer", "p1", {"peerIP": "10.0.0.1"}, labels={"note": "a<b>&c", "city": "Zürich"})
    raw = encode(document)
    assert b'"note":"a\\u003cb\\u003e\\u0026c"' in raw
    assert '"city":"Zürich"'.encode("utf-8") in raw
    assert json.loads(raw)["metadata"]["labels"] == {"note": "a<b>&c", "city": "Zürich"}


class CountingDatastore(FakeDatastore):
    def __init__(self):
        super(CountingDatastore, self).__init__()
        self.reads = 0

    def get_prefix(self, prefix):
        self.reads += 1
        return super(CountingDatastore, self).get_prefix(prefix)


def test_every_listing_reads_once_and_skips_unreadable_values_with_a_warning_naming_the_key():
    nodes = "/calico/resources/v3/projectcalico.org/nodes/"
    datastore = CountingDatastore()
    datastore.put(nodes + "kube-node1", encode(new_resource("Node", "kube-node1", {"bgp": {"ipv4Address": "10.0.0.1"}})))
    datastore.put(nodes + "kube-node2", b"{not json")
    datastore.put(nodes + "kube-node3", encode(new_resource("BGPPeer", "kube-node3")))
    datastore.put("/calico/resources/v3/projectcalico.org/bgppeers/x", b"{}")
    store = ResourceStore(datastore)
    listed = store.list("Node")
    assert datastore.reads == 1
    assert [item["metadata"]["name"] for item in listed] == ["kube-node1"]
    assert listed[0]["metadata"]["resourceVersion"] == "2"
    assert len(store.warnings) == 2
    assert nodes + "kube-node2" in store.warnings[0] and "not valid JSON" in store.warnings[0]
    assert nodes + "kube-node3" in store.warnings[1] and "'BGPPeer', not a Node" in store.warnings[1]
    assert store.names("Node") == ["kube-node1", "kube-node2", "kube-node3"]
    assert store.get("Node", "kube-node9") is None


def test_a_conflict_that_never_ends_after_commits_says_what_was_committed():
    from ansible_collections.netops.calico.plugins.module_utils._datastore_store import PartialApplyError

    datastore = FakeDatastore()
    store = ResourceStore(datastore)
    prefix = "/calico/resources/v3/projectcalico.org/bgppeers/"
    keys = [prefix + "p%03d" % index for index in range(200)]

    wanted = dict((key[len(prefix):], new_resource("BGPPeer", key[len(prefix):], {"peerIP": "10.0.0.1"}))
                  for key in keys)

    def compute(current):
        return json.loads(json.dumps(wanted))

    def someone_else_writes(fake):
        fake.put(keys[-1], b'{"kind":"BGPPeer","metadata":{"name":"p199"},"spec":{}}')

    # the first transaction (128) commits; every later one loses its compare-and-swap
    datastore.before_commit.extend([lambda fake: None] + [someone_else_writes] * 10)
    with pytest.raises(PartialApplyError) as info:
        store.apply_batch("BGPPeer", compute, attempts=3)
    assert info.value.details == {"changed": True, "committed": 128}
    assert "128 operations were committed" in str(info.value) and "run the task again" in str(info.value)
