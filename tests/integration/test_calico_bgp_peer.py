"""calico_bgp_peer (single-peer form) against a real etcd server."""
import json

import pytest

from tests.integration.helpers import PREFIX, ansible_playbook, put, put_filters, revision, run_in_processes, stored
from tests.support.module_runner import run_module

PEERS = PREFIX + "bgppeers/"
V6_NAME = "00aa-00bb-0000-0000-0000-0000-0000-00ff"


def conn(etcd, **args):
    args["etcd_endpoints"] = etcd.endpoints
    return args


def peer_keys(etcd):
    return etcd.etcdctl("get", "--prefix", "--keys-only", PEERS).stdout.split()


def test_guide_global_peer_created_listed_deleted(etcd):
    result = run_module("calico_bgp_peer", conn(etcd, peer_ip="192.20.30.40", scope="global", as_number=64567))
    assert result["changed"] and result["action"] == "created"
    assert result["name"] == "192-20-30-40"
    assert peer_keys(etcd) == [PEERS + "192-20-30-40"]

    listed = run_module("calico_bgp_peer_info", conn(etcd, scope="global"))
    assert [peer["peer_ip"] for peer in listed["peers"]] == ["192.20.30.40"]
    assert listed["peers"][0]["as_number"] == 64567 and listed["peers"][0]["scope"] == "global"
    assert listed["table"].splitlines()[1].split() == ["192-20-30-40", "192.20.30.40", "(global)", "64567"]

    deleted = run_module("calico_bgp_peer", conn(etcd, peer_ip="192.20.30.40", scope="global", state="absent"))
    assert deleted["changed"] and deleted["action"] == "deleted"
    assert peer_keys(etcd) == []
    again = run_module("calico_bgp_peer", conn(etcd, peer_ip="192.20.30.40", scope="global", state="absent"),
                       diff=True)
    assert again["changed"] is False
    assert (again["diff"]["before"], again["diff"]["after"]) == ({}, {})
    assert again["diff"]["before_header"] == "BGPPeer peer 192.20.30.40 (global scope)"


def test_guide_node_peer_created_listed_deleted(etcd):
    result = run_module("calico_bgp_peer", conn(etcd, peer_ip="aa:bb::ff", scope="node", node="node1",
                                                as_number=64514))
    assert result["changed"] and result["name"] == "node1." + V6_NAME
    document = stored(etcd, PEERS + "node1." + V6_NAME)[0]
    assert document["spec"] == {"node": "node1", "peerIP": "aa:bb::ff", "asNumber": 64514}

    # a global peer and one for another node: node1's list has its own and the global one
    run_module("calico_bgp_peer", conn(etcd, peer_ip="10.0.0.9", as_number=64999))
    run_module("calico_bgp_peer", conn(etcd, peer_ip="10.0.0.8", node="node2", as_number=64998))
    listed = run_module("calico_bgp_peer_info", conn(etcd, node="node1"))
    applies = dict((peer["peer_ip"], peer["applies"]) for peer in listed["peers"])
    assert applies == {"aa:bb::ff": "node", "10.0.0.9": "global"}
    node_only = run_module("calico_bgp_peer_info", conn(etcd, node="node1", scope="node"))
    assert [row.split() for row in node_only["table"].splitlines()] == [
        ["NAME", "PEERIP", "NODE", "ASN"], ["node1." + V6_NAME, "aa:bb::ff", "node1", "64514"]]

    deleted = run_module("calico_bgp_peer", conn(etcd, peer_ip="aa:bb::ff", scope="node", node="node1",
                                                 state="absent"))
    assert deleted["changed"] and deleted["action"] == "deleted"
    assert sorted(peer_keys(etcd)) == [PEERS + "10-0-0-9", PEERS + "node2.10-0-0-8"]


def test_peer_made_by_hand_is_adopted_not_duplicated(etcd):
    by_hand = {"kind": "BGPPeer", "apiVersion": "projectcalico.org/v3",
               "metadata": {"name": "tor-switch-a", "uid": "6f1c1d2e-1111-4a4a-9b9b-0123456789ab",
                            "creationTimestamp": "2025-01-02T03:04:05Z"},
               "spec": {"node": "node1", "peerIP": "00aa:00bb:0:0:0:0:0:ff", "asNumber": 64514}}
    put(etcd, PEERS + "tor-switch-a", by_hand)
    result = run_module("calico_bgp_peer", conn(etcd, peer_ip="aa:bb::ff", node="node1", as_number=64514))
    assert result["changed"] is False and result["name"] == "tor-switch-a"

    updated = run_module("calico_bgp_peer", conn(etcd, peer_ip="aa:bb::ff", node="node1", as_number=64600,
                                                 keepalive_time="20s"))
    assert updated["action"] == "updated" and updated["name"] == "tor-switch-a"
    assert peer_keys(etcd) == [PEERS + "tor-switch-a"]
    document = stored(etcd, PEERS + "tor-switch-a")[0]
    assert document["metadata"]["uid"] == by_hand["metadata"]["uid"]
    assert document["metadata"]["creationTimestamp"] == "2025-01-02T03:04:05Z"
    assert "labels" not in document["metadata"]  # adopted, not claimed for purge
    assert document["spec"] == {"node": "node1", "peerIP": "00aa:00bb:0:0:0:0:0:ff", "asNumber": 64600,
                                "keepaliveTime": "20s"}

    # the same address on another node is another peer
    other = run_module("calico_bgp_peer", conn(etcd, peer_ip="aa:bb::ff", node="node2", as_number=64514))
    assert other["action"] == "created" and other["name"] == "node2." + V6_NAME
    run_module("calico_bgp_peer", conn(etcd, peer_ip="00aa:bb::00ff", node="node1", state="absent"))
    assert peer_keys(etcd) == [PEERS + "node2." + V6_NAME]


@pytest.mark.parametrize("peer_ip, node, name, stored_ip", [
    ("192.20.30.40", None, "192-20-30-40", "192.20.30.40"),
    ("10.1.2.3", "Node1", None, None),
    ("10.1.2.3", "kube-node1.example.com", "kube-node1.example.com.10-1-2-3", "10.1.2.3"),
    ("aa:bb::ff", None, V6_NAME, "aa:bb::ff"),
    ("fd00:0:0:0:0:0:0:1", "node1", "node1.fd00-0000-0000-0000-0000-0000-0000-0001", "fd00:0:0:0:0:0:0:1"),
    ("2001:db8::1:0:0:1", None, "2001-0db8-0000-0000-0001-0000-0000-0001", "2001:db8::1:0:0:1"),
    ("10.1.2.3:1790", "node1", "node1.10-1-2-3", "10.1.2.3:1790"),
    ("[fd00::1]:1790", None, "fd00-0000-0000-0000-0000-0000-0000-0001", "[fd00::1]:1790"),
])
def test_names_follow_the_migration_convention_and_ports_round_trip(etcd, peer_ip, node, name, stored_ip):
    args = conn(etcd, peer_ip=peer_ip, as_number=64512)
    if node:
        args["node"] = node
    if name is None:  # upper-case node names are invalid in v3
        failed = run_module("calico_bgp_peer", args, expect_failure=True)
        assert failed["msg"].startswith("node: ")
        return
    result = run_module("calico_bgp_peer", args)
    assert result["name"] == name and result["resource"]["spec"]["peerIP"] == stored_ip
    document, raw, mod_revision = stored(etcd, PEERS + name)
    assert document["spec"]["peerIP"] == stored_ip
    again = run_module("calico_bgp_peer", args)
    assert again["changed"] is False and stored(etcd, PEERS + name)[2] == mod_revision
    info = run_module("calico_bgp_peer_info", conn(etcd, name=name))
    assert info["peers"][0]["peer_ip"] == stored_ip


def test_stored_json_has_calico_field_names_and_types(etcd):
    put_filters(etcd, "export-default")
    run_module("calico_bgp_peer", conn(
        etcd, name="rack-r1-tor", node_selector="rack == 'r1' && has(bgp)", peer_ip="10.1.0.1:1790",
        as_number="1.10", password={"secret_name": "bgp-secrets", "secret_key": "rack-r1"},
        source_address="None", max_restart_time="120s", num_allowed_local_as_numbers=2, ttl_security=0,
        reachable_by="10.1.0.254", filters=["export-default"], local_as_number=64999, next_hop_mode="Self",
        reverse_peering="Manual", keepalive_time="20s", labels={"rack": "r1"}))
    document, raw, _revision = stored(etcd, PEERS + "rack-r1-tor")
    assert list(document) == ["kind", "apiVersion", "metadata", "spec"]
    assert document["kind"] == "BGPPeer" and document["apiVersion"] == "projectcalico.org/v3"
    assert set(document["metadata"]) == {"name", "uid", "creationTimestamp", "labels"}
    assert document["metadata"]["labels"] == {"netops.calico/managed-by": "ansible", "rack": "r1"}
    assert document["spec"] == {
        "peerIP": "10.1.0.1:1790", "asNumber": 65546, "nodeSelector": "rack == 'r1' && has(bgp)",
        "password": {"secretKeyRef": {"name": "bgp-secrets", "key": "rack-r1"}},
        "sourceAddress": "None", "maxRestartTime": "2m0s", "numAllowedLocalASNumbers": 2, "ttlSecurity": 0,
        "reachableBy": "10.1.0.254", "filters": ["export-default"], "localASNumber": 64999,
        "nextHopMode": "Self", "reversePeering": "Manual", "keepaliveTime": "20s"}
    assert '"asNumber":65546' in raw and '"localASNumber":64999' in raw and '"ttlSecurity":0' in raw
    assert "resourceVersion" not in raw and ": " not in raw
    # BGPPeerSpec's Go struct order, the order calicoctl writes
    assert list(document["spec"]) == [
        "nodeSelector", "peerIP", "asNumber", "localASNumber", "nextHopMode", "password", "sourceAddress",
        "maxRestartTime", "keepaliveTime", "numAllowedLocalASNumbers", "ttlSecurity", "reachableBy", "filters",
        "reversePeering"]


def test_options_left_out_are_kept_unset_removes_labels_merge(etcd):
    run_module("calico_bgp_peer", conn(etcd, name="tor", peer_ip="10.0.0.1", as_number=64512,
                                       keep_original_next_hop=True, keepalive_time="20s",
                                       labels={"a": "1", "b": "2"}))
    result = run_module("calico_bgp_peer", conn(etcd, name="tor", as_number=64513, labels={"a": None, "c": "3"},
                                                unset=["keepalive_time"]), diff=True)
    assert result["action"] == "updated"
    document = stored(etcd, PEERS + "tor")[0]
    assert document["spec"] == {"peerIP": "10.0.0.1", "asNumber": 64513, "keepOriginalNextHop": True}
    assert document["metadata"]["labels"] == {"netops.calico/managed-by": "ansible", "b": "2", "c": "3"}
    assert result["diff"]["before"]["spec"]["keepaliveTime"] == "20s"
    assert "keepaliveTime" not in result["diff"]["after"]["spec"]
    # false is Calico's omitted value
    run_module("calico_bgp_peer", conn(etcd, name="tor", keep_original_next_hop=False, next_hop_mode="Keep"))
    assert stored(etcd, PEERS + "tor")[0]["spec"] == {
        "peerIP": "10.0.0.1", "asNumber": 64513, "nextHopMode": "Keep"}


def test_idempotence_check_mode_and_diff(etcd):
    put_filters(etcd, "a", "b")
    args = conn(etcd, peer_ip="10.0.0.1", node="node1", as_number=64512, filters=["a", "b"])
    created = run_module("calico_bgp_peer", args, check_mode=True, diff=True)
    assert created["changed"] and created["action"] == "created"
    assert created["diff"]["before"] == {} and created["diff"]["after"]["spec"]["peerIP"] == "10.0.0.1"
    assert peer_keys(etcd) == []

    run_module("calico_bgp_peer", args)
    _doc, _raw, mod_revision = stored(etcd, PEERS + "node1.10-0-0-1")
    before = revision(etcd)
    again = run_module("calico_bgp_peer", args, diff=True)
    assert again["changed"] is False and again["action"] is None
    assert again["diff"]["before"] == again["diff"]["after"]
    assert revision(etcd) == before and stored(etcd, PEERS + "node1.10-0-0-1")[2] == mod_revision

    checked = run_module("calico_bgp_peer", conn(etcd, peer_ip="10.0.0.1", node="node1", as_number=64600),
                         check_mode=True, diff=True)
    assert checked["changed"] and checked["diff"]["before"]["spec"]["asNumber"] == 64512
    assert checked["diff"]["after"]["spec"]["asNumber"] == 64600
    assert "uid" not in checked["diff"]["after"]["metadata"]
    deleting = run_module("calico_bgp_peer", conn(etcd, peer_ip="10.0.0.1", node="node1", state="absent"),
                          check_mode=True, diff=True)
    assert deleting["changed"] and deleting["diff"]["after"] == {}
    assert revision(etcd) == before


def test_parallel_runs_on_the_same_peer_lose_no_update(etcd):
    run_module("calico_bgp_peer", conn(etcd, peer_ip="10.0.0.1", as_number=64512))
    calls = [("calico_bgp_peer", conn(etcd, peer_ip="10.0.0.1", labels={"writer-%d" % index: "yes"}))
             for index in range(5)]
    results = run_in_processes(calls)
    assert all(not result.get("failed") for result in results), results
    labels = stored(etcd, PEERS + "10-0-0-1")[0]["metadata"]["labels"]
    assert labels == dict([("netops.calico/managed-by", "ansible")] +
                          [("writer-%d" % index, "yes") for index in range(5)])


def test_parallel_creates_of_the_same_new_peer_make_one(etcd):
    calls = [("calico_bgp_peer", conn(etcd, peer_ip="10.0.0.7", node="node1", as_number=64512,
                                      labels={"writer-%d" % index: "yes"})) for index in range(4)]
    results = run_in_processes(calls)
    assert sorted(result["action"] for result in results) == ["created", "updated", "updated", "updated"]
    assert peer_keys(etcd) == [PEERS + "node1.10-0-0-7"]
    labels = stored(etcd, PEERS + "node1.10-0-0-7")[0]["metadata"]["labels"]
    assert set(labels) == set(["netops.calico/managed-by"] + ["writer-%d" % index for index in range(4)])


INVALID = [
    (dict(peer_ip="10.0.0.300", as_number=64512), "peer_ip: "),
    (dict(peer_ip="not-an-ip", as_number=64512), "peer_ip: "),
    (dict(peer_ip="[fd00::1]", as_number=64512), "peer_ip: "),
    (dict(peer_ip="10.0.0.1:0", as_number=64512), "peer_ip: "),
    (dict(peer_ip="10.0.0.1:65536", as_number=64512), "peer_ip: "),
    (dict(peer_ip="[fd00::1]:70000", as_number=64512), "peer_ip: "),
    (dict(peer_ip="10.0.0.1", as_number=4294967296), "as_number: "),
    (dict(peer_ip="10.0.0.1", as_number="65536.1"), "as_number: "),
    (dict(peer_ip="10.0.0.1", as_number="-1"), "as_number: "),
    (dict(name="Upper-Case", peer_ip="10.0.0.1", as_number=64512), "name: "),
    (dict(name="a" * 254, peer_ip="10.0.0.1", as_number=64512), "name: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, node="node_1"), "node: "),
    (dict(name="p", peer_ip="10.0.0.1", as_number=64512, node="node1", node_selector="all()"),
     "node, node_selector: "),
    (dict(name="p", peer_ip="10.0.0.1", peer_selector="has(rr)"), "peer_ip, peer_selector: "),
    (dict(name="p", peer_selector="has(rr)", as_number=64512), "as_number, peer_selector: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, reachable_by="fd00::1"), "reachable_by, peer_ip: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, keep_original_next_hop=True, next_hop_mode="Self"),
     "keep_original_next_hop, next_hop_mode: "),
    (dict(peer_selector="has(rr)", node_selector="all()"), "name: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, scope="global", node="node1"), "scope, node: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, scope="node"), "scope, node: "),
    (dict(as_number=64512), "peer_ip: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, ttl_security=256), "ttl_security: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, max_restart_time="two minutes"), "max_restart_time: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, keepalive_time="20"), "keepalive_time: "),
    (dict(name="p", node_selector="rack ==", peer_ip="10.0.0.1", as_number=64512), "node_selector: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, filters=["Bad_Filter"]), "filters[0]: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, local_as_number="1.2.3"), "local_as_number: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, password={"secret_name": "Bad Name", "secret_key": "k"}),
     "password.secret_name: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, unset=["as_number"]), "unset: "),
    (dict(peer_ip="10.0.0.1", unset=["peer_ip"]), "unset: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, labels={"bad key!": "x"}), "labels (key 'bad key!'): "),
    (dict(peer_ip="10.0.0.1"), "as_number: "),
    (dict(peer_ip="10.0.0.1", as_number=64512, purge=True), "purge: "),
]


@pytest.mark.parametrize("args, message_start", INVALID)
def test_invalid_input_names_the_option_and_writes_nothing(etcd, args, message_start):
    run_module("calico_bgp_peer", conn(etcd, name="keep", peer_ip="10.9.9.9", as_number=64512))
    before = revision(etcd)
    failed = run_module("calico_bgp_peer", conn(etcd, **args), expect_failure=True)
    assert failed["msg"].startswith(message_start), failed["msg"]
    assert "Traceback" not in failed["msg"]
    assert revision(etcd) == before


def test_invalid_combination_with_a_stored_field_is_refused(etcd):
    run_module("calico_bgp_peer", conn(etcd, name="rr", node_selector="all()", peer_selector="has(rr)"))
    before = revision(etcd)
    failed = run_module("calico_bgp_peer", conn(etcd, name="rr", node="node1"), expect_failure=True)
    assert failed["msg"].startswith("node, node_selector: ") and "already stored" in failed["msg"]
    failed = run_module("calico_bgp_peer", conn(etcd, name="rr", as_number=64512), expect_failure=True)
    assert failed["msg"].startswith("as_number, peer_selector: ")
    run_module("calico_bgp_peer", conn(etcd, name="tor", peer_ip="10.0.0.1", as_number=64512,
                                       keep_original_next_hop=True))
    before = revision(etcd)
    failed = run_module("calico_bgp_peer", conn(etcd, name="tor", next_hop_mode="Self"), expect_failure=True)
    assert failed["msg"].startswith("keep_original_next_hop, next_hop_mode: ")
    failed = run_module("calico_bgp_peer", conn(etcd, name="tor", reachable_by="fd00::1"), expect_failure=True)
    assert failed["msg"].startswith("reachable_by, peer_ip: ")
    assert revision(etcd) == before
    # the documented way out: unset the stored field in the same task
    result = run_module("calico_bgp_peer", conn(etcd, name="tor", next_hop_mode="Self",
                                                unset=["keep_original_next_hop"]))
    assert stored(etcd, PEERS + "tor")[0]["spec"] == {
        "peerIP": "10.0.0.1", "asNumber": 64512, "nextHopMode": "Self"}
    assert result["changed"]


def test_migration_name_taken_by_another_peer_is_a_clear_error(etcd):
    put(etcd, PEERS + "10-0-0-1", {"kind": "BGPPeer", "apiVersion": "projectcalico.org/v3",
                                   "metadata": {"name": "10-0-0-1"},
                                   "spec": {"node": "node9", "peerIP": "10.0.0.1", "asNumber": 1}})
    before = revision(etcd)
    failed = run_module("calico_bgp_peer", conn(etcd, peer_ip="10.0.0.1", as_number=64512), expect_failure=True)
    assert failed["msg"].startswith("name: ") and "node9" in failed["msg"]
    assert revision(etcd) == before


def test_corrupt_peer_is_never_overwritten(etcd):
    put(etcd, PEERS + "10-0-0-1", "{not json")
    before = revision(etcd)
    failed = run_module("calico_bgp_peer", conn(etcd, peer_ip="10.0.0.1", as_number=64512), expect_failure=True)
    assert "not valid JSON" in failed["msg"]
    assert revision(etcd) == before
    info = run_module("calico_bgp_peer_info", conn(etcd))
    assert info["peers"] == [] and "not valid JSON" in json.dumps(info.get("warnings"))


PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/netops.calico.calico:
      etcd_endpoints: %s
  tasks:
    - name: Add a global BGP peer
      netops.calico.calico_bgp_peer:
        peer_ip: 192.20.30.40
        scope: global
        as_number: 64567
      register: created
    - name: Add a node-specific peer
      netops.calico.calico_bgp_peer:
        peer_ip: aa:bb::ff
        node: node1
        as_number: 64514
    - name: List node1's peers
      netops.calico.calico_bgp_peer_info:
        node: node1
      register: listed
    - ansible.builtin.assert:
        that:
          - created.name == '192-20-30-40'
          - listed.peers | length == 2
"""


def test_real_playbook_check_diff_then_apply(etcd):
    playbook = PLAYBOOK % json.dumps(etcd.endpoints)
    checked = ansible_playbook(playbook.replace("listed.peers | length == 2", "listed.peers | length == 0"),
                               "--check", "--diff")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "changed=2" in checked.stdout and "+++ after: BGPPeer 192-20-30-40" in checked.stdout
    assert '+        "peerIP": "192.20.30.40"' in checked.stdout
    assert peer_keys(etcd) == []
    applied = ansible_playbook(playbook)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    again = ansible_playbook(playbook)
    assert again.returncode == 0 and "changed=0" in again.stdout, again.stdout
