# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BGP part of Calico's Node resource: options to spec.bgp fields, rules, effective AS, rows.

For internal use by this collection. No Ansible imports.

calico/node writes its own Node resource when it starts (addresses, orchRefs, status, the
IPIP tunnel address, labels). This model changes only spec.bgp.asNumber, ipv4Address,
ipv6Address, routeReflectorClusterID and the labels a task names; every other byte of the
stored document is carried over untouched.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import OrderedDict

from ansible_collections.netops.calico.plugins.module_utils import _model_values as validate
from ansible_collections.netops.calico.plugins.module_utils._kind_bgp_configuration import effective
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import (
    ResourceError,
    decode_readable,
    kind_prefix,
    merge_labels,
    resource_key,
    set_fields,
)

KIND = "Node"
# Calico's NodeBGPSpec fields in the order its Go encoder writes them.
BGP_FIELD_ORDER = ("asNumber", "ipv4Address", "ipv6Address", "ipv4IPIPTunnelAddr", "routeReflectorClusterID")
ADDRESS_FIELDS = ("ipv4Address", "ipv6Address")
TABLE_HEADERS = ["NAME", "ASN", "IPV4", "IPV6"]

# option name -> (spec.bgp field, converter from the module value to the stored value)
FIELDS = OrderedDict([
    ("as_number", ("asNumber", validate.as_number)),
    ("ipv4_address", ("ipv4Address",
                      lambda value: validate.cidr(value, "ipv4_address", version=4, allow_bare=True))),
    ("ipv6_address", ("ipv6Address",
                      lambda value: validate.cidr(value, "ipv6_address", version=6, allow_bare=True))),
    ("route_reflector_cluster_id", ("routeReflectorClusterID",
                                    lambda value: validate.ip_address(value, "route_reflector_cluster_id", 4))),
])


class NodeNotRegistered(ResourceError):
    """The Node does not exist; calico/node creates it, this collection never does."""

    def __init__(self, name, known=None):
        message = ("node %s is not registered in the Calico datastore; calico/node registers nodes "
                   "when it starts (start calico/node on that host, or check the name)" % name)
        if known:
            shown = sorted(known)[:10]
            message += "; registered nodes: %s%s" % (", ".join(shown), ", ..." if len(known) > 10 else "")
        elif known is not None:
            message += "; no node is registered at all"
        super(NodeNotRegistered, self).__init__(message)
        self.name = name


def node_name(value, field="name"):
    return validate.resource_name(value, field)


def label_changes(labels, field="labels"):
    """Validated labels to merge: {key: text value, or None to remove the label}."""
    if labels is None:
        return OrderedDict()
    if not isinstance(labels, dict):
        raise validate.ValidationError(field, "must be a dictionary of label names to values")
    result = OrderedDict()
    for key in sorted(labels, key=str):
        value = labels[key]
        key_text = validate.label_key(key, "%s (key %r)" % (field, key))
        if value is None:
            result[key_text] = None
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"  # YAML true/false as Kubernetes writes them
        elif isinstance(value, (dict, list)):
            raise validate.ValidationError("%s.%s" % (field, key_text), "a label value must be a string")
        result[key_text] = validate.label_value(value, "%s.%s" % (field, key_text))
    return result


def requested_changes(params):
    """Validate every option of a task before anything is read or written.

    Returns ({spec.bgp field: value}, [spec.bgp fields to remove], {label: value or None}).
    """
    node_name(params.get("name"))
    values = OrderedDict()
    for option, (field, convert) in FIELDS.items():
        if params.get(option) is not None:
            values[field] = convert(params[option])
    unset = list(params.get("unset") or [])
    unknown = [option for option in unset if option not in FIELDS]
    if unknown:
        raise validate.ValidationError("unset", "%s cannot be unset; choose from %s" % (
            ", ".join(map(str, unknown)), ", ".join(FIELDS)))
    overlap = [option for option in unset if params.get(option) is not None]
    if overlap:
        raise validate.ValidationError(
            "unset", "%s cannot be both set and unset in one task" % ", ".join(overlap))
    remove = [FIELDS[option][0] for option in unset]
    return values, remove, label_changes(params.get("labels"))


def _same_value(field, stored, wanted):
    """Whether a stored spec.bgp value already means what the task asks for (e.g. an AS stored
    as the text "65011", or an IPv6 address written in another form)."""
    option = [name for name, (bgp_field, _convert) in FIELDS.items() if bgp_field == field][0]
    try:
        return FIELDS[option][1](stored) == wanted
    except validate.ValidationError:
        return False


def _ordered_bgp(bgp):
    """spec.bgp with Calico's fields in its encoder's order, unknown fields after them."""
    ordered = OrderedDict((field, bgp[field]) for field in BGP_FIELD_ORDER if field in bgp)
    for field, value in bgp.items():
        if field not in ordered:
            ordered[field] = value
    return ordered


def desired_state(current, name, params):
    """The Node the task asks for, given the stored one (a private copy it may change).

    Only spec.bgp's managed fields and metadata.labels ever change.
    """
    if current is None:
        raise NodeNotRegistered(name)
    values, remove, labels = requested_changes(params)
    spec = current["spec"]
    stored_bgp = spec.get("bgp")
    if stored_bgp is not None and not isinstance(stored_bgp, dict):
        raise ResourceError("node %s has a malformed spec.bgp (%r); refusing to use or overwrite it"
                            % (name, stored_bgp))
    bgp = OrderedDict(stored_bgp or {})
    for field in list(values):
        if field in bgp and _same_value(field, bgp[field], values[field]):
            del values[field]  # keep the stored text: it already says this
    set_fields(bgp, values, remove)
    if bgp != OrderedDict(stored_bgp or {}):
        if bgp and not any(bgp.get(field) for field in ADDRESS_FIELDS):
            if any(field in remove for field in ADDRESS_FIELDS):
                raise validate.ValidationError(
                    "unset", "node %s would be left without a BGP address; Calico requires spec.bgp "
                             "to have ipv4Address or ipv6Address (set the other address first)" % name)
            raise validate.ValidationError(
                "ipv4_address", "node %s has no BGP address (it runs without BGP or calico/node has not "
                                "detected one); Calico requires spec.bgp to have ipv4Address or "
                                "ipv6Address: give ipv4_address or ipv6_address too" % name)
        if bgp:
            spec["bgp"] = _ordered_bgp(bgp)
        else:
            spec.pop("bgp", None)  # Calico never stores an empty spec.bgp
    if labels:
        metadata = current["metadata"]
        stored_labels = metadata.get("labels")
        if stored_labels is not None and not isinstance(stored_labels, dict):
            raise ResourceError("node %s has malformed metadata.labels; refusing to use or overwrite it"
                                % name)
        merged = merge_labels(stored_labels, labels)
        if merged:
            metadata["labels"] = merged
        else:
            metadata.pop("labels", None)
    return current


def list_nodes(datastore, name=None):
    """(nodes, problems): every readable Node (or just `name`), from one read, and for each
    unreadable stored value a sentence saying which key and why (Calico itself skips those)."""
    if name is not None:
        key_values = [kv for kv in [datastore.get(resource_key(KIND, name))] if kv is not None]
    else:
        key_values = datastore.get_prefix(kind_prefix(KIND))
    return decode_readable(key_values, KIND)


def registered_names(datastore):
    """Names of every stored Node (from the keys alone), for error messages."""
    prefix = kind_prefix(KIND)
    return [key_value.key[len(prefix):] for key_value in datastore.get_prefix(prefix)]


def default_as_number(default_configuration):
    """The global default AS: the `default` BGPConfiguration's asNumber, else 64512."""
    return effective(default_configuration)["as_number"]


def summary(node, default_as):
    """What calico_node_info returns for one Node."""
    spec = node.get("spec") or {}
    bgp = spec.get("bgp") if isinstance(spec.get("bgp"), dict) else None
    name = node["metadata"]["name"]
    own = None
    if bgp and bgp.get("asNumber") not in (None, ""):
        own = validate.as_number(bgp["asNumber"], "node %s spec.bgp.asNumber" % name)
    if bgp is None:
        effective_as = None  # policy-only node: it runs no BGP, so no AS applies
    else:
        effective_as = own if own is not None else default_as
    return OrderedDict([
        ("name", name),
        ("labels", dict(node["metadata"].get("labels") or {})),
        ("bgp_enabled", bgp is not None),
        ("ipv4_address", (bgp or {}).get("ipv4Address") or None),
        ("ipv6_address", (bgp or {}).get("ipv6Address") or None),
        ("as_number", own),
        ("effective_as_number", effective_as),
        ("as_number_inherited", bgp is not None and own is None),
        ("route_reflector_cluster_id", (bgp or {}).get("routeReflectorClusterID") or None),
        ("ipv4_ipip_tunnel_address", (bgp or {}).get("ipv4IPIPTunnelAddr") or None),
    ])


def table_row(node_summary):
    """One row of `calicoctl get node -o wide`: NAME ASN IPV4 IPV6.

    ASN is the node's own AS, or the inherited default in parentheses; blank (like calicoctl)
    for a node without spec.bgp.
    """
    if not node_summary["bgp_enabled"]:
        asn = ""
    elif node_summary["as_number_inherited"]:
        asn = "(%d)" % node_summary["effective_as_number"]
    else:
        asn = str(node_summary["as_number"])
    return [node_summary["name"], asn, node_summary["ipv4_address"] or "", node_summary["ipv6_address"] or ""]
