"""calico_node_status main() in-process, against stand-in sockets replaying real BIRD replies."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import pytest

from ansible_collections.netops.calico.plugins.module_utils import _bird_node_status
from tests.support.fake_bird import FakeBird, recorded, serving
from tests.support.module_runner import run_module


def test_reports_both_families_and_changes_nothing(sockets):
    with serving(sockets("bird.ctl"), "show_protocols_v4_established"), \
            serving(sockets("bird6.ctl"), "show_protocols_v6"):
        result = run_module("calico_node_status", {"bird_socket": sockets("bird.ctl"),
                                                   "bird6_socket": sockets("bird6.ctl")})
    assert result["changed"] is False
    assert [(p["peer_address"], p["peer_port"], p["peer_type"], p["bgp_state"]) for p in result["ipv4_peers"]] == [
        ("127.0.0.32", None, "node-to-node mesh", "Established"),
        ("127.0.0.33", 47599, "global", "Established"),
        ("127.0.0.34", None, "node specific", "Established"),
        ("127.0.0.35", None, "node specific", "Down"),
        ("127.0.0.36", None, "global", "Down"),
    ]
    assert result["counts"] == {"Established": 4, "Down": 3, "Active": 1}
    assert "| 127.0.0.33:47599 | global            | up    | 09:58:31 | Established " in result["table"]
    assert "| [::1]:51695 " in result["table"]
    assert result["waited"] == 0.0


def test_check_mode_reads_the_same(sockets):
    with serving(sockets("bird.ctl"), "show_protocols_v4_established"):
        result = run_module("calico_node_status", {"bird_socket": sockets("bird.ctl"),
                                                   "bird6_socket": sockets("none6.ctl")}, check_mode=True)
    assert result["changed"] is False and len(result["ipv4_peers"]) == 5
    assert result["ipv6_in_use"] is False and result["ipv6_peers"] == []


def test_default_sockets_are_tried_in_calicoctl_order(sockets, monkeypatch):
    monkeypatch.setattr(_bird_node_status, "IPV4_SOCKETS", (sockets("calico-bird.ctl"), sockets("bird-bird.ctl")))
    monkeypatch.setattr(_bird_node_status, "IPV6_SOCKETS", (sockets("calico-bird6.ctl"), sockets("bird-bird6.ctl")))
    with serving(sockets("bird-bird.ctl"), "show_protocols_no_peers"), \
            serving(sockets("calico-bird6.ctl"), "show_protocols_v6_passive_side"):
        result = run_module("calico_node_status", {})
    assert (result["bird_socket"], result["bird6_socket"]) == (sockets("bird-bird.ctl"), sockets("calico-bird6.ctl"))
    assert "IPv4 BGP status\nNo IPv4 peers found.\n\nIPv6 BGP status\n+---" in result["table"]
    assert result["ipv6_peers"][0]["peer_address"] == "::1"


def test_missing_ipv4_socket_fails_naming_the_paths_tried(sockets, monkeypatch):
    monkeypatch.setattr(_bird_node_status, "IPV4_SOCKETS", (sockets("calico-bird.ctl"), sockets("bird-bird.ctl")))
    result = run_module("calico_node_status", {}, expect_failure=True)
    assert result["msg"] == (
        "cannot reach BIRDv4 (IPv4 BGP): BIRD control socket %s does not exist; "
        "BIRD control socket %s does not exist" % (sockets("calico-bird.ctl"), sockets("bird-bird.ctl")))


def test_syntax_error_reply_is_one_clear_line(sockets):
    with FakeBird(sockets("bird.ctl"), {"show status": recorded("show_status"), "show protocols": recorded("error_syntax")}):
        result = run_module("calico_node_status", {"bird_socket": sockets("bird.ctl")}, expect_failure=True)
    assert result["msg"] == "BIRD at %s rejected 'show protocols' with error 9001: syntax error" % sockets("bird.ctl")


def test_hung_socket_fails_within_the_timeout(sockets):
    with FakeBird.silent(sockets("bird.ctl")):
        started = time.monotonic()
        result = run_module("calico_node_status", {"bird_socket": sockets("bird.ctl"), "timeout": 0.5},
                            expect_failure=True)
        elapsed = time.monotonic() - started
    assert result["msg"] == "BIRD at %s did not send its greeting within 0.5 s" % sockets("bird.ctl")
    assert elapsed < 0.5 + 3


def test_wait_for_timeout_lists_peers_not_in_state_and_unknown_addresses(sockets):
    with serving(sockets("bird.ctl"), "show_protocols_v4_peers_down"):
        result = run_module("calico_node_status", {
            "bird_socket": sockets("bird.ctl"), "bird6_socket": sockets("none6.ctl"),
            "wait_for": ["127.0.0.32", "127.0.0.33:47599", "127.0.0.34", "10.9.9.9"],
            "wait_timeout": 0.3, "wait_interval": 0.1}, expect_failure=True)
    assert result["msg"].startswith("after 0.3 s, not every peer is Established: ")
    assert result["msg"].endswith(
        "127.0.0.32 (node-to-node mesh) is Passive: Received: Administrative shutdown; "
        "127.0.0.34 (node specific) is Active: Socket: Connection refused; "
        "10.9.9.9 is not a BGP peer of this node")
    assert [(u["peer"], u["present"]) for u in result["not_in_wait_state"]] == [
        ("127.0.0.32", True), ("127.0.0.34", True), ("10.9.9.9", False)]
    assert result["table"].startswith("Calico process is")


def test_wait_for_all_and_an_address_that_is_no_peer_fails_naming_it(sockets):
    with serving(sockets("bird.ctl"), "show_protocols_v4_established"):
        result = run_module("calico_node_status", {
            "bird_socket": sockets("bird.ctl"), "bird6_socket": sockets("none6.ctl"),
            "wait_for": ["all", "10.9.9.9"], "wait_timeout": 0.3, "wait_interval": 0.1}, expect_failure=True)
    assert [(u["peer"], u["present"]) for u in result["not_in_wait_state"]][-1] == ("10.9.9.9", False)
    assert result["msg"].endswith("; 10.9.9.9 is not a BGP peer of this node")


def test_wait_for_other_state(sockets):
    with serving(sockets("bird.ctl"), "show_protocols_v4_peers_down"):
        result = run_module("calico_node_status", {
            "bird_socket": sockets("bird.ctl"), "wait_for": ["127.0.0.36"], "wait_state": "Down",
            "wait_timeout": 5})
    assert result["not_in_wait_state"] == [] and result["waited"] < 5


@pytest.mark.parametrize("args, message", [
    ({"wait_for": ["node2"]}, "wait_for: entry 'node2' is not a peer address"),
    ({"wait_for": ["all"], "stable_polls": 0}, "stable_polls: 0 must be 1 or more"),
    ({"stable_polls": -1}, "stable_polls: -1 must be 1 or more"),  # refused without wait_for too
    ({"timeout": 0}, "timeout: 0.0 must be a finite number of seconds above 0"),
    ({"wait_interval": -1}, "wait_interval: -1.0 must be a finite number of seconds above 0"),
    ({"wait_timeout": -1}, "wait_timeout: -1.0 must be a finite number of seconds above 0"),
    ({"timeout": float("nan")}, "timeout: nan must be a finite number of seconds above 0"),
    ({"wait_timeout": float("inf")}, "wait_timeout: inf must be a finite number of seconds above 0"),
    ({"wait_state": "Up"}, "value of wait_state must be one of"),
])
def test_bad_arguments_fail_before_reading_bird(sockets, args, message):
    arguments = dict(args, bird_socket=sockets("absent.ctl"))
    result = run_module("calico_node_status", arguments, expect_failure=True)
    assert result["msg"].startswith(message)
