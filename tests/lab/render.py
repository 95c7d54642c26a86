"""The BIRD text calico/node's confd would write for one node, from the datastore.

Which sessions a node has, and every field of each, is the collection's own computation
(plugins/module_utils/_model_sessions.py, confd's peer computation); this file only writes
the BIRD 1.6 text for it, `protocol bgp` blocks exactly as Calico's bird.cfg.template and
bird6.cfg.template write them (neighbor, port, local AS, source address, TTL security and
multihop, import and export filters with their BGPFilter calls, passive, graceful restart
time, keepalive, route-reflector client and cluster ID, next hop self/keep, allow local as).

What the lab leaves out on purpose, and why (also listed in the confd fixture test):
- passwords: Calico reads them from Kubernetes Secrets, which the lab has not;
- `protocol kernel` / `direct` / IPAM and aggregation (bird_ipam.cfg, bird_aggr.cfg): they
  program this machine's routes; the lab announces each node's pod block as a static
  blackhole route inside BIRD instead, and defines calico_export_to_bgp_peers() to export the
  lab's pod CIDR only;
- Service advertisement and community rules (apply_communities): static routes and
  Kubernetes Services;
- BIRD always listens on the node's own address (as `bindMode: NodeIP` does), because every
  node of the lab shares one machine; and the session timers of the template are shorter.
"""
import ipaddress

from ansible_collections.netops.calico.plugins.module_utils._datastore_store import decode, kind_prefix
from ansible_collections.netops.calico.plugins.module_utils._model_sessions import Fabric

KINDS = ("Node", "BGPConfiguration", "BGPPeer", "BGPFilter")
# BIRD's int max (template.BirdIntMaxValue) and confd's override preference
BIRD_INT_MAX = 2147483647
OVERRIDE_PREFERENCE = 200


class Snapshot(Fabric):
    """The Calico resources the agents read, from one consistent etcd read."""

    def __init__(self, nodes=(), bgp_configurations=(), bgp_peers=(), bgp_filters=(), revision=None):
        super(Snapshot, self).__init__(nodes, bgp_configurations, bgp_peers, bgp_filters)
        self.revision = revision
        self.errors = []  # resources that could not be used, in words

    @classmethod
    def from_key_values(cls, key_values, revision=None):
        """Build from the KeyValues of one prefix read of all v3 resources. A value that does
        not decode is skipped (as Calico's lists skip it) and noted in `errors`."""
        buckets = dict((kind, []) for kind in KINDS)
        errors = []
        for key_value in key_values:
            for kind in KINDS:
                if key_value.key.startswith(kind_prefix(kind)):
                    try:
                        buckets[kind].append(decode(key_value, kind))
                    except Exception as exc:  # a corrupt value: Calico skips it too
                        errors.append(str(exc))
        snapshot = cls(buckets["Node"], buckets["BGPConfiguration"], buckets["BGPPeer"], buckets["BGPFilter"],
                       revision)
        snapshot.errors = errors
        return snapshot


def node_sessions(snapshot, node_name, version=4):
    """The node's BGP peers of one family (the collection's computation), [] without any."""
    return snapshot.bird_peers(node_name, version) or []


# ---- protocol blocks, as Calico's templates write them ----------------------------------------

def _filter_calls(snapshot, peer, direction, version):
    """The calls to BGPFilter functions of a peer's import or export filter (buildImportFilter /
    buildExportFilter): one per named filter that exists and has rules of that family."""
    from tests.lab.bgp_filters import function_name, has_peer_type, rules_of

    calls = []
    for name in peer.filters or []:
        resource = snapshot.bgp_filters.get(name)
        if resource is None or not rules_of(resource, direction, version):
            continue
        argument = ("true" if peer.same_as else "false") if has_peer_type(resource, direction, version) else ""
        calls.append("'%s'(%s);" % (function_name(name, direction, version), argument))
    return calls


def import_filter(snapshot, peer, version):
    lines = _filter_calls(snapshot, peer, "import", version) + [
        "if (defined(bgp_local_pref)&&(bgp_local_pref > %d)) then" % (BIRD_INT_MAX - snapshot.normal_route_priority(version)),
        "  preference = %d;" % OVERRIDE_PREFERENCE,
        "accept;",
    ]
    return "\n    ".join(lines)


def export_filter(snapshot, peer, version):
    priority = snapshot.normal_route_priority(version)
    lines = [
        "if (defined(source) && source = RTS_BGP && defined(bgp_local_pref)) then {",
        "  krt_metric = %d - bgp_local_pref;" % BIRD_INT_MAX,
        "} else {",
        "  if (!defined(krt_metric)) then { krt_metric = %d; }" % priority,
        "  bgp_local_pref = %d - krt_metric;" % BIRD_INT_MAX,
        "}",
    ] + _filter_calls(snapshot, peer, "export", version) + [
        "calico_export_to_bgp_peers(%s);" % ("true" if peer.same_as else "false"),
        "reject;",
    ]
    return "\n    ".join(lines)


def render_protocol(snapshot, peer, version):
    """One `protocol bgp` block, byte for byte as confd renders it (the password left out)."""
    lines = ["protocol bgp %s from bgp_template {" % peer.name]
    if peer.local_as_number:
        lines.append("  local as %s;" % peer.local_as_number)
    lines.append("  neighbor %s%s as %s;" % (peer.ip, " port %d" % peer.port if peer.port else "", peer.as_number))
    if peer.source_address:
        lines.append("  source address %s;  # The local address we use for the TCP connection" % peer.source_address)
    if peer.ttl_security == "off":
        lines.append("  ttl security off;")
    elif peer.ttl_security:
        lines.append("  ttl security on;")
    if peer.ttl_security and peer.ttl_security != "off":
        lines.append("  multihop %s;" % peer.ttl_security)
    else:
        lines.append("  multihop;")
    lines += ["  import filter {", "    " + import_filter(snapshot, peer, version), "  };"]
    lines += ["  export filter {", "    " + export_filter(snapshot, peer, version),
              "  };  # Only want to export routes for workloads."]
    if peer.passive:
        lines.append("  passive on;")
    if peer.graceful_restart:
        lines.append("  graceful restart time %s;" % peer.graceful_restart)
    if peer.keepalive_time:
        lines.append("  keepalive time %s;" % peer.keepalive_time)
    if peer.route_reflector and peer.rr_cluster_id:
        lines += ["  rr client;", "  rr cluster id %s;" % peer.rr_cluster_id]
    if peer.next_hop_keep:
        lines.append("  next hop keep;")
    if peer.next_hop_self:
        lines.append("  next hop self;")
    if peer.num_allow_local_as:
        lines.append("  allow local as %s;" % peer.num_allow_local_as)
    lines.append("}")
    return "\n".join(lines)


# ---- the whole file -----------------------------------------------------------------------------

def render_node_config(snapshot, node_name, pod_cidr, pod_blocks=(), version=4, listen_port=None):
    """The whole BIRD (version 4) or bird6 (version 6) config of a node, or None when the node
    has no address of that family (calico/node then runs no BGP of that family)."""
    from tests.lab.bgp_filters import filter_functions

    peers = snapshot.bird_peers(node_name, version)
    if peers is None:
        return None
    router_id = snapshot.node_ip(node_name, 4) or _router_id_from_name(node_name)
    own_ip = snapshot.node_ip(node_name, version)
    port = listen_port or snapshot.listen_port(node_name) or 179
    lines = [
        "# Generated by the netops.calico lab agent for node %s (IPv%d): the protocols are those"
        % (node_name, version),
        "# calico/node's confd writes. Do not edit: the agent rewrites it when the datastore changes.",
        "router id %s;" % router_id,
        "listen bgp address %s port %d;" % (own_ip, port),
        "",
        "# The pod blocks this node owns, announced as blackhole routes (Calico's bird_aggr.cfg).",
        "# No `protocol kernel`: routes stay inside BIRD and never touch this machine.",
        "protocol static {  # unnamed, as in bird_aggr.cfg: BIRD calls it static1",
    ]
    lines += ["  route %s blackhole;" % block for block in pod_blocks]
    lines += [
        "}",
        "",
        "# The lab's calico_export_to_bgp_peers (bird_ipam.cfg in Calico): the pod CIDR only.",
        "function calico_export_to_bgp_peers(bool internal_peer) {",
        "  if ( net ~ %s ) then { accept; }" % pod_cidr,
        "}",
        "",
        "protocol device {",
        "  scan time 2;    # Scan interfaces every 2 seconds",
        "}",
        "",
        "# Template for all BGP clients",
        "template bgp bgp_template {",
        "  debug { states };",
        "  description \"Connection to BGP peer\";",
        "  local as %s;" % snapshot.node_as(node_name),
        "  gateway recursive; # This should be the default, but just in case.",
        "  add paths on;",
        "  graceful restart;  # See comment in kernel section about graceful restart.",
        "  connect delay time 1;",
        "  connect retry time 3;",
        "  error wait time 5,60;",
        "}",
        "",
        "# -------------- BGP Filters ------------------",
    ]
    lines += filter_functions(snapshot.bgp_filters.values(), version)
    if peers:
        lines.append("# BGP Protocol Configurations")
        lines += [render_protocol(snapshot, peer, version) for peer in peers]
    else:
        lines.append("# No BGP peers configured for this node")
    return "\n".join(lines) + "\n"


def _router_id_from_name(name):
    """A router ID for a node without IPv4 (calico/node would need CALICO_ROUTER_ID)."""
    import hashlib
    return str(ipaddress.IPv4Address(int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)))


def protocol_suffix(address, port=0):
    """'10.0.0.1', 1790 -> '10_0_0_1_port_1790' (calico/node's naming)."""
    suffix = address.replace(".", "_").replace(":", "_")
    if port:
        suffix += "_port_%d" % port
    return suffix
