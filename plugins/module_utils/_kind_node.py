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
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import ResourceError
from ansible_collections.netops.calico.plugins.module_utils._errors import shown
from ansible_collections.netops.calico.plugins.module_utils._kind_bgp_configuration import effective
from ansible_collections.netops.calico.plugins.module_utils._model_options import (
    Kind,
    Option,
    check_rules,
    merge_labels,
    parse_options,
    update_section,
)

ADDRESS_FIELDS = ("ipv4Address", "ipv6Address")
TABLE_HEADERS = ["NAME", "ASN", "IPV4", "IPV6"]


def _address(version):
    return lambda value, name: validate.cidr(value, name, version=version)


def _bgp_rules(bgp, context):
    """Calico requires spec.bgp, when present, to carry ipv4Address or ipv6Address."""
    name, request = context
    if bgp and not any(bgp.get(field) for field in ADDRESS_FIELDS):
        if any(field in request.remove for field in ADDRESS_FIELDS):
            yield ["unset"], "node %s would be left without a BGP address; Calico requires spec.bgp to " \
                             "have ipv4Address or ipv6Address (set the other address first)" % name
        else:
            yield ["ipv4Address"], "node %s has no BGP address (it runs without BGP or calico/node has " \
                                   "not detected one); Calico requires spec.bgp to have ipv4Address or " \
                                   "ipv6Address: give ipv4_address or ipv6_address too" % name


MODEL = Kind(
    "Node", "nodes",
    options=[
        Option("as_number", "asNumber", "raw", validate.as_number, validate.same_as_number),
        Option("ipv4_address", "ipv4Address", "str", _address(4), validate.same_cidr),
        Option("ipv6_address", "ipv6Address", "str", _address(6), validate.same_cidr),
        Option("route_reflector_cluster_id", "routeReflectorClusterID", "str",
               lambda value, name: validate.ip_address(value, name, 4), validate.same_ip),
    ],
    # NodeBGPSpec's fields in Go's struct order
    field_order=("asNumber", "ipv4Address", "ipv6Address", "ipv4IPIPTunnelAddr", "routeReflectorClusterID"),
    section=("spec", "bgp"),
    rules=(_bgp_rules,),
)
KIND = MODEL.name


class NodeNotRegistered(ResourceError):
    """The Node does not exist; calico/node creates it, this collection never does."""

    def __init__(self, name, known=None):
        message = ("node %s is not registered in the Calico datastore; calico/node registers nodes "
                   "when it starts (start calico/node on that host, or check the name)" % name)
        if known:
            listed = sorted(known)[:10]
            message += "; registered nodes: %s%s" % (", ".join(listed), ", ..." if len(known) > 10 else "")
        elif known is not None:
            message += "; no node is registered at all"
        super(NodeNotRegistered, self).__init__(message)
        self.name = name


def node_name(value, field="name"):
    return validate.resource_name(value, field)


def requested_changes(params):
    """Validate every option of a task before anything is read or written; returns the Request."""
    node_name(params.get("name"))
    return parse_options(MODEL, params)


def desired_state(current, name, params):
    """The Node the task asks for, given the stored one (a private copy it may change).

    Only spec.bgp's managed fields and metadata.labels ever change."""
    if current is None:
        raise NodeNotRegistered(name)
    request = requested_changes(params)
    spec = current["spec"]
    stored_bgp = spec.get("bgp")
    if stored_bgp is not None and not isinstance(stored_bgp, dict):
        raise ResourceError("node %s has a malformed spec.bgp (%s); refusing to use or overwrite it"
                            % (name, shown(stored_bgp)))
    bgp = update_section(MODEL, stored_bgp, request)
    if dict(bgp) != dict(stored_bgp or {}):
        check_rules(MODEL, bgp, request, (name, request))
        if bgp:
            spec["bgp"] = bgp
        else:
            spec.pop("bgp", None)  # Calico never stores an empty spec.bgp
    merge_labels(current["metadata"], request.labels)
    return current


def apply(module, params):
    """Apply one Node task (module: the CalicoModule); returns the task result."""
    name = params["name"]
    # Validate every option before the first datastore request.
    requested_changes(params)
    try:
        result = module.store.apply(KIND, name, lambda current: desired_state(current, name, params),
                                    check_mode=module.check_mode)
    except NodeNotRegistered:
        raise NodeNotRegistered(name, module.store.names(KIND))
    return module.apply_output(result, KIND, name)


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


def summary_row(node_summary):
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
