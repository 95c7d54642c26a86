"""What calico/node's confd would write to BIRD for one node, computed from the datastore.

Pure functions, no I/O: a Snapshot of the Calico resources (Nodes, BGPConfigurations,
BGPPeers) goes in, BIRD 1.6 configuration text comes out. The semantics follow Calico's confd
(its Go client's updatePeersV1 / nodeAsBGPPeers and its bird.cfg.template):

- Identity: router id and source address from the Node's ``spec.bgp.ipv4Address`` (prefix
  length dropped); AS from ``spec.bgp.asNumber``, else the global ``asNumber``, else 64512.
- Listen port: ``listenPort`` of ``node.<name>``, else of ``default``, else BGP's 179.
- Mesh (``nodeToNodeMeshEnabled`` not false): one ``Mesh_<ip>`` per other node with an IPv4
  address, with that node's AS and listen port; ``passive on`` when the other address is
  greater *as text* than ours (of each pair only the higher address dials). A route-reflector
  node (``routeReflectorClusterID`` set) takes no part in the mesh, and others skip it.
- BGPPeers: first every global one (neither ``node`` nor ``nodeSelector``) as ``Global_<ip>``,
  then the node ones (``node`` is this node, or ``nodeSelector`` matches its labels) as
  ``Node_<ip>``, skipped when a global peering to the same address and port exists. A
  ``peerSelector`` expands into one peering per selected Calico node (its address, AS, cluster
  ID and listen port), and each peering is also made in reverse on the selected nodes (and on
  the Calico node a ``peerIP`` points at), so sessions between Calico nodes are symmetric.
  A peering to the node's own address is skipped.
- A peer with a port (``peerIP: a.b.c.d:N``, or a Calico node with a listen port) is named
  ``..._port_N`` and rendered ``neighbor <ip> port N as <as>``.
- Route reflection: on a node with a cluster ID, an iBGP peer (same AS) whose cluster ID differs
  gets ``rr client; rr cluster id <id>;``.
- ``keepOriginalNextHop: true`` renders ``next hop keep;`` (``peerIP`` peers in another AS only,
  as Calico does); ``sourceAddress: None`` drops the ``source address`` line (default
  ``UseNodeIP``).

Lab-only differences, none of them visible in session names or states: BIRD listens on the
node's address (``listen bgp address``, as Calico's ``bindMode: NodeIP``) because all nodes
share one machine; there is no ``protocol kernel`` / ``direct`` / BFD; the node's pod block is
a static blackhole route, and the export filter accepts routes inside the lab's pod CIDR.
IPv6 (bird6) is not rendered.
"""
from collections import namedtuple
import ipaddress

from ansible_collections.netops.calico.plugins.module_utils._kind_bgp_configuration import effective
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import decode, kind_prefix
from ansible_collections.netops.calico.plugins.module_utils._model_selector import SelectorError, selector_matches
from ansible_collections.netops.calico.plugins.module_utils._model_values import ValidationError, as_number, split_peer_ip

BGP_PORT = 179
KINDS = ("Node", "BGPConfiguration", "BGPPeer")

# One BGP session of a node, as rendered into one `protocol bgp` block.
Session = namedtuple("Session", "name kind address port as_number passive rr_cluster_id "
                                "keep_next_hop source_address")


class Snapshot(object):
    """The Calico resources the agents read, from one consistent etcd read."""

    def __init__(self, nodes=(), bgp_configurations=(), bgp_peers=(), revision=None):
        self.nodes = sorted(nodes, key=lambda r: r["metadata"]["name"])
        self.bgp_configurations = {r["metadata"]["name"]: r for r in bgp_configurations}
        self.bgp_peers = sorted(bgp_peers, key=lambda r: r["metadata"]["name"])
        self.revision = revision
        self.errors = []  # resources that could not be used, in words

    @classmethod
    def from_key_values(cls, key_values, revision=None):
        """Build from the KeyValues of one prefix read of all v3 resources. A value that does
        not decode is skipped (as Calico's lists skip it) and noted in `errors`."""
        buckets = {kind: [] for kind in KINDS}
        errors = []
        for key_value in key_values:
            for kind in KINDS:
                if key_value.key.startswith(kind_prefix(kind)):
                    try:
                        buckets[kind].append(decode(key_value, kind))
                    except Exception as exc:  # a corrupt value: Calico skips it too
                        errors.append(str(exc))
        snapshot = cls(buckets["Node"], buckets["BGPConfiguration"], buckets["BGPPeer"], revision)
        snapshot.errors = errors
        return snapshot

    # ---- global and per-node values --------------------------------------------------

    def default_config(self):
        return self.bgp_configurations.get("default")

    def node_config(self, name):
        return self.bgp_configurations.get("node." + name)

    def global_as(self):
        return effective(self.default_config())["as_number"]

    def mesh_enabled(self):
        return effective(self.default_config())["node_to_node_mesh"] is not False

    def global_listen_port(self):
        """The default resource's listenPort, or 0 when it sets none."""
        return int(((self.default_config() or {}).get("spec") or {}).get("listenPort") or 0)

    def node_listen_port(self, name):
        """The node's own listenPort (node.<name>), or 0."""
        return int(((self.node_config(name) or {}).get("spec") or {}).get("listenPort") or 0)

    def peer_port_of_node(self, name):
        """The port other speakers dial to reach Calico node `name` (0: BGP's default)."""
        return self.node_listen_port(name) or self.global_listen_port()

    def listen_port(self, name):
        return self.peer_port_of_node(name) or BGP_PORT

    def node_names(self):
        return [node["metadata"]["name"] for node in self.nodes]

    def node(self, name):
        for node in self.nodes:
            if node["metadata"]["name"] == name:
                return node
        return None

    def node_bgp(self, name):
        node = self.node(name) or {}
        return (node.get("spec") or {}).get("bgp") or {}

    def node_ipv4(self, name):
        """The node's IPv4 BGP address without prefix length, or ""."""
        value = self.node_bgp(name).get("ipv4Address") or ""
        return value.split("/")[0]

    def node_own_as(self, name):
        value = self.node_bgp(name).get("asNumber")
        if value in (None, ""):
            return None
        try:
            return as_number(value, "asNumber")
        except ValidationError:
            return None

    def node_as(self, name):
        own = self.node_own_as(name)
        return own if own is not None else self.global_as()

    def node_cluster_id(self, name):
        return self.node_bgp(name).get("routeReflectorClusterID") or ""

    def node_labels(self, name):
        return ((self.node(name) or {}).get("metadata") or {}).get("labels") or {}

    def nodes_matching(self, selector):
        result = []
        for name in self.node_names():
            try:
                if selector_matches(selector, self.node_labels(name)):
                    result.append(name)
            except SelectorError as exc:
                self.errors.append("selector %r: %s" % (selector, exc))
                return []
        return result


def _split_peer_ip(text):
    """'a.b.c.d:N' -> (a.b.c.d, N); a bare address -> (address, 0) (Go's net.SplitHostPort)."""
    text = (text or "").strip()
    parts = split_peer_ip(text)
    if parts is None or parts[1] is None:
        return text, 0
    return parts[0], parts[1]


def _ipv4(text):
    try:
        return ipaddress.ip_address(text).version == 4
    except ValueError:
        return False


def protocol_suffix(address, port=0):
    """'10.0.0.1', 1790 -> '10_0_0_1_port_1790' (calico/node's naming)."""
    suffix = address.replace(".", "_").replace(":", "_")
    if port:
        suffix += "_port_%d" % port
    return suffix


def _peer_as(snapshot, spec):
    value = spec.get("asNumber")
    if value in (None, "", 0):
        return 0
    try:
        return as_number(value, "asNumber")
    except ValidationError:
        return 0


def _nodes_with_ip_port_and_as(snapshot, ip, peer_as, port):
    """Calico nodes a peerIP peer points at: same address, same AS (0: the global AS), and, when
    the peer names a port, a listen port that agrees."""
    wanted_as = peer_as or snapshot.global_as()
    names = []
    for name in snapshot.node_names():
        if snapshot.node_ipv4(name) != ip or snapshot.node_as(name) != wanted_as:
            continue
        if port:
            # Calico's own test, quirk included: a node whose own listenPort matches is still
            # skipped when a global listenPort differs.
            node_port = snapshot.node_listen_port(name)
            global_port = snapshot.global_listen_port()
            if node_port and node_port != port:
                continue
            elif global_port and global_port != port:
                continue
        names.append(name)
    return names


def _node_as_peer(snapshot, name):
    """A Calico node seen as a peer (peerSelector expansion, reverse peerings), or None."""
    ip = snapshot.node_ipv4(name)
    if not ip:
        return None
    return {"ip": ip, "as_num": snapshot.node_as(name), "rr_cluster_id": snapshot.node_cluster_id(name),
            "port": snapshot.peer_port_of_node(name)}


def _apply_resource_fields(peer, spec):
    """Fields every peering of a BGPPeer gets (Calico's setPeerConfigFieldsFromV3Resource)."""
    peer["source_addr"] = spec.get("sourceAddress") or "UseNodeIP"
    peer.setdefault("keep_next_hop", False)
    return peer


def peerings(snapshot):
    """Every peering of every node, as calico/node's client computes it (updatePeersV1).

    Returns an ordered dict-like list of (key, peer): key ("global", ip, port) or
    ("node", node name, ip, port); peer a dict with ip, as_num, rr_cluster_id, port,
    source_addr, keep_next_hop. The first peering emitted for a key wins."""
    emitted = {}
    order = []

    def emit(key, peer):
        if key in emitted:
            return
        if key[0] == "node" and ("global", key[2], key[3]) in emitted:
            return
        emitted[key] = peer
        order.append(key)

    for global_pass in (True, False):
        for resource in snapshot.bgp_peers:
            spec = resource.get("spec") or {}
            is_global = not spec.get("nodeSelector") and not spec.get("node")
            if global_pass != is_global:
                continue
            if spec.get("nodeSelector"):
                local_nodes = snapshot.nodes_matching(spec["nodeSelector"])
            elif spec.get("node"):
                local_nodes = [spec["node"]]
            else:
                local_nodes = []
            peers = []
            if spec.get("peerSelector"):
                for name in snapshot.nodes_matching(spec["peerSelector"]):
                    peer = _node_as_peer(snapshot, name)
                    if peer:
                        peers.append(peer)
            else:
                host, port = _split_peer_ip(spec.get("peerIP"))
                if not _ipv4(host):
                    continue  # IPv6 peers belong to bird6, which the lab does not render
                peer_as = _peer_as(snapshot, spec)
                if not port:
                    matching = _nodes_with_ip_port_and_as(snapshot, host, peer_as, 0)
                    if matching:
                        port = snapshot.peer_port_of_node(matching[0])
                # keepOriginalNextHop applies to peerIP peers only (not to selected nodes).
                # A peerIP peer without asNumber would render `as 0`, which BIRD refuses; the
                # lab uses the global AS instead.
                peers.append({"ip": host, "as_num": peer_as or snapshot.global_as(),
                              "rr_cluster_id": "", "port": port,
                              "keep_next_hop": bool(spec.get("keepOriginalNextHop"))})
            for peer in peers:
                _apply_resource_fields(peer, spec)
                if global_pass:
                    emit(("global", peer["ip"], peer["port"]), peer)
                else:
                    for local in local_nodes:
                        emit(("node", local, peer["ip"], peer["port"]), dict(peer))

    # Reverse peerings: the nodes on the remote side of a BGPPeer peer back with its local side.
    for resource in snapshot.bgp_peers:
        spec = resource.get("spec") or {}
        if spec.get("peerSelector"):
            local_nodes = snapshot.nodes_matching(spec["peerSelector"])
        else:
            host, port = _split_peer_ip(spec.get("peerIP"))
            if not _ipv4(host):
                continue
            local_nodes = _nodes_with_ip_port_and_as(snapshot, host, _peer_as(snapshot, spec), port)
        if not local_nodes:
            continue
        if spec.get("nodeSelector"):
            remote_nodes = snapshot.nodes_matching(spec["nodeSelector"])
        elif spec.get("node"):
            remote_nodes = [spec["node"]]
        else:
            remote_nodes = snapshot.node_names()
        for remote in remote_nodes:
            peer = _node_as_peer(snapshot, remote)
            if not peer:
                continue
            _apply_resource_fields(peer, spec)
            for local in local_nodes:
                emit(("node", local, peer["ip"], peer["port"]), dict(peer))
    return [(key, emitted[key]) for key in order]


def node_sessions(snapshot, node_name):
    """The BGP sessions node `node_name` would have, in config order (mesh, global, node)."""
    node_ip = snapshot.node_ipv4(node_name)
    if not node_ip:
        return []
    node_as = snapshot.node_as(node_name)
    cluster_id = snapshot.node_cluster_id(node_name)
    sessions = []
    if not cluster_id and snapshot.mesh_enabled():
        for other in snapshot.node_names():
            other_ip = snapshot.node_ipv4(other)
            if not other_ip or other_ip == node_ip or snapshot.node_cluster_id(other):
                continue
            sessions.append(Session(
                name="Mesh_" + protocol_suffix(other_ip), kind="Mesh", address=other_ip,
                port=snapshot.peer_port_of_node(other), as_number=snapshot.node_as(other),
                passive=other_ip > node_ip,  # text comparison, as in confd's template
                rr_cluster_id=None, keep_next_hop=False, source_address=node_ip))
    all_peerings = peerings(snapshot)
    for scope in ("global", "node"):
        for key, peer in all_peerings:
            if key[0] != scope or (scope == "node" and key[1] != node_name):
                continue
            if peer["ip"] == node_ip:
                continue  # skipping ourselves
            rr = None
            if peer["as_num"] == node_as and cluster_id and peer["rr_cluster_id"] != cluster_id:
                rr = cluster_id
            sessions.append(Session(
                name=("Global_" if scope == "global" else "Node_") + protocol_suffix(peer["ip"], peer["port"]),
                kind="Global" if scope == "global" else "Node", address=peer["ip"], port=peer["port"],
                as_number=peer["as_num"], passive=False, rr_cluster_id=rr,
                keep_next_hop=peer["keep_next_hop"] and peer["as_num"] != node_as,
                source_address=node_ip if peer["source_addr"] == "UseNodeIP" else None))
    return sessions


def render_session(session):
    port = "port %d " % session.port if session.port else ""
    lines = ["protocol bgp %s from bgp_template {" % session.name,
             "  neighbor %s %sas %d;" % (session.address, port, session.as_number)]
    if session.source_address:
        lines.append("  source address %s;  # The local address we use for the TCP connection"
                     % session.source_address)
    if session.passive:
        lines.append("  passive on; # Mesh is unidirectional, peer will connect to us.")
    if session.kind == "Mesh":
        lines.append("  graceful restart time 120;")
    if session.rr_cluster_id:
        lines += ["  rr client;", "  rr cluster id %s;" % session.rr_cluster_id]
    if session.keep_next_hop:
        lines.append("  next hop keep;")
    lines.append("}")
    return "\n".join(lines)


def render_node_config(snapshot, node_name, pod_cidr, pod_blocks=()):
    """The whole BIRD config of node `node_name`, or None when the node has no IPv4 address
    (calico/node then runs no IPv4 BGP)."""
    node_ip = snapshot.node_ipv4(node_name)
    if not node_ip:
        return None
    node_as = snapshot.node_as(node_name)
    cluster_id = snapshot.node_cluster_id(node_name)
    lines = [
        "# Generated by the netops.calico lab agent for node %s (calico/node's confd would write"
        % node_name,
        "# the same protocols). Do not edit: the agent rewrites it when the datastore changes.",
        "router id %s;" % node_ip,
        "listen bgp address %s port %d;" % (node_ip, snapshot.listen_port(node_name)),
        "",
        "# The pod blocks this node owns, announced as blackhole routes (Calico's bird_aggr.cfg).",
        "# No `protocol kernel`: routes stay inside BIRD and never touch this machine.",
        "protocol static calico_pod_blocks {",
    ]
    lines += ["  route %s blackhole;" % block for block in pod_blocks]
    lines += [
        "}",
        "",
        "filter calico_export_to_bgp_peers {",
        "  if ( net ~ %s ) then { accept; }" % pod_cidr,
        "  reject;",
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
        "  local as %d;" % node_as,
        "  multihop;",
        "  gateway recursive; # This should be the default, but just in case.",
        "  import all;",
        "  export filter calico_export_to_bgp_peers;  # Only want to export routes for workloads.",
        "  add paths on;",
        "  graceful restart;",
        "  connect delay time 1;",
        "  connect retry time 3;",
        "  error wait time 5,60;",
        "}",
        "",
        "# ------------- Node-to-node mesh -------------",
    ]
    sessions = node_sessions(snapshot, node_name)
    if cluster_id:
        lines.append("# This node (%s) is configured as a route reflector with cluster ID %s;"
                     % (node_name, cluster_id))
        lines.append("# ignore node-to-node mesh setting.")
    elif not snapshot.mesh_enabled():
        lines.append("# Node-to-node mesh disabled")
    for kind, heading, empty in (("Mesh", None, None),
                                 ("Global", "# ------------- Global peers -------------",
                                  "# No global peers configured."),
                                 ("Node", "# ------------- Node-specific peers -------------",
                                  "# No node-specific peers configured.")):
        if heading:
            lines += ["", heading]
        chosen = [session for session in sessions if session.kind == kind]
        if not chosen and empty:
            lines.append(empty)
        for session in chosen:
            lines.append(render_session(session))
    return "\n".join(lines) + "\n"
