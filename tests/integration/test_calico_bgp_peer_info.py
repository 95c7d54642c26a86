"""calico_bgp_peer_info against a real etcd server."""
import json
import re

from tests.integration.helpers import PREFIX, ansible_playbook, put, revision
from tests.support.module_runner import run_module


def conn(etcd, **args):
    args["etcd_endpoints"] = etcd.endpoints
    return args


def test_lists_everything_and_filters_by_name_and_scope(etcd):
    assert run_module("calico_bgp_peer_info", conn(etcd))["table"] == "NAME   PEERIP   NODE   ASN"
    run_module("calico_bgp_peer", conn(etcd, peer_ip="192.20.30.40", as_number=64567))
    run_module("calico_bgp_peer", conn(etcd, peer_ip="aa:bb::ff", node="node1", as_number=64514))
    run_module("calico_bgp_peer", conn(etcd, name="rack-r1", node_selector="rack == 'r1'", peer_ip="10.1.0.1",
                                       as_number="1.10"))
    before = revision(etcd)
    everything = run_module("calico_bgp_peer_info", conn(etcd))
    assert everything["changed"] is False and revision(etcd) == before
    assert [peer["name"] for peer in everything["peers"]] == [
        "192-20-30-40", "node1.00aa-00bb-0000-0000-0000-0000-0000-00ff", "rack-r1"]
    assert [peer["scope"] for peer in everything["peers"]] == ["global", "node", "selector"]
    assert all(peer["managed"] for peer in everything["peers"])
    assert everything["resources"][0]["metadata"]["resourceVersion"]
    assert [row.split() for row in everything["table"].splitlines()][:3] == [
        ["NAME", "PEERIP", "NODE", "ASN"], ["192-20-30-40", "192.20.30.40", "(global)", "64567"],
        ["node1.00aa-00bb-0000-0000-0000-0000-0000-00ff", "aa:bb::ff", "node1", "64514"]]
    assert everything["table"].splitlines()[3].endswith("rack == 'r1'   65546")
    assert [peer["name"] for peer in run_module("calico_bgp_peer_info", conn(etcd, scope="global"))["peers"]] == [
        "192-20-30-40"]
    named = run_module("calico_bgp_peer_info", conn(etcd, name="rack-r1"))
    assert [peer["peer_ip"] for peer in named["peers"]] == ["10.1.0.1"]
    assert run_module("calico_bgp_peer_info", conn(etcd, name="nope"))["peers"] == []
    failed = run_module("calico_bgp_peer_info", conn(etcd, node="Node_1"), expect_failure=True)
    assert failed["msg"].startswith("node: ")


def test_selector_peers_apply_by_node_labels(etcd):
    node = {"kind": "Node", "apiVersion": "projectcalico.org/v3",
            "metadata": {"name": "node1", "labels": {"rack": "r1", "route-reflector": "true"}},
            "spec": {"bgp": {"ipv4Address": "10.0.0.11/24"}}, "status": {}}
    put(etcd, PREFIX + "nodes/node1", node)
    run_module("calico_bgp_peer", conn(etcd, name="rack-r1", node_selector="rack == 'r1'", peer_ip="10.1.0.1",
                                       as_number=65001))
    run_module("calico_bgp_peer", conn(etcd, name="rack-r2", node_selector="rack == 'r2'", peer_ip="10.2.0.1",
                                       as_number=65002))
    run_module("calico_bgp_peer", conn(etcd, name="to-rr", node_selector="all()", peer_selector="has(route-reflector)"))
    info = run_module("calico_bgp_peer_info", conn(etcd, node="node1"))
    assert info["node_found"] is True
    assert dict((peer["name"], peer["applies"]) for peer in info["peers"]) == {"rack-r1": "selector",
                                                                               "to-rr": "selector"}
    rows = [re.split(" {3,}", row) for row in info["table"].splitlines()]
    assert rows[:2] == [["NAME", "PEERIP", "NODE", "ASN"], ["rack-r1", "10.1.0.1", "rack == 'r1'", "65001"]]
    assert rows[2] == ["to-rr", "all()", "0"] and len(rows) == 3  # no PEERIP for a peer_selector peer
    assert run_module("calico_bgp_peer_info", conn(etcd, scope="selector"))["table"].count("\n") == 3
    missing = run_module("calico_bgp_peer_info", conn(etcd, node="node7"))
    assert missing["node_found"] is False and [peer["name"] for peer in missing["peers"]] == ["to-rr"]


def test_real_playbook_lists_node_peers(etcd):
    playbook = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/netops.calico.calico:
      etcd_endpoints: %s
  tasks:
    - netops.calico.calico_bgp_peer:
        peer_ip: aa:bb::ff
        node: node1
        as_number: 64514
    - netops.calico.calico_bgp_peer_info:
        node: node1
      register: listed
      check_mode: true
    - ansible.builtin.assert:
        that:
          - listed.peers | map(attribute='peer_ip') | list == ['aa:bb::ff']
          - "'node1   64514' in listed.table"
""" % json.dumps(etcd.endpoints)
    result = ansible_playbook(playbook)
    assert result.returncode == 0, result.stdout + result.stderr
