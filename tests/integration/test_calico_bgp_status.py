"""calico_bgp_status and the CalicoNodeStatus kind on a live lab: real etcd, real BIRD and BIRD6,
the lab's calico/node status reporter. Each lab runs on its own free 127.N.0.0/16."""
import json
import time

import pytest

from tests.integration.helpers import PREFIX, put, revision, stored
from tests.support.module_runner import run_module

pytestmark = pytest.mark.slow

STATUSES = PREFIX + "caliconodestatuses/"


def connection(lab, **options):
    return dict(options, etcd_endpoints=lab.etcd_endpoints)


def requests_stored(lab):
    return [key_value.key for key_value in lab.datastore.get_prefix(STATUSES)]


def calicoctl_request(name, node, period):
    """A CalicoNodeStatus as `calicoctl apply` stores it: Go's encoding of the empty status included."""
    return {"kind": "CalicoNodeStatus", "apiVersion": "projectcalico.org/v3",
            "metadata": {"name": name, "uid": "9e1b0a52-9a51-4a31-a9ef-0d6cf4c1a0aa",
                         "creationTimestamp": "2026-12-04T10:00:00Z"},
            "spec": {"node": node, "classes": ["Agent", "BGP", "Routes"], "updatePeriodSeconds": period},
            "status": {"lastUpdated": None, "agent": {"birdV4": {}, "birdV6": {}},
                       "bgp": {"numberEstablishedV4": 0, "numberNotEstablishedV4": 0, "numberEstablishedV6": 0,
                               "numberNotEstablishedV6": 0}, "routes": {}}}


def test_a_request_written_by_hand_is_filled_within_two_periods_and_stops_when_deleted(lab):
    period = 2
    put(lab.etcd, STATUSES + "by-hand", calicoctl_request("by-hand", "r1-n1", period))
    written = time.monotonic()
    while True:
        document, raw, _revision = stored(lab.etcd, STATUSES + "by-hand")
        if document["status"]["lastUpdated"]:
            break
        assert time.monotonic() - written < 2 * period, "not filled within two periods: %s" % raw
        time.sleep(0.05)
    status = document["status"]
    assert list(status) == ["lastUpdated", "agent", "bgp", "routes"]
    assert status["agent"]["birdV4"]["state"] == "Ready" and status["agent"]["birdV6"]["state"] == "Ready"
    assert status["agent"]["birdV4"]["routerID"] == lab.topology.node("r1-n1").address
    # the same sessions BIRD has, both families, as calico/node's populator reads them
    for version, field in ((4, "peersV4"), (6, "peersV6")):
        speaker = "r1-n1" if version == 4 else "r1-n1.bird6"
        bird = sorted((peer["peer_address"], peer["bgp_state"]) for peer in lab.peers(speaker, version))
        assert sorted((peer["peerIP"], peer["state"]) for peer in status["bgp"][field]) == bird
        assert status["bgp"]["numberEstablishedV%d" % version] == len(bird)
        assert all(peer["type"] == "NodeMesh" for peer in status["bgp"][field])
    prefixes = set(route["destination"] for route in status["routes"]["routesV4"])
    assert set(node.pod_block for node in lab.topology.nodes) <= prefixes
    assert all(route["learnedFrom"]["sourceType"] in ("NodeMesh", "Static") for route in status["routes"]["routesV4"])
    # nothing changes in the fabric: calico/node writes nothing more
    _document, _raw, first_revision = stored(lab.etcd, STATUSES + "by-hand")
    time.sleep(2 * period + 0.5)
    assert stored(lab.etcd, STATUSES + "by-hand")[2] == first_revision
    lab.etcd.etcdctl("del", STATUSES + "by-hand")
    deadline = time.monotonic() + 5
    while any(name == "by-hand" for _node, name in lab.reporters.reporters):
        assert time.monotonic() < deadline, "the reporter did not stop after the request was deleted"
        time.sleep(0.05)


def test_every_node_read_from_the_controller_is_what_calico_node_status_reads_on_the_node(lab):
    before = revision(lab.etcd)
    fleet = run_module("calico_bgp_status", connection(lab, nodes=["all"], wait_for=["all"], routes=True))
    assert sorted(fleet["nodes"]) == sorted(lab.node_names)
    for name in lab.node_names:
        on_node = run_module("calico_node_status", {"bird_socket": lab.socket(name),
                                                    "bird6_socket": lab.socket(name + ".bird6")})
        for family in ("ipv4_peers", "ipv6_peers"):
            assert [(peer["peer_address"], peer["peer_type"], peer["bgp_state"]) for peer in fleet["nodes"][name][family]] \
                == [(peer["peer_address"], peer["peer_type"], peer["bgp_state"]) for peer in on_node[family]], name
        assert fleet["nodes"][name]["current"] is True
        assert fleet["nodes"][name]["agent"]["ipv6"]["state"] == "Ready"
        assert fleet["nodes"][name]["routes"]["ipv6"]
        assert "Node %s\nCalico process is running." % name in fleet["table"]
    assert fleet["not_reporting"] == [] and fleet["not_in_wait_state"] == {}
    assert sorted(fleet["requests"]["created"]) == sorted("netops-calico-" + name for name in lab.node_names)
    assert sorted(fleet["requests"]["deleted"]) == sorted(fleet["requests"]["created"])
    assert requests_stored(lab) == []
    assert revision(lab.etcd) > before


def test_a_peer_to_a_dead_address_fails_naming_the_node_and_the_peer(lab):
    dead = lab.topology.rack("r1").tor.address.rsplit(".", 1)[0] + ".99"
    run_module("calico_bgp_peer", connection(lab, name="it-dead-peer", node="r1-n2", peer_ip=dead, as_number=65001))
    try:
        lab.wait_for_sync()
        failed = run_module("calico_bgp_status", connection(lab, nodes=["r1-n1", "r1-n2"], wait_for=["all"],
                                                            wait_timeout=4), expect_failure=True)
    finally:
        run_module("calico_bgp_peer", connection(lab, name="it-dead-peer", state="absent"))
    assert "node r1-n2: %s (node specific) is" % dead in failed["msg"]
    assert "node r1-n1" not in failed["msg"] and "\n" not in failed["msg"]
    assert list(failed["not_in_wait_state"]) == ["r1-n2"]
    assert failed["not_in_wait_state"]["r1-n2"][0]["peer"] == dead
    assert requests_stored(lab) == []


def test_a_registered_node_no_calico_node_serves_is_reported_as_not_reporting(lab):
    put(lab.etcd, PREFIX + "nodes/ghost-node", {
        "kind": "Node", "apiVersion": "projectcalico.org/v3",
        "metadata": {"name": "ghost-node", "uid": "5f1b0a52-9a51-4a31-a9ef-0d6cf4c1a0bb",
                     "creationTimestamp": "2026-12-04T10:00:00Z"},
        "spec": {"bgp": {"ipv4Address": "192.0.2.77/32"}}, "status": {}})
    try:
        failed = run_module("calico_bgp_status", connection(lab, nodes=["r2-n1", "ghost-node"], wait_timeout=3),
                            expect_failure=True)
    finally:
        lab.etcd.etcdctl("del", PREFIX + "nodes/ghost-node")
    assert failed["not_reporting"] == ["ghost-node"]
    assert failed["msg"].startswith("after 3.0 s, not every node reported: node ghost-node: calico/node did not "
                                    "report into its CalicoNodeStatus netops-calico-ghost-node within 3.0 s")
    assert failed["nodes"]["ghost-node"]["reported"] is False
    assert failed["nodes"]["ghost-node"]["waited_for_report"] == pytest.approx(3.0, abs=0.5)
    assert failed["nodes"]["r2-n1"]["reported"] is True
    assert requests_stored(lab) == []


@pytest.mark.parametrize("options, named", [
    (dict(nodes=["no-such-node"]), "nodes: no-such-node is not registered in the Calico datastore (registered: r1-n1"),
    (dict(nodes=["all"], node_selector="rack =="), "node_selector: "),
    (dict(nodes=["all"], update_period=86401), "update_period: 86401 is out of range (0 to 86400)"),
    (dict(nodes=["all"], stable_polls=0), "stable_polls: 0 must be 1 or more"),
    (dict(nodes=["all"], update_period=0, wait_for=["all"]), "update_period: 0 makes calico/node report once only"),
])
def test_bad_input_is_one_sentence_naming_the_option_and_writes_nothing(lab, options, named):
    before = revision(lab.etcd)
    failed = run_module("calico_bgp_status", connection(lab, **options), expect_failure=True)
    assert failed["msg"].startswith(named), failed["msg"]
    assert "\n" not in failed["msg"] and "Traceback" not in failed["msg"]
    assert revision(lab.etcd) == before


def test_kept_requests_go_on_being_updated_and_check_mode_reads_them_without_writing(lab):
    kept = run_module("calico_bgp_status", connection(lab, nodes=["r1-n3"], keep_requests=True))
    assert kept["requests"] == {"created": ["netops-calico-r1-n3"], "deleted": [], "kept": ["netops-calico-r1-n3"]}
    try:
        assert requests_stored(lab) == [STATUSES + "netops-calico-r1-n3"]
        before = requests_stored(lab)
        checked = run_module("calico_bgp_status", connection(lab, nodes=["r1-n3", "r2-n3"]), check_mode=True)
        assert checked["msg"].startswith("check mode: no CalicoNodeStatus was written; showing the 1 existing "
                                         "report(s) for 2 node(s)") and checked["msg"].endswith("no report for r2-n3")
        assert checked["nodes"]["r1-n3"]["reported"] is True and checked["nodes"]["r1-n3"]["current"] is False
        assert checked["nodes"]["r1-n3"]["ipv4_peers"]
        assert checked["not_reporting"] == ["r2-n3"]
        assert requests_stored(lab) == before
        # a second run replaces the collection's own leftover request (under the other name, so that
        # calico/node sees a new request) and still cleans up
        again = run_module("calico_bgp_status", connection(lab, nodes=["r1-n3"]))
        assert again["nodes"]["r1-n3"]["current"] is True
        assert again["requests"]["created"] == ["netops-calico.r1-n3"]
        assert requests_stored(lab) == []
    finally:
        lab.etcd.etcdctl("del", "--prefix", STATUSES)


def test_a_request_the_collection_did_not_write_is_never_touched(lab):
    put(lab.etcd, STATUSES + "netops-calico-r2-n2", calicoctl_request("netops-calico-r2-n2", "r2-n2", 60))
    try:
        before = revision(lab.etcd)
        failed = run_module("calico_bgp_status", connection(lab, nodes=["r2-n2"]), expect_failure=True)
        assert failed["msg"].startswith("nodes: CalicoNodeStatus netops-calico-r2-n2 already exists and was not "
                                        "created by this collection")
        # the lab's reporter filled it meanwhile, nothing else wrote
        document, _raw, mod_revision = stored(lab.etcd, STATUSES + "netops-calico-r2-n2")
        assert document["metadata"]["uid"] == "9e1b0a52-9a51-4a31-a9ef-0d6cf4c1a0aa"
        assert mod_revision <= before or document["status"]["lastUpdated"]
    finally:
        lab.etcd.etcdctl("del", STATUSES + "netops-calico-r2-n2")


def test_calico_resource_applies_a_request_keeps_calico_nodes_status_and_exports_without_it(lab):
    manifest = {"apiVersion": "projectcalico.org/v3", "kind": "CalicoNodeStatus", "metadata": {"name": "it-manifest"},
                "spec": {"node": "r2-n3", "classes": ["BGP", "Agent"], "updatePeriodSeconds": 1}}
    bad = json.loads(json.dumps(manifest))
    bad["spec"]["classes"] = ["BGP", "Peers"]
    before = revision(lab.etcd)
    refused = run_module("calico_resource", connection(lab, definition=bad), expect_failure=True)
    assert refused["msg"] == ("documents[0] (CalicoNodeStatus it-manifest): classes[1]: 'Peers' is not one of "
                              "Agent, BGP, Routes")
    assert revision(lab.etcd) == before
    try:
        run_module("calico_resource", connection(lab, definition=manifest))
        document, raw, _revision = stored(lab.etcd, STATUSES + "it-manifest")
        assert raw.startswith('{"kind":"CalicoNodeStatus","apiVersion":"projectcalico.org/v3","metadata":{"name":'
                              '"it-manifest","uid":')
        assert '"spec":{"node":"r2-n3","classes":["BGP","Agent"],"updatePeriodSeconds":1},"status":{"lastUpdated":' \
            in raw
        deadline = time.monotonic() + 5
        while not stored(lab.etcd, STATUSES + "it-manifest")[0]["status"]["lastUpdated"]:
            assert time.monotonic() < deadline, "the lab's calico/node did not fill the request"
            time.sleep(0.05)
        filled = stored(lab.etcd, STATUSES + "it-manifest")[0]["status"]
        assert "routes" in filled and "routesV4" not in filled["routes"]  # Routes was not asked for
        changed = json.loads(json.dumps(manifest))
        changed["spec"]["updatePeriodSeconds"] = 30
        result = run_module("calico_resource", connection(lab, definition=changed))
        assert result["changed"] is True
        after = stored(lab.etcd, STATUSES + "it-manifest")[0]
        assert after["spec"]["updatePeriodSeconds"] == 30 and after["status"]["bgp"] == filled["bgp"]
        exported = run_module("calico_resource_info", connection(lab, kinds=["CalicoNodeStatus"]))
        assert exported["resources"] == [{"apiVersion": "projectcalico.org/v3", "kind": "CalicoNodeStatus",
                                          "metadata": {"name": "it-manifest"},
                                          "spec": {"node": "r2-n3", "classes": ["BGP", "Agent"],
                                                   "updatePeriodSeconds": 30}}]
        assert run_module("calico_resource", connection(lab, definition=exported["manifest"]))["changed"] is False
    finally:
        lab.etcd.etcdctl("del", STATUSES + "it-manifest")
