"""Unit tests of the CalicoNodeStatus kind: Calico's validator rules for the spec, the stored form
of a new request, status kept on update, and the report read back as calico_node_status's peers."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

import pytest

from ansible_collections.netops.calico.plugins.module_utils import _kind_calico_node_status as node_status
from ansible_collections.netops.calico.plugins.module_utils._errors import ValidationError


def params(**values):
    base = dict((option, None) for option in node_status.MODEL.options)
    base.update(name="status-1", state="present", unset=[], labels=None)
    base.update(values)
    return base


VALID = dict(node="node-1", classes=["Agent", "BGP", "Routes"], update_period_seconds=10)


def valid(**changes):
    """params() of VALID with changes."""
    options = dict(VALID)
    options.update(changes)
    return params(**options)


def test_a_new_request_is_stored_as_calicoctl_stores_it():
    document = node_status.desired_state(None, "status-1", valid())
    assert json.dumps(document["spec"], separators=(",", ":")) == \
        '{"node":"node-1","classes":["Agent","BGP","Routes"],"updatePeriodSeconds":10}'
    assert list(document) == ["kind", "apiVersion", "metadata", "spec", "status"]
    assert json.dumps(document["status"], separators=(",", ":")) == (
        '{"lastUpdated":null,"agent":{"birdV4":{},"birdV6":{}},"bgp":{"numberEstablishedV4":0,'
        '"numberNotEstablishedV4":0,"numberEstablishedV6":0,"numberNotEstablishedV6":0},"routes":{}}')


def test_an_update_period_of_zero_is_stored_a_pointer_is_not_omitted():
    document = node_status.desired_state(None, "status-1", valid(update_period_seconds=0))
    assert document["spec"]["updatePeriodSeconds"] == 0


@pytest.mark.parametrize("changes, option, words", [
    (dict(node=None), "node", "is required"),
    (dict(node="Node_1"), "node", "not a valid name"),
    (dict(classes=None), "classes", "is required"),
    (dict(classes=[]), "classes", "is required"),
    (dict(classes=["Agent", "Agent"]), "classes", "more than once"),
    (dict(classes=["Agent", "Peers"]), "classes[1]", "'Peers' is not one of Agent, BGP, Routes"),
    (dict(classes="BGP"), "classes", "must be a list"),
    (dict(update_period_seconds=None), "update_period_seconds", "is required"),
    (dict(update_period_seconds=86401), "update_period_seconds", "out of range (0 to 86400)"),
    (dict(update_period_seconds=-1), "update_period_seconds", "out of range"),
])
def test_calicos_validator_rules(changes, option, words):
    with pytest.raises(ValidationError) as info:
        node_status.desired_state(None, "status-1", valid(**changes))
    assert str(info.value).startswith(option + ":") and words in str(info.value)


def test_the_largest_update_period_and_each_class_alone_are_accepted():
    for classes in (["Agent"], ["BGP"], ["Routes"], ["Routes", "Agent"]):
        node_status.desired_state(None, "s", valid(classes=classes, update_period_seconds=86400))


def test_status_is_kept_untouched_on_update():
    stored = node_status.desired_state(None, "status-1", valid())
    stored["status"] = {"lastUpdated": "2026-12-01T10:00:00Z", "bgp": {"numberEstablishedV4": 3}}
    updated = node_status.desired_state(json.loads(json.dumps(stored)), "status-1",
                                        params(update_period_seconds=30, labels={"team": "net"}))
    assert updated["status"] == stored["status"]
    assert updated["spec"]["updatePeriodSeconds"] == 30 and updated["spec"]["classes"] == VALID["classes"]
    assert updated["metadata"]["labels"] == {"team": "net"}


def test_absent_is_none():
    assert node_status.desired_state({"spec": {}}, "status-1", params(state="absent")) is None


def reported(**status):
    return {"metadata": {"name": "r"}, "spec": {}, "status": status}


def test_last_updated_is_read_as_utc():
    assert node_status.last_updated(reported(lastUpdated="2026-12-04T21:30:05Z")) == \
        datetime.datetime(2026, 12, 4, 21, 30, 5)
    assert node_status.last_updated(reported(lastUpdated="2026-12-04T23:30:05+02:00")) == \
        datetime.datetime(2026, 12, 4, 21, 30, 5)
    assert node_status.last_updated(reported(lastUpdated=None)) is None
    assert node_status.last_updated(reported(lastUpdated="yesterday")) is None


def test_a_report_gives_calico_node_status_peers_agents_and_routes():
    report = node_status.Report(reported(
        lastUpdated="2026-12-04T21:30:05Z",
        agent={"birdV4": {"state": "Ready", "routerID": "192.0.2.21", "lastBootTime": "2026-12-04 20:00:00"},
               "birdV6": {"state": "NotReady"}},
        bgp={"numberEstablishedV4": 1, "numberNotEstablishedV4": 1,
             "peersV4": [{"peerIP": "192.0.2.22", "type": "NodeMesh", "state": "Established", "since": "21:30:00"},
                         {"peerIP": "192.0.2.254", "type": "NodePeer", "state": "Active", "since": "21:29:00"}]},
        routes={"routesV4": [{"type": "FIB", "destination": "10.1.0.0/26", "gateway": "N/A",
                              "interface": "unreachable", "learnedFrom": {"sourceType": "NodeMesh",
                                                                          "peerIP": "192.0.2.22"}}]}))
    mesh, tor = report.ipv4_peers
    assert mesh == {"name": "Mesh_192_0_2_22", "peer_address": "192.0.2.22", "peer_port": None,
                    "peer_type": "node-to-node mesh", "ip_version": 4, "state": "up", "since": "21:30:00",
                    "seconds_in_state": 4.0, "info": "Established", "bgp_state": "Established", "last_error": None}
    assert (tor["name"], tor["peer_type"], tor["state"], tor["bgp_state"]) == \
        ("Node_192_0_2_254", "node specific", None, "Active")
    assert report.agent["ipv4"]["router_id"] == "192.0.2.21" and report.agent["ipv6"]["state"] == "NotReady"
    assert report.routes["ipv4"][0]["learned_from"] == {"source_type": "NodeMesh", "peer_ip": "192.0.2.22"}
    assert report.counts() == {"Established": 1, "Active": 1}
    assert "IPv6 BGP is not in use (calico/node reports BIRDv6 NotReady)." in report.table()
    assert "| 192.0.2.254  | node specific     |       | 21:29:00 | Active      |" in report.table()


def test_an_empty_report_has_no_peers():
    report = node_status.Report(reported(**node_status.empty_status()))
    assert report.peers == [] and report.last_updated is None and report.agent == {"ipv4": None, "ipv6": None}
