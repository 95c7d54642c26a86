# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BGPFilter kind: ordered import/export rules per address family, Calico's rules for them.

For internal use by this collection. No Ansible imports. A rule's options are the snake_case of
Calico's BGPFilterRuleV4/V6 fields; the stored rule keeps Go's field order, and the order of the
rules, which BIRD evaluates first to last.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections import OrderedDict

from ansible_collections.netops.calico.plugins.module_utils import _model_values as values
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import new_resource
from ansible_collections.netops.calico.plugins.module_utils._errors import Problems, ValidationError, shown
from ansible_collections.netops.calico.plugins.module_utils._model_options import (
    Kind,
    Option,
    check_rules,
    merge_labels,
    parse_options,
    update_section,
)

ACTIONS = ("Accept", "Reject")
MATCH_OPERATORS = ("Equal", "NotEqual", "In", "NotIn")
SOURCES = ("RemotePeers",)
PEER_TYPES = ("eBGP", "iBGP")
MAX_PRIORITY = 2147483646
# BGPFilterRuleV4/V6's CRD maxLength of cidr, and of one community value
MAX_CIDR_LENGTH = {4: 18, 6: 43}
MAX_COMMUNITY_LENGTH = 32
MAX_OPERATIONS = 10
MAX_PREPEND = 10
# The CRD pattern of BGPCommunityValue: aa:nn (16 bit) or aa:nn:mm (32 bit), no leading zeros.
_PART16 = r"([0-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
_PART32 = (r"([0-9]|[1-9][0-9]{1,8}|[1-3][0-9]{9}|4[0-1][0-9]{8}|42[0-8][0-9]{7}|429[0-3][0-9]{6}|"
           r"4294[0-8][0-9]{5}|42949[0-5][0-9]{4}|429496[0-6][0-9]{3}|4294967[0-1][0-9]{2}|"
           r"42949672[0-8][0-9]|429496729[0-5])")
_COMMUNITY = re.compile(r"(%s:%s|%s:%s:%s)\Z" % (_PART16, _PART16, _PART32, _PART32, _PART32))
# libcalico-go's bgpFilterInterfaceRegex (or '*')
_INTERFACE = re.compile(r"[a-zA-Z0-9_.*-]{1,15}\Z")

# The rule fields in Go's struct order, and the Calico version that introduced each.
RULE_FIELDS = OrderedDict([
    ("cidr", ("cidr", "3.26")), ("prefix_length", ("prefixLength", "3.29")), ("source", ("source", "3.27")),
    ("interface", ("interface", "3.27")), ("match_operator", ("matchOperator", "3.26")),
    ("peer_type", ("peerType", "3.32")), ("communities", ("communities", "3.32")),
    ("as_path_prefix", ("asPathPrefix", "3.32")), ("priority", ("priority", "3.32")),
    ("action", ("action", "3.26")), ("operations", ("operations", "3.32")),
])
OPERATION_FIELDS = OrderedDict([("add_community", "addCommunity"), ("prepend_as_path", "prependASPath"),
                                ("set_priority", "setPriority")])

# Ansible checks only the shapes; every value rule is the collection's, so that each message names
# the rule by its index (export_v4[2].priority) as the task's list gives it.
RULE_SUBOPTIONS = OrderedDict([
    ("action", dict(type="str")),
    ("cidr", dict(type="str")),
    ("match_operator", dict(type="str")),
    ("prefix_length", dict(type="dict", options=OrderedDict([("min", dict(type="raw")), ("max", dict(type="raw"))]))),
    ("source", dict(type="str")),
    ("interface", dict(type="str")),
    ("peer_type", dict(type="str")),
    ("communities", dict(type="dict", options=OrderedDict([("values", dict(type="list", elements="str"))]))),
    ("as_path_prefix", dict(type="list", elements="raw")),
    ("priority", dict(type="raw")),
    ("operations", dict(type="list", elements="dict", options=OrderedDict([
        ("add_community", dict(type="dict", options=OrderedDict([("value", dict(type="str"))]))),
        ("prepend_as_path", dict(type="dict", options=OrderedDict([("prefix", dict(type="list", elements="raw"))]))),
        ("set_priority", dict(type="dict", options=OrderedDict([("value", dict(type="raw"))]))),
    ]))),
])


def community(value, field):
    """A BGPCommunityValue: aa:nn or aa:nn:mm, as the CRD's pattern allows (no leading zeros)."""
    values.text(value, field)
    if len(value) > MAX_COMMUNITY_LENGTH or not _COMMUNITY.match(value):
        raise ValidationError(field, "%s is not a community value (aa:nn with 16-bit parts, or aa:nn:mm with "
                                     "32-bit parts, without leading zeros)" % shown(value))
    return value


def _priority(value, field):
    return values.integer(value, field, 1, MAX_PRIORITY)


def _rule(rule, field, version, problems):
    """One rule's stored form (an OrderedDict in Go's order), its problems added to problems."""
    if not isinstance(rule, dict):
        problems.add(field, "must be a dict (a filter rule)")
        return None
    unknown = sorted(set(rule) - set(RULE_SUBOPTIONS))
    if unknown:
        problems.add(field, "unknown key(s) %s; a rule has %s" % (", ".join(map(str, unknown)), ", ".join(RULE_SUBOPTIONS)))
    given = dict((key, item) for key, item in rule.items() if item is not None and key in RULE_SUBOPTIONS)
    for key in ("prefix_length", "communities"):  # Ansible fills unset suboptions in with null
        if isinstance(given.get(key), dict):
            given[key] = dict((sub, item) for sub, item in given[key].items() if item is not None)
            if not given[key]:
                del given[key]
    if given.get("operations"):
        given["operations"] = [dict((sub, item) for sub, item in operation.items() if item is not None)
                               if isinstance(operation, dict) else operation for operation in given["operations"]]
    stored = {}
    if "action" not in given:
        problems.add(field + ".action", "is required (Accept or Reject)")
    else:
        stored["action"] = problems.attempt(values.choice, given["action"], field + ".action", ACTIONS)
    if "cidr" in given:
        cidr = problems.attempt(values.cidr, given["cidr"], field + ".cidr", version, True)
        if cidr is not None and len(cidr) > MAX_CIDR_LENGTH[version]:
            problems.add(field + ".cidr", "is longer than Calico's %d characters" % MAX_CIDR_LENGTH[version])
        stored["cidr"] = cidr
    if "match_operator" in given:
        stored["matchOperator"] = problems.attempt(values.choice, given["match_operator"], field + ".match_operator",
                                                   MATCH_OPERATORS)
    if ("cidr" in given) != ("match_operator" in given):
        problems.add([field + ".cidr", field + ".match_operator"], "must both be set or both be left out")
    if "prefix_length" in given:
        stored["prefixLength"] = _prefix_length(given["prefix_length"], field + ".prefix_length", version, problems)
        if "cidr" not in given:
            problems.add(field + ".prefix_length", "needs cidr (Calico: cidr is required when prefixLength is set)")
    if "source" in given:
        stored["source"] = problems.attempt(values.choice, given["source"], field + ".source", SOURCES)
    if "interface" in given:
        interface = problems.attempt(values.text, given["interface"], field + ".interface")
        if interface is not None and interface != "*" and not _INTERFACE.match(interface):
            problems.add(field + ".interface", "%s is not an interface name or glob (1 to 15 letters, digits, "
                                               "'_', '.', '-', '*')" % shown(interface))
        stored["interface"] = interface
    if "peer_type" in given:
        stored["peerType"] = problems.attempt(values.choice, given["peer_type"], field + ".peer_type", PEER_TYPES)
    if "communities" in given:
        stored["communities"] = _communities(given["communities"], field + ".communities", problems)
    if "as_path_prefix" in given:
        stored["asPathPrefix"] = _as_list(given["as_path_prefix"], field + ".as_path_prefix", problems)
    if "priority" in given:
        stored["priority"] = problems.attempt(_priority, given["priority"], field + ".priority")
    if "operations" in given:
        stored["operations"] = _operations(given["operations"], field + ".operations", problems)
        if given.get("action") != "Accept":
            problems.add([field + ".operations", field + ".action"], "operations may only be used with action Accept")
    return OrderedDict((calico, stored[calico]) for _option, (calico, _since) in RULE_FIELDS.items() if calico in stored)


def _prefix_length(value, field, version, problems):
    if not isinstance(value, dict) or not value or set(value) - set(("min", "max")):
        problems.add(field, "must be a dict with min and/or max")
        return None
    result = OrderedDict()
    top = 32 if version == 4 else 128
    for key in ("min", "max"):
        if value.get(key) is not None:
            result[key] = problems.attempt(values.integer, value[key], "%s.%s" % (field, key), 0, top)
    return result


def _communities(value, field, problems):
    if not isinstance(value, dict) or set(value) != set(("values",)) or not isinstance(value["values"], list):
        problems.add(field, "must be a dict with values (a list of one community)")
        return None
    if len(value["values"]) != 1:
        problems.add(field + ".values", "must hold exactly one community (Calico's maxItems is 1)")
        return None
    return OrderedDict([("values", [problems.attempt(community, value["values"][0], field + ".values[0]")])])


def _as_list(value, field, problems, limit=None):
    if not isinstance(value, list) or not value:
        problems.add(field, "must be a non-empty list of AS numbers")
        return None
    if limit is not None and len(value) > limit:
        problems.add(field, "has %d AS numbers; Calico allows at most %d" % (len(value), limit))
    return [problems.attempt(values.as_number, item, "%s[%d]" % (field, index)) for index, item in enumerate(value)]


def _operations(value, field, problems):
    if not isinstance(value, list) or not value:
        problems.add(field, "must be a non-empty list of operations")
        return None
    if len(value) > MAX_OPERATIONS:
        problems.add(field, "has %d operations; Calico allows at most %d" % (len(value), MAX_OPERATIONS))
    result = []
    for index, operation in enumerate(value):
        entry = "%s[%d]" % (field, index)
        present = [key for key in OPERATION_FIELDS if isinstance(operation, dict) and operation.get(key) is not None]
        if not isinstance(operation, dict) or len(present) != 1 or set(operation) - set(OPERATION_FIELDS):
            problems.add(entry, "must set exactly one of add_community, prepend_as_path, set_priority")
            continue
        key = present[0]
        body = operation[key]
        if key == "add_community":
            stored = OrderedDict([("value", problems.attempt(community, (body or {}).get("value"), entry + ".add_community.value"))])
        elif key == "prepend_as_path":
            stored = OrderedDict([("prefix", _as_list((body or {}).get("prefix"), entry + ".prepend_as_path.prefix",
                                                      problems, MAX_PREPEND))])
        else:
            stored = OrderedDict([("value", problems.attempt(_priority, (body or {}).get("value"), entry + ".set_priority.value"))])
        result.append(OrderedDict([(OPERATION_FIELDS[key], stored)]))
    return result


def _rules(version):
    def convert(items, name):
        if not isinstance(items, list):
            raise ValidationError(name, "must be a list of rules")
        problems = Problems()
        result = [_rule(rule, "%s[%d]" % (name, index), version, problems) for index, rule in enumerate(items)]
        problems.raise_any()
        return result
    return convert


_OPTION_OF_RULE_FIELD = dict((calico, option) for option, (calico, _since) in RULE_FIELDS.items())
_OPTION_OF_OPERATION = dict((calico, option) for option, calico in OPERATION_FIELDS.items())


def _rules_option(stored):
    """Stored rules in the options' snake_case (for manifests)."""
    rules = []
    for rule in stored or []:
        option = OrderedDict()
        for calico, value in (rule or {}).items():
            name = _OPTION_OF_RULE_FIELD.get(calico, calico)
            if calico == "operations" and isinstance(value, list):
                value = [dict((_OPTION_OF_OPERATION.get(key, key), item) for key, item in (operation or {}).items())
                         for operation in value]
            option[name] = value
        rules.append(option)
    return rules


def _rule_option(name, field, version):
    return Option(name, field, "list", _rules(version), elements="dict", suboptions=RULE_SUBOPTIONS, since="3.26",
                  to_option=_rules_option)


MODEL = Kind(
    "BGPFilter", "bgpfilters",
    options=[_rule_option("export_v4", "exportV4", 4), _rule_option("import_v4", "importV4", 4),
             _rule_option("export_v6", "exportV6", 6), _rule_option("import_v6", "importV6", 6)],
    field_order=("exportV4", "importV4", "exportV6", "importV6"),
    since="3.26",
)
KIND = MODEL.name
TABLE_HEADERS = ["NAME"]


def rule_versions(spec):
    """{option path: Calico version} of every rule field newer than the kind used in a spec, for
    the version check (a field newer than the cluster's Calico is refused)."""
    found = OrderedDict()
    for option in MODEL.options.values():
        for index, rule in enumerate(spec.get(option.field) or []):
            for name, (calico, since) in RULE_FIELDS.items():
                if calico in (rule or {}) and since != MODEL.since:
                    found["%s[%d].%s" % (option.name, index, name)] = since
    return found


def desired_state(current, name, params):
    """The BGPFilter the task asks for, given the stored one (or None). None means absent."""
    if params.get("state") == "absent":
        return None
    request = parse_options(MODEL, params)
    document = current if current is not None else new_resource(KIND, name)
    document["spec"] = update_section(MODEL, document["spec"], request)
    merge_labels(document["metadata"], request.labels)
    check_rules(MODEL, document["spec"], request)
    return document


def apply(module, params):
    """Apply one BGPFilter task (module: the CalicoModule); returns the task result."""
    name = values.resource_name(params["name"], "name")
    if params.get("state", "present") == "present":
        asked = desired_state(None, name, params)  # every option checked before any I/O
        module.require_calico_version([(KIND, MODEL.since)] +
                                      list(rule_versions(asked["spec"]).items()))
    elif not params.get("force"):
        users = peers_naming(module.store.list("BGPPeer"), name)
        if users and module.store.get(KIND, name) is not None:
            raise ValidationError("force", "BGPFilter %s is still named by the BGP peer(s) %s; remove it from their "
                                           "filters first, or set force=true" % (name, ", ".join(users)))

    result = module.store.apply(KIND, name, lambda current: desired_state(current, name, params),
                                check_mode=module.check_mode)
    return module.apply_output(result, KIND, name)


def peers_naming(peers, name):
    """Names of the BGPPeers whose filters name this filter."""
    return sorted(peer["metadata"]["name"] for peer in peers if name in ((peer.get("spec") or {}).get("filters") or []))


def summary(document):
    spec = document.get("spec") or {}
    return OrderedDict([("name", document["metadata"]["name"])] +
                       [(option.name, len(spec.get(option.field) or [])) for option in MODEL.options.values()])


def table_row(document):
    """One row of `calicoctl get bgpfilter`."""
    return [document["metadata"]["name"]]
