# -*- coding: utf-8 -*-
"""_model_plan: sessions compared before and after a change, and each finding class, on
hand-made resources (the lab proves the predictions against BIRD: tests/integration/test_calico_bgp_plan.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.netops.calico.plugins.module_utils import _model_plan as plan_model


def node(name, ip, as_number=None, cluster_id=None, labels=None, ip6=None):
    bgp = {"ipv4Address": ip + "/24"}
    if ip6:
        bgp["ipv6Address"] = ip6 + "/64"
    if as_number is not None:
        bgp["asNumber"] = as_number
    if cluster_id:
        bgp["routeReflectorClusterID"] = cluster_id
    return {"kind": "Node", "metadata": {"name": name, "labels": labels or {}}, "spec": {"bgp": bgp}}


def config(**spec):
    return {"kind": "BGPConfiguration", "metadata": {"name": "default"}, "spec": spec}


def peer(name, **spec):
    return {"kind": "BGPPeer", "metadata": {"name": name}, "spec": spec}


def cluster(count=3, **spec):
    return {"Node": [node("n%d" % index, "10.0.0.%d" % index, ip6="fd00::%d" % index) for index in range(1, count + 1)],
            "BGPConfiguration": [config(**spec)] if spec else [], "BGPPeer": [], "BGPFilter": []}


def planned(resources, changes, **options):
    before, after = plan_model.plan_change(resources, changes)
    plan = plan_model.compare(before, after)
    return plan, plan_model.findings(before, after, plan, **options)


def classes(found):
    return sorted(set(item["class"] for item in found))


def names(entries):
    return sorted(item["name"] for item in entries)


def test_mesh_off_with_tor_peers_removes_the_mesh_and_adds_the_tor_sessions_per_family():
    resources = cluster()
    tor = dict((("tor-%s" % n["metadata"]["name"]), peer("tor-%s" % n["metadata"]["name"], node=n["metadata"]["name"],
                                                         peerIP="10.0.0.254", asNumber=65000))
               for n in resources["Node"])
    plan, found = planned(resources, {"BGPConfiguration": {"default": config(nodeToNodeMeshEnabled=False)},
                                      "BGPPeer": tor})
    assert names(plan["n1"][4]["removed"]) == ["Mesh_10_0_0_2", "Mesh_10_0_0_3"]
    assert names(plan["n1"][4]["added"]) == ["Node_10_0_0_254"]
    assert plan["n1"][4]["after"] == 1 and plan["n1"][4]["kept"] == 0
    # the IPv6 mesh goes too, and nothing replaces it: those nodes are left without IPv6 sessions
    assert plan["n1"][6]["after"] == 0
    assert classes(found) == ["isolation"]
    assert found[0]["message"].startswith("these nodes would be left without any IPv6 BGP session")
    assert found[0]["nodes"] == ["n1", "n2", "n3"]


def test_no_change_keeps_every_session_and_finds_nothing():
    plan, found = planned(cluster(), {})
    assert all(not entry["added"] and not entry["removed"] and not entry["reset"]
               for families in plan.values() for entry in families.values())
    assert plan["n2"][4]["kept"] == 2 and plan["n2"][4]["after"] == 2
    assert found == []
    assert plan_model.text(plan, found) == "No BGP session changes."


def test_a_node_as_change_resets_its_sessions_on_both_ends():
    resources = cluster()
    changed = copy.deepcopy(resources["Node"][0])
    changed["spec"]["bgp"]["asNumber"] = 65011
    plan, found = planned(resources, {"Node": {"n1": changed}})
    assert names(plan["n1"][4]["reset"]) == ["Mesh_10_0_0_2", "Mesh_10_0_0_3"]
    # (confd gives a mesh peer without an AS of its own the local node's AS, so n1's peer AS moves too)
    assert plan["n1"][4]["reset"][0]["changes"] == ["as_number 64512 -> 65011", "node AS 64512 -> 65011"]
    # n2's session to n1 changes its peer AS
    assert [item["changes"] for item in plan["n2"][4]["reset"]] == [["as_number 64512 -> 65011"]]
    assert plan["n2"][4]["kept"] == 1
    assert classes(found) == ["session_reset"]
    assert found[0]["nodes"] == ["n1", "n2", "n3"]
    text = plan_model.text(plan, found)
    assert "  ~ IPv4 Mesh_10_0_0_2" in text and "(as_number 64512 -> 65011; node AS 64512 -> 65011)" in text
    assert text.splitlines()[-1].startswith("! [session_reset] the change resets BGP sessions of: n1, n2, n3")


def test_a_listen_port_change_resets_the_mesh():
    resources = cluster()
    plan, found = planned(resources, {"BGPConfiguration": {"default": config(listenPort=1179)}})
    assert classes(found) == ["session_reset"]
    assert any("listen port 179 -> 1179" in change for item in plan["n1"][4]["reset"] for change in item["changes"])


def test_bind_mode_needs_a_restart():
    _plan, found = planned(cluster(), {"BGPConfiguration": {"default": config(bindMode="NodeIP")}})
    assert classes(found) == ["restart_required"]
    assert "bindMode changes from None to NodeIP" in found[0]["message"]


def test_selectors_that_match_no_node():
    resources = cluster()
    wanted = {"nowhere": peer("nowhere", nodeSelector="rack == 'r9'", peerIP="10.9.9.9", asNumber=65009),
              "to-nobody": peer("to-nobody", peerSelector="rack == 'r9'")}
    _plan, found = planned(resources, {"BGPPeer": wanted})
    messages = [item["message"] for item in found if item["class"] == "selector"]
    assert "BGP peer nowhere: its node_selector \"rack == 'r9'\" matches no node" in messages
    assert ("BGP peer to-nobody: its peer_selector \"rack == 'r9'\" matches no node, so n1, n2, n3 get no session "
            "from it") in messages
    # a peer_selector matching nobody, for nodes outside the play that never had it: not a finding
    _plan, found = planned(resources, {"BGPPeer": {"to-nobody": wanted["to-nobody"]}}, nodes_in_play=[])
    assert found == []


def reflector_layout(reflectors=2):
    resources = cluster(4, nodeToNodeMeshEnabled=False)
    for index in range(reflectors):
        resources["Node"][index] = node("n%d" % (index + 1), "10.0.0.%d" % (index + 1), cluster_id="224.0.0.1",
                                        labels={"route-reflector": "true"}, ip6="fd00::%d" % (index + 1))
    resources["BGPPeer"] = [peer("to-reflectors", nodeSelector="!has(route-reflector)",
                                 peerSelector="has(route-reflector)"),
                            peer("reflectors", nodeSelector="has(route-reflector)", peerSelector="has(route-reflector)")]
    return resources


def test_removing_the_reflector_label_strands_every_client():
    resources = reflector_layout()
    unlabelled = copy.deepcopy(resources["Node"][0])
    unlabelled["metadata"]["labels"] = {}
    plan, found = planned(resources, {"Node": {"n1": unlabelled}})
    # n3 and n4 keep one reflector of two
    assert names(plan["n3"][4]["removed"]) == ["Node_10_0_0_1"]
    reflectors = [item for item in found if item["class"] == "reflectors"]
    assert reflectors and reflectors[0]["message"] == (
        "these nodes would keep fewer route reflector sessions than 2: n3 (IPv4: 1 of 2), n3 (IPv6: 1 of 2), "
        "n4 (IPv4: 1 of 2), n4 (IPv6: 1 of 2)")
    # with one reflector wanted, one is enough
    _plan, found = planned(resources, {"Node": {"n1": unlabelled}}, min_route_reflectors=1)
    assert "reflectors" not in classes(found)


def test_one_reflector_layout_wants_one_session_and_zero_turns_the_check_off():
    resources = reflector_layout(reflectors=1)
    unlabelled = copy.deepcopy(resources["Node"][0])
    unlabelled["metadata"]["labels"] = {}
    _plan, found = planned(resources, {"Node": {"n1": unlabelled}})
    assert "than 1: n2 (IPv4: 0 of 1)" in [item for item in found if item["class"] == "reflectors"][0]["message"]
    assert "isolation" in classes(found) and "selector" in classes(found)
    _plan, found = planned(resources, {"Node": {"n1": unlabelled}}, min_route_reflectors=0)
    assert "reflectors" not in classes(found)


def test_a_new_reflector_while_the_mesh_is_on_is_a_disruption():
    resources = cluster()
    reflector = node("n1", "10.0.0.1", cluster_id="224.0.0.1", ip6="fd00::1")
    plan, found = planned(resources, {"Node": {"n1": reflector}})
    assert "reflector_disruption" in classes(found)
    # calico/node drops a reflector from the mesh at once
    assert plan["n1"][4]["after"] == 0 and names(plan["n2"][4]["removed"]) == ["Mesh_10_0_0_1"]


def test_mesh_off_with_nodes_outside_the_play_is_unverified():
    resources = cluster()
    tor = dict(("tor-n%d" % index, peer("tor-n%d" % index, node="n%d" % index, peerIP="10.0.0.254", asNumber=65000))
               for index in (1, 2, 3))
    tor.update(("tor6-n%d" % index, peer("tor6-n%d" % index, node="n%d" % index, peerIP="fd00::fe",
                                         asNumber=65000)) for index in (1, 2, 3))
    _plan, found = planned(resources, {"BGPConfiguration": {"default": config(nodeToNodeMeshEnabled=False)},
                                       "BGPPeer": tor}, nodes_in_play=["n1"])
    assert classes(found) == ["unverified"]
    assert found[0]["nodes"] == ["n2", "n3"]
    _plan, found = planned(resources, {"BGPConfiguration": {"default": config(nodeToNodeMeshEnabled=False)},
                                       "BGPPeer": tor})
    assert found == []


def test_the_mesh_above_the_guides_limit_is_only_a_warning():
    _plan, found = planned(cluster(101), {})
    assert [(item["class"], item["blocking"]) for item in found] == [("mesh_scale", False)]
    _plan, found = planned(cluster(100), {})
    assert found == []


def test_wait_targets_are_the_mesh_the_given_peers_and_what_the_change_adds_with_ports_as_bird_names_them():
    resources = cluster(**{"listenPort": 1179})
    # a peer outside the change, to an external router: kept, so not this change's to wait for
    resources["BGPPeer"] = [peer("border", peerIP="192.0.2.1", asNumber=65500)]
    changes = {"BGPPeer": {"tor-n1": peer("tor-n1", node="n1", peerIP="10.0.0.254:1179", asNumber=65000),
                           "rr-n1": peer("rr-n1", node="n1", peerSelector="all()")}}
    before, after = plan_model.plan_change(resources, changes)
    plan = plan_model.compare(before, after)
    targets = plan_model.wait_targets(after, plan, "n1", {"tor-n1"})
    # mesh peers without a port (their protocol names have none), the ToR with its port, the
    # selector peers the change adds (n1 itself excluded), both families; not the border router
    assert sorted(targets) == sorted(["10.0.0.2", "10.0.0.3", "10.0.0.254:1179", "10.0.0.2:1179", "10.0.0.3:1179",
                                      "fd00::2", "fd00::3", "[fd00::2]:1179", "[fd00::3]:1179"])
    assert "192.0.2.1" not in targets
    # on a node the change does not touch: its mesh sessions only
    assert sorted(plan_model.wait_targets(after, plan, "n2", {"tor-n1"})) == sorted(
        ["10.0.0.1", "10.0.0.3", "fd00::1", "fd00::3", "10.0.0.1:1179", "[fd00::1]:1179"])


def test_a_mesh_over_three_ases_is_a_warning_and_two_are_fine():
    resources = cluster(count=6)
    for index, item in enumerate(resources["Node"]):
        item["spec"]["bgp"]["asNumber"] = 65001 + index // 2  # three racks of two nodes, an AS each
    _plan, found = planned(resources, {})
    warnings = [item for item in found if item["class"] == "mesh_scale"]
    assert len(warnings) == 1 and not warnings[0]["blocking"] and "3 AS numbers (65001, 65002, 65003)" in warnings[0]["message"]
    resources["Node"][4]["spec"]["bgp"]["asNumber"] = resources["Node"][5]["spec"]["bgp"]["asNumber"] = 65002
    assert [item for item in planned(resources, {})[1] if item["class"] == "mesh_scale"] == []
    # the mesh off: no warning, whatever the ASes
    resources["Node"][0]["spec"]["bgp"]["asNumber"] = 65009
    off = {"BGPConfiguration": {"default": config(nodeToNodeMeshEnabled=False)}}
    assert [item for item in planned(resources, off)[1] if item["class"] == "mesh_scale"] == []
