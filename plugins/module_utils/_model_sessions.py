# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which BGP sessions each Calico node has, computed from the datastore the way calico/node does.

For internal use by this collection. No Ansible imports, no I/O. Follows confd's Calico backend:
the v1 view of Nodes and BGPConfigurations (bgpnodeprocessor, updateBGPConfigCache), the
BGPPeer expansion into global and node-specific peerings with their reverse peerings
(updatePeersV1, nodeAsBGPPeers, nodesWithIPPortAndAS), and the per-node BIRD peers of one address
family (processMeshPeers, processPeersFromPath, buildPeerFromData), including the quirks that
decide names, ports and passive mode. Used by the plan of a change and by the lab's renderer,
which adds only the BIRD text.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import OrderedDict

from ansible_collections.netops.calico.plugins.module_utils._errors import ValidationError
from ansible_collections.netops.calico.plugins.module_utils._model_selector import SelectorError, selector_matches
from ansible_collections.netops.calico.plugins.module_utils._model_values import (
    as_number,
    parse_cidr,
    parse_duration,
    parse_ip,
)

DEFAULT_AS = "64512"

# One BIRD `protocol bgp` of a node, with confd's BirdBGPPeer fields; `resource` is the BGPPeer
# it comes from ("" for the mesh), `password` the Secret reference (never its value).
PEER_FIELDS = ("name", "ip", "port", "as_number", "local_as_number", "type", "ttl_security",
               "route_reflector", "rr_cluster_id", "source_address", "next_hop_self", "next_hop_keep",
               "passive", "graceful_restart", "keepalive_time", "num_allow_local_as", "filters", "same_as",
               "password", "resource")


class Peer(object):
    __slots__ = PEER_FIELDS

    def __init__(self, **values):
        for field in PEER_FIELDS:
            setattr(self, field, values.get(field))

    def as_dict(self):
        return OrderedDict((field, getattr(self, field)) for field in PEER_FIELDS)

    def named_port(self):
        """The port the BIRD protocol name carries (`_port_N`): a global or node peer's own port;
        a mesh peer's name has none."""
        return None if self.type == "mesh" else self.port

    def __eq__(self, other):
        return isinstance(other, Peer) and self.as_dict() == other.as_dict()

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return "Peer(%s)" % ", ".join("%s=%r" % item for item in self.as_dict().items())


def canonical_ip(text):
    """Go's net.IP String() of an address text (IPv4-mapped IPv6 prints as IPv4), or None."""
    parsed = parse_ip(text) if isinstance(text, str) else None
    return str(parsed[1]) if parsed else None


def _as_text(value):
    """numorstring.ASNumber's String(): plain digits; None when it does not parse."""
    try:
        return str(as_number(value))
    except ValidationError:
        return None


def _seconds(duration_text):
    """confd's int(math.Round(d.Seconds())) of a stored duration, as text; "" when not set."""
    nanoseconds = parse_duration(duration_text) if duration_text else None
    if nanoseconds is None:
        return ""
    return str(int((nanoseconds + 500000000) // 1000000000))


def split_host_port(text):
    """confd's parseIPPort (Go's net.SplitHostPort): (host, port) or (text, 0)."""
    if not isinstance(text, str):
        return "", 0
    if text.startswith("["):
        end = text.find("]")
        if end == -1 or not text[end + 1:].startswith(":"):
            return text, 0
        host, port_text = text[1:end], text[end + 2:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        return text, 0
    if not port_text.isdigit() or int(port_text) > 65535:
        return text, 0
    return host, int(port_text)


class Fabric(object):
    """The datastore as confd sees it: node BGP fields, global and per-node settings, peerings.

    nodes, bgp_configurations, bgp_peers, bgp_filters: lists of stored resources (dicts)."""

    def __init__(self, nodes=(), bgp_configurations=(), bgp_peers=(), bgp_filters=()):
        self.nodes = OrderedDict((node["metadata"]["name"], node)
                                 for node in sorted(nodes, key=lambda item: item["metadata"]["name"]))
        self.configurations = dict((item["metadata"]["name"], item.get("spec") or {}) for item in bgp_configurations)
        self.bgp_peers = sorted(bgp_peers, key=lambda item: item["metadata"]["name"])
        self.bgp_filters = dict((item["metadata"]["name"], item) for item in bgp_filters)
        self.global_spec = self.configurations.get("default") or {}
        self._fields = dict((name, self._node_fields(node)) for name, node in self.nodes.items())
        self.node_ips = set(ip for fields in self._fields.values() for ip in fields[:2] if ip)
        self._peerings = None
        self._scoped = None
        self._bird_peers = {}  # (node, version) -> peers: a Fabric is read-only once built

    # ---- the v1 view of nodes and BGPConfigurations --------------------------------------------

    @staticmethod
    def _node_fields(node):
        """(ipv4, ipv6, own AS text or "", route reflector cluster ID) as bgpnodeprocessor emits them."""
        bgp = (node.get("spec") or {}).get("bgp")
        if not isinstance(bgp, dict):
            return "", "", "", ""
        addresses = []
        for field in ("ipv4Address", "ipv6Address"):
            parsed = parse_cidr(bgp.get(field)) if bgp.get(field) else None
            addresses.append(str(parsed[2]) if parsed else "")
        own_as = ""
        if bgp.get("asNumber") not in (None, ""):
            own_as = _as_text(bgp["asNumber"]) or ""
        return addresses[0], addresses[1], own_as, bgp.get("routeReflectorClusterID") or ""

    def node_fields(self, name):
        return self._fields.get(name, ("", "", "", ""))

    def node_ip(self, name, version):
        return self.node_fields(name)[0 if version == 4 else 1]

    def global_as(self):
        value = self.global_spec.get("asNumber")
        return (_as_text(value) if value is not None else None) or DEFAULT_AS

    def node_as(self, name):
        """The node's AS: its own, else the global one (getNodeOrGlobalValue as_num)."""
        return self.node_fields(name)[2] or self.global_as()

    def mesh_enabled(self):
        return self.global_spec.get("nodeToNodeMeshEnabled") is not False

    def global_listen_port(self):
        return int(self.global_spec.get("listenPort") or 0)

    def node_listen_port(self, name):
        """The node.<name> BGPConfiguration's listenPort, or 0."""
        return int((self.configurations.get("node." + name) or {}).get("listenPort") or 0)

    def listen_port(self, name):
        """The port BIRD of node `name` listens on, 0 for BGP's default."""
        return self.node_listen_port(name) or self.global_listen_port()

    def bind_mode(self):
        return self.global_spec.get("bindMode") or "None"

    def normal_route_priority(self, version):
        """ipv4NormalRoutePriority / ipv6NormalRoutePriority of the default BGPConfiguration, else
        Calico's 1024."""
        value = self.global_spec.get("ipv4NormalRoutePriority" if version == 4 else "ipv6NormalRoutePriority")
        return value if isinstance(value, int) and not isinstance(value, bool) else 1024

    def mesh_restart_time(self):
        return _seconds(self.global_spec.get("nodeMeshMaxRestartTime"))

    def node_labels(self, name):
        return ((self.nodes.get(name) or {}).get("metadata") or {}).get("labels") or {}

    def nodes_matching(self, selector):
        """Names of the nodes whose labels the selector matches (none for a selector Calico
        would not parse)."""
        try:
            return [name for name in self.nodes if selector_matches(selector, self.node_labels(name))]
        except SelectorError:
            return []

    # ---- BGPPeers to peerings (updatePeersV1) -----------------------------------------------------

    def nodes_with_ip_port_and_as(self, ip, peer_as, port):
        """confd's nodesWithIPPortAndAS: nodes whose address text is ip, whose AS is the peer's
        (0: the global AS), and, when a port is given, whose listen port does not contradict it."""
        wanted = (_as_text(peer_as) if peer_as not in (None, "", 0) else None) or self.global_as()
        names = []
        for name in self.nodes:
            ipv4, ipv6, own_as, _cluster = self.node_fields(name)
            if ip not in (ipv4, ipv6) or not ip:
                continue
            if (own_as or self.global_as()) != wanted:
                continue
            if port:
                node_port = self.node_listen_port(name)
                if node_port and port != node_port:
                    continue
                elif self.global_listen_port() and self.global_listen_port() != port:
                    continue
            names.append(name)
        return names

    def _node_as_peers(self, name, versions, spec, resource):
        """confd's nodeAsBGPPeers: a Calico node seen as the peer, one per address family."""
        ipv4, ipv6, own_as, cluster_id = self.node_fields(name)
        peers = []
        for version, ip in ((4, ipv4), (6, ipv6)):
            if version not in versions or not ip:
                continue
            keep, next_hop_mode = _next_hop_mode(spec)
            peers.append(dict(
                ip=ip, as_number=own_as or self.global_as(), local_as_number="", rr_cluster_id=cluster_id,
                port=self.listen_port(name), ttl_security=_uint(spec.get("ttlSecurity")),
                filters=list(spec.get("filters") or []), keep_next_hop=keep, next_hop_mode=next_hop_mode,
                calico_node=False, num_allow_local_as=0, resource=resource))
        return peers

    def _peer_ip_peer(self, spec, resource):
        host, port = split_host_port(spec.get("peerIP"))
        ip = canonical_ip(host)
        if ip is None:
            return None
        peer_as = spec.get("asNumber")
        if not port:
            matching = self.nodes_with_ip_port_and_as(host, peer_as, 0)
            if matching:
                port = self.node_listen_port(matching[0]) or self.global_listen_port()
        if spec.get("reachableBy"):
            reachable = parse_ip(spec["reachableBy"])
            if reachable is None or reachable[0] != parse_ip(ip)[0]:
                return None  # confd logs and skips the peer
        keep, next_hop_mode = _next_hop_mode(spec)
        local_as = spec.get("localASNumber")
        return dict(
            ip=ip, as_number=_as_text(peer_as) if peer_as not in (None, "", 0) else "0",
            local_as_number=_as_text(local_as) if local_as not in (None, "", 0) else "",
            rr_cluster_id="", port=port, ttl_security=_uint(spec.get("ttlSecurity")),
            filters=list(spec.get("filters") or []), keep_next_hop=keep, next_hop_mode=next_hop_mode,
            calico_node=host in self.node_ips, num_allow_local_as=_uint(spec.get("numAllowedLocalASNumbers")),
            resource=resource)

    def peerings(self):
        """{("global", ip, port) or ("node", node, ip, port): backend peer dict}, in emission
        order; the first peering emitted for a key wins, and a node peering is not emitted where
        a global one to the same address and port exists."""
        if self._peerings is not None:
            return self._peerings
        emitted = OrderedDict()

        def emit(key, peer):
            if key in emitted:
                return
            if key[0] == "node" and ("global", key[2], key[3]) in emitted:
                return
            emitted[key] = peer

        for global_pass in (True, False):
            for resource in self.bgp_peers:
                spec = resource.get("spec") or {}
                name = resource["metadata"]["name"]
                if global_pass != (not spec.get("nodeSelector") and not spec.get("node")):
                    continue
                if spec.get("nodeSelector"):
                    local_nodes = self.nodes_matching(spec["nodeSelector"])
                elif spec.get("node"):
                    local_nodes = [spec["node"]]
                else:
                    local_nodes = []
                if spec.get("localWorkloadSelector"):
                    continue  # fed by workload endpoint status, which only a real cluster has
                if spec.get("peerSelector"):
                    peers = []
                    for peer_node in self.nodes_matching(spec["peerSelector"]):
                        peers.extend(self._node_as_peers(peer_node, (4, 6), spec, name))
                else:
                    peer = self._peer_ip_peer(spec, name)
                    peers = [peer] if peer else []
                for peer in peers:
                    _resource_fields(peer, spec)
                    if global_pass:
                        emit(("global", peer["ip"], peer["port"]), peer)
                    else:
                        for local in local_nodes:
                            emit(("node", local, peer["ip"], peer["port"]), dict(peer))

        # Reverse peerings: the nodes a BGPPeer points at peer back with the nodes it applies to.
        for resource in self.bgp_peers:
            spec = resource.get("spec") or {}
            if spec.get("reversePeering") == "Manual" or spec.get("localWorkloadSelector"):
                continue
            if spec.get("peerSelector"):
                local_nodes = self.nodes_matching(spec["peerSelector"])
                versions = (4, 6)
            else:
                host, port = split_host_port(spec.get("peerIP"))
                local_nodes = self.nodes_with_ip_port_and_as(host, spec.get("asNumber"), port)
                versions = (6,) if ":" in host else (4,)
            if not local_nodes:
                continue
            if spec.get("nodeSelector"):
                remote_nodes = self.nodes_matching(spec["nodeSelector"])
            elif spec.get("node"):
                remote_nodes = [spec["node"]]
            else:
                remote_nodes = list(self.nodes)
            for remote in remote_nodes:
                for peer in self._node_as_peers(remote, versions, spec, resource["metadata"]["name"]):
                    _resource_fields(peer, spec)
                    for local in local_nodes:
                        emit(("node", local, peer["ip"], peer["port"]), dict(peer))
        self._peerings = emitted
        return emitted

    # ---- one node's BIRD peers of one family (processPeers) ---------------------------------------

    def bird_peers(self, node_name, version):
        """The node's BIRD peers for IPv4 (version 4) or IPv6, sorted by name as confd sorts them;
        None when the node is not in the datastore or has no address of that family (calico/node
        then renders no BGP for it). Computed once per node and family (callers must not change them)."""
        key = (node_name, version)
        if key not in self._bird_peers:
            self._bird_peers[key] = self._compute_bird_peers(node_name, version)
        return self._bird_peers[key]

    def _compute_bird_peers(self, node_name, version):
        if node_name not in self.nodes:
            return None
        own_ip = self.node_ip(node_name, version)
        if not own_ip:
            return None
        node_as = self.node_as(node_name)
        cluster_id = self.node_fields(node_name)[3]
        peers = []
        if not cluster_id and self.mesh_enabled():
            peers.extend(self._mesh_peers(node_name, version, own_ip, node_as))
        for scope, prefix in (("global", "Global"), ("node", "Node")):
            for data in self._peerings_of(scope, node_name):
                if parse_ip(data["ip"])[0] != version:
                    continue
                peer = self._bird_peer(data, prefix, own_ip, node_as, cluster_id)
                if peer is not None:
                    peers.append(peer)
        return sorted(peers, key=lambda peer: peer.name)

    def _peerings_of(self, scope, node_name):
        """The peerings of one scope ("global", or "node" for node_name), in emission order."""
        if self._scoped is None:
            self._scoped = {}
            for key, data in self.peerings().items():
                self._scoped.setdefault(("global",) if key[0] == "global" else ("node", key[1]), []).append(data)
        return self._scoped.get(("global",) if scope == "global" else ("node", node_name), [])

    def _mesh_peers(self, node_name, version, own_ip, node_as):
        peers = []
        password = self.global_spec.get("nodeMeshPassword")
        restart_time = self.mesh_restart_time() or None
        global_port = self.global_listen_port()
        for other in self.nodes:
            ipv4, ipv6, other_as, other_cluster = self.node_fields(other)
            ip = ipv4 if version == 4 else ipv6
            if not ip or ip == own_ip or other_cluster:
                continue
            peer_as = other_as or node_as  # confd falls back to this node's AS
            port = self.node_listen_port(other) or global_port
            peers.append(Peer(
                name="Mesh_" + _name_part(ip), ip=ip, port=port or None, as_number=peer_as, local_as_number=None,
                type="mesh", ttl_security="off", route_reflector=False, rr_cluster_id=None,
                source_address=own_ip, next_hop_self=False, next_hop_keep=False, passive=ip > own_ip,
                graceful_restart=restart_time, keepalive_time=None, num_allow_local_as=None,
                filters=[], same_as=peer_as == node_as, password=password, resource=""))
        return peers

    def _bird_peer(self, data, prefix, own_ip, node_as, cluster_id):
        """confd's buildPeerFromData."""
        ip = data["ip"]
        if ip == own_ip:
            return None
        name = "%s_%s" % (prefix, _name_part(ip))
        if data["port"]:
            name += "_port_%d" % data["port"]
        peer_as = data["as_number"]
        local_as = data["local_as_number"] or None
        effective_as = local_as or node_as
        route_reflector = bool(peer_as == effective_as and cluster_id and data["rr_cluster_id"] != cluster_id)
        return Peer(
            name=name, ip=ip, port=data["port"] or None, as_number=peer_as, local_as_number=local_as,
            type=prefix.lower(), ttl_security=str(data["ttl_security"]) if data["ttl_security"] else "off",
            route_reflector=route_reflector, rr_cluster_id=cluster_id if route_reflector else None,
            source_address=own_ip if data["source_address"] == "UseNodeIP" else None,
            next_hop_self=data["next_hop_mode"] == "Self",
            next_hop_keep=data["next_hop_mode"] == "Keep" or (data["keep_next_hop"] and peer_as != effective_as),
            passive=bool(prefix == "Global" and data["calico_node"] and ip > own_ip),
            graceful_restart=data["restart_time"] or None, keepalive_time=data["keepalive_time"] or None,
            num_allow_local_as=str(data["num_allow_local_as"]) if data["num_allow_local_as"] else None,
            filters=data["filters"], same_as=peer_as == effective_as, password=data["password"],
            resource=data["resource"])


def _name_part(ip):
    return ip.replace(".", "_").replace(":", "_")


def _uint(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _next_hop_mode(spec):
    """confd's getNextHopMode: nextHopMode wins; keepOriginalNextHop only without it."""
    if spec.get("nextHopMode"):
        return False, spec["nextHopMode"]
    return bool(spec.get("keepOriginalNextHop")), ""


def _resource_fields(peer, spec):
    """confd's setPeerConfigFieldsFromV3Resource."""
    peer["password"] = spec.get("password")
    peer["source_address"] = spec.get("sourceAddress") or "UseNodeIP"
    peer["restart_time"] = _seconds(spec.get("maxRestartTime"))
    peer["keepalive_time"] = _seconds(spec.get("keepaliveTime"))
    return peer
