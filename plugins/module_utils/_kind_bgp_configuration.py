# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BGPConfiguration kind: its option table, Calico's rules for it, the values in effect.

For internal use by this collection. No Ansible imports.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import OrderedDict

from ansible_collections.netops.calico.plugins.module_utils import _model_values as values
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import new_resource
from ansible_collections.netops.calico.plugins.module_utils._errors import Problems, ValidationError, shown
from ansible_collections.netops.calico.plugins.module_utils._model_options import (
    SECRET_REFERENCE_SUBOPTIONS,
    Kind,
    Option,
    check_rules,
    choice_option,
    secret_reference_option,
    integer_option,
    list_option,
    merge_labels,
    parse_options,
    same_list,
    secret_reference,
    update_section,
)

DEFAULT_NAME = "default"
BIND_MODES = ("None", "NodeIP")
AGGREGATION_MODES = ("Enabled", "Disabled")
CLUSTER_ROUTE_MODES = ("Enabled", "Disabled", "EnabledIPIPOnly", "EnabledNoEncapOnly")
MAX_ROUTE_PRIORITY = 2147483646
# What calico/node honours on a node.<name> resource; everything else is default-only.
NODE_OPTIONS = ("log_severity_screen", "listen_port", "prefix_advertisements")
# CRD maxItems of communities and prefixAdvertisements, and of one advertisement's communities
MAX_ITEMS = 500
MAX_ADVERTISEMENT_COMMUNITIES = 50


def _ip_blocks(items, name):
    """serviceClusterIPs & co: masked CIDRs or addresses (Calico's 'net'), stored as {cidr: ...}."""
    convert = list_option(lambda item, field: values.cidr(item, field, masked=True))
    return [OrderedDict([("cidr", cidr)]) for cidr in convert(items, name)]


def _ip_blocks_option(stored):
    return [block.get("cidr") if isinstance(block, dict) else block for block in stored or []]


def _same_ip_blocks(stored, wanted):
    return same_list(lambda first, second: isinstance(first, dict) and
                     values.same_cidr(first.get("cidr"), second["cidr"]))(stored, wanted)


def _entries(items, name, check):
    if not isinstance(items, list):
        raise ValidationError(name, "must be a list")
    if len(items) > MAX_ITEMS:
        raise ValidationError(name, "has %d entries; Calico allows at most %d" % (len(items), MAX_ITEMS))
    problems = Problems()
    result = []
    for index, item in enumerate(items):
        field = "%s[%d]" % (name, index)
        if not isinstance(item, dict):
            problems.add(field, "must be a dict")
            continue
        result.append(check(item, field, problems))
    problems.raise_any()
    return result


def _community(item, field, problems):
    if item.get("name") is None:
        problems.add(field + ".name", "is required")
    if item.get("value") is None:
        problems.add(field + ".value", "is required")
    if item.get("name") is None or item.get("value") is None:
        return None
    return OrderedDict([("name", problems.attempt(values.resource_name, item["name"], field + ".name")),
                        ("value", problems.attempt(values.community_value, item["value"], field + ".value"))])


def _prefix_advertisement(item, field, problems):
    if item.get("cidr") is None:
        problems.add(field + ".cidr", "is required")
        return None
    cidr = problems.attempt(values.cidr, item["cidr"], field + ".cidr", None, True)
    communities = item.get("communities")
    if not communities:
        problems.add(field + ".communities", "is required: name at least one community (a name from "
                                             "communities, or a value aa:nn / aa:nn:mm)")
        return None
    if not isinstance(communities, list) or len(communities) > MAX_ADVERTISEMENT_COMMUNITIES:
        problems.add(field + ".communities", "must be a list of at most %d communities" % MAX_ADVERTISEMENT_COMMUNITIES)
        return None
    checked = []
    for index, community in enumerate(communities):
        entry = "%s.communities[%d]" % (field, index)
        if isinstance(community, str) and ":" in community:
            checked.append(problems.attempt(values.community_value, community, entry))
        else:
            checked.append(problems.attempt(values.resource_name, community, entry))
    return OrderedDict([("cidr", cidr), ("communities", checked)])


def _advertisement_rules(spec, context):
    """Calico's rules across communities and prefixAdvertisements."""
    defined = [community.get("name") for community in spec.get("communities") or [] if isinstance(community, dict)]
    for advertisement in spec.get("prefixAdvertisements") or []:
        for community in (advertisement or {}).get("communities") or []:
            if not values.is_community_value(community) and community not in defined:
                yield ["prefixAdvertisements"], "community %s is not defined in communities (calico/node " \
                                                "would drop it silently)" % shown(community)
    if spec.get("communities") and not spec.get("prefixAdvertisements"):
        yield ["communities"], "communities are defined but not used in prefix_advertisements; Calico " \
                               "refuses that"


def _mesh_rules(spec, context):
    """CEL: the mesh password and restart time only with the mesh on (or unset)."""
    if spec.get("nodeToNodeMeshEnabled") is False:
        for field in ("nodeMeshPassword", "nodeMeshMaxRestartTime"):
            if field in spec:
                yield [field, "nodeToNodeMeshEnabled"], "cannot be set while the node-to-node mesh is off"


MODEL = Kind(
    "BGPConfiguration", "bgpconfigurations",
    options=[
        Option("as_number", "asNumber", "raw", values.as_number, values.same_as_number),
        Option("node_to_node_mesh", "nodeToNodeMeshEnabled", "bool"),
        Option("log_severity_screen", "logSeverityScreen", "str", values.log_severity),
        Option("listen_port", "listenPort", "int", values.port),
        Option("service_cluster_ips", "serviceClusterIPs", "list", _ip_blocks, _same_ip_blocks, elements="str",
               to_option=_ip_blocks_option),
        Option("service_external_ips", "serviceExternalIPs", "list", _ip_blocks, _same_ip_blocks, elements="str",
               to_option=_ip_blocks_option),
        Option("service_load_balancer_ips", "serviceLoadBalancerIPs", "list", _ip_blocks, _same_ip_blocks,
               elements="str", to_option=_ip_blocks_option),
        Option("communities", "communities", "list", lambda items, name: _entries(items, name, _community),
               elements="dict", suboptions=OrderedDict([
                   ("name", dict(type="str", required=True)), ("value", dict(type="str", required=True))])),
        Option("prefix_advertisements", "prefixAdvertisements", "list",
               lambda items, name: _entries(items, name, _prefix_advertisement),
               elements="dict", suboptions=OrderedDict([
                   ("cidr", dict(type="str", required=True)),
                   ("communities", dict(type="list", elements="str", required=True))])),
        Option("bind_mode", "bindMode", "str", choice_option(BIND_MODES), choices=BIND_MODES, since="3.23"),
        Option("ignored_interfaces", "ignoredInterfaces", "list", list_option(values.ignored_interface),
               elements="str", since="3.25"),
        Option("node_mesh_password", "nodeMeshPassword", "dict", secret_reference,
               suboptions=SECRET_REFERENCE_SUBOPTIONS, no_log=False, since="3.23", to_option=secret_reference_option),
        Option("node_mesh_max_restart_time", "nodeMeshMaxRestartTime", "str", values.duration,
               values.same_duration, since="3.23"),
        Option("service_load_balancer_aggregation", "serviceLoadBalancerAggregation", "str",
               choice_option(AGGREGATION_MODES), choices=AGGREGATION_MODES, since="3.31"),
        Option("local_workload_peering_ipv4", "localWorkloadPeeringIPV4", "str",
               lambda value, name: values.ip_address(value, name, 4), values.same_ip, since="3.30"),
        Option("local_workload_peering_ipv6", "localWorkloadPeeringIPV6", "str",
               lambda value, name: values.ip_address(value, name, 6), values.same_ip, since="3.30"),
        Option("program_cluster_routes", "programClusterRoutes", "str", choice_option(CLUSTER_ROUTE_MODES),
               choices=CLUSTER_ROUTE_MODES, since="3.32"),
        Option("ipv4_normal_route_priority", "ipv4NormalRoutePriority", "int",
               integer_option(1, MAX_ROUTE_PRIORITY), since="3.32"),
        Option("ipv6_normal_route_priority", "ipv6NormalRoutePriority", "int",
               integer_option(1, MAX_ROUTE_PRIORITY), since="3.32"),
    ],
    # BGPConfigurationSpec's fields in Go's struct order (the order calicoctl stores)
    field_order=("logSeverityScreen", "nodeToNodeMeshEnabled", "asNumber", "serviceLoadBalancerIPs",
                 "serviceExternalIPs", "serviceClusterIPs", "serviceLoadBalancerAggregation", "communities",
                 "prefixAdvertisements", "listenPort", "nodeMeshPassword", "nodeMeshMaxRestartTime", "bindMode",
                 "ignoredInterfaces", "localWorkloadPeeringIPV4", "localWorkloadPeeringIPV6",
                 "programClusterRoutes", "ipv4NormalRoutePriority", "ipv6NormalRoutePriority"),
    rules=(_advertisement_rules, _mesh_rules),
    # Calico's values when a field (or the whole resource) is not stored
    defaults=OrderedDict([("as_number", 64512), ("node_to_node_mesh", True), ("log_severity_screen", "Info"),
                          ("listen_port", 179), ("service_load_balancer_aggregation", "Enabled"),
                          ("program_cluster_routes", "EnabledNoEncapOnly"), ("ipv4_normal_route_priority", 1024),
                          ("ipv6_normal_route_priority", 1024)]),
)
KIND = MODEL.name
TABLE_HEADERS = ["NAME", "LOGSEVERITY", "MESHENABLED", "ASNUMBER"]


def resource_name_for(node):
    """'default', or 'node.<name>' for per-node settings."""
    if node is None:
        return DEFAULT_NAME
    return "node." + values.resource_name(node, "node")


def spec_changes(params):
    """The validated Request of a task's options (before any read)."""
    request = parse_options(MODEL, params)
    if params.get("node") is not None:
        default_only = sorted(name for name in request.given if name not in NODE_OPTIONS)
        if default_only:
            raise ValidationError(
                ", ".join(default_only),
                "only the global 'default' BGPConfiguration can carry this; calico/node honours only %s on "
                "a per-node resource (node=%s)" % (", ".join(NODE_OPTIONS), params["node"]))
    return request


def desired_state(current, name, params):
    """The resource the task asks for, given the stored one (or None). None means absent."""
    if params.get("state") == "absent":
        return None
    request = spec_changes(params)
    document = current if current is not None else new_resource(KIND, name)
    document["spec"] = update_section(MODEL, document["spec"], request)
    merge_labels(document["metadata"], request.labels)
    check_rules(MODEL, document["spec"], request)
    return document


def apply(module, params):
    """Apply one BGPConfiguration task (module: the CalicoModule); returns the task result."""
    name = resource_name_for(params.get("node"))
    # Validate every option before the first datastore request.
    request = spec_changes(params)
    module.require_calico_version(MODEL.versions(request.given))
    result = module.store.apply(KIND, name, lambda current: desired_state(current, name, params),
                                check_mode=module.check_mode)
    return module.apply_output(result, KIND, name)


def effective(default_resource, node_resource=None):
    """Values calico/node uses: per-node field, else the default resource's, else Calico's default."""
    default_spec = (default_resource or {}).get("spec", {})
    node_spec = (node_resource or {}).get("spec", {})
    result = OrderedDict()
    for option, calico_default in MODEL.defaults.items():
        field = MODEL.options[option].field
        value = node_spec.get(field) if option in NODE_OPTIONS else None
        if value is None:
            value = default_spec.get(field)
        if value is None:
            value = calico_default
        if option == "as_number":
            value = values.as_number(value, "asNumber")  # stored as text by some writers
        result[option] = value
    return dict(result)


def calicoctl_values(effective_values):
    """What `calicoctl config get asNumber` / `nodeToNodeMesh` / `logLevel` print."""
    return {
        "asNumber": str(effective_values["as_number"]),
        "nodeToNodeMesh": "on" if effective_values["node_to_node_mesh"] else "off",
        "logLevel": effective_values["log_severity_screen"].lower(),
    }


def table_row(resource):
    """One row of `calicoctl get bgpConfiguration`."""
    spec = resource.get("spec") or {}
    mesh = spec.get("nodeToNodeMeshEnabled")
    return [resource["metadata"]["name"], spec.get("logSeverityScreen", "-"),
            "-" if mesh is None else str(mesh).lower(), str(spec.get("asNumber", "-"))]
