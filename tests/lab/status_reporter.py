"""calico/node's status reporter for the lab's nodes: CalicoNodeStatus requests filled from BIRD.

What calico/node does (node/pkg/status: nodestatus.go, reporter.go and the populators), the lab
does the same way:

- It follows every CalicoNodeStatus. A request whose spec.node is one of the lab's nodes gets a
  reporter for that node, unless it has no updatePeriodSeconds (calico/node ignores such a
  request). A new request, or one whose spec changed, is reported into at once; a change that
  leaves the spec as it is (calico/node's own write, a label) is not. A deleted request stops
  its reporter; one deleted and created again between two of the lab's reads (a new uid) is
  taken as calico/node's syncer delivers that: the delete, then a new request.
- A reporter reads its node's BIRDs every updatePeriodSeconds (0: never again after the first
  report): per family, IPv4 then IPv6, and per class in the order of spec.classes, Agent
  (`show status`), BGP (`show protocols`, then each Calico BGP protocol's details) and Routes
  (`show route`). Any error other than a socket that cannot be reached drops the whole report.
  A socket that cannot be reached makes that family's agent NotReady and, as calico/node's
  code does, empties the whole BGP section (and the whole routes section), both families.
- It writes the status, with lastUpdated, only when it differs from the stored one, as a
  compare-and-swap update; on a conflict it reads the request again and reports again.

One difference in how, not what: calico/node sends `show protocols all <protocol>` once per
peer; the lab sends `show protocols all` once and reads each protocol's block of the reply with
the same rules, so a 96-node mesh costs one command per BIRD instead of 95.

The parsing functions take BIRD's raw reply lines (greeting included), as calico/node's scanners
read them, so tests give them replies directly.
"""
import copy
import logging
import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from ansible_collections.netops.calico.plugins.module_utils._bird_client import (
    BirdClient,
    BirdConnectionRefused,
    BirdPermissionDenied,
    BirdSocketMissing,
)
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import (
    decode_readable,
    encode,
    kind_prefix,
    resource_key,
)
from ansible_collections.netops.calico.plugins.module_utils._kind_calico_node_status import KIND

LOG = logging.getLogger("netops.calico.lab")
POLL_INTERVAL = 0.1
# nodes whose BIRDs are read at once (BIRD answers in its own processes)
READERS = 4
# calico/node's birdTimeOut
BIRD_TIMEOUT = 2.0
SEPARATORS = {4: ".", 6: ":"}


class PopulateError(Exception):
    """A reply calico/node's scanners refuse: the whole report is dropped."""


class SocketUnreachable(Exception):
    """calico/node's ErrorSocketConnection: the family's BIRD socket cannot be connected to."""


# ---- the populators' parsing (peers.go, bird_status.go, route.go) --------------------------

_PEER_NAME = re.compile(r"^(Global|Node|Mesh)_(.+)$")
PEER_TYPES = {"Global": "GlobalPeer", "Mesh": "NodeMesh", "Node": "NodePeer"}
BGP_STATES = ("Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established", "Close")
EXPECTED_HEADINGS = ["name", "proto", "table", "state", "since", "info"]


def session_type_and_ip(name, ip_version):
    """(Global|Node|Mesh, the address with its separator) of a protocol name, or PopulateError."""
    match = _PEER_NAME.match(name)
    if not match:
        raise PopulateError("session name %r is not a correct format" % name)
    return match.group(1), match.group(2).replace("_", SEPARATORS[ip_version])


def _peer_of_row(line):
    """A peer from a protocol row, or None (fewer than 6 columns, not BGP, not Calico's name)."""
    columns = line.split()
    if len(columns) < 6 or columns[1] != "BGP":
        return None
    try:
        peer_type, _address = session_type_and_ip(columns[0], 4)
    except PopulateError:
        return None
    return {"session": columns[0], "peer_type": peer_type, "state": columns[3], "since": columns[4],
            "info": " ".join(columns[6:]), "peer_ip": "", "bgp_state": ""}


def scan_peers(lines):
    """The Calico BGP peers of a `show protocols` reply (scanBIRDPeers)."""
    peers = []
    for line in lines:
        if line.startswith("0000"):
            break
        if line.startswith("0001"):
            continue
        if line.startswith("2002"):
            if line[5:].split() != EXPECTED_HEADINGS:
                raise PopulateError("unknown BIRD table output format")
            continue
        if line.startswith("1002"):
            peer = _peer_of_row(line[5:])
        elif line.startswith(" "):
            peer = _peer_of_row(line[1:])
        else:
            raise PopulateError("unexpected output line from BIRD: %s" % line)
        if peer is not None:
            peers.append(peer)
    return peers


def _value(line, key):
    return line.replace(key, " ").strip() if key in line else None


def complete_peer(peer, lines):
    """The peer's BGP state and neighbor address from its `show protocols all` lines (complete)."""
    for line in lines:
        if line.startswith("0000"):
            break
        state = _value(line, "BGP state:")
        if state is not None:
            peer["bgp_state"] = state
            continue
        address = _value(line, "Neighbor address:")
        if address is not None:
            peer["peer_ip"] = address
    return peer


def protocol_blocks(lines):
    """{protocol name: its lines} of a `show protocols all` reply: each block starts at its
    protocol's row (code 1002)."""
    blocks, current = OrderedDict(), None
    for line in lines:
        if line.startswith("1002-"):
            fields = line[5:].split()
            current = blocks.setdefault(fields[0] if fields else "", [])
        if current is not None:
            current.append(line)
    return blocks


def peer_status(peer):
    """CalicoNodePeer's JSON (omitempty fields left out)."""
    status = OrderedDict()
    for field, value in (("peerIP", peer["peer_ip"]), ("type", PEER_TYPES.get(peer["peer_type"], "")),
                         ("state", peer["bgp_state"] if peer["bgp_state"] in BGP_STATES else ""),
                         ("since", peer["since"])):
        if value:
            status[field] = value
    return status


def scan_bird_status(lines):
    """The daemon's status from a `show status` reply (scanBIRDStatus, unmarshalBIRD)."""
    daemon = {"ready": False, "version": "", "router_id": "", "server_time": "", "last_boot": "",
              "last_reconfig": ""}
    for line in lines:
        if line.startswith("0013"):
            break
        if line[:4] in ("0001", "1000", "1011"):
            text = line[5:]
        elif line.startswith(" "):
            text = line[1:]
        else:
            break  # calico/node logs the unexpected line and stops reading
        if "BIRD" in text and "ready" in text:
            daemon["ready"] = True
        elif text.startswith("BIRD v"):
            daemon["version"] = text[len("BIRD "):]
        else:
            for prefix, field in (("Router ID is ", "router_id"), ("Current server time is ", "server_time"),
                                  ("Last reboot on ", "last_boot"), ("Last reconfiguration on ", "last_reconfig")):
                if text.startswith(prefix):
                    daemon[field] = text[len(prefix):]
                    break
    return daemon


def daemon_status(daemon):
    """BGPDaemonStatus's JSON."""
    status = OrderedDict([("state", "Ready" if daemon["ready"] else "NotReady")])
    for field, key in (("version", "version"), ("routerID", "router_id"), ("lastBootTime", "last_boot"),
                       ("lastReconfigurationTime", "last_reconfig")):
        if daemon[key]:
            status[field] = daemon[key]
    return status


_VIA = re.compile(r"(?P<dest>\S*)\s*via\s(?P<gateway>\S*)\s*on\s(?P<iface>.*)\s\[(?P<from>\S*)\s.*\].*")
_DEV = re.compile(r"(?P<dest>\S*)\s*dev\s(?P<iface>.*)\s\[(?P<from>\S*)\s.*\].*")
_BLACKHOLE = re.compile(r"(?P<dest>\S*)\s*blackhole\s\[(?P<from>\S*)\s.*\].*")
_UNREACHABLE = re.compile(r"(?P<dest>\S*)\s*unreachable\s\[(?P<from>\S*)\s.*\].*")


def _route_of_line(line, previous_dest):
    """(route or None, the destination later lines without one inherit) (unmarshalBIRD)."""
    route = {"dest": "", "gateway": "", "iface": "", "learned_from": "", "primary": False}
    for marker, pattern, gateway, iface in ((" via ", _VIA, None, None), (" dev ", _DEV, "N/A", None),
                                            (" blackhole ", _BLACKHOLE, "N/A", "blackhole"),
                                            (" unreachable ", _UNREACHABLE, "N/A", "unreachable")):
        if marker in line:
            match = pattern.search(line)
            if not match:
                return None, ""
            groups = match.groupdict()
            route.update(dest=groups["dest"], gateway=gateway or groups["gateway"],
                         iface=iface or groups["iface"], learned_from=groups["from"])
            break
    if not route["dest"]:
        if not previous_dest:
            return None, ""
        route["dest"] = previous_dest
    route["primary"] = "] *" in line
    return route, route["dest"]


def scan_routes(lines):
    """The routes of a `show route` reply (scanBIRDRoutes)."""
    routes, previous = [], ""
    for line in lines:
        if line.startswith("0000"):
            break
        if line.startswith("0001"):
            continue
        if line.startswith("1007"):
            text = line[5:]
        elif line.startswith(" "):
            text = line[1:]
        else:
            raise PopulateError("unexpected output line from BIRD: %s" % line)
        route, previous = _route_of_line(text, previous)
        if route is not None:
            routes.append(route)
    return routes


def route_status(route):
    """CalicoNodeRoute's JSON (toNodeStatusAPI); PopulateError for a source it cannot name."""
    learned = OrderedDict()
    source = route["learned_from"]
    for prefix, source_type in (("kernel", "Kernel"), ("static", "Static"), ("direct", "Direct")):
        if source.startswith(prefix):
            learned["sourceType"] = source_type
            break
    else:
        peer_type, address = session_type_and_ip(source, 6 if ":" in route["dest"] else 4)
        learned["sourceType"] = "NodeMesh" if peer_type == "Mesh" else "BGPPeer"
        if address:
            learned["peerIP"] = address
    status = OrderedDict()
    for field, value in (("type", "FIB" if route["primary"] else "RIB"), ("destination", route["dest"]),
                         ("gateway", route["gateway"]), ("interface", route["iface"])):
        if value:
            status[field] = value
    status["learnedFrom"] = learned
    return status


# ---- the status as Calico's Go types hold it --------------------------------------------------

def go_status(stored):
    """A stored status as calico/node decodes it into CalicoNodeStatusStatus and would encode it
    again: unknown fields dropped, every struct present, counters 0, empty lists left out."""
    stored = stored if isinstance(stored, dict) else {}

    def section(name):
        value = stored.get(name)
        return value if isinstance(value, dict) else {}

    agent, bgp, routes = section("agent"), section("bgp"), section("routes")
    status = OrderedDict([("lastUpdated", stored.get("lastUpdated") or None)])
    status["agent"] = OrderedDict((family, _only(agent.get(family), ("state", "version", "routerID", "lastBootTime",
                                                                     "lastReconfigurationTime")))
                                  for family in ("birdV4", "birdV6"))
    status["bgp"] = OrderedDict((field, bgp.get(field) if isinstance(bgp.get(field), int) else 0)
                                for field in ("numberEstablishedV4", "numberNotEstablishedV4", "numberEstablishedV6",
                                              "numberNotEstablishedV6"))
    for field in ("peersV4", "peersV6"):
        if bgp.get(field):
            status["bgp"][field] = [_only(peer, ("peerIP", "type", "state", "since")) for peer in bgp[field]]
    status["routes"] = OrderedDict()
    for field in ("routesV4", "routesV6"):
        if routes.get(field):
            status["routes"][field] = [_go_route(route) for route in routes[field]]
    return status


def _only(value, fields):
    value = value if isinstance(value, dict) else {}
    return OrderedDict((field, value[field]) for field in fields if value.get(field))


def _go_route(route):
    result = _only(route, ("type", "destination", "gateway", "interface"))
    result["learnedFrom"] = _only((route or {}).get("learnedFrom"), ("sourceType", "peerIP"))
    return result


# ---- reading a node's BIRDs --------------------------------------------------------------------

def bird_replies(socket_path, commands, timeout=BIRD_TIMEOUT):
    """[raw reply lines] of each command on one connection, the greeting before the first
    reply's lines as calico/node's scanner reads it; SocketUnreachable when it cannot connect."""
    client = BirdClient(socket_path, timeout)
    try:
        client.connect()
    except (BirdSocketMissing, BirdConnectionRefused, BirdPermissionDenied) as exc:
        raise SocketUnreachable(str(exc))
    try:
        replies = []
        for command in commands:
            lines = client.command(command).raw.splitlines()
            replies.append((["0001 " + client.greeting] if not replies else []) + lines)
        return replies
    finally:
        client.close()


def populate_agent(status, ip_version, socket_path):
    family = "birdV4" if ip_version == 4 else "birdV6"
    try:
        (lines,) = bird_replies(socket_path, ["show status"])
    except SocketUnreachable:
        status["agent"][family] = OrderedDict([("state", "NotReady")])
        return
    status["agent"][family] = daemon_status(scan_bird_status(lines))


def populate_bgp(status, ip_version, socket_path):
    try:
        summary, details = bird_replies(socket_path, ["show protocols", "show protocols all"])
    except SocketUnreachable:
        status["bgp"] = go_status({})["bgp"]  # calico/node empties both families
        return
    peers = scan_peers(summary)
    blocks = protocol_blocks(details)
    for peer in peers:
        complete_peer(peer, blocks.get(peer["session"], []))
    suffix = "V4" if ip_version == 4 else "V6"
    bgp = status["bgp"]
    bgp["numberEstablished" + suffix] = sum(1 for peer in peers if peer["state"] == "up")
    bgp["numberNotEstablished" + suffix] = sum(1 for peer in peers if peer["state"] != "up")
    # an empty list, not a missing one: Go's non-nil empty slice, which DeepEqual tells from nil
    bgp["peers" + suffix] = [peer_status(peer) for peer in peers]


def populate_routes(status, ip_version, socket_path):
    try:
        (lines,) = bird_replies(socket_path, ["show route"])
    except SocketUnreachable:
        status["routes"] = OrderedDict()  # calico/node empties both families
        return
    status["routes"]["routesV4" if ip_version == 4 else "routesV6"] = [route_status(route) for route in scan_routes(lines)]


POPULATORS = {"Agent": populate_agent, "BGP": populate_bgp, "Routes": populate_routes}


def report(status_before, classes, sockets):
    """The status calico/node would write (lastUpdated not yet set), or None when it would write
    nothing: the populated status equals the one it holds (status_before, its Go value)."""
    status = copy.deepcopy(status_before)
    for ip_version in (4, 6):
        for name in classes:
            if name in POPULATORS:  # calico/node warns of another class and goes on
                POPULATORS[name](status, ip_version, sockets[ip_version])
    return None if status == status_before else status


def stored_form(status):
    """The status as Go's encoder writes it: omitempty drops the empty lists."""
    stored = copy.deepcopy(status)
    for section in (stored["bgp"], stored["routes"]):
        for field in [field for field, value in section.items() if value == []]:
            del section[field]
    return stored


def rfc3339_now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- the reporters --------------------------------------------------------------------------

class Reporter(object):
    """One request being reported into for one node (reporter.go's reporter): the request as it
    last took it (document, for the revision it writes on) and the status it holds (status,
    its Go value: written by it, or decoded from the request it took)."""

    def __init__(self, node, document):
        self.node = node
        self.document = document
        self.status = go_status(document.get("status"))
        self.interval = None
        self.next_due = None

    @property
    def name(self):
        return self.document["metadata"]["name"]

    def request_update(self, document, now):
        """A new request, a changed spec, or a catch-up after a conflict: take it, and reset the
        ticker if the period changed."""
        self.document = document
        self.status = go_status(document.get("status"))
        period = document["spec"].get("updatePeriodSeconds")
        if period != self.interval:
            self.interval = period
            self.next_due = now + period if period else None


class StatusReporters(threading.Thread):
    """Every lab node's status reporter, in one thread with its own datastore connection.

    nodes: {node name: {4: socket path, 6: socket path}} (a path nothing listens on for a family
    the lab does not run)."""

    def __init__(self, datastore, nodes, interval=POLL_INTERVAL):
        super(StatusReporters, self).__init__(name="lab-status-reporters", daemon=True)
        self.datastore = datastore
        self.nodes = dict(nodes)
        self.interval = interval
        self.reporters = {}   # (node, request name) -> Reporter
        self.catch_up = set()  # requests whose write conflicted: take them as stored again
        self.decoded = {}  # request name -> (mod_revision, document) as last read or written
        self.readers = ThreadPoolExecutor(READERS, thread_name_prefix="lab-status-read")
        self.revision = None
        self.writes = 0
        self.last_error = None
        self._stop_event = threading.Event()

    def follow(self, now):
        """Take the requests as stored now (one range read when the revision moved); returns the
        reporters to report at once."""
        revision = self.datastore.revision()
        if revision == self.revision:
            return []
        stored = {}
        for key_value in self.datastore.get_prefix(kind_prefix(KIND)):
            name = key_value.key[len(kind_prefix(KIND)):]
            known = self.decoded.get(name)
            if known is None or known[0] != key_value.mod_revision:  # decode only what changed
                documents, _problems = decode_readable([key_value], KIND)
                known = self.decoded[name] = (key_value.mod_revision, documents[0] if documents else None)
            if known[1] is not None:
                stored[name] = known[1]
        for name in [name for name in self.decoded if name not in stored]:
            del self.decoded[name]
        kick = []
        for key in list(self.reporters):
            if key[1] not in stored:
                del self.reporters[key]  # deleted: the reporter stops
        for name, document in stored.items():
            spec = document.get("spec") or {}
            node = spec.get("node")
            if node not in self.nodes or spec.get("updatePeriodSeconds") is None:
                continue
            reporter = self.reporters.get((node, name))
            if reporter is not None and reporter.document["metadata"].get("uid") != document["metadata"].get("uid"):
                # deleted and created again between two reads: calico/node's syncer delivers the
                # delete and then the create (unless they land in one watch batch), so the old
                # reporter stops and a new one starts
                reporter = None
            if reporter is None:
                reporter = self.reporters[(node, name)] = Reporter(node, document)
            elif reporter.document.get("spec") == spec and name not in self.catch_up:
                continue  # the reporter's own write, or a change outside the spec: nothing to do
            self.catch_up.discard(name)
            reporter.request_update(document, now)
            kick.append(reporter)
        self.revision = revision
        return kick

    def read(self, reporter):
        """The status to write after reading the node's BIRDs, or None (unchanged, or a failed read:
        it drops the report, as calico/node's does)."""
        try:
            return report(reporter.status, reporter.document["spec"].get("classes") or [], self.nodes[reporter.node])
        except Exception as exc:
            LOG.warning("status of %s for %s not reported: %s", reporter.name, reporter.node, exc)
            return None

    def write(self, reporter, status):
        """Write a changed status, with lastUpdated, as a compare-and-swap update (reportStatus)."""
        status["lastUpdated"] = rfc3339_now()
        updated = copy.copy(reporter.document)
        updated["status"] = stored_form(status)
        revision = self.datastore.update(resource_key(KIND, reporter.name), encode(updated),
                                         int(reporter.document["metadata"]["resourceVersion"]))
        if revision is None:
            # conflict: catch up with the stored request (read on the next round) and report again
            self.catch_up.add(reporter.name)
            self.revision = None
            return False
        updated["metadata"] = dict(updated["metadata"], resourceVersion=str(revision))
        reporter.document, reporter.status = updated, status
        self.decoded[reporter.name] = (revision, updated)
        if self.revision is not None and revision == self.revision + 1:
            self.revision = revision  # nothing but this write since the last read: no need to read again
        self.writes += 1
        return True

    def run_once(self):
        now = time.monotonic()
        due = self.follow(now)
        for reporter in list(self.reporters.values()):
            if reporter not in due and reporter.next_due is not None and reporter.next_due <= now:
                reporter.next_due += reporter.interval
                if reporter.next_due <= now:  # a slow round: do not fire the missed ticks in a burst
                    reporter.next_due = now + reporter.interval
                due.append(reporter)
        # every node's calico/node reads its own BIRDs at the same time; the writes go one by one
        for reporter, status in zip(due, self.readers.map(self.read, due)):
            if status is not None:
                self.write(reporter, status)

    def run(self):
        while not self._stop_event.is_set():
            started = time.monotonic()
            try:
                self.run_once()
                self.last_error = None
            except Exception as exc:  # etcd briefly away: keep following
                if str(exc) != self.last_error:
                    LOG.warning("status reporters: %s", exc)
                self.last_error = str(exc)
                self.revision = None
            self._stop_event.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def stop(self, timeout=10.0):
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout)
        self.readers.shutdown(wait=True)
