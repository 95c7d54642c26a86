# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task of calico_bgp_status: BGP status of many nodes at once, from the datastore.

For internal use by this collection. No Ansible imports. For each node the task writes its own
CalicoNodeStatus request, waits until calico/node has reported into it, reads every request
with one range read per poll, applies calico_node_status's wait rules to every node at once,
and deletes the requests it wrote when it finishes, success or failure.

Whether a report is current: calico/node rewrites a status only when what it read from BIRD
differs from what is stored (node/pkg/status/reporter.go), so a status's age tells when it
last changed, not whether calico/node still runs. What proves a report current is that it was
written into a request this task has just created: the key's revision is newer than the
creation's, and lastUpdated is set. A request that existed before (check mode reads those) is
shown with `current: false`.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import time
from collections import OrderedDict

from ansible_collections.netops.calico.plugins.module_utils import _kind_calico_node_status as node_status
from ansible_collections.netops.calico.plugins.module_utils import _model_values as values
from ansible_collections.netops.calico.plugins.module_utils._bird_node_status import (
    Streaks,
    describe_unmet,
    parse_wait_for,
    unmet_of,
)
from ansible_collections.netops.calico.plugins.module_utils._errors import CalicoError, Problems, ValidationError, shown
from ansible_collections.netops.calico.plugins.module_utils._model_options import OWNER_LABEL, OWNER_VALUE, is_owned
from ansible_collections.netops.calico.plugins.module_utils._model_selector import selector_matches, validate_selector
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import new_resource

# netops-calico-<node>; netops-calico.<node> replaces a request of the first name left by an earlier
# run, since calico/node may see a delete and a create of one name as one unchanged request
REQUEST_PREFIXES = ("netops-calico-", "netops-calico.")
MAX_NAME = 253
ALL = "all"
# seconds between readings until every node reported and its peers are in the wait state: a
# reading is one range read, whatever the number of nodes
QUICK_READINGS_INTERVAL = 0.1


def request_name(node, alternate=False):
    """The request's name for a node (see REQUEST_PREFIXES); for a node name too long for that,
    its first characters and a hash of the whole (still the same for the same node)."""
    name = REQUEST_PREFIXES[alternate] + node
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(node.encode("utf-8")).hexdigest()[:16]
    return name[:MAX_NAME - len(digest) - 1].rstrip("-.") + "-" + digest


class Options(object):
    """The task's options, every one checked before the datastore is read."""

    def __init__(self, params):
        problems = Problems()
        nodes = params.get("nodes") or []
        self.every_node = any(str(node).strip().lower() == ALL for node in nodes)
        self.nodes = [node for node in nodes if str(node).strip().lower() != ALL]
        for index, node in enumerate(self.nodes):
            problems.attempt(values.resource_name, node, "nodes[%d]" % index)
        if not nodes and not params.get("node_selector"):
            problems.add("nodes", "give node names, or all (optionally with node_selector)")
        self.selector = params.get("node_selector")
        if self.selector is not None:
            problems.attempt(validate_selector, self.selector, "node_selector")
        self.update_period = problems.attempt(values.integer, params.get("update_period"), "update_period", 0,
                                              node_status.MAX_UPDATE_PERIOD)
        problems.attempt(values.finite_positive, params.get("wait_interval"), "wait_interval")
        if params.get("wait_timeout") != 0:
            problems.attempt(values.finite_positive, params.get("wait_timeout"), "wait_timeout")
        self.wait_timeout = params.get("wait_timeout")
        self.wait_interval = params.get("wait_interval")
        self.wait_state = params.get("wait_state")
        self.stable_polls = params.get("stable_polls")
        if not isinstance(self.stable_polls, int) or self.stable_polls < 1:
            problems.add("stable_polls", "%s must be 1 or more" % shown(self.stable_polls))
        self.wait_for = problems.attempt(parse_wait_for, params.get("wait_for") or [])
        self.wait_for_each = OrderedDict()
        for node, entries in (params.get("wait_for_each") or {}).items():
            if not isinstance(entries, list):
                problems.add("wait_for_each.%s" % node, "must be a list of peer addresses (or all)")
                continue
            try:
                self.wait_for_each[node] = parse_wait_for([str(entry) for entry in entries])
            except ValidationError as exc:
                problems.add("wait_for_each.%s" % node, str(exc)[len("wait_for: "):])
        self.waits = bool(params.get("wait_for")) or any(entries for entries in (params.get("wait_for_each") or {}).values())
        if self.waits and self.update_period == 0:
            problems.add("update_period", "0 makes calico/node report once only, so nothing could be waited for; "
                                          "give 1 or more with wait_for")
        self.routes = bool(params.get("routes"))
        self.details = params.get("details", True) is not False
        self.keep_requests = bool(params.get("keep_requests"))
        problems.raise_any()
        # calico/node's status names a peer by its neighbor address only: a port cannot be matched
        for wait_for in [self.wait_for] + list(self.wait_for_each.values()):
            for target in wait_for.targets:
                target.port = None

    def wait_for_node(self, node):
        each = self.wait_for_each.get(node)
        return self.wait_for.joined(each) if each else self.wait_for


def select_nodes(options, registered):
    """The nodes to read, from the registered Node resources ({name: labels}); a listed node
    that is not registered is refused before anything is written."""
    unknown = [node for node in options.nodes if node not in registered]
    if unknown:
        listed = sorted(registered)
        raise ValidationError("nodes", "%s %s not registered in the Calico datastore (registered: %s%s)" % (
            ", ".join(unknown), "is" if len(unknown) == 1 else "are",
            ", ".join(listed[:10]) or "none", ", ..." if len(listed) > 10 else ""))
    names = sorted(registered) if options.every_node or not options.nodes else list(OrderedDict.fromkeys(options.nodes))
    if options.selector is not None:
        names = [name for name in names if selector_matches(options.selector, registered[name])]
        if not names:
            raise ValidationError("node_selector", "%s matches none of the nodes asked for" % shown(options.selector))
    unknown_each = [node for node in options.wait_for_each if node not in names]
    if unknown_each:
        raise ValidationError("wait_for_each", "%s %s not among the nodes read (%s)" % (
            ", ".join(unknown_each), "is" if len(unknown_each) == 1 else "are", ", ".join(names)))
    return names


def new_request(node, name, update_period, routes=True):
    """A request for the node's agents and BGP sessions, and its routes only when they are asked
    for: they are most of a report (a 96-node mesh: about 30 of its 32 KB), written by calico/node
    whenever a route changes and read by every poll."""
    classes = [kind for kind in node_status.CLASSES if routes or kind != "Routes"]
    return new_resource(node_status.KIND, name, spec=OrderedDict([
        ("node", node), ("classes", classes), ("updatePeriodSeconds", update_period)]),
        labels={OWNER_LABEL: OWNER_VALUE}, status=node_status.empty_status())


class NodeReading(object):
    """One node in one reading: its request as stored now and whether calico/node has reported
    into it since this task wrote it (created_revision; None for a request found stored)."""

    def __init__(self, node, document, created_revision=None):
        self.node = node
        self.document = document
        self.written = created_revision is not None
        self.current = bool(document is not None and self.written
                            and int(document["metadata"]["resourceVersion"]) > created_revision
                            and node_status.last_updated(document) is not None)
        self.report = node_status.Report(document) if document is not None else None
        for peer in self.peers:
            peer["node"] = node

    @property
    def peers(self):
        return self.report.peers if self.report is not None else []


class FleetStatus(object):
    """The requests of one task: written, read together, deleted."""

    def __init__(self, store, options, nodes, clock=time.monotonic, sleep=time.sleep):
        self.store = store
        self.options = options
        self.names = OrderedDict((node, request_name(node)) for node in nodes)
        self.created = OrderedDict()   # node -> (uid, revision) of the request this task wrote
        self.decoded = {}
        self.first_seen = {}  # (node, family, protocol, state, since) -> (first read, its age then)
        self.clock = clock
        self.sleep = sleep

    def existing(self):
        """{name: stored request} of every CalicoNodeStatus (one range read; a request that did not
        change since the last reading is not decoded again)."""
        return OrderedDict((document["metadata"]["name"], document)
                           for document in self.store.list(node_status.KIND, self.decoded))

    def create(self):
        """Write one request per node. A request left by an earlier run of this collection is
        deleted, and the new one takes the other name; one this collection did not create is never
        touched: the task stops before writing."""
        stored = self.existing()
        for node, name in list(self.names.items()):
            alternate = request_name(node, alternate=True)
            if name in stored and is_owned(stored[name]) and alternate not in stored:
                self.names[node] = alternate
        foreign = [name for name in self.names.values() if name in stored and not is_owned(stored[name])]
        if foreign:
            raise ValidationError("nodes", "CalicoNodeStatus %s already exist%s and %s not created by this collection; "
                                  "it is left alone: delete or rename it" % (
                                      ", ".join(foreign), "s" if len(foreign) == 1 else "",
                                      "was" if len(foreign) == 1 else "were"))
        for node in self.names:
            for candidate in (request_name(node), request_name(node, alternate=True)):
                if candidate in stored and is_owned(stored[candidate]):
                    # one by one: calico/node may be writing a kept request's status meanwhile
                    self.store.apply(node_status.KIND, candidate,
                                     lambda current: None if current is None or is_owned(current) else current)
        wanted = OrderedDict((name, new_request(node, name, self.options.update_period, self.options.routes))
                             for node, name in self.names.items())
        result = self.store.apply_batch(node_status.KIND, lambda current: wanted)
        for node, name in self.names.items():
            after = result.results[name].after
            self.created[node] = (after["metadata"]["uid"], int(after["metadata"]["resourceVersion"]))

    def read(self):
        """{node: NodeReading} from one range read of the requests. A session's seconds_in_state is
        its age at the report, or, if more, its age when this task first saw it in that state with
        that since plus the time since: calico/node rewrites the report when a session changes, so a
        session shown with the same since is the same session (the trust that counting readings of
        an unchanged report puts in it too)."""
        stored = self.existing()
        now = self.clock()
        readings = OrderedDict()
        for node, name in self.names.items():
            document = stored.get(name)
            uid, revision = self.created.get(node, (None, None))
            if document is not None and uid is not None and document["metadata"].get("uid") != uid:
                document = None  # replaced by another writer: not the request this task wrote
            reading = readings[node] = NodeReading(node, document, revision)
            if not reading.current:
                continue
            for peer in reading.peers:
                if peer["seconds_in_state"] is None:
                    continue
                key = (node, peer["ip_version"], peer["name"], peer["bgp_state"], peer["since"])
                first_seen, age_then = self.first_seen.setdefault(key, (now, peer["seconds_in_state"]))
                peer["seconds_in_state"] = max(peer["seconds_in_state"], age_then + (now - first_seen))
        return readings

    def delete(self):
        """Delete the requests this task wrote (still stored with its uid), however often
        calico/node updated them since, and not one another writer replaced; their names."""
        stored = self.existing()
        return self.store.delete_created(node_status.KIND, OrderedDict(
            (self.names[node], revision) for node, (uid, revision) in self.created.items()
            if self.names[node] in stored and stored[self.names[node]]["metadata"].get("uid") == uid))

    def wait(self):
        """Read until every node reported and its selected peers are in the wait state and stable,
        or wait_timeout passed. Returns (readings, {node: unmet entries}, [silent nodes], waited)."""
        options = self.options
        started = self.clock()
        deadline = started + options.wait_timeout
        window = (options.stable_polls - 1) * options.wait_interval
        streaks = Streaks(options.wait_state, options.stable_polls, window)
        counted = None  # when the readings stable_polls counts were last counted: wait_interval apart
        while True:
            readings = self.read()
            now = self.clock()
            silent = [node for node, reading in readings.items() if not reading.current]
            reported = [reading for reading in readings.values() if reading.current]
            if reported and (counted is None or now - counted >= options.wait_interval * 0.99):
                streaks.update([peer for reading in reported
                                for peer in options.wait_for_node(reading.node).selected(reading.peers)])
                counted = now
            unmet, settling, ripening = OrderedDict(), False, []
            for reading in reported:
                wait_for = options.wait_for_node(reading.node)
                if not (wait_for.every or wait_for.targets):
                    continue
                not_in_state, entries = unmet_of(reading, wait_for, options.wait_state, streaks)
                settling = settling or bool(not_in_state)
                if entries:
                    unmet[reading.node] = entries
                    ripening += [window - peer["seconds_in_state"] for peer in wait_for.selected(reading.peers)
                                 if peer["bgp_state"] == options.wait_state and peer["seconds_in_state"] is not None]
            if (not silent and not unmet) or now >= deadline:
                return readings, unmet, silent, now - started
            if silent or settling:
                interval = min(options.wait_interval, QUICK_READINGS_INTERVAL)
            else:
                # the next counted reading, or sooner the moment the youngest session is old enough
                interval = min([options.wait_interval] + [max(QUICK_READINGS_INTERVAL, left) for left in ripening
                                                          if left > 0])
            self.sleep(max(0.0, min(interval, deadline - now)))


def node_result(reading, routes, details=True, waited_for_report=None):
    """What the task returns for one node: nothing of a request this task wrote that calico/node
    has not reported into yet (its status is the empty one the task wrote); without details, the
    counts only (no peers, agents or table)."""
    report = reading.report
    result = OrderedDict([("node", reading.node), ("request", reading.document["metadata"]["name"] if reading.document else None),
                          ("current", reading.current)])
    if report is None or report.last_updated is None or (reading.written and not reading.current):
        result.update(reported=False, last_updated=None, counts={})
        if details:
            result.update(agent=None, ipv4_peers=[], ipv6_peers=[], table=None)
        if waited_for_report is not None:
            result["waited_for_report"] = round(waited_for_report, 3)
        return result
    result.update(reported=True, last_updated=report.last_updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  counts=report.counts())
    if details:
        result.update(agent=report.agent, ipv4_peers=report.ipv4_peers, ipv6_peers=report.ipv6_peers,
                      table=report.table())
    if routes:
        result["routes"] = report.routes
    return result


def fleet_table(results, details=True):
    """Every node's calicoctl-style text, one after another, each under its node's name (None
    without details)."""
    if not details:
        return None
    blocks = []
    for result in results.values():
        text = result["table"] if result["reported"] else "calico/node has not reported."
        blocks.append("Node %s\n%s" % (result["node"], text))
    return "\n\n".join(blocks)


def describe_failure(unmet, silent, waited, options, names):
    parts = ["node %s: %s" % (node, describe_unmet(entries, options.stable_polls)) for node, entries in unmet.items()]
    parts += ["node %s: calico/node did not report into its CalicoNodeStatus %s within %s s (is calico/node running "
              "there?)" % (node, names[node], round(waited, 1)) for node in silent]
    what = "every peer is %s" % options.wait_state if unmet else "every node reported"
    return "after %s s, not %s: %s" % (round(waited, 1), what, "; ".join(parts))


def read_existing(store, options, nodes):
    """Check mode: the latest report already stored for each node (whoever asked for it), not
    proven current."""
    latest = OrderedDict()
    for document in store.list(node_status.KIND):
        node, stamp = (document.get("spec") or {}).get("node"), node_status.last_updated(document)
        if node in nodes and stamp is not None and (node not in latest or stamp > node_status.last_updated(latest[node])):
            latest[node] = document
    return OrderedDict((node, node_result(NodeReading(node, latest.get(node)), options.routes, options.details))
                       for node in nodes)


def run(module):
    """The task (module: the CalicoModule)."""
    options = Options(module.params)
    module.require_calico_version([(node_status.KIND, node_status.MODEL.since)])
    registered = OrderedDict((document["metadata"]["name"], dict(document["metadata"].get("labels") or {}))
                             for document in module.store.list("Node"))
    nodes = select_nodes(options, registered)
    if module.check_mode:
        results = read_existing(module.store, options, nodes)
        without = [node for node, result in results.items() if not result["reported"]]
        return dict(changed=False, nodes=results, table=fleet_table(results, options.details), waited=0.0,
                    not_reporting=without,
                    not_in_wait_state={}, requests=dict(created=[], deleted=[], kept=[]),
                    msg="check mode: no CalicoNodeStatus was written; showing the %d existing report(s) for %d "
                        "node(s), which may be old (calico/node rewrites a status only when it changes)%s" % (
                            len(nodes) - len(without), len(nodes),
                            "; no report for %s" % ", ".join(without) if without else ""))
    fleet = FleetStatus(module.store, options, nodes)
    outcome = None
    try:
        fleet.create()
        readings, unmet, silent, waited = fleet.wait()
        results = OrderedDict((node, node_result(reading, options.routes, options.details,
                                                 waited if node in silent else None))
                              for node, reading in readings.items())
        outcome = dict(changed=False, nodes=results, table=fleet_table(results, options.details), waited=round(waited, 3),
                       not_reporting=silent, not_in_wait_state=unmet)
    finally:
        # on success, failure or an error on the way: the requests live only for the wait
        deleted = []
        if fleet.created and not options.keep_requests:
            try:
                deleted = fleet.delete()
            except CalicoError as exc:
                module.warn("could not delete the CalicoNodeStatus requests this task wrote (%s): %s; delete them "
                            "with calicoctl delete caliconodestatus" % (
                                ", ".join(fleet.names[node] for node in fleet.created), exc))
        kept = [fleet.names[node] for node in fleet.created] if options.keep_requests else []
        if outcome is not None:
            outcome["requests"] = dict(created=[fleet.names[node] for node in fleet.created], deleted=deleted, kept=kept)
    if unmet or silent:
        raise CalicoError(describe_failure(unmet, silent, waited, options, fleet.names), **outcome)
    return outcome
