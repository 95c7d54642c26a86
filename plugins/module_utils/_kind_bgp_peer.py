# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BGPPeer resource: module options to spec fields, Calico's combination rules, identity.

For internal use by this collection. No Ansible imports.

Identity: a peer named by the caller is that resource. Without a name, a peer is found by its
scope (the node, or none for a global peer) and its peer address compared as an address, whatever
its name; a new one is named the way Calico's v1-to-v3 migration names peers, so migrated peers
are adopted instead of duplicated.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections import OrderedDict

from ansible_collections.netops.calico.plugins.module_utils import _model_values as validate
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import ApplyResult, make_diff, new_resource
from ansible_collections.netops.calico.plugins.module_utils._errors import Problems, ValidationErrors, shown
from ansible_collections.netops.calico.plugins.module_utils._model_options import (
    OWNER_LABEL,
    OWNER_VALUE,
    SECRET_REFERENCE_SUBOPTIONS,
    Kind,
    Option,
    Request,
    check_rules,
    choice_option,
    coerce,
    integer_option,
    is_owned,
    list_option,
    merge_labels,
    parse_options,
    secret_reference,
    secret_reference_option,
    update_section,
)
from ansible_collections.netops.calico.plugins.module_utils._model_selector import validate_selector

SCOPES = ("global", "node")
SOURCE_ADDRESSES = ("UseNodeIP", "None")
NEXT_HOP_MODES = ("Auto", "Self", "Keep")
REVERSE_PEERING_MODES = ("Auto", "Manual")
STATES = ("present", "absent")


def _reachable_by(value, name):
    validate.text(value, name)
    if len(value) > validate.MAX_ADDRESS_LENGTH:
        raise validate.ValidationError(name, "is longer than Calico's %d characters" % validate.MAX_ADDRESS_LENGTH)
    return validate.ip_address(value, name)


def _conflicts(spec, scope):
    """Calico's rules on fields that exclude each other (CEL and Go validator)."""
    if spec.get("node") and spec.get("nodeSelector"):
        yield ["node", "nodeSelector"], "a peer applies either to one node or to the nodes a selector picks, " \
                                        "not both"
    if spec.get("peerIP") and spec.get("peerSelector"):
        yield ["peerIP", "peerSelector"], "a peer is either one address or the nodes a selector picks, not both"
    if spec.get("peerSelector") and spec.get("asNumber"):
        yield ["asNumber", "peerSelector"], "a peer_selector peer takes the AS numbers of the selected nodes; " \
                                            "as_number must be empty"
    if spec.get("localWorkloadSelector") and spec.get("peerIP"):
        yield ["peerIP", "localWorkloadSelector"], "peer_ip must be empty when local_workload_selector is set"
    if spec.get("localWorkloadSelector") and spec.get("peerSelector"):
        yield ["peerSelector", "localWorkloadSelector"], "peer_selector must be empty when local_workload_selector " \
                                                         "is set"
    if spec.get("keepOriginalNextHop") and spec.get("nextHopMode"):
        yield ["keepOriginalNextHop", "nextHopMode"], "exclude each other; use next_hop_mode=Keep"
    if spec.get("reachableBy") and spec.get("peerIP"):
        address = validate.split_peer_ip(spec["peerIP"])
        reachable = validate.parse_ip(spec["reachableBy"])
        if address and reachable and validate.ip_version(address[0]) != reachable[0]:
            yield ["reachableBy", "peerIP"], "must be of the same IP family (reachable_by %s, peer_ip %s)" % (
                spec["reachableBy"], spec["peerIP"])
    if scope == "global" and spec.get("node"):
        yield ["scope", "node"], "a global peer applies to every node, but this one applies to node %s; " \
                                 "drop node, or use scope=node" % spec["node"]
    if scope is not None and spec.get("nodeSelector"):
        yield ["scope", "nodeSelector"], "a node_selector peer applies to the nodes its selector picks; it " \
                                         "has no global or node scope: drop scope"


def _completeness(spec, scope):
    """Rules on the whole resulting peer. Two are stricter than Calico, which accepts both: a peer
    with neither peer_ip nor peer_selector makes no session, and a peer_ip peer without as_number
    is rendered by calico/node with AS 0, which BIRD refuses."""
    if spec.get("reachableBy") and not spec.get("peerIP"):
        yield ["reachableBy"], "needs peer_ip (Calico: reachableBy must be empty when peerIP is empty)"
    if spec.get("localWorkloadSelector"):
        if not spec.get("asNumber"):
            yield ["asNumber"], "is required when local_workload_selector is set (the workloads' AS number)"
    elif not spec.get("peerIP") and not spec.get("peerSelector"):
        yield ["peerIP", "peerSelector"], "one of them is required (or local_workload_selector)"
    if spec.get("peerIP") and not spec.get("asNumber"):
        yield ["asNumber"], "required for a peer with peer_ip (the peer's AS number; calico/node would " \
                            "render AS 0)"


def _scope_needs_node(spec, scope):
    if scope == "node" and not spec.get("node"):
        yield ["scope", "node"], "scope=node needs node (the node the peer applies to)"


MODEL = Kind(
    "BGPPeer", "bgppeers",
    options=[
        Option("node", "node", "str", validate.resource_name),
        Option("peer_ip", "peerIP", "str", validate.peer_ip, validate.same_peer_ip),
        Option("as_number", "asNumber", "raw", validate.as_number, validate.same_as_number),
        Option("node_selector", "nodeSelector", "str", validate_selector),
        Option("peer_selector", "peerSelector", "str", validate_selector),
        Option("keep_original_next_hop", "keepOriginalNextHop", "bool", omit_false=True),
        Option("password", "password", "dict", secret_reference, suboptions=SECRET_REFERENCE_SUBOPTIONS,
               no_log=False, to_option=secret_reference_option),
        Option("local_workload_selector", "localWorkloadSelector", "str", validate_selector, since="3.30"),
        Option("source_address", "sourceAddress", "str", choice_option(SOURCE_ADDRESSES), choices=SOURCE_ADDRESSES),
        Option("max_restart_time", "maxRestartTime", "str", validate.duration, validate.same_duration),
        Option("num_allowed_local_as_numbers", "numAllowedLocalASNumbers", "int",
               integer_option(0, validate.MAX_INT32), since="3.23"),
        Option("ttl_security", "ttlSecurity", "int", integer_option(0, 255), since="3.25"),
        Option("reachable_by", "reachableBy", "str", _reachable_by, validate.same_ip, since="3.25"),
        Option("filters", "filters", "list", list_option(validate.resource_name), elements="str", since="3.26"),
        Option("local_as_number", "localASNumber", "raw", validate.as_number, validate.same_as_number, since="3.31"),
        Option("next_hop_mode", "nextHopMode", "str", choice_option(NEXT_HOP_MODES), choices=NEXT_HOP_MODES,
               since="3.31"),
        Option("reverse_peering", "reversePeering", "str", choice_option(REVERSE_PEERING_MODES),
               choices=REVERSE_PEERING_MODES, since="3.31"),
        Option("keepalive_time", "keepaliveTime", "str", validate.duration, validate.same_duration, since="3.32"),
    ],
    # BGPPeerSpec's fields in Go's struct order (the order calicoctl stores)
    field_order=("node", "nodeSelector", "peerIP", "asNumber", "localASNumber", "peerSelector",
                 "keepOriginalNextHop", "nextHopMode", "password", "sourceAddress", "maxRestartTime",
                 "keepaliveTime", "numAllowedLocalASNumbers", "ttlSecurity", "reachableBy", "filters",
                 "localWorkloadSelector", "reversePeering"),
    rules=(_conflicts, _completeness, _scope_needs_node),
)
KIND = MODEL.name
UNSETTABLE = MODEL.unsettable
# The per-peer options with their Ansible types: the single-peer argument spec, and the schema
# every entry of `peers` is checked against.
PEER_OPTIONS = OrderedDict([("name", dict(type="str")),
                            ("state", dict(type="str", choices=list(STATES))),
                            ("scope", dict(type="str", choices=list(SCOPES)))])
PEER_OPTIONS.update(MODEL.argument_spec())
PEER_OPTIONS["unset"] = dict(type="list", elements="str", choices=list(UNSETTABLE))


# ---- names -----------------------------------------------------------------------------------

_NON_NAME_CHARS = re.compile(r"[^-.a-z0-9]+")
_DOT_DASH_RUN = re.compile(r"[.-]*[.][.-]*")


def normalize_node_name(name):
    """Calico's name normalization (calico-upgrade, and calico/node for hostnames)."""
    name = str(name).lower().replace("/", ".")
    name = _NON_NAME_CHARS.sub("-", name)
    name = _DOT_DASH_RUN.sub(".", name)
    return name.strip(".-")


def ip_name(address_text):
    """An IP rendered as a resource name, as Calico's migration does: IPv4 dots become dashes,
    IPv6 is all 8 groups of 4 hex digits joined by dashes (an IPv4-mapped IPv6 counts as IPv4)."""
    version, address = validate.parse_ip(address_text)
    value = int(address)
    if version == 4:
        return "%d-%d-%d-%d" % (value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff)
    return "-".join("%04x" % ((value >> (16 * (7 - group))) & 0xffff) for group in range(8))


def migration_name(address_text, node=None):
    """The name Calico's v1-to-v3 migration gives the peer of this address (and node): the name
    a new peer without a name gets, so migrated peers are adopted instead of duplicated."""
    if node:
        return "%s.%s" % (normalize_node_name(node), ip_name(address_text))
    return ip_name(address_text)


_IDENTITY_CACHE = {}


def peer_ip_identity(text):
    """validate.peer_ip_identity, cached: bulk runs and listings parse the same text often."""
    if text not in _IDENTITY_CACHE:
        if len(_IDENTITY_CACHE) >= 100000:
            _IDENTITY_CACHE.clear()
        _IDENTITY_CACHE[text] = validate.peer_ip_identity(text)
    return _IDENTITY_CACHE[text]


def identity_of(spec):
    """((node or '', version, integer), port) for a peer found by scope and address; None for
    selector peers and peers without a usable peerIP."""
    if spec.get("nodeSelector") or not isinstance(spec.get("peerIP"), str):
        return None
    parsed = peer_ip_identity(spec["peerIP"])
    if parsed is None:
        return None
    return (spec.get("node") or "", parsed[0], parsed[1]), parsed[2]


def scope_of(spec):
    if spec.get("node"):
        return "node"
    if spec.get("nodeSelector"):
        return "selector"
    return "global"


# ---- requests: the validated options of one peer --------------------------------------------

class PeerRequest(Request):
    """One peer as asked for: the kind's options plus identity (name, scope, address)."""

    def __init__(self, prefix=""):
        super(PeerRequest, self).__init__(MODEL, prefix)
        self.index = None
        self.name = None
        self.state = "present"
        self.scope = None
        self.node = None
        self.address = None           # (version, integer) of peer_ip
        self.port = None

    @property
    def identity(self):
        if self.address is None:
            return None
        return (self.node or "",) + self.address

    def describe(self):
        if self.name:
            return "peer %s" % self.name
        where = "node %s" % self.node if self.node else "global scope"
        return "peer %s (%s)" % (self.values.get("peerIP"), where)

    def default_name(self):
        return migration_name(validate.split_peer_ip(self.values["peerIP"])[0], self.node)


def parse_request(params, prefix="", index=None):
    """Validate one peer's options (module params, or one bulk entry already type-checked).

    Every problem is reported at once, each naming its option. Raises ValidationError(s)."""
    problems = Problems()
    request = PeerRequest(prefix)
    request.index = index
    request.state = params.get("state") or "present"
    if request.state not in STATES:
        problems.add(prefix + "state", "%s is not one of present, absent" % shown(request.state))
    if params.get("name") is not None:
        request.name = problems.attempt(validate.resource_name, params["name"], prefix + "name")
    request.scope = params.get("scope")
    if request.scope is not None and request.scope not in SCOPES:
        problems.add(prefix + "scope", "%s is not one of global, node" % shown(request.scope))
        request.scope = None
    parsed = parse_options(MODEL, params, prefix, problems)
    request.values, request.remove, request.labels, request.given = (
        parsed.values, parsed.remove, parsed.labels, parsed.given)
    request.node = request.values.get("node")
    if "peerIP" in request.values:
        identity = peer_ip_identity(request.values["peerIP"])
        request.address, request.port = identity[:2], identity[2]

    # The rules on fields that exclude each other, on what was given (the whole resulting peer
    # is checked again after the read); without a name the peer is found by node and address,
    # so nothing stored can supply a missing node.
    try:
        check_rules(MODEL, request.values, request, request.scope,
                    rules=(_conflicts,) if request.name else (_conflicts, _scope_needs_node))
    except ValidationErrors as exc:
        problems.extend(exc)
    given = request.given
    unset = params.get("unset") or []
    if request.name is None:
        if "peer_selector" in given or "node_selector" in given or "local_workload_selector" in given:
            problems.add(prefix + "name", "a selector-based peer (node_selector, peer_selector or "
                                          "local_workload_selector) needs a name")
        elif "peer_ip" not in given:
            problems.add(prefix + "peer_ip", "required to identify the peer when name is not given (or give name)")
        for option in ("peer_ip", "node"):
            if option in unset:
                problems.add(prefix + "unset", "%s identifies the peer when name is not given; it cannot be "
                                               "unset (give name to manage the peer by name)" % option)
    problems.raise_any()
    return request


# ---- the resulting resource ------------------------------------------------------------------

def desired_state(current, name, request):
    """The resource the request asks for, given the stored one (or None). None means absent.

    current is modified in place (pass a private copy)."""
    if request.state == "absent":
        return None
    if current is not None and request.name is None:
        found = identity_of(current["spec"])
        if found is None or found[0] != request.identity:
            raise validate.ValidationError(
                request.prefix + "name",
                "a peer named %s already exists with peerIP %s and %s; it is not %s: give name to "
                "manage it, or a different name for the new peer" % (
                    name, current["spec"].get("peerIP") or "-",
                    "node " + current["spec"]["node"] if current["spec"].get("node") else "no node",
                    request.describe()))
    if current is None:
        document = new_resource(KIND, name, labels={OWNER_LABEL: OWNER_VALUE})
    else:
        document = current
    document["spec"] = update_section(MODEL, document["spec"], request)
    merge_labels(document["metadata"], request.labels)
    check_rules(MODEL, document["spec"], request, request.scope)
    return document


def check_filters_exist(document, existing, prefix=""):
    """Refuse a peer that names a BGPFilter that does not exist, as calicoctl refuses it.
    existing() returns the stored filter names (only called when the peer names filters)."""
    named = (document or {}).get("spec", {}).get("filters") or []
    missing = [name for name in named if name not in existing()] if named else []
    if missing:
        raise validate.ValidationError(prefix + "filters", "BGPFilter(s) %s do not exist; create them first "
                                       "(netops.calico.calico_bgp_filter): calicoctl refuses a peer naming a "
                                       "missing filter" % ", ".join(missing))


# ---- finding peers ---------------------------------------------------------------------------

class IdentityIndex(object):
    """Peers by (node, address), for finding a peer whatever its name."""

    def __init__(self, documents):
        self._by_identity = {}
        for document in documents:
            found = identity_of(document.get("spec") or {})
            if found is not None:
                self._by_identity.setdefault(found[0], []).append((document["metadata"]["name"], found[1]))

    def find(self, request):
        """The name of the existing peer the request means, or None."""
        candidates = self._by_identity.get(request.identity) or []
        if len(candidates) > 1:
            exact = [name for name, port in candidates if port == request.port]
            if len(exact) == 1:
                return exact[0]
            raise validate.ValidationError(
                request.prefix + "name", "%d peers match %s (%s); give name to say which one" % (
                    len(candidates), request.describe(), ", ".join(sorted(name for name, _port in candidates))))
        return candidates[0][0] if candidates else None


def resolve_name(request, index):
    return request.name or index.find(request) or request.default_name()


# ---- which peers apply to a node, and calicoctl's table -------------------------------------

def how_it_applies(document, node_name, node_labels):
    """'node', 'global' or 'selector' when the peer applies to the node, else None."""
    from ansible_collections.netops.calico.plugins.module_utils._model_selector import selector_matches

    spec = document.get("spec") or {}
    if spec.get("node"):
        return "node" if spec["node"] == node_name else None
    if spec.get("nodeSelector"):
        try:
            return "selector" if selector_matches(spec["nodeSelector"], node_labels or {}) else None
        except ValueError:
            return None  # a selector Calico would not accept matches nothing
    return "global"


def table_row(document):
    spec = document.get("spec") or {}
    where = spec.get("node") or spec.get("nodeSelector") or "(global)"
    return [document["metadata"]["name"], spec.get("peerIP", ""), where, str(spec.get("asNumber", 0))]


TABLE_HEADERS = ["NAME", "PEERIP", "NODE", "ASN"]


# ---- bulk ------------------------------------------------------------------------------------

def parse_entries(entries, default_state="present"):
    """Validate every entry of the bulk `peers` list; every problem of every entry is reported at
    once, each by index and option. Returns [PeerRequest]."""
    if not isinstance(entries, list):
        raise validate.ValidationError("peers", "must be a list of peer definitions")
    requests, errors = [], []
    seen_names, seen_identities = {}, {}
    for index, entry in enumerate(entries):
        prefix = "peers[%d]." % index
        if not isinstance(entry, dict):
            errors.append("peers[%d]: must be a dict of peer options" % index)
            continue
        params = {}
        entry_errors = []
        for option in sorted(entry):
            if option not in PEER_OPTIONS:
                entry_errors.append("%s%s: unknown option (peer options are %s)" % (
                    prefix, option, ", ".join(PEER_OPTIONS)))
                continue
            try:
                params[option] = coerce(entry[option], PEER_OPTIONS[option], prefix + option)
            except validate.ValidationError as exc:
                entry_errors.append(str(exc))
        if params.get("state") is None:
            params["state"] = default_state
        try:
            request = parse_request(params, prefix, index)
        except ValidationErrors as exc:
            entry_errors.extend(exc.messages)
            request = None
        if entry_errors:
            errors.extend(entry_errors)
            continue
        if request.name is not None:
            if request.name in seen_names:
                errors.append("%sname: peer %s is also defined by peers[%d]" % (
                    prefix, request.name, seen_names[request.name]))
            seen_names[request.name] = index
        else:
            if request.identity in seen_identities:
                errors.append("%speer_ip: %s is also defined by peers[%d]" % (
                    prefix, request.describe(), seen_identities[request.identity]))
            seen_identities[request.identity] = index
        requests.append(request)
    if errors:
        raise ValidationErrors(errors)
    return requests


def parse_purge_scope(purge_scope):
    """(nodes set, global bool) from the purge_scope option."""
    if not isinstance(purge_scope, dict):
        raise validate.ValidationError("purge_scope", "is required with purge=true: give nodes (a list of "
                                                      "node names) and/or global: true")
    unknown = sorted(set(purge_scope) - set(("nodes", "global")))
    if unknown:
        raise validate.ValidationError("purge_scope", "unknown key(s) %s; use nodes and/or global" % ", ".join(unknown))
    nodes = purge_scope.get("nodes") or []
    if isinstance(nodes, str):
        nodes = [nodes]
    nodes = set(validate.resource_name(node, "purge_scope.nodes[%d]" % index) for index, node in enumerate(nodes))
    include_global = coerce(purge_scope.get("global"), dict(type="bool"), "purge_scope.global") or False
    if not nodes and not include_global:
        raise validate.ValidationError("purge_scope", "names no peers: give nodes (a list of node names) "
                                                      "and/or global: true")
    return nodes, include_global


def in_purge_scope(document, scope):
    nodes, include_global = scope
    spec = document.get("spec") or {}
    if spec.get("node"):
        return spec["node"] in nodes
    if spec.get("nodeSelector"):
        return False
    return include_global


def plan_bulk(current, requests, purge_scope=None):
    """What the bulk run wants, given current {name: document} (modified in place).

    Returns (wanted, names): wanted is {name: document or None (absent)} for every listed peer
    and every owned, unlisted peer in the purge scope; names[i] is the peer of requests[i].
    Every problem is reported at once."""
    index = IdentityIndex(current.values())
    wanted = OrderedDict()
    claimed = {}
    names = []
    errors = []
    for request in requests:
        try:
            name = resolve_name(request, index)
            if name in claimed:
                raise validate.ValidationError(request.prefix + "name", "is the same peer (%s) as peers[%d]"
                                               % (name, claimed[name]))
            claimed[name] = request.index
            wanted[name] = desired_state(current.get(name), name, request)
            names.append(name)
        except ValidationErrors as exc:
            errors.extend(exc.messages)
        except validate.ValidationError as exc:
            errors.append(str(exc))
    if errors:
        raise ValidationErrors(errors)
    if purge_scope is not None:
        for name, document in current.items():
            if name not in claimed and is_owned(document) and in_purge_scope(document, purge_scope):
                wanted[name] = None
    return wanted, names


# ---- a task ----------------------------------------------------------------------------------

SINGLE_PEER_OPTIONS = [option for option in PEER_OPTIONS if option != "state"]


def manage_peer(module, params):
    request = parse_request(params)  # every option checked before any I/O
    module.require_calico_version(MODEL.versions(request.given))
    store = module.store
    name = request.name
    if name is None:
        name = IdentityIndex(store.list(KIND)).find(request)
        if name is None and request.state == "absent":
            output = module.apply_output(ApplyResult(False, None, None, None), KIND, request.describe())
            output["name"] = None
            return output
        name = name or request.default_name()
    filters = FilterNames(store)

    def compute(current):
        desired = desired_state(current, name, request)
        check_filters_exist(desired, filters.names)
        return desired

    result = store.apply(KIND, name, compute, check_mode=module.check_mode)
    output = module.apply_output(result, KIND, name)
    output["name"] = name
    return output


def manage_peers(module, params):
    mixed = [option for option in SINGLE_PEER_OPTIONS if params.get(option) not in (None, [])]
    if mixed:
        raise validate.ValidationError("peers", "cannot be combined with the single-peer option(s) %s: put them in "
                                       "the entries of peers" % ", ".join(mixed))
    requests = parse_entries(params["peers"], params["state"])
    module.require_calico_version([(request.prefix + option, since) for request in requests
                                   for option, since in MODEL.versions(request.given)])
    purge_scope = parse_purge_scope(params["purge_scope"]) if params["purge"] else None
    names = []
    filters = FilterNames(module.store)

    def compute(current):
        wanted, entry_names = plan_bulk(current, requests, purge_scope)
        for request, name in zip(requests, entry_names):
            check_filters_exist(wanted.get(name), filters.names, request.prefix)
        names[:] = entry_names
        return wanted

    batch = module.store.apply_batch(KIND, compute, check_mode=module.check_mode)
    summary = dict(created=[], updated=[], deleted=[], unchanged=[])
    results = []
    listed = set(names)
    for index, name in enumerate(names):
        action = batch.results[name].action or "unchanged"
        results.append(dict(index=index, name=name, action=action))
        summary[action].append(name)
    for name, result in batch.results.items():
        if name not in listed and result.changed:  # purged
            results.append(dict(index=None, name=name, action=result.action))
            summary[result.action].append(name)
    output = dict(changed=any(result.changed for result in batch.results.values()), results=results,
                  transactions=batch.transactions, writes=batch.writes, **summary)
    if module._diff:
        output["diff"] = [make_diff(result.before, result.after, "BGPPeer " + name)
                          for name, result in batch.results.items() if result.changed]
    return output


class FilterNames(object):
    """The stored BGPFilters' names, read once, when a peer first names a filter."""

    def __init__(self, store):
        self.store = store
        self._names = None

    def names(self):
        if self._names is None:
            self._names = set(self.store.names("BGPFilter"))
        return self._names


def apply(module, params):
    """Apply one BGPPeer task, single peer or bulk `peers` (module: the CalicoModule)."""
    if params.get("peers") is not None:
        return manage_peers(module, params)
    if params.get("purge") or params.get("purge_scope") is not None:
        raise validate.ValidationError("purge", "purge and purge_scope work with peers (the list of peers to keep)")
    return manage_peer(module, params)
