"""Unit tests of calico_bgp_status's task logic on an in-memory datastore: option rules, node
selection, the requests' life cycle, and the fleet wait (a fake calico/node writes the reports)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.netops.calico.plugins.module_utils import _task_bgp_status as task
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import (
    ResourceStore,
    encode,
    new_resource,
    resource_key,
)
from ansible_collections.netops.calico.plugins.module_utils._errors import ValidationError
from ansible_collections.netops.calico.plugins.module_utils._datastore_etcd import Write
from tests.support.fake_datastore import FakeDatastore


def params(**values):
    base = dict(nodes=["all"], node_selector=None, update_period=1, routes=False, details=True, wait_for=[],
                wait_for_each={},
                wait_state="Established", wait_timeout=10.0, wait_interval=1.0, stable_polls=1, keep_requests=False)
    base.update(values)
    return base


@pytest.mark.parametrize("changes, option", [
    (dict(node_selector="rack == "), "node_selector"),
    (dict(update_period=86401), "update_period"),
    (dict(update_period=-1), "update_period"),
    (dict(update_period=0, wait_for=["all"]), "update_period"),
    (dict(stable_polls=0), "stable_polls"),
    (dict(nodes=[]), "nodes"),
    (dict(nodes=["Bad_Name"]), "nodes[0]"),
    (dict(wait_for=["not-an-address"]), "wait_for"),
    (dict(wait_for_each={"n1": ["10.0.0.300"]}), "wait_for_each.n1"),
    (dict(wait_for_each={"n1": "10.0.0.1"}), "wait_for_each.n1"),
    (dict(wait_timeout=-1.0), "wait_timeout"),
])
def test_bad_options_are_refused_naming_the_option(changes, option):
    with pytest.raises(ValidationError) as info:
        task.Options(params(**changes))
    assert str(info.value).startswith(option + ":"), str(info.value)
    assert "\n" not in str(info.value)


def test_a_one_shot_read_may_use_update_period_zero():
    assert task.Options(params(update_period=0)).update_period == 0


def test_ports_in_wait_for_match_the_address_calico_reports():
    options = task.Options(params(wait_for=["192.0.2.254:1179"], wait_for_each={"n1": ["[fd00::1]:1179"]}))
    assert options.wait_for.targets[0].port is None and options.wait_for_node("n1").targets[1].port is None


REGISTERED = {"r1-n1": {"rack": "r1"}, "r1-n2": {"rack": "r1"}, "r2-n1": {"rack": "r2"}}


def test_unknown_nodes_are_refused_listing_the_registered_ones():
    with pytest.raises(ValidationError) as info:
        task.select_nodes(task.Options(params(nodes=["r1-n1", "r9-n9"])), REGISTERED)
    assert str(info.value) == "nodes: r9-n9 is not registered in the Calico datastore (registered: r1-n1, r1-n2, r2-n1)"


def test_nodes_by_name_all_and_selector():
    assert task.select_nodes(task.Options(params()), REGISTERED) == ["r1-n1", "r1-n2", "r2-n1"]
    assert task.select_nodes(task.Options(params(nodes=[], node_selector="rack == 'r1'")), REGISTERED) == \
        ["r1-n1", "r1-n2"]
    assert task.select_nodes(task.Options(params(nodes=["r2-n1", "r1-n1"])), REGISTERED) == ["r2-n1", "r1-n1"]
    with pytest.raises(ValidationError, match="^node_selector: "):
        task.select_nodes(task.Options(params(node_selector="rack == 'r7'")), REGISTERED)
    with pytest.raises(ValidationError, match="^wait_for_each: r2-n1 is not among"):
        task.select_nodes(task.Options(params(nodes=["r1-n1"], wait_for_each={"r2-n1": ["all"]})), REGISTERED)


def test_request_names_are_predictable_and_valid():
    assert task.request_name("r1-n1") == "netops-calico-r1-n1"
    long_name = "n" * 250
    assert task.request_name(long_name) == task.request_name(long_name)
    assert len(task.request_name(long_name)) == 253 and task.request_name(long_name) != task.request_name("m" * 250)


class FakeCalicoNode(object):
    """Writes reports into the requests of the nodes it serves when the task sleeps."""

    def __init__(self, store, peers):
        self.store = store
        self.peers = peers  # node -> list of (address, state, since), or a list of those per reading
        self.readings = 0
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        self.readings += 1
        for document in self.store.list("CalicoNodeStatus"):
            node = document["spec"]["node"]
            if node not in self.peers:
                continue
            peers = self.peers[node]
            if peers and isinstance(peers[0], list):
                peers = peers[min(self.readings - 1, len(peers) - 1)]
            status = json.loads(json.dumps(document["status"]))
            status["lastUpdated"] = "2026-12-04T21:30:05Z"
            status["bgp"]["peersV4"] = [{"peerIP": address, "type": "NodeMesh", "state": state, "since": since}
                                        for address, state, since in peers]
            if status != document["status"]:
                document["status"] = status
                self.store.datastore.update(resource_key("CalicoNodeStatus", document["metadata"]["name"]),
                                            encode(document), int(document["metadata"]["resourceVersion"]))


def fleet(calico_node, store, nodes, **changes):
    return task.FleetStatus(store, task.Options(params(**changes)), nodes, clock=calico_node.clock,
                            sleep=calico_node.sleep)


def test_every_node_reports_and_the_requests_are_deleted():
    store = ResourceStore(FakeDatastore())
    calico_node = FakeCalicoNode(store, {"n1": [("192.0.2.2", "Established", "21:30:00")],
                                         "n2": [("192.0.2.1", "Established", "21:30:00")]})
    status = fleet(calico_node, store, ["n1", "n2"], wait_for=["all"])
    status.create()
    stored = store.get("CalicoNodeStatus", "netops-calico-n1")
    assert stored["metadata"]["labels"] == {"netops.calico/managed-by": "ansible"}
    # the routes only when they are asked for (routes: true)
    assert stored["spec"] == {"node": "n1", "classes": ["Agent", "BGP"], "updatePeriodSeconds": 1}
    assert task.new_request("n1", "r", 1, routes=True)["spec"]["classes"] == ["Agent", "BGP", "Routes"]
    readings, unmet, silent, _waited = status.wait()
    assert not unmet and not silent
    assert [peer["peer_address"] for peer in readings["n1"].peers] == ["192.0.2.2"]
    assert status.delete() == ["netops-calico-n1", "netops-calico-n2"]
    assert store.list("CalicoNodeStatus") == []


def test_a_node_no_calico_node_serves_is_named_after_the_timeout():
    store = ResourceStore(FakeDatastore())
    calico_node = FakeCalicoNode(store, {"n1": [("192.0.2.2", "Established", "21:30:00")]})
    status = fleet(calico_node, store, ["n1", "n2"], wait_timeout=3.0)
    status.create()
    _readings, unmet, silent, waited = status.wait()
    assert silent == ["n2"] and not unmet and waited == pytest.approx(3.0)
    message = task.describe_failure(unmet, silent, waited, status.options, status.names)
    assert message == ("after 3.0 s, not every node reported: node n2: calico/node did not report into its "
                       "CalicoNodeStatus netops-calico-n2 within 3.0 s (is calico/node running there?)")


def test_a_peer_not_established_is_named_with_its_node():
    store = ResourceStore(FakeDatastore())
    calico_node = FakeCalicoNode(store, {"n1": [("192.0.2.2", "Established", "21:30:00"),
                                                ("192.0.2.9", "Active", "21:29:00")]})
    status = fleet(calico_node, store, ["n1"], wait_for=["all"], wait_timeout=2.0)
    status.create()
    _readings, unmet, silent, waited = status.wait()
    assert [entry["peer"] for entry in unmet["n1"]] == ["192.0.2.9"]
    assert "node n1: 192.0.2.9 (node-to-node mesh) is Active" in task.describe_failure(
        unmet, silent, waited, status.options, status.names)


def test_a_session_whose_since_changes_between_reports_starts_its_count_again():
    store = ResourceStore(FakeDatastore())
    flapping = [[("192.0.2.2", "Established", "21:30:04")], [("192.0.2.2", "Established", "21:30:05")],
                [("192.0.2.2", "Established", "21:30:05")], [("192.0.2.2", "Established", "21:30:05")]]
    calico_node = FakeCalicoNode(store, {"n1": flapping})
    status = fleet(calico_node, store, ["n1"], wait_for=["192.0.2.2"], stable_polls=3, wait_timeout=30.0)
    status.create()
    _readings, unmet, silent, _waited = status.wait()
    assert not unmet and not silent
    # the report after creation, then since changed on the 2nd reading: 3 more readings to be stable
    assert calico_node.readings == 4


def test_a_status_already_in_a_request_is_not_current():
    store = ResourceStore(FakeDatastore())
    document = task.new_request("n1", "netops-calico-n1", 1)
    document["status"]["lastUpdated"] = "2026-12-01T00:00:00Z"
    store.datastore.put(resource_key("CalicoNodeStatus", "netops-calico-n1"), encode(document))
    stored = store.get("CalicoNodeStatus", "netops-calico-n1")
    assert task.NodeReading("n1", stored, int(stored["metadata"]["resourceVersion"])).current is False
    assert task.NodeReading("n1", stored).current is False  # found stored, not written by this task


def test_a_leftover_request_of_the_collection_is_replaced_and_a_foreign_one_is_refused():
    store = ResourceStore(FakeDatastore())
    leftover = task.new_request("n1", "netops-calico-n1", 5)
    store.datastore.put(resource_key("CalicoNodeStatus", "netops-calico-n1"), encode(leftover))
    calico_node = FakeCalicoNode(store, {})
    status = fleet(calico_node, store, ["n1"])
    status.create()
    # deleted, and the new request has the other name: calico/node cannot take it for the old one
    assert store.get("CalicoNodeStatus", "netops-calico-n1") is None
    assert store.get("CalicoNodeStatus", "netops-calico.n1")["spec"]["updatePeriodSeconds"] == 1
    again = fleet(calico_node, store, ["n1"])
    again.create()
    assert [document["metadata"]["name"] for document in store.list("CalicoNodeStatus")] == ["netops-calico-n1"]

    foreign = new_resource("CalicoNodeStatus", "netops-calico-n2",
                           spec={"node": "n2", "classes": ["BGP"], "updatePeriodSeconds": 10})
    store.datastore.put(resource_key("CalicoNodeStatus", "netops-calico-n2"), encode(foreign))
    before = store.datastore.revision()
    with pytest.raises(ValidationError, match="^nodes: CalicoNodeStatus netops-calico-n2 already exists and was "
                                              "not created by this collection"):
        fleet(calico_node, store, ["n2"]).create()
    assert store.datastore.revision() == before


def test_delete_leaves_a_request_another_writer_replaced():
    store = ResourceStore(FakeDatastore())
    status = fleet(FakeCalicoNode(store, {}), store, ["n1"])
    status.create()
    other = task.new_request("n1", "netops-calico-n1", 1)
    store.datastore.put(resource_key("CalicoNodeStatus", "netops-calico-n1"), encode(other))
    assert status.delete() == []
    assert store.get("CalicoNodeStatus", "netops-calico-n1")["metadata"]["uid"] == other["metadata"]["uid"]


class CountingDatastore(FakeDatastore):
    def __init__(self):
        super(CountingDatastore, self).__init__()
        self.reads = []

    def get(self, key):
        self.reads.append(("get", key))
        return super(CountingDatastore, self).get(key)

    def get_prefix(self, prefix):
        self.reads.append(("range", prefix))
        return super(CountingDatastore, self).get_prefix(prefix)


def test_each_reading_is_one_range_read_whatever_the_number_of_nodes():
    datastore = CountingDatastore()
    store = ResourceStore(datastore)
    nodes = ["n%d" % index for index in range(40)]
    calico_node = FakeCalicoNode(store, dict((node, [("192.0.2.1", "Established", "21:30:00")]) for node in nodes))
    status = fleet(calico_node, store, nodes, wait_for=["all"], stable_polls=3)
    status.create()
    calico_node_reads = len(datastore.reads)
    del datastore.reads[:]
    status.read()
    assert datastore.reads == [("range", "/calico/resources/v3/projectcalico.org/caliconodestatuses/")]
    assert calico_node_reads < 10  # creating 40 requests: a few range reads and transactions, not 40 gets


def test_a_session_already_established_when_reported_needs_only_the_rest_of_the_window():
    # since 21:30:03 (to the second), reported at 21:30:05: at least 1 s Established when reported;
    # with a 2 s window (3 readings 1 s apart) the reading 1 s later is enough
    store = ResourceStore(FakeDatastore())
    calico_node = FakeCalicoNode(store, {"n1": [("192.0.2.2", "Established", "21:30:03")]})
    status = fleet(calico_node, store, ["n1"], wait_for=["all"], stable_polls=3)
    status.create()
    _readings, unmet, silent, _waited = status.wait()
    assert not unmet and not silent
    assert calico_node.readings == 2  # the report, then one reading 1 s later (counting alone: 3)


def test_requests_calico_node_keeps_updating_are_deleted_and_a_recreated_one_is_not():
    store = ResourceStore(FakeDatastore())
    calico_node = FakeCalicoNode(store, {"n1": [("192.0.2.2", "Established", "21:30:00")],
                                         "n2": [("192.0.2.1", "Established", "21:30:00")]})
    status = fleet(calico_node, store, ["n1", "n2"])
    status.create()
    calico_node.sleep(0.1)  # both reported into: their mod_revision moved on
    # n2's request deleted and created again by someone else, under the same name
    key = resource_key("CalicoNodeStatus", "netops-calico-n2")
    store.datastore.commit([Write("delete", key, None, store.datastore.get(key).mod_revision)])
    store.datastore.put(key, encode(task.new_request("n2", "netops-calico-n2", 1)))
    assert status.delete() == ["netops-calico-n1"]
    assert [document["metadata"]["name"] for document in store.list("CalicoNodeStatus")] == ["netops-calico-n2"]


def test_a_foreign_request_under_the_other_name_is_never_overwritten():
    store = ResourceStore(FakeDatastore())
    store.datastore.put(resource_key("CalicoNodeStatus", "netops-calico-n1"),
                        encode(task.new_request("n1", "netops-calico-n1", 1)))  # the collection's leftover
    foreign = new_resource("CalicoNodeStatus", "netops-calico.n1",
                           spec={"node": "n1", "classes": ["BGP"], "updatePeriodSeconds": 10})
    store.datastore.put(resource_key("CalicoNodeStatus", "netops-calico.n1"), encode(foreign))
    status = fleet(FakeCalicoNode(store, {}), store, ["n1"])
    status.create()
    assert status.names == {"n1": "netops-calico-n1"}
    assert store.get("CalicoNodeStatus", "netops-calico.n1")["metadata"]["uid"] == foreign["metadata"]["uid"]
