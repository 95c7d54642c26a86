# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A node's BGP status as `calicoctl node status` sees it, and waiting for peers to reach a state.

For internal use by this collection (module calico_node_status); standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import time

from ansible_collections.netops.calico.plugins.module_utils._bird_client import (
    DEFAULT_TIMEOUT,
    BirdClient,
    BirdConnectionRefused,
    BirdError,
    BirdPermissionDenied,
    BirdSocketMissing,
)
from ansible_collections.netops.calico.plugins.module_utils._bird_protocols import (
    SHOW_PROTOCOLS,
    SHOW_STATUS,
    parse_server_time,
    parse_show_protocols,
    seconds_in_state,
)
from ansible_collections.netops.calico.plugins.module_utils._bird_processes import scan_processes
from ansible_collections.netops.calico.plugins.module_utils._bird_node_status_table import render_node_status
from ansible_collections.netops.calico.plugins.module_utils._errors import ValidationError, shown
from ansible_collections.netops.calico.plugins.module_utils._model_values import format_peer_ip, split_peer_ip

# calicoctl tries calico/node's socket first, then the one a distribution's BIRD package uses.
IPV4_SOCKETS = ("/var/run/calico/bird.ctl", "/var/run/bird/bird.ctl")
IPV6_SOCKETS = ("/var/run/calico/bird6.ctl", "/var/run/bird/bird6.ctl")

# Connection failures after which calicoctl moves on to the next socket path.
_TRY_NEXT_SOCKET = (BirdSocketMissing, BirdConnectionRefused, BirdPermissionDenied)


class BirdUnavailable(BirdError):
    """No candidate socket could be opened; `all_missing` when none of the paths exists."""

    def __init__(self, ip_version, failures):
        self.ip_version = ip_version
        self.failures = failures
        self.all_missing = all(isinstance(exc, BirdSocketMissing) for _path, exc in failures)
        super(BirdUnavailable, self).__init__(
            "cannot reach BIRDv%d (IPv%d BGP): %s"
            % (ip_version, ip_version, "; ".join(str(exc) for _path, exc in failures)))


def read_sessions(socket_paths, ip_version, timeout=DEFAULT_TIMEOUT):
    """(socket path used, peers) from the first of `socket_paths` that accepts a connection.
    Errors once connected (hang, syntax error, garbage) are raised at once, not skipped.
    BIRD's clock is read before its protocols, so a state change between the two commands makes
    `seconds_in_state` unknown rather than too long."""
    failures = []
    for path in socket_paths:
        try:
            with BirdClient(path, timeout) as bird:
                clock = parse_server_time(bird.command(SHOW_STATUS))
                peers = parse_show_protocols(bird.command(SHOW_PROTOCOLS), ip_version)
            for peer in peers:
                peer["seconds_in_state"] = seconds_in_state(peer["since"], clock)
            return path, peers
        except _TRY_NEXT_SOCKET as exc:
            failures.append((path, exc))
    raise BirdUnavailable(ip_version, failures)


class NodeStatus(object):
    """One reading of the node: processes, peers of both BIRDs, and the calicoctl text."""

    def __init__(self, processes, ipv4_socket, ipv4_peers, ipv6_socket, ipv6_peers, ipv6_note=None):
        self.processes = processes
        self.ipv4_socket = ipv4_socket
        self.ipv4_peers = ipv4_peers
        self.ipv6_socket = ipv6_socket
        self.ipv6_peers = ipv6_peers  # None: IPv6 not in use (no bird6 socket)
        self.ipv6_note = ipv6_note

    @property
    def peers(self):
        return list(self.ipv4_peers) + list(self.ipv6_peers or [])

    def counts(self):
        """Number of peers per BGP state (both address families)."""
        counts = {}
        for peer in self.peers:
            state = peer["bgp_state"] or peer["state"]
            counts[state] = counts.get(state, 0) + 1
        return counts

    def table(self):
        return render_node_status(self.processes["calico"], self.ipv4_peers, self.ipv6_peers,
                                  self.ipv6_note)

    def result(self):
        return {
            "calico_running": self.processes["calico"],
            "bird_running": self.processes["bird"],
            "bird6_running": self.processes["bird6"],
            "bird_socket": self.ipv4_socket,
            "bird6_socket": self.ipv6_socket,
            "ipv6_in_use": self.ipv6_peers is not None,
            "ipv4_peers": self.ipv4_peers,
            "ipv6_peers": self.ipv6_peers or [],
            "counts": self.counts(),
            "table": self.table(),
        }


def collect_node_status(ipv4_sockets=IPV4_SOCKETS, ipv6_sockets=IPV6_SOCKETS,
                        timeout=DEFAULT_TIMEOUT, process_scan=scan_processes):
    """Read both BIRDs. A missing IPv4 socket raises BirdUnavailable; missing IPv6 sockets
    mean IPv6 is not in use (an IPv6 socket that exists but fails is still an error)."""
    ipv4_socket, ipv4_peers = read_sessions(ipv4_sockets, 4, timeout)
    try:
        ipv6_socket, ipv6_peers = read_sessions(ipv6_sockets, 6, timeout)
        note = None
    except BirdUnavailable as exc:
        if not exc.all_missing:
            raise
        ipv6_socket, ipv6_peers = None, None
        note = "IPv6 BGP is not in use (no BIRDv6 socket at %s)." % " or ".join(ipv6_sockets)
    return NodeStatus(process_scan(), ipv4_socket, ipv4_peers, ipv6_socket, ipv6_peers, note)


class WaitTarget(object):
    """A peer named in wait_for: an address, optionally with the port of a `_port_N` peer."""

    def __init__(self, text):
        self.text = text
        self.address, self.port = _parse_peer_text(text)

    def matches(self, peer):
        try:
            address = ipaddress.ip_address(peer["peer_address"])
        except ValueError:
            return False
        return address == self.address and (self.port is None or peer["peer_port"] == self.port)


class WaitFor(object):
    """The peers wait_for selects: every peer of the node (`every`, the word `all`), and the
    peers at `targets`, each of which must be a peer of the node."""

    def __init__(self, every, targets):
        self.every = every
        self.targets = targets

    def selected(self, peers):
        if self.every:
            return list(peers)
        return [peer for peer in peers if any(target.matches(peer) for target in self.targets)]

    def absent(self, peers):
        return [target for target in self.targets if not any(target.matches(peer) for peer in peers)]

    def joined(self, other):
        """The peers either selects."""
        return WaitFor(self.every or other.every, self.targets + other.targets)


def parse_wait_for(wait_for):
    """A WaitFor of the entries. Raises ValidationError naming a bad entry."""
    entries = [entry.strip() for entry in wait_for or [] if entry.strip()]
    addresses = [entry for entry in entries if entry.lower() != "all"]
    return WaitFor(len(addresses) < len(entries), [WaitTarget(entry) for entry in addresses])


def _parse_peer_text(text):
    parts = split_peer_ip(text)
    if parts is None:
        raise ValidationError("wait_for", "entry %s is not a peer address (use all, 10.0.0.1, 10.0.0.1:1790, "
                                          "fd80::2 or [fd80::2]:1790)" % shown(text))
    return ipaddress.ip_address(parts[0]), parts[1]


def unmet_entry(peer, in_wait_state):
    return {"peer": format_peer_ip(peer["peer_address"], peer["peer_port"]), "name": peer["name"],
            "peer_type": peer["peer_type"], "bgp_state": peer["bgp_state"] or peer["state"],
            "last_error": peer["last_error"], "present": True, "in_wait_state": in_wait_state}


def unmet_peers(status, wait_for, wait_state):
    """The selected peers that are not in `wait_state`, then the targets that match no peer at
    all. Each entry: peer, name, peer_type, bgp_state, last_error, present, in_wait_state."""
    unmet = [unmet_entry(peer, False) for peer in wait_for.selected(status.peers)
             if peer["bgp_state"] != wait_state]
    unmet += [
        {"peer": target.text, "name": None, "peer_type": None, "bgp_state": None,
         "last_error": None, "present": False, "in_wait_state": False}
        for target in wait_for.absent(status.peers)
    ]
    return unmet


def unmet_of(status, wait_for, wait_state, streaks):
    """(peers not in the state, unmet entries) of one node's reading, `streaks` already updated
    with it: the peers not in the state, else the ones in it but not yet stable."""
    not_in_state = unmet_peers(status, wait_for, wait_state)
    return not_in_state, not_in_state or [unmet_entry(peer, True)
                                          for peer in streaks.unstable(wait_for.selected(status.peers))]


def describe_unmet(unmet, stable_polls=1):
    """One line: `127.0.0.9 (global) is Active: Socket: Connection refused; 10.9.9.9 is not a
    BGP peer of this node`."""
    parts = []
    for entry in unmet:
        if not entry["present"]:
            parts.append("%s is not a BGP peer of this node" % entry["peer"])
            continue
        text = "%s (%s) is %s" % (entry["peer"], entry["peer_type"], entry["bgp_state"])
        if entry["in_wait_state"]:
            text += " but was not on %d readings in a row (it restarted in between, or the wait ran out)" % stable_polls
        elif entry["last_error"]:
            text += ": %s" % entry["last_error"]
        parts.append(text)
    return "; ".join(parts)


# seconds between readings while the peers are not yet in the wait state
FIRST_READINGS_INTERVAL = 0.25
# The one wait state that is a protocol state of its own (BIRD's `up`), so BIRD's SINCE time
# says how long a peer has been in it; the other BGP states share `start`.
STATE_WITH_OWN_SINCE = "Established"


def _peer_key(peer):
    """A peer's identity across readings: its node (peers of several nodes, read from the
    datastore, carry one), family and protocol name."""
    return peer.get("node"), peer["ip_version"], peer["name"]


class Streaks(object):
    """Per selected peer, the readings in a row on which it was in the wait state. A peer whose
    SINCE changed between two such readings restarted in between: its count starts again.
    update() takes every selected peer of a reading at once."""

    def __init__(self, wait_state, stable_polls, window):
        self.wait_state = wait_state
        self.stable_polls = stable_polls
        self.window = window
        self.counts = {}

    def update(self, selected):
        counts = {}
        for peer in selected:
            if peer["bgp_state"] != self.wait_state:
                continue
            key = _peer_key(peer)
            since, count = self.counts.get(key, (None, 0))
            counts[key] = (peer["since"], count + 1 if count and since == peer["since"] else 1)
        self.counts = counts

    def unstable(self, selected):
        """The selected peers in the wait state that are neither on stable_polls readings in a
        row nor, by BIRD's own clock, in the state for the readings' span already."""
        return [peer for peer in selected
                if self.counts.get(_peer_key(peer), (None, 0))[1] < self.stable_polls
                and not (self.wait_state == STATE_WITH_OWN_SINCE
                         and peer["seconds_in_state"] is not None
                         and peer["seconds_in_state"] >= self.window)]


def wait_for_peers(read_status, wait_for, wait_state, wait_timeout, wait_interval,
                   clock=time.monotonic, sleep=time.sleep, stable_polls=1):
    """Poll read_status() until every selected peer is in `wait_state` and stable, or
    `wait_timeout` seconds passed. Stable: in the state on `stable_polls` consecutive readings
    `wait_interval` apart with the same SINCE (a session that restarts in between starts its
    count again), or, for Established, in the state for (stable_polls - 1) * wait_interval
    seconds already by BIRD's clock. Until the peers are first in the state, readings come every
    FIRST_READINGS_INTERVAL (or wait_interval if shorter): the wait ends when the sessions come
    up, not up to an interval later, and the confirming readings keep their spacing.
    Returns (last status, unmet entries (empty on success), seconds waited)."""
    started = clock()
    deadline = started + wait_timeout
    streaks = Streaks(wait_state, stable_polls, (stable_polls - 1) * wait_interval)
    while True:
        status = read_status()
        selected = wait_for.selected(status.peers)
        streaks.update(selected)
        not_in_state, unmet = unmet_of(status, wait_for, wait_state, streaks)
        now = clock()
        if not unmet or now >= deadline:
            return status, unmet, now - started
        interval = min(wait_interval, FIRST_READINGS_INTERVAL) if not_in_state else wait_interval
        sleep(max(0.0, min(interval, deadline - now)))
