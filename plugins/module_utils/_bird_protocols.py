# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn BIRD's `show protocols` reply into the BGP peers calico/node configured.

For internal use by this collection; standard library only. calico/node names each BGP
protocol after its peer: ``Mesh_<ip>`` (node-to-node mesh), ``Global_<ip>`` (global peer),
``Node_<ip>`` (node-specific peer), the address with ``.`` or ``:`` replaced by ``_`` and, since
Calico 3.16, a ``_port_<N>`` suffix when the peer has an explicit port.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import re

from ansible_collections.netops.calico.plugins.module_utils._bird_client import BirdProtocolError

SHOW_PROTOCOLS = "show protocols"
SHOW_STATUS = "show status"
HEADING_CODE = "2002"
ROW_CODE = "1002"
EXPECTED_HEADINGS = ["name", "proto", "table", "state", "since", "info"]

PEER_TYPES = {
    "Mesh": "node-to-node mesh",
    "Global": "global",
    "Node": "node specific",
}

# BIRD 1.6 prints one of these first in `info` while the protocol is not down.
BGP_STATES = ("Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established", "Close", "Passive")
# A down protocol has no state word in `info` (only the last error, if any); `show protocols
# all` calls that state "Down", and so do we.
DOWN = "Down"

_PEER_NAME = re.compile(r"^(Global|Node|Mesh)_(.+)$")
_PORT_SUFFIX = re.compile(r"^(.+)_port_(\d+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d+)?$")
_SERVER_TIME = re.compile(r"^Current server time is (.+)$")
_CLOCK_TIME = re.compile(r"^(?:(\d{4}-\d{2}-\d{2}) )?(\d{2}):(\d{2}):(\d{2})(\.\d+)?$")


def parse_show_protocols(reply, ip_version=4):
    """Calico's BGP peers from a `show protocols` BirdReply, in BIRD's order.

    `ip_version` says which BIRD answered (bird: 4, bird6: 6); it decides how the underscores
    of a peer name map back to an address, as in calicoctl.
    """
    headings = reply.texts(HEADING_CODE)
    if headings and headings[0].split() != EXPECTED_HEADINGS:
        raise BirdProtocolError("unexpected `show protocols` headings from BIRD: %r" % headings[0])
    peers = []
    for row in reply.texts(ROW_CODE):
        peer = parse_protocol_row(row, ip_version)
        if peer is not None:
            peers.append(peer)
    return peers


def parse_protocol_row(row, ip_version=4):
    """One row (`name proto table state since info...`) as a peer dict, or None when the row is
    not a Calico BGP peer. Columns are irregular, so split on whitespace, never on widths."""
    fields = row.split()
    if len(fields) < 5 or fields[1] != "BGP":
        return None
    name, _proto, _table, state, since = fields[:5]
    match = _PEER_NAME.match(name)
    if not match:
        return None
    kind, encoded = match.groups()
    rest = fields[5:]
    # `timeformat protocol iso long` prints "2026-11-26 09:26:14": two fields for one column.
    if _DATE.match(since) and rest and _TIME.match(rest[0]):
        since = since + " " + rest.pop(0)
    info = " ".join(rest)
    bgp_state, last_error = _split_info(state, rest)
    address, port = peer_address_from_name(encoded, ip_version)
    return {
        "name": name,
        "peer_address": address,
        "peer_port": port,
        "peer_type": PEER_TYPES[kind],
        "ip_version": ip_version,
        "state": state,
        "since": since,
        "info": info,
        "bgp_state": bgp_state,
        "last_error": last_error,
    }


def peer_address_from_name(encoded, ip_version=4):
    """("127_0_0_9_port_1790", 4) -> ("127.0.0.9", 1790); ("fd80__2", 6) -> ("fd80::2", None)."""
    port = None
    match = _PORT_SUFFIX.match(encoded)
    if match:
        encoded, port = match.group(1), int(match.group(2))
    preferred, other = (":", ".") if ip_version == 6 else (".", ":")
    for separator in (preferred, other):
        candidate = encoded.replace("_", separator)
        try:
            return str(ipaddress.ip_address(candidate)), port
        except ValueError:
            continue
    # Not an address (a hand-written protocol name): keep it readable, as calicoctl does.
    return encoded.replace("_", preferred), port


def _split_info(state, info_fields):
    if info_fields and info_fields[0] in BGP_STATES:
        return info_fields[0], " ".join(info_fields[1:]) or None
    if state == "down":
        return DOWN, " ".join(info_fields) or None
    return None, " ".join(info_fields) or None


def parse_server_time(reply):
    """BIRD's clock from its `show status` reply, as a naive datetime in BIRD's local time, or
    None when BIRD prints it in a format other than its default ("2026-11-26 09:58:31")."""
    for _code, text in reply.lines:
        match = _SERVER_TIME.match(text.strip())
        if match:
            moment = _latest_moment(match.group(1), None)
            return moment and moment[0]
    return None


def seconds_in_state(since, server_time):
    """Seconds a protocol has at least been in its state: BIRD's clock minus the latest moment
    its SINCE text can stand for (BIRD truncates it to the second, or to the day for changes
    20 hours old). None when that cannot be told: no clock, a time format this does not read, or
    a SINCE after the clock (midnight or a clock step in between)."""
    if server_time is None:
        return None
    moment = _latest_moment(since, server_time.date())
    if moment is None:
        return None
    start, resolution = moment
    age = (server_time - (start + resolution)).total_seconds()
    return age if age >= 0 else None


def _latest_moment(text, today):
    """(start, resolution) of a BIRD time: "2026-11-26 09:58:31", "09:58:31" (on `today`, None:
    not accepted), "09:58:31.250" or "2026-11-26"; None for any other format."""
    if _DATE.match(text):
        return datetime.datetime.strptime(text, "%Y-%m-%d"), datetime.timedelta(days=1)
    match = _CLOCK_TIME.match(text)
    if not match or (match.group(1) is None and today is None):
        return None
    day, hours, minutes, seconds, fraction = match.groups()
    date = datetime.datetime.strptime(day, "%Y-%m-%d").date() if day else today
    try:
        start = datetime.datetime.combine(date, datetime.time(int(hours), int(minutes), int(seconds)))
    except ValueError:
        return None
    if fraction:
        start += datetime.timedelta(seconds=float(fraction))
        return start, datetime.timedelta(seconds=10 ** -(len(fraction) - 1))
    return start, datetime.timedelta(seconds=1)
