"""BGPFilter resources as BIRD functions, written as Calico's confd writes them (its
bgpFilterBIRDFuncs template function): one function per filter, direction and address family
that has rules, rules in their order, `is_same_as` guards for peer-type rules, and function names
truncated and hashed to BIRD's 64-character symbols."""
import hashlib

MAX_SYMBOL = 64
BIRD_INT_MAX = 2147483647
_OPERATORS = {"Equal": "=", "NotEqual": "!=", "In": "~", "NotIn": "!~"}
_RULES = {("import", 4): "importV4", ("import", 6): "importV6", ("export", 4): "exportV4", ("export", 6): "exportV6"}


def truncate_and_hash(name, limit):
    """confd's TruncateAndHashName."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest().upper()
    return "%s_%s" % (name[:limit - 17], digest[:16])


def function_name(filter_name, direction, version):
    suffix = "_%sFilterV%d" % (direction, version)
    return "bgp_%s%s" % (truncate_and_hash(filter_name, MAX_SYMBOL - len("bgp_") - len(suffix)), suffix)


def rules_of(resource, direction, version):
    return list((resource.get("spec") or {}).get(_RULES[(direction, version)]) or [])


def has_peer_type(resource, direction, version):
    return any(rule.get("peerType") for rule in rules_of(resource, direction, version))


def _prefix_length(cidr, length):
    import ipaddress
    network = ipaddress.ip_network(cidr, strict=False)
    low, high = network.prefixlen, network.max_prefixlen
    if length.get("min") is not None:
        low = max(low, length["min"])
    if length.get("max") is not None:
        high = min(high, length["max"])
    return "[ %s{%d,%d} ]" % (cidr, low, high)


def _community(value, attribute):
    parts = str(value).split(":")
    if len(parts) == 2:
        return "(%s, %s)" % tuple(parts), "bgp_community"
    return "(%s, %s, %s)" % tuple(parts), "bgp_large_community"


def _as_text(value):
    from ansible_collections.netops.calico.plugins.module_utils._model_values import as_number
    return str(as_number(value))


def rule_statement(rule):
    """confd's filterStatement for one rule."""
    conditions = []
    if rule.get("cidr"):
        cidr = rule["cidr"]
        if rule.get("prefixLength"):
            cidr = _prefix_length(cidr, rule["prefixLength"])
        conditions.append("(net %s %s)" % (_OPERATORS[rule["matchOperator"]], cidr))
    if rule.get("source"):
        conditions.append("((defined(source))&&(source ~ [ RTS_BGP ]))")
    if rule.get("interface"):
        conditions.append("((defined(ifname))&&(ifname ~ \"%s\"))" % rule["interface"])
    if rule.get("communities"):
        value, attribute = _community(rule["communities"]["values"][0], None)
        conditions.append("(%s ~ %s)" % (value, attribute))
    if rule.get("asPathPrefix"):
        conditions.append("(bgp_path ~ [= %s * =])" % " ".join(_as_text(item) for item in rule["asPathPrefix"]))
    if rule.get("priority") is not None:
        conditions.append("(defined(bgp_local_pref)&&(bgp_local_pref = %d))" % (BIRD_INT_MAX - rule["priority"]))
    body = []
    for operation in rule.get("operations") or []:
        if operation.get("addCommunity"):
            value, attribute = _community(operation["addCommunity"]["value"], None)
            body.append("%s.add(%s);" % (attribute, value))
        elif operation.get("prependASPath"):
            body += ["bgp_path.prepend(%s);" % _as_text(item) for item in reversed(operation["prependASPath"]["prefix"])]
        elif operation.get("setPriority"):
            body.append("bgp_local_pref = %d;" % (BIRD_INT_MAX - operation["setPriority"]["value"]))
    body.append("%s;" % rule["action"].lower())
    statement = " ".join(body)
    if conditions:
        statement = "if (%s) then { %s }" % ("&&".join(conditions), statement)
    if rule.get("peerType") == "iBGP":
        statement = "if (is_same_as) then { %s }" % statement
    elif rule.get("peerType") == "eBGP":
        statement = "if (!is_same_as) then { %s }" % statement
    return statement


def filter_functions(resources, version):
    """The lines of every BGPFilter's BIRD functions for one family (confd's bgpFilterBIRDFuncs)."""
    lines = []
    for resource in sorted(resources, key=lambda item: item["metadata"]["name"]):
        name = resource["metadata"]["name"]
        directions = [direction for direction in ("import", "export") if rules_of(resource, direction, version)]
        if not directions:
            continue
        lines.append("# v%d BGPFilter %s" % (version, name))
        for direction in directions:
            argument = "bool is_same_as" if has_peer_type(resource, direction, version) else ""
            lines.append("function '%s'(%s) {" % (function_name(name, direction, version), argument))
            lines += ["  " + rule_statement(rule) for rule in rules_of(resource, direction, version)]
            lines.append("}")
    return lines or ["# No v%d BGPFilters configured" % version]
