"""`show protocols` parsing, fed with replies recorded from real BIRD 1.6.8 daemons
(tests/support/record_bird_replies.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.netops.calico.plugins.module_utils._bird_client import BirdProtocolError, parse_reply
from ansible_collections.netops.calico.plugins.module_utils._bird_protocols import (
    parse_protocol_row,
    parse_server_time,
    parse_show_protocols,
    peer_address_from_name,
    seconds_in_state,
)
from tests.support.fake_bird import recorded


def peers_of(fixture, ip_version=4):
    return parse_show_protocols(parse_reply(recorded(fixture)), ip_version)


def by_name(peers):
    return {peer["name"]: peer for peer in peers}


class TestRecordedIPv4:
    def test_keeps_only_calico_bgp_peers_in_bird_order(self):
        names = [peer["name"] for peer in peers_of("show_protocols_v4_established")]
        # device1/static1 are not BGP; tor_uplink and Local_Workload_* are not calicoctl's names.
        assert names == ["Mesh_127_0_0_32", "Global_127_0_0_33_port_47599", "Node_127_0_0_34",
                         "Node_127_0_0_35", "Global_127_0_0_36"]

    def test_established_mesh_peer(self):
        peer = by_name(peers_of("show_protocols_v4_established"))["Mesh_127_0_0_32"]
        assert peer == {
            "name": "Mesh_127_0_0_32", "peer_address": "127.0.0.32", "peer_port": None,
            "peer_type": "node-to-node mesh", "ip_version": 4, "state": "up", "since": "09:58:30",
            "info": "Established", "bgp_state": "Established", "last_error": None,
        }

    def test_port_suffix_gives_the_port_not_part_of_the_address(self):
        peer = by_name(peers_of("show_protocols_v4_established"))["Global_127_0_0_33_port_47599"]
        assert (peer["peer_address"], peer["peer_port"], peer["peer_type"]) == ("127.0.0.33", 47599, "global")

    def test_node_specific_peer(self):
        peer = by_name(peers_of("show_protocols_v4_established"))["Node_127_0_0_34"]
        assert (peer["peer_type"], peer["bgp_state"]) == ("node specific", "Established")

    def test_row_without_info_column_is_a_down_peer(self):
        peer = by_name(peers_of("show_protocols_v4_established"))["Node_127_0_0_35"]
        assert (peer["state"], peer["since"], peer["info"]) == ("down", "09:58:29", "")
        assert (peer["bgp_state"], peer["last_error"]) == ("Down", None)

    def test_down_protocol_info_is_its_error_not_a_state(self):
        peer = by_name(peers_of("show_protocols_v4_established"))["Global_127_0_0_36"]
        assert (peer["state"], peer["bgp_state"]) == ("down", "Down")
        assert peer["last_error"] == peer["info"] == "Error: Invalid next hop"

    def test_peers_down_after_a_kill_and_a_shutdown(self):
        peers = by_name(peers_of("show_protocols_v4_peers_down"))
        killed = peers["Node_127_0_0_34"]
        assert (killed["state"], killed["bgp_state"], killed["last_error"]) == (
            "start", "Active", "Socket: Connection refused")
        assert killed["info"] == "Active Socket: Connection refused"
        stopped = peers["Mesh_127_0_0_32"]
        assert (stopped["state"], stopped["bgp_state"], stopped["last_error"]) == (
            "start", "Passive", "Received: Administrative shutdown")
        assert peers["Global_127_0_0_33_port_47599"]["bgp_state"] == "Established"

    def test_iso_long_since_keeps_date_and_time_and_the_info_after_it(self):
        [peer] = peers_of("show_protocols_v4_iso_long")
        assert peer["since"] == "2026-11-26 09:58:30"
        assert (peer["info"], peer["bgp_state"]) == ("Established", "Established")

    def test_reply_without_peers(self):
        assert peers_of("show_protocols_no_peers") == []


class TestRecordedIPv6:
    def test_underscores_map_back_to_colons(self):
        peers = by_name(peers_of("show_protocols_v6", 6))
        assert peers["Global___1_port_51695"]["peer_address"] == "::1"
        assert peers["Global___1_port_51695"]["peer_port"] == 51695
        assert peers["Mesh_fd80__2"]["peer_address"] == "fd80::2"
        assert peers["Mesh_fd80__2"]["peer_port"] is None

    def test_long_name_with_port_and_error(self):
        peer = by_name(peers_of("show_protocols_v6", 6))["Node_fd80_24e2_f998_72d7_0_0_0_2_port_41823"]
        # Written out in full in the name; reported in its canonical form.
        assert (peer["peer_address"], peer["peer_port"]) == ("fd80:24e2:f998:72d7::2", 41823)
        assert (peer["peer_type"], peer["ip_version"]) == ("node specific", 6)
        assert (peer["state"], peer["bgp_state"], peer["last_error"]) == (
            "start", "Active", "Socket: Connection refused")

    def test_passive_side_of_the_session(self):
        [peer] = peers_of("show_protocols_v6_passive_side", 6)
        assert (peer["peer_address"], peer["peer_type"], peer["bgp_state"]) == (
            "::1", "node-to-node mesh", "Established")


class TestRowsAndNames:
    def test_heading_that_is_not_show_protocols_is_refused(self):
        reply = parse_reply("2002-network gateway\n1002-Mesh_10_0_0_1 BGP master up 09:00:00\n0000 \n")
        with pytest.raises(BirdProtocolError, match="unexpected `show protocols` headings"):
            parse_show_protocols(reply)

    @pytest.mark.parametrize("row", [
        "kernel1  Kernel   master   up     09:24:30",
        "Mesh_10_0_0_1 Pipe master up 09:24:30",
        "Mesh_10_0_0_1 BGP master",
        "Peer_10_0_0_1 BGP master up 09:24:30 Established",
    ])
    def test_rows_that_are_not_calico_peers_are_skipped(self, row):
        assert parse_protocol_row(row) is None

    def test_info_spaces_are_collapsed_and_error_kept(self):
        peer = parse_protocol_row(
            "Global_127_0_0_9 BGP      master   start  09:24:30    Idle          Socket: Connection refused")
        assert (peer["info"], peer["bgp_state"], peer["last_error"]) == (
            "Idle Socket: Connection refused", "Idle", "Socket: Connection refused")

    def test_date_only_since_is_not_joined_with_the_state(self):
        peer = parse_protocol_row("Mesh_172_17_8_102 BGP master up 2016-11-21  Established")
        assert (peer["since"], peer["bgp_state"]) == ("2016-11-21", "Established")

    @pytest.mark.parametrize("encoded, ip_version, expected", [
        ("10_0_0_1", 4, ("10.0.0.1", None)),
        ("10_0_0_1_port_1790", 4, ("10.0.0.1", 1790)),
        ("fd80__2", 6, ("fd80::2", None)),
        ("fd80__2_port_1790", 6, ("fd80::2", 1790)),
        ("fd80_24e2_f998_72d7__2", 6, ("fd80:24e2:f998:72d7::2", None)),
        # An IPv6 name met on the IPv4 socket (or the reverse) still reads as an address.
        ("fd80__2", 4, ("fd80::2", None)),
        ("10_0_0_1", 6, ("10.0.0.1", None)),
        ("not_an_address", 4, ("not.an.address", None)),
    ])
    def test_peer_address_from_name(self, encoded, ip_version, expected):
        assert peer_address_from_name(encoded, ip_version) == expected


class TestBirdsClock:
    def test_server_time_of_a_recorded_show_status(self):
        assert parse_server_time(parse_reply(recorded("show_status"))) == datetime.datetime(2026, 11, 26, 9, 58, 31)

    def test_a_clock_in_another_format_is_unknown(self):
        reply = parse_reply(recorded("show_status").replace("2026-11-26 09:58:31", "1764151111"))
        assert parse_server_time(reply) is None

    @pytest.mark.parametrize("since, seconds", [
        ("09:58:21", 9.0),  # BIRD's default within 20 hours: the change was before 09:58:22
        ("09:58:30", 0.0),
        ("09:58:31", None),  # not a whole second before the clock
        ("09:58:21.250", 9.749),  # timeformat with milliseconds
        ("2026-11-26 09:50:00", 510.0),  # iso long
        ("2026-11-25", 35911.0),  # older than 20 hours: any moment of that day, so the day's end
        ("2026-11-26", None),  # today, to the day: could be a second ago
        ("23:59:59", None),  # after the clock: yesterday, or a clock step; not told
        ("25:00:00", None),
        ("Nov26", None),
        ("", None),
    ])
    def test_seconds_in_state_count_against_the_session(self, since, seconds):
        clock = datetime.datetime(2026, 11, 26, 9, 58, 31)
        age = seconds_in_state(since, clock)
        assert (round(age, 3) if age is not None else None) == seconds

    def test_no_clock_no_age(self):
        assert seconds_in_state("09:58:21", None) is None
