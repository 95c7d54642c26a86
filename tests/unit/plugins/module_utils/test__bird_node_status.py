"""Reading both BIRDs with calicoctl's socket fallbacks, and waiting for peers."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible_collections.netops.calico.plugins.module_utils._errors import ValidationError

from ansible_collections.netops.calico.plugins.module_utils._bird_client import BirdCommandError, BirdTimeout
from ansible_collections.netops.calico.plugins.module_utils._bird_node_status import (
    BirdUnavailable,
    WaitTarget,
    collect_node_status,
    describe_unmet,
    parse_wait_for,
    read_sessions,
    unmet_peers,
    wait_for_peers,
)
from tests.support.fake_bird import FakeBird, recorded, serving

NO_PROCESSES = {"calico": False, "bird": True, "bird6": False}


class TestReadPeers:
    def test_falls_back_to_the_second_socket_when_the_first_is_missing(self, sockets):
        with serving(sockets("bird.ctl"), "show_protocols_v4_established"):
            path, peers = read_sessions([sockets("calico.ctl"), sockets("bird.ctl")], 4)
        assert path == sockets("bird.ctl")
        assert len(peers) == 5

    def test_no_socket_names_every_path_tried(self, sockets):
        with pytest.raises(BirdUnavailable) as caught:
            read_sessions([sockets("calico.ctl"), sockets("bird.ctl")], 4)
        assert caught.value.all_missing
        assert str(caught.value) == (
            "cannot reach BIRDv4 (IPv4 BGP): BIRD control socket %s does not exist; "
            "BIRD control socket %s does not exist" % (sockets("calico.ctl"), sockets("bird.ctl")))

    def test_a_hung_first_socket_is_an_error_not_a_fallback(self, sockets):
        with FakeBird.silent(sockets("calico.ctl")), serving(sockets("bird.ctl"), "show_protocols_v4_established"):
            with pytest.raises(BirdTimeout):
                read_sessions([sockets("calico.ctl"), sockets("bird.ctl")], 4, timeout=0.2)

    def test_bird_error_reply_is_raised(self, sockets):
        with FakeBird(sockets("bird.ctl"), {"show status": recorded("show_status"), "show protocols": recorded("error_syntax")}):
            with pytest.raises(BirdCommandError, match="9001: syntax error"):
                read_sessions([sockets("bird.ctl")], 4)


class TestCollectNodeStatus:
    def test_both_families(self, sockets):
        with serving(sockets("bird.ctl"), "show_protocols_v4_peers_down"), \
                serving(sockets("bird6.ctl"), "show_protocols_v6"):
            status = collect_node_status([sockets("bird.ctl")], [sockets("bird6.ctl")],
                                         process_scan=lambda: NO_PROCESSES)
        result = status.result()
        assert result["counts"] == {"Passive": 1, "Established": 2, "Active": 2, "Down": 3}
        assert (result["bird_socket"], result["bird6_socket"]) == (sockets("bird.ctl"), sockets("bird6.ctl"))
        assert result["ipv6_in_use"] is True
        assert [p["peer_address"] for p in result["ipv6_peers"]] == ["::1", "fd80:24e2:f998:72d7::2", "fd80::2"]
        assert result["calico_running"] is False and result["bird_running"] is True
        assert result["table"].startswith("Calico process is not running.\n\nIPv4 BGP status\n+---")

    def test_missing_ipv6_socket_means_ipv6_not_in_use(self, sockets):
        with serving(sockets("bird.ctl"), "show_protocols_v4_established"):
            status = collect_node_status([sockets("bird.ctl")], [sockets("a6.ctl"), sockets("b6.ctl")],
                                         process_scan=lambda: NO_PROCESSES)
        result = status.result()
        assert (result["ipv6_in_use"], result["ipv6_peers"], result["bird6_socket"]) == (False, [], None)
        assert result["table"].endswith(
            "INFO: IPv6 BGP is not in use (no BIRDv6 socket at %s or %s)." % (sockets("a6.ctl"), sockets("b6.ctl")))

    def test_ipv6_socket_that_hangs_is_an_error(self, sockets):
        with serving(sockets("bird.ctl"), "show_protocols_v4_established"), FakeBird.silent(sockets("bird6.ctl")):
            with pytest.raises(BirdTimeout, match="bird6.ctl did not send its greeting"):
                collect_node_status([sockets("bird.ctl")], [sockets("bird6.ctl")], timeout=0.2,
                                    process_scan=lambda: NO_PROCESSES)


class TestWaitTargets:
    @pytest.mark.parametrize("text, address, port", [
        ("10.0.0.1", "10.0.0.1", None),
        ("10.0.0.1:1790", "10.0.0.1", 1790),
        ("fd80::2", "fd80::2", None),
        ("fd80:0:0::2", "fd80::2", None),
        ("[fd80::2]:1790", "fd80::2", 1790),
    ])
    def test_parse(self, text, address, port):
        target = WaitTarget(text)
        assert (str(target.address), target.port) == (address, port)

    @pytest.mark.parametrize("text", ["node1", "10.0.0.300", "10.0.0.1:http", "[fd80::2]"])
    def test_invalid_entry_is_named(self, text):
        with pytest.raises(ValidationError, match=re.escape("wait_for: entry %r is not a peer address" % text)):
            parse_wait_for([text])

    def test_all(self):
        peers = [{"peer_address": "10.0.0.1", "peer_port": None}, {"peer_address": "10.0.0.2", "peer_port": None}]
        for word in ("all", "ALL"):
            wait_for = parse_wait_for([word])
            assert wait_for.every and wait_for.selected(peers) == peers and wait_for.absent(peers) == []

    def test_all_with_addresses_selects_every_peer_and_requires_the_addresses(self):
        peers = [{"peer_address": "10.0.0.1", "peer_port": None}, {"peer_address": "10.0.0.2", "peer_port": None}]
        wait_for = parse_wait_for(["10.0.0.1", "all", "10.0.0.9"])
        assert wait_for.selected(peers) == peers
        assert [target.text for target in wait_for.absent(peers)] == ["10.0.0.9"]

    def test_matches_compare_addresses_not_text(self):
        peer = {"peer_address": "fd80::2", "peer_port": 1790}
        assert WaitTarget("fd80:0::2").matches(peer)
        assert WaitTarget("[fd80::2]:1790").matches(peer)
        assert not WaitTarget("[fd80::2]:179").matches(peer)


class FakeStatus(object):
    def __init__(self, peers):
        self.peers = peers


EVERY_PEER = parse_wait_for(["all"])


def peer(address, bgp_state, port=None, last_error=None, peer_type="global", since="09:58:31", seconds_in_state=None):
    return {"name": "Global_" + address, "peer_address": address, "peer_port": port, "ip_version": 4,
            "peer_type": peer_type, "state": "up", "bgp_state": bgp_state, "last_error": last_error,
            "since": since, "seconds_in_state": seconds_in_state}


class TestUnmetAndWait:
    def test_unmet_lists_peers_not_in_state_then_absent_targets(self):
        status = FakeStatus([peer("10.0.0.1", "Established"),
                             peer("10.0.0.2", "Active", last_error="Socket: Connection refused"),
                             peer("10.0.0.3", "Established", port=1790)])
        unmet = unmet_peers(status, parse_wait_for(["10.0.0.2", "10.0.0.3:1790", "10.0.0.9"]), "Established")
        assert [(u["peer"], u["bgp_state"], u["present"]) for u in unmet] == [
            ("10.0.0.2", "Active", True), ("10.0.0.9", None, False)]
        assert describe_unmet(unmet) == ("10.0.0.2 (global) is Active: Socket: Connection refused; "
                                         "10.0.0.9 is not a BGP peer of this node")

    def test_all_selects_every_peer(self):
        status = FakeStatus([peer("10.0.0.1", "Established"), peer("10.0.0.2", "Connect", port=1790)])
        unmet = unmet_peers(status, parse_wait_for(["all"]), "Established")
        assert [u["peer"] for u in unmet] == ["10.0.0.2:1790"]

    def test_wait_returns_at_the_first_reading_that_meets_the_state(self):
        readings = iter([[peer("10.0.0.1", "Connect")], [peer("10.0.0.1", "OpenSent")],
                         [peer("10.0.0.1", "Established")]])
        clock = FakeClock()
        status, unmet, waited = wait_for_peers(lambda: FakeStatus(next(readings)), EVERY_PEER, "Established",
                                               wait_timeout=60, wait_interval=2, clock=clock, sleep=clock.sleep)
        assert unmet == [] and status.peers[0]["bgp_state"] == "Established"
        # readings every 0.25 s until the state is reached (wait_interval spaces the confirming ones)
        assert clock.sleeps == [0.25, 0.25] and waited == 0.5

    def test_wait_gives_up_at_the_timeout_with_the_last_reading(self):
        clock = FakeClock()
        status, unmet, waited = wait_for_peers(lambda: FakeStatus([peer("10.0.0.1", "Active")]),
                                               EVERY_PEER, "Established", wait_timeout=1.1, wait_interval=2,
                                               clock=clock, sleep=clock.sleep)
        # Sleeps are cut so the last reading happens at the deadline, not after it.
        assert [round(item, 3) for item in clock.sleeps] == [0.25, 0.25, 0.25, 0.25, 0.1] and round(waited, 3) == 1.1
        assert [u["bgp_state"] for u in unmet] == ["Active"]

    def test_zero_timeout_reads_once(self):
        clock = FakeClock()
        _status, unmet, waited = wait_for_peers(lambda: FakeStatus([peer("10.0.0.1", "Active")]),
                                                EVERY_PEER, "Established", 0, 1, clock=clock, sleep=clock.sleep)
        assert clock.sleeps == [] and waited == 0 and len(unmet) == 1


class FakeClock(object):
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class TestStablePolls(object):
    def test_a_session_must_be_established_on_consecutive_readings(self):
        from ansible_collections.netops.calico.plugins.module_utils._bird_node_status import wait_for_peers

        states = iter(["Established", "Active", "Established", "Established", "Established"])
        clock = FakeClock()
        status, unmet, waited = wait_for_peers(lambda: FakeStatus([peer("10.0.0.1", next(states))]), EVERY_PEER,
                                               "Established", 60, 1, clock=clock, sleep=clock.sleep,
                                               stable_polls=3)
        # readings 3, 4 and 5 in a row, 1 s apart; the flap at 2 restarted the count (and the quick readings)
        assert unmet == [] and clock.sleeps == [1, 0.25, 1, 1] and waited == 3.25

    def test_a_flapping_session_fails_the_wait_naming_it(self):
        from ansible_collections.netops.calico.plugins.module_utils._bird_node_status import wait_for_peers

        clock = FakeClock()
        readings = iter(["Established", "Active"] * 10)
        status, unmet, waited = wait_for_peers(lambda: FakeStatus([peer("10.0.0.1", next(readings))]), EVERY_PEER,
                                               "Established", 5, 1, clock=clock, sleep=clock.sleep,
                                               stable_polls=3)
        assert [entry["peer"] for entry in unmet] == ["10.0.0.1"]

    def test_a_restart_between_two_readings_starts_the_count_again(self):
        # Every reading says Established, but BIRD's SINCE moved: the session dropped and came back
        # between readings 2 and 3, which no reading saw.
        sinces = iter(["10:00:00", "10:00:00", "10:00:01", "10:00:01", "10:00:01"])
        clock = FakeClock()
        _status, unmet, waited = wait_for_peers(lambda: FakeStatus([peer("10.0.0.1", "Established", since=next(sinces))]),
                                                EVERY_PEER, "Established", 60, 1, clock=clock, sleep=clock.sleep,
                                                stable_polls=3)
        assert unmet == [] and clock.sleeps == [1, 1, 1, 1] and waited == 4

    def test_a_restart_that_keeps_happening_fails_the_wait_as_not_stable(self):
        sinces = ("10:00:%02d" % second for second in range(60))
        clock = FakeClock()
        _status, unmet, _waited = wait_for_peers(lambda: FakeStatus([peer("10.0.0.1", "Established", since=next(sinces))]),
                                                 EVERY_PEER, "Established", 5, 1, clock=clock, sleep=clock.sleep,
                                                 stable_polls=3)
        assert [(entry["peer"], entry["in_wait_state"]) for entry in unmet] == [("10.0.0.1", True)]
        assert describe_unmet(unmet, 3) == ("10.0.0.1 (global) is Established but was not on 3 readings in a row "
                                            "(it restarted in between, or the wait ran out)")

    def test_a_wait_too_short_for_the_readings_fails(self):
        clock = FakeClock()
        _status, unmet, waited = wait_for_peers(lambda: FakeStatus([peer("10.0.0.1", "Established")]),
                                                EVERY_PEER, "Established", 1, 1, clock=clock, sleep=clock.sleep,
                                                stable_polls=3)
        assert waited == 1 and [entry["in_wait_state"] for entry in unmet] == [True]

    def test_a_session_established_for_the_readings_span_by_birds_clock_counts_at_once(self):
        clock = FakeClock()
        readings = [peer("10.0.0.1", "Established", seconds_in_state=2.0),
                    peer("10.0.0.2", "Established", seconds_in_state=600.0)]
        _status, unmet, waited = wait_for_peers(lambda: FakeStatus(readings), EVERY_PEER, "Established", 60, 1,
                                                clock=clock, sleep=clock.sleep, stable_polls=3)
        assert unmet == [] and clock.sleeps == [] and waited == 0

    @pytest.mark.parametrize("seconds_in_state", [1.9, None])
    def test_a_session_younger_than_the_span_or_of_unknown_age_is_read_again(self, seconds_in_state):
        clock = FakeClock()
        readings = [peer("10.0.0.1", "Established", seconds_in_state=600.0),
                    peer("10.0.0.2", "Established", seconds_in_state=seconds_in_state)]
        _status, unmet, waited = wait_for_peers(lambda: FakeStatus(readings), EVERY_PEER, "Established", 60, 1,
                                                clock=clock, sleep=clock.sleep, stable_polls=3)
        assert unmet == [] and clock.sleeps == [1, 1] and waited == 2

    def test_birds_clock_says_nothing_about_the_bgp_states_that_share_start(self):
        # Active, Connect, OpenSent... are one protocol state (start): its SINCE does not date them.
        clock = FakeClock()
        readings = [dict(peer("10.0.0.1", "Active", seconds_in_state=600.0), state="start")]
        _status, unmet, waited = wait_for_peers(lambda: FakeStatus(readings), EVERY_PEER, "Active", 60, 1,
                                                clock=clock, sleep=clock.sleep, stable_polls=3)
        assert unmet == [] and clock.sleeps == [1, 1]


class TestSecondsInState:
    def test_read_sessions_dates_each_peer_by_birds_clock(self, sockets):
        # show_status: BIRD's clock 09:58:31; each SINCE stands for up to its next second.
        with serving(sockets("bird.ctl"), "show_protocols_v4_established") as fake:
            _path, peers = read_sessions([sockets("bird.ctl")], 4)
        assert fake.commands[:2] == ["show status", "show protocols"]
        ages = {peer["name"]: peer["seconds_in_state"] for peer in peers}
        assert ages["Mesh_127_0_0_32"] == 0.0  # since 09:58:30
        assert ages["Node_127_0_0_34"] is None  # since 09:58:31: not a whole second before the clock
        assert ages["Node_127_0_0_35"] == 1.0  # since 09:58:29

    def test_a_bird_without_a_readable_clock_leaves_the_age_unknown(self, sockets):
        status = recorded("show_status").replace("Current server time is", "Current server time:")
        with FakeBird(sockets("bird.ctl"), {"show status": status,
                                            "show protocols": recorded("show_protocols_v4_established")}):
            _path, peers = read_sessions([sockets("bird.ctl")], 4)
        assert {peer["seconds_in_state"] for peer in peers} == {None}
