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
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import (
    decode_readable,
    kind_prefix,
    merge_labels,
    new_resource,
    set_fields,
)

KIND = "BGPPeer"
# Every peer this collection creates carries this label; purge only ever removes such peers.
OWNER_LABEL = "netops.calico/managed-by"
OWNER_VALUE = "ansible"

SCOPES = ("global", "node")
SOURCE_ADDRESSES = ("UseNodeIP", "None")
NEXT_HOP_MODES = ("Auto", "Self", "Keep")
REVERSE_PEERING_MODES = ("Auto", "Manual")
STATES = ("present", "absent")
MAX_INT32 = 2147483647


class ValidationErrors(validate.ValidationError):
    """Several problems at once (every bad option, or every bad entry of a bulk list)."""

    def __init__(self, messages):
        super(ValidationErrors, self).__init__(None, None)
        self.args = ("; ".join(messages),)
        self.messages = list(messages)
        self.field = None


# ---- option converters: (value, field) -> stored value ------------------------------------

def _str(value, field):
    if isinstance(value, (dict, list, bool)) or value is None:
        raise validate.ValidationError(field, "%r is not a string" % (value,))
    text = str(value).strip()
    if not text:
        raise validate.ValidationError(field, "must not be empty")
    return text


_CANONICAL_IPV4_PEER = re.compile(
    r"^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}"
    r"(:([1-9][0-9]{0,4}))?$")


def _peer_ip(value, field):
    text = _str(value, field)
    # Fast path for the common case (bulk runs validate thousands): an IPv4 address already in
    # canonical form, optional port; anything else goes through the full Calico rule.
    match = _CANONICAL_IPV4_PEER.match(text)
    if match and (match.group(5) is None or int(match.group(5)) <= 65535):
        return text
    return validate.format_peer_ip(*validate.peer_ip(text, field))


def _selector(value, field):
    from ansible_collections.netops.calico.plugins.module_utils._model_selector import validate_selector

    return validate_selector(_str(value, field), field)


def _password(value, field):
    if not isinstance(value, dict):
        raise validate.ValidationError(field, "must be a dict with secret_name and secret_key")
    unknown = sorted(set(value) - set(("secret_name", "secret_key")))
    if unknown:
        raise validate.ValidationError(field, "unknown key(s) %s; expected secret_name and secret_key"
                                       % ", ".join(unknown))
    name = validate.resource_name(value.get("secret_name"), field + ".secret_name")
    key = value.get("secret_key")
    if key is None or not str(key).strip():
        raise validate.ValidationError(field + ".secret_key", "is required")
    key = str(key).strip()
    if not re.match(r"^[-._a-zA-Z0-9]+$", key):
        raise validate.ValidationError(field + ".secret_key", "is not a valid Secret key (letters, digits, "
                                                              "'-', '_' and '.')")
    return OrderedDict([("secretKeyRef", OrderedDict([("name", name), ("key", key)]))])


def _filters(values, field):
    if not isinstance(values, list):
        raise validate.ValidationError(field, "must be a list of BGPFilter names")
    return [validate.resource_name(value, "%s[%d]" % (field, index)) for index, value in enumerate(values)]


def _choice(choices):
    return lambda value, field: validate.choice(value, field, choices)


def _integer(minimum, maximum):
    return lambda value, field: validate.integer(value, field, minimum, maximum)


# option -> (spec field, converter), in the order of Calico's BGPPeerSpec (the stored order).
FIELDS = OrderedDict([
    ("node", ("node", lambda value, field: validate.resource_name(_str(value, field), field))),
    ("peer_ip", ("peerIP", _peer_ip)),
    ("as_number", ("asNumber", validate.as_number)),
    ("node_selector", ("nodeSelector", _selector)),
    ("peer_selector", ("peerSelector", _selector)),
    ("keep_original_next_hop", ("keepOriginalNextHop", lambda value, field: value)),
    ("password", ("password", _password)),
    ("source_address", ("sourceAddress", _choice(SOURCE_ADDRESSES))),
    ("max_restart_time", ("maxRestartTime", validate.duration)),
    ("num_allowed_local_as_numbers", ("numAllowedLocalASNumbers", _integer(0, MAX_INT32))),
    ("ttl_security", ("ttlSecurity", _integer(0, 255))),
    ("reachable_by", ("reachableBy", lambda value, field: validate.ip_address(_str(value, field), field))),
    ("filters", ("filters", _filters)),
    ("local_as_number", ("localASNumber", validate.as_number)),
    ("next_hop_mode", ("nextHopMode", _choice(NEXT_HOP_MODES))),
    ("reverse_peering", ("reversePeering", _choice(REVERSE_PEERING_MODES))),
    ("keepalive_time", ("keepaliveTime", validate.duration)),
])
OPTION_OF_FIELD = dict((field, option) for option, (field, _convert) in FIELDS.items())
UNSETTABLE = tuple(FIELDS)

# The per-peer options with their Ansible types: the single-peer argument spec, and the schema
# every entry of `peers` is checked against.
PEER_OPTIONS = OrderedDict([
    ("name", dict(type="str")),
    ("state", dict(type="str", choices=list(STATES))),
    ("scope", dict(type="str", choices=list(SCOPES))),
    ("node", dict(type="str")),
    ("peer_ip", dict(type="str")),
    ("as_number", dict(type="raw")),
    ("node_selector", dict(type="str")),
    ("peer_selector", dict(type="str")),
    ("keep_original_next_hop", dict(type="bool")),
    ("password", dict(type="dict", no_log=False, options=dict(
        secret_name=dict(type="str", required=True),
        secret_key=dict(type="str", required=True, no_log=False),
    ))),
    ("source_address", dict(type="str", choices=list(SOURCE_ADDRESSES))),
    ("max_restart_time", dict(type="str")),
    ("num_allowed_local_as_numbers", dict(type="int")),
    ("ttl_security", dict(type="int")),
    ("reachable_by", dict(type="str")),
    ("filters", dict(type="list", elements="str")),
    ("local_as_number", dict(type="raw")),
    ("next_hop_mode", dict(type="str", choices=list(NEXT_HOP_MODES))),
    ("reverse_peering", dict(type="str", choices=list(REVERSE_PEERING_MODES))),
    ("keepalive_time", dict(type="str")),
    ("labels", dict(type="dict")),
    ("unset", dict(type="list", elements="str", choices=list(UNSETTABLE))),
])


# ---- names -----------------------------------------------------------------------------------

_NON_NAME_CHARS = re.compile(r"[^-.a-z0-9]+")
_DOT_DASH_RUN = re.compile(r"[.-]*[.][.-]*")


def normalize_node_name(name):
    """Calico's name normalization (calico-upgrade, and calico/node for hostnames)."""
    name = str(name).lower().replace("/", ".")
    name = _NON_NAME_CHARS.sub("-", name)
    name = _DOT_DASH_RUN.sub(".", name)
    return name.strip(".-")


def _parse_address(text):
    """(version, integer) of a bare IP text, or None (stdlib ipaddress: this runs per peer)."""
    import ipaddress

    try:
        address = ipaddress.ip_address(str(text).strip())
    except ValueError:
        return None
    return address.version, int(address)


def ip_name(address_text):
    """An IP rendered as a resource name, as Calico's migration does: IPv4 dots become dashes,
    IPv6 is all 8 groups of 4 hex digits joined by dashes (an IPv4-mapped IPv6 counts as IPv4)."""
    return _address_name(*_parse_address(address_text))


def _address_name(version, value):
    if version == 6 and value >> 32 == 0xffff:
        version, value = 4, value & 0xffffffff
    if version == 4:
        return "%d-%d-%d-%d" % (value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff)
    return "-".join("%04x" % ((value >> (16 * (7 - group))) & 0xffff) for group in range(8))


def migration_name(address_text, node=None):
    """The name Calico's v1-to-v3 migration gives the peer of this address (and node)."""
    if node:
        return "%s.%s" % (normalize_node_name(node), ip_name(address_text))
    return ip_name(address_text)


_PEER_IP_CACHE = {}


def split_peer_ip(text):
    """(version, integer, port or None) of a stored peerIP, or None when it is not one."""
    if text in _PEER_IP_CACHE:
        return _PEER_IP_CACHE[text]
    result = None
    parts = validate.split_peer_ip(text)
    if parts is not None:
        address, port_text, bracketed = parts
        parsed = _parse_address(address) if "%" not in address else None
        if port_text is None:
            port, valid = None, not bracketed  # '[v6]' needs a port
        else:
            port = int(port_text) if port_text.isdigit() and len(port_text) <= 5 else 0
            # a port goes with '[v6]:N' or 'v4:N'
            valid = 1 <= port <= 65535 and parsed is not None and (parsed[0] == 6) == bracketed
        if parsed is not None and valid:
            result = (parsed[0], parsed[1], port)
    if len(_PEER_IP_CACHE) < 100000:
        _PEER_IP_CACHE[text] = result
    return result


def identity_of(spec):
    """(node or '', version, integer) for a peer found by scope and address; None for selector
    peers and peers without a usable peerIP."""
    if spec.get("nodeSelector") or not spec.get("peerIP"):
        return None
    parsed = split_peer_ip(spec["peerIP"])
    if parsed is None:
        return None
    return (spec.get("node") or "", parsed[0], parsed[1]), parsed[2]


def scope_of(spec):
    if spec.get("node"):
        return "node"
    if spec.get("nodeSelector"):
        return "selector"
    return "global"


def is_owned(document):
    return ((document.get("metadata") or {}).get("labels") or {}).get(OWNER_LABEL) == OWNER_VALUE


# ---- requests: the validated options of one peer --------------------------------------------

class PeerRequest(object):
    """One peer as asked for, validated: identity, spec values, fields to remove, labels."""

    def __init__(self, prefix=""):
        self.prefix = prefix          # "" or "peers[3]." for error messages
        self.index = None
        self.name = None
        self.state = "present"
        self.scope = None
        self.node = None
        self.address = None           # (version, integer) of peer_ip
        self.port = None
        self.values = OrderedDict()   # spec field -> value to set
        self.remove = []              # spec fields to remove
        self.labels = None
        self.given = set()            # option names given

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
        name = _address_name(*self.address)
        # node was validated as a DNS-1123 name, which normalizing leaves as it is
        return "%s.%s" % (self.node, name) if self.node else name


def parse_request(params, prefix="", index=None):
    """Validate one peer's options (module params, or one bulk entry already type-checked).

    Every problem is reported at once, each naming its option. Raises ValidationError(s)."""
    request = PeerRequest(prefix)
    request.index = index
    errors = []

    def attempt(function, *args):
        try:
            return function(*args)
        except ValidationErrors as exc:
            errors.extend(exc.messages)
        except validate.ValidationError as exc:
            errors.append(str(exc))
        return None

    def fail(options, message):
        errors.append("%s: %s" % (", ".join(prefix + option for option in options), message))

    request.state = params.get("state") or "present"
    if request.state not in STATES:
        fail(["state"], "%r is not one of present, absent" % request.state)
    if params.get("name") is not None:
        request.name = attempt(validate.resource_name, params["name"], prefix + "name")
    request.scope = params.get("scope")
    if request.scope is not None and request.scope not in SCOPES:
        fail(["scope"], "%r is not one of global, node" % (request.scope,))
        request.scope = None

    unset = params.get("unset") or []
    if not isinstance(unset, list):
        fail(["unset"], "must be a list of option names")
        unset = []
    for option in unset:
        if option not in FIELDS:
            fail(["unset"], "%r is not an option that can be unset (one of %s)" % (option, ", ".join(UNSETTABLE)))

    for option, (field, convert) in FIELDS.items():
        value = params.get(option)
        if value is None:
            continue
        request.given.add(option)
        converted = attempt(convert, value, prefix + option)
        if converted is None:
            continue
        if option == "keep_original_next_hop" and converted is False:
            request.remove.append(field)  # Calico omits false (omitempty)
        else:
            request.values[field] = converted
    for option in unset:
        if option in FIELDS and FIELDS[option][0] not in request.remove:
            request.remove.append(FIELDS[option][0])
    both = [option for option in unset if option in request.given]
    if both:
        fail(["unset"], "%s cannot be both set and unset in one task" % ", ".join(both))

    labels = params.get("labels")
    if labels is not None:
        if not isinstance(labels, dict):
            fail(["labels"], "must be a dict of label names to values (null removes a label)")
        else:
            request.labels = OrderedDict()
            for key, value in labels.items():
                field = "%slabels.%s" % (prefix, key)
                attempt(validate.label_key, key, field)
                if value is not None:
                    value = attempt(validate.label_value, value, field)
                request.labels[key] = value

    request.node = request.values.get("node")
    if "peerIP" in request.values:
        parsed = split_peer_ip(request.values["peerIP"])
        request.address, request.port = (parsed[0], parsed[1]), parsed[2]

    # Combination rules on what was given (the resulting spec is checked again after the read).
    given = request.given
    if request.scope == "global" and "node" in given:
        fail(["scope", "node"], "a global peer applies to every node; drop node, or use scope=node")
    if request.scope is not None and "node_selector" in given:
        fail(["scope", "node_selector"], "a node_selector peer applies to the nodes its selector picks; "
                                         "it has no global or node scope: drop scope")
    if request.scope == "node" and "node" not in given and request.name is None:
        fail(["scope", "node"], "scope=node needs node (the node the peer applies to)")
    if "node" in given and "node_selector" in given:
        fail(["node", "node_selector"], "a peer applies either to one node or to the nodes a selector "
                                        "picks, not both")
    if "peer_ip" in given and "peer_selector" in given:
        fail(["peer_ip", "peer_selector"], "a peer is either one address or the nodes a selector "
                                           "picks, not both")
    if "as_number" in given and "peer_selector" in given and request.values.get("asNumber"):
        fail(["as_number", "peer_selector"], "a peer_selector peer takes the AS numbers of the selected "
                                             "nodes; drop as_number")
    if request.values.get("keepOriginalNextHop") and "next_hop_mode" in given:
        fail(["keep_original_next_hop", "next_hop_mode"], "exclude each other; use next_hop_mode=Keep "
                                                          "instead of keep_original_next_hop")
    if "reachableBy" in request.values and request.address is not None and \
            validate.ip_version(request.values["reachableBy"]) != request.address[0]:
        fail(["reachable_by", "peer_ip"], "must be of the same IP family (reachable_by %s, peer_ip %s)"
             % (request.values["reachableBy"], request.values["peerIP"]))
    if request.name is None:
        if "peer_selector" in given or "node_selector" in given:
            fail(["name"], "a selector-based peer (node_selector or peer_selector) needs a name")
        elif "peer_ip" not in given:
            fail(["peer_ip"], "required to identify the peer when name is not given (or give name)")
        for option in ("peer_ip", "node"):
            if option in unset:
                fail(["unset"], "%s identifies the peer when name is not given; it cannot be unset "
                                "(give name to manage the peer by name)" % option)
    if errors:
        raise ValidationErrors(errors)
    return request


# ---- the resulting resource ------------------------------------------------------------------

def check_spec(spec, request, stored_fields=()):
    """Calico's rules on the whole resulting spec, stored fields included."""
    errors = []
    stored = set(stored_fields)

    def fail(fields, message):
        options = [request.prefix + OPTION_OF_FIELD.get(field, field) for field in fields]
        kept = [OPTION_OF_FIELD.get(field, field) for field in fields if field in stored]
        if kept:
            message += " (%s already stored on the peer: add to unset to remove)" % ", ".join(kept)
        errors.append("%s: %s" % (", ".join(options), message))

    if spec.get("node") and spec.get("nodeSelector"):
        fail(["node", "nodeSelector"], "a peer applies either to one node or to the nodes a selector picks, "
                                       "not both")
    if spec.get("peerIP") and spec.get("peerSelector"):
        fail(["peerIP", "peerSelector"], "a peer is either one address or the nodes a selector picks, "
                                         "not both")
    if spec.get("peerSelector") and _as_value(spec.get("asNumber")):
        fail(["asNumber", "peerSelector"], "a peer_selector peer takes the AS numbers of the selected nodes; "
                                           "as_number must be empty")
    if not spec.get("peerIP") and not spec.get("peerSelector"):
        fail(["peerIP", "peerSelector"], "one of them is required")
    if spec.get("peerIP") and not _as_value(spec.get("asNumber")):
        fail(["asNumber"], "required for a peer with peer_ip (the peer's AS number)")
    if spec.get("keepOriginalNextHop") and spec.get("nextHopMode"):
        fail(["keepOriginalNextHop", "nextHopMode"], "exclude each other; use next_hop_mode=Keep")
    if spec.get("reachableBy"):
        parsed = split_peer_ip(spec["peerIP"]) if spec.get("peerIP") else None
        if parsed is None:
            fail(["reachableBy", "peerIP"], "reachable_by needs a peer_ip")
        elif validate.ip_version(spec["reachableBy"]) != parsed[0]:
            fail(["reachableBy", "peerIP"], "must be of the same IP family (reachable_by %s, peer_ip %s)"
                 % (spec["reachableBy"], spec["peerIP"]))
    if request.scope == "global" and spec.get("node"):
        fail(["node"], "scope=global but the peer applies to node %s" % spec["node"])
    if request.scope == "node" and not spec.get("node"):
        fail(["node"], "scope=node needs node (the node the peer applies to)")
    if request.scope is not None and spec.get("nodeSelector"):
        fail(["nodeSelector"], "a node_selector peer has no global or node scope: drop scope")
    if errors:
        raise ValidationErrors(errors)


def _as_value(value):
    if value in (None, ""):
        return 0
    try:
        return validate.as_number(value, "asNumber")
    except validate.ValidationError:
        return value  # not ours to judge here; any non-empty value counts as set


def _same_peer_ip(stored, requested):
    return split_peer_ip(stored) is not None and split_peer_ip(stored) == split_peer_ip(requested)


def _same_as_number(stored, requested):
    try:
        return validate.as_number(stored, "asNumber") == requested
    except validate.ValidationError:
        return False


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
    spec = document["spec"]
    stored_fields = [field for field in spec if field not in request.values]
    values = OrderedDict(request.values)
    # Same address or AS written another way (aa:bb::ff vs 00aa:00bb::ff, "64512" vs 64512): keep
    # the stored text, so an equivalent request is not a change.
    if "peerIP" in values and "peerIP" in spec and _same_peer_ip(spec["peerIP"], values["peerIP"]):
        del values["peerIP"]
    for field in ("asNumber", "localASNumber"):
        if field in values and field in spec and _same_as_number(spec[field], values[field]):
            del values[field]
    set_fields(spec, values, request.remove)
    if request.labels:
        metadata = document["metadata"]
        labels = merge_labels(metadata.get("labels"), request.labels)
        if labels:
            metadata["labels"] = labels
        else:
            metadata.pop("labels", None)
    check_spec(spec, request, stored_fields)
    return document


# ---- finding peers ---------------------------------------------------------------------------

def read_peers(datastore):
    """(peers, problems): every decodable BGPPeer from one prefix read, and one message per
    stored value that is not one (such values are skipped here, and never overwritten)."""
    return decode_readable(datastore.get_prefix(kind_prefix(KIND)), KIND)


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

_TRUE = ("true", "yes", "on", "1", "y", "t")
_FALSE = ("false", "no", "off", "0", "n", "f")


def _coerce(value, spec, field):
    kind = spec.get("type", "str")
    if value is None:
        return None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise validate.ValidationError(field, "%r is not a boolean" % (value,))
    if kind == "int":
        if isinstance(value, bool):
            raise validate.ValidationError(field, "%r is not a whole number" % (value,))
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.match(r"^\s*-?[0-9]+\s*$", value):
            return int(value)
        raise validate.ValidationError(field, "%r is not a whole number" % (value,))
    if kind == "str":
        if isinstance(value, (dict, list, bool)):
            raise validate.ValidationError(field, "%r is not a string" % (value,))
        value = str(value)
    elif kind == "list":
        if isinstance(value, str):
            value = [item.strip() for item in value.split(",") if item.strip()]
        if not isinstance(value, list):
            raise validate.ValidationError(field, "must be a list")
        if spec.get("elements") == "str":
            bad = [item for item in value if isinstance(item, (dict, list))]
            if bad:
                raise validate.ValidationError(field, "must be a list of strings")
            value = [str(item) for item in value]
    elif kind == "dict":
        if not isinstance(value, dict):
            raise validate.ValidationError(field, "must be a dict")
    if spec.get("choices"):
        items = value if isinstance(value, list) else [value]
        for item in items:
            validate.choice(item, field, spec["choices"])
    return value


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
                params[option] = _coerce(entry[option], PEER_OPTIONS[option], prefix + option)
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
    include_global = _coerce(purge_scope.get("global"), dict(type="bool"), "purge_scope.global") or False
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
