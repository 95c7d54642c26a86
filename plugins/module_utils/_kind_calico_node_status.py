# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CalicoNodeStatus kind: a request to calico/node for its BGP status, and the status it writes.

For internal use by this collection. No Ansible imports.

A CalicoNodeStatus names a node, the classes of information wanted (Agent, BGP, Routes) and how
often calico/node refreshes them (updatePeriodSeconds; 0: once, when the request appears or its
spec changes). calico/node's status reporter watches the requests for its node and writes
`status` from its BIRDs; it writes only when what it read differs from what is stored, so
lastUpdated is when the status last changed, not when calico/node last looked. The collection
writes spec and labels only: status belongs to calico/node, is kept untouched on update and is
left out of exports.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re
from collections import OrderedDict

from ansible_collections.netops.calico.plugins.module_utils import _model_values as values
from ansible_collections.netops.calico.plugins.module_utils._bird_node_status_table import render_node_status
from ansible_collections.netops.calico.plugins.module_utils._bird_protocols import seconds_in_state
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import new_resource
from ansible_collections.netops.calico.plugins.module_utils._errors import Problems, ValidationError
from ansible_collections.netops.calico.plugins.module_utils._model_options import (
    Kind,
    Option,
    check_rules,
    integer_option,
    merge_labels,
    parse_options,
    update_section,
)

CLASSES = ("Agent", "BGP", "Routes")
MAX_UPDATE_PERIOD = 86400  # the validator's lte=86400: one day

# CalicoNodeStatusPeer.type -> calico_node_status's peer_type, and calico/node's protocol prefix
PEER_TYPES = OrderedDict([("NodeMesh", ("node-to-node mesh", "Mesh")), ("GlobalPeer", ("global", "Global")),
                          ("NodePeer", ("node specific", "Node"))])
ESTABLISHED = "Established"
_LAST_UPDATED = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")


def _classes(items, name):
    """Calico's rules for spec.classes: a list of Agent, BGP and Routes, each at most once."""
    if not isinstance(items, list):
        raise ValidationError(name, "must be a list of %s" % ", ".join(CLASSES))
    problems = Problems()
    for index, item in enumerate(items):
        problems.attempt(values.choice, item, "%s[%d]" % (name, index), CLASSES)
    repeated = sorted(set(item for item in items if isinstance(item, str) and items.count(item) > 1))
    if repeated:
        problems.add(name, "%s given more than once; each class may appear once" % ", ".join(repeated))
    problems.raise_any()
    return list(items)


def _required(spec, _context):
    """The validator's `required` on node, classes and updatePeriodSeconds (a pointer, so 0 is
    given: calico/node ignores a request without it)."""
    if not spec.get("node"):
        yield ["node"], "is required: the name of the node whose calico/node reports"
    if not spec.get("classes"):
        yield ["classes"], "is required: one or more of %s" % ", ".join(CLASSES)
    if spec.get("updatePeriodSeconds") is None:
        yield ["updatePeriodSeconds"], "is required (0 to %d seconds; 0 reports once)" % MAX_UPDATE_PERIOD


MODEL = Kind(
    "CalicoNodeStatus", "caliconodestatuses",
    options=[
        Option("node", "node", "str", values.resource_name),
        Option("classes", "classes", "list", _classes, elements="str"),
        Option("update_period_seconds", "updatePeriodSeconds", "int", integer_option(0, MAX_UPDATE_PERIOD)),
    ],
    # CalicoNodeStatusSpec's fields in Go's struct order
    field_order=("node", "classes", "updatePeriodSeconds"),
    rules=(_required,),
    since="3.22",
)
KIND = MODEL.name


def empty_status():
    """The status Calico's Go encoder stores for a request calico/node has not reported into:
    omitempty never drops a struct, the zero metav1.Time is null, the BGP counters have no
    omitempty."""
    return OrderedDict([
        ("lastUpdated", None),
        ("agent", OrderedDict([("birdV4", {}), ("birdV6", {})])),
        ("bgp", OrderedDict([("numberEstablishedV4", 0), ("numberNotEstablishedV4", 0),
                             ("numberEstablishedV6", 0), ("numberNotEstablishedV6", 0)])),
        ("routes", {}),
    ])


def requested_changes(params):
    """Validate every option of a task before anything is read or written; returns the Request."""
    values.resource_name(params.get("name"), "name")
    return parse_options(MODEL, params)


def desired_state(current, name, params):
    """The request the task asks for, given the stored one (or None). None means absent. status
    is carried over untouched: it is calico/node's."""
    if params.get("state") == "absent":
        return None
    request = requested_changes(params)
    document = current if current is not None else new_resource(KIND, name, status=empty_status())
    document["spec"] = update_section(MODEL, document["spec"], request)
    merge_labels(document["metadata"], request.labels)
    check_rules(MODEL, document["spec"], request)
    return document


def apply(module, params):
    """Apply one CalicoNodeStatus task (module: the CalicoModule); returns the task result."""
    name = params["name"]
    if params.get("state", "present") == "present":
        requested_changes(params)  # every option checked before any I/O
        module.require_calico_version([(KIND, MODEL.since)])
    result = module.store.apply(KIND, name, lambda current: desired_state(current, name, params),
                                check_mode=module.check_mode)
    return module.apply_output(result, KIND, name)


# ---- reading what calico/node reported ----------------------------------------------------------

def last_updated(document):
    """status.lastUpdated as a naive UTC datetime, or None (not reported yet, or unreadable)."""
    text = ((document.get("status") or {}).get("lastUpdated")) if isinstance(document.get("status"), dict) else None
    match = _LAST_UPDATED.match(text) if isinstance(text, str) else None
    if not match:
        return None
    day, clock, _fraction, zone = match.groups()
    moment = datetime.datetime.strptime("%s %s" % (day, clock), "%Y-%m-%d %H:%M:%S")
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        moment -= sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return moment


def _section(document, name):
    status = document.get("status")
    section = status.get(name) if isinstance(status, dict) else None
    return section if isinstance(section, dict) else {}


def peer_entry(peer, ip_version, reported_at):
    """A status peer as calico_node_status reports one. The status has no port (Calico reads the
    neighbor address, not the protocol name) and no BIRD protocol state: a BGP protocol is `up`
    exactly when its session is Established. calico/node leaves state out for BIRD's Down and
    Passive, which its mapping does not know. seconds_in_state: the session's age at the report
    (report_age)."""
    address = str(peer.get("peerIP") or "")
    peer_type, prefix = PEER_TYPES.get(peer.get("type"), (peer.get("type") or None, str(peer.get("type"))))
    bgp_state = peer.get("state") or None
    since = str(peer.get("since") or "")
    return OrderedDict([
        ("name", "%s_%s" % (prefix, re.sub(r"[.:]", "_", address))),
        ("peer_address", address),
        ("peer_port", None),
        ("peer_type", peer_type),
        ("ip_version", ip_version),
        ("state", "up" if bgp_state == ESTABLISHED else None),
        ("since", since),
        ("seconds_in_state", report_age(since, reported_at)),
        ("info", bgp_state or ""),
        ("bgp_state", bgp_state),
        ("last_error", None),
    ])


def report_age(since, reported_at):
    """Seconds a session had at least been in its state when calico/node reported it: lastUpdated
    minus the latest moment `since` can stand for. Both are calico/node's clock and truncated to
    the second, so a session that came up in the second of the report is 0, never less; None when
    `since` is not a time this can read."""
    if not reported_at or not since:
        return None
    age = seconds_in_state(since, reported_at + datetime.timedelta(seconds=1))
    return None if age is None else max(0.0, age - 1.0)


def _daemon(status):
    if not isinstance(status, dict) or not status:
        return None
    return OrderedDict([("state", status.get("state")), ("version", status.get("version") or None),
                        ("router_id", status.get("routerID") or None),
                        ("last_boot_time", status.get("lastBootTime") or None),
                        ("last_reconfiguration_time", status.get("lastReconfigurationTime") or None)])


def _route(route):
    learned = route.get("learnedFrom") if isinstance(route.get("learnedFrom"), dict) else {}
    return OrderedDict([("type", route.get("type")), ("destination", route.get("destination")),
                        ("gateway", route.get("gateway")), ("interface", route.get("interface")),
                        ("learned_from", OrderedDict([("source_type", learned.get("sourceType")),
                                                      ("peer_ip", learned.get("peerIP") or None)]))])


class Report(object):
    """What calico/node reported into one request: agents, peers of both families, routes."""

    def __init__(self, document):
        self.document = document
        self.last_updated = last_updated(document)
        bgp, agent = _section(document, "bgp"), _section(document, "agent")
        self.ipv4_peers = [peer_entry(peer, 4, self.last_updated) for peer in bgp.get("peersV4") or []]
        self.ipv6_peers = [peer_entry(peer, 6, self.last_updated) for peer in bgp.get("peersV6") or []]
        self.agent = OrderedDict([("ipv4", _daemon(agent.get("birdV4"))), ("ipv6", _daemon(agent.get("birdV6")))])
        routes = _section(document, "routes")
        self.routes = OrderedDict([("ipv4", [_route(route) for route in routes.get("routesV4") or []]),
                                   ("ipv6", [_route(route) for route in routes.get("routesV6") or []])])

    @property
    def peers(self):
        return self.ipv4_peers + self.ipv6_peers

    def ipv6_note(self):
        """Why no IPv6 table is shown, or None: calico/node reports its BIRDv6 as not ready."""
        if self.ipv6_peers or (self.agent["ipv6"] or {}).get("state") != "NotReady":
            return None
        return "IPv6 BGP is not in use (calico/node reports BIRDv6 NotReady)."

    def counts(self):
        counts = OrderedDict()
        for peer in self.peers:
            state = peer["bgp_state"] or "unknown"
            counts[state] = counts.get(state, 0) + 1
        return counts

    def table(self):
        """`calicoctl node status` as the report tells it (calico/node runs: it reported)."""
        note = self.ipv6_note()
        return render_node_status(True, self.ipv4_peers, None if note else self.ipv6_peers, note)
