# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BGPConfiguration resource: module options to spec fields, its rules, effective values.

For internal use by this collection. No Ansible imports.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.calico.plugins.module_utils import _model_values as validate
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import new_resource, set_fields

KIND = "BGPConfiguration"
DEFAULT_NAME = "default"
# Calico's defaults when a field (or the whole resource) is not stored.
CALICO_DEFAULTS = {
    "as_number": 64512,
    "node_to_node_mesh": True,
    "log_severity_screen": "Info",
    "listen_port": 179,
}
LOG_SEVERITIES = ("Debug", "Info", "Warning", "Error", "Fatal")
BIND_MODES = ("None", "NodeIP")
# What calico/node honours on a node.<name> resource; everything else is default-only.
NODE_OPTIONS = ("log_severity_screen", "listen_port", "prefix_advertisements")


def _cidr_list(field):
    return lambda values: [{"cidr": validate.cidr(value, field, masked=True)} for value in values]


def _communities(values):
    result = []
    for index, item in enumerate(values):
        field = "communities[%d]" % index
        name = validate.resource_name(item.get("name"), field + ".name")
        result.append({"name": name, "value": validate.community_value(item.get("value"), field + ".value")})
    return result


def _prefix_advertisements(values):
    result = []
    for index, item in enumerate(values):
        field = "prefix_advertisements[%d]" % index
        entry = {"cidr": validate.cidr(item.get("cidr"), field + ".cidr")}
        communities = []
        for community in item.get("communities") or []:
            community = str(community)
            if ":" in community:
                communities.append(validate.community_value(community, field + ".communities"))
            else:
                communities.append(validate.resource_name(community, field + ".communities"))
        entry["communities"] = communities
        result.append(entry)
    return result


def _secret_ref(field):
    def convert(value):
        name = validate.resource_name(value.get("secret_name"), field + ".secret_name")
        key = value.get("secret_key")
        if not key:
            raise validate.ValidationError(field + ".secret_key", "is required")
        return {"secretKeyRef": {"name": name, "key": str(key)}}
    return convert


# option name -> (spec field, converter from the module value to the stored value)
FIELDS = {
    "as_number": ("asNumber", validate.as_number),
    "node_to_node_mesh": ("nodeToNodeMeshEnabled", bool),
    "log_severity_screen": ("logSeverityScreen",
                            lambda value: validate.choice(value, "log_severity_screen", LOG_SEVERITIES)),
    "listen_port": ("listenPort", lambda value: validate.port(value, "listen_port")),
    "service_cluster_ips": ("serviceClusterIPs", _cidr_list("service_cluster_ips")),
    "service_external_ips": ("serviceExternalIPs", _cidr_list("service_external_ips")),
    "service_load_balancer_ips": ("serviceLoadBalancerIPs", _cidr_list("service_load_balancer_ips")),
    "communities": ("communities", _communities),
    "prefix_advertisements": ("prefixAdvertisements", _prefix_advertisements),
    "bind_mode": ("bindMode", lambda value: validate.choice(value, "bind_mode", BIND_MODES)),
    "ignored_interfaces": ("ignoredInterfaces",
                           lambda values: [validate.interface_pattern(v, "ignored_interfaces") for v in values]),
    "node_mesh_password": ("nodeMeshPassword", _secret_ref("node_mesh_password")),
    "node_mesh_max_restart_time": ("nodeMeshMaxRestartTime",
                                   lambda value: validate.duration(value, "node_mesh_max_restart_time")),
}


def resource_name_for(node):
    """'default', or 'node.<name>' for per-node settings."""
    if node is None:
        return DEFAULT_NAME
    return "node." + validate.resource_name(node, "node")


def spec_changes(params):
    """Validate the options given; returns ({spec field: value}, [spec fields to remove])."""
    node = params.get("node")
    given = [option for option in FIELDS if params.get(option) is not None]
    if node is not None:
        default_only = [option for option in given if option not in NODE_OPTIONS]
        if default_only:
            raise validate.ValidationError(
                ", ".join(default_only),
                "only the global 'default' BGPConfiguration can carry this; calico/node honours "
                "only %s on a per-node resource (node=%s)" % (", ".join(NODE_OPTIONS), node))
    values = {}
    for option in given:
        field, convert = FIELDS[option]
        values[field] = convert(params[option])
    remove = [FIELDS[option][0] for option in params.get("unset") or []]
    overlap = [option for option in params.get("unset") or [] if option in given]
    if overlap:
        raise validate.ValidationError(
            "unset", "%s cannot be both set and unset in one task" % ", ".join(overlap))
    return values, remove


def check_spec(spec):
    """Rules on the whole resulting spec (stored fields included)."""
    used = set()
    for advertisement in spec.get("prefixAdvertisements") or []:
        used.update(advertisement.get("communities") or [])
    defined = [community["name"] for community in spec.get("communities") or []]
    unused = [name for name in defined if name not in used]
    if unused:
        raise validate.ValidationError(
            "communities", "%s defined but not used by any prefix advertisement; Calico requires "
                           "every defined community to be used" % ", ".join(unused))
    undefined = [name for name in used if ":" not in name and name not in defined]
    if undefined and "communities" in spec:
        raise validate.ValidationError(
            "prefix_advertisements", "community name(s) %s are not defined in communities" % ", ".join(undefined))
    for list_field in ("serviceClusterIPs", "serviceExternalIPs", "serviceLoadBalancerIPs", "communities",
                       "prefixAdvertisements", "ignoredInterfaces"):
        if spec.get(list_field) == []:
            del spec[list_field]  # Calico omits empty optional fields


def desired_state(current, name, params):
    """The resource the task asks for, given the stored one (or None). None means absent."""
    if params.get("state") == "absent":
        return None
    values, remove = spec_changes(params)
    document = current if current is not None else new_resource(KIND, name)
    set_fields(document["spec"], values, remove)
    check_spec(document["spec"])
    return document


def effective(default_resource, node_resource=None):
    """Values calico/node uses: per-node field, else the default resource's, else Calico's default."""
    default_spec = (default_resource or {}).get("spec", {})
    node_spec = (node_resource or {}).get("spec", {})
    result = {}
    for option, calico_default in CALICO_DEFAULTS.items():
        field = FIELDS[option][0]
        value = node_spec.get(field) if option in NODE_OPTIONS else None
        if value is None:
            value = default_spec.get(field)
        if value is None:
            value = calico_default
        if option == "as_number":
            value = validate.as_number(value, "asNumber")  # stored as text by some writers
        result[option] = value
    return result


def calicoctl_values(effective_values):
    """What `calicoctl config get asNumber` / `nodeToNodeMesh` / `logLevel` print."""
    return {
        "asNumber": str(effective_values["as_number"]),
        "nodeToNodeMesh": "on" if effective_values["node_to_node_mesh"] else "off",
        "logLevel": effective_values["log_severity_screen"].lower(),
    }
