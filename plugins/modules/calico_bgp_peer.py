#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: calico_bgp_peer
short_description: Manage Calico BGP peers (global, node-specific or selector-based), one or many
version_added: 0.1.0
description:
  - Creates, updates and deletes BGPPeer resources straight in Calico's etcd v3 datastore, in the format
    C(calicoctl) and C(calico/node) read. The equivalent of C(calicoctl create/apply/delete bgpPeer).
  - "Identity: with O(name), that resource is managed. Without O(name), the peer is the existing one with the
    same node (none for a global peer) and the same peer address, compared as addresses (V(aa:bb::ff) equals
    V(00aa:00bb:0:0:0:0:0:ff)), whatever its name, for example one made by hand with calicoctl or migrated by
    Calico; if there is none, a new one is named the way Calico's v1-to-v3 migration names peers: the IP with
    dots turned into dashes (V(192-20-30-40)), an IPv6 address as its 8 groups of 4 hex digits joined by dashes
    (V(00aa-00bb-0000-0000-0000-0000-0000-00ff)), prefixed with C(<node>.) for a node-specific peer."
  - "One rule for options on an existing peer, the same as M(netops.calico.calico_bgp_config): options left out
    keep their stored value, options given are set, and the stored field of every option named in O(unset) is
    removed. O(labels) are merged into the stored ones; a label set to V(null) is removed."
  - Every combination Calico rejects is rejected first, with a message naming the options, and it is checked on
    the resulting peer (stored fields plus this task's changes), before anything is written.
  - Every peer the collection creates carries the label C(netops.calico/managed-by=ansible). O(purge) only ever
    removes peers that carry it.
  - With O(peers), a whole list of peers is applied in one task - one read of the stored peers, then only the
    creates, updates and deletes needed, in as few etcd transactions as the server allows (128 operations each),
    each write guarded by compare-and-swap and recomputed on a concurrent change.
  - Every write is a compare-and-swap on the value read, retried on a concurrent change, so parallel tasks never
    lose each other's updates.
author:
  - netops.calico maintainers (@netops)
extends_documentation_fragment:
  - netops.calico.etcd
  - netops.calico.attributes
options:
  name:
    description:
      - Name of the BGPPeer resource. Required for a selector-based peer (O(node_selector) or O(peer_selector)).
      - Without it, the peer is found by O(peer_ip) and O(node) (see the description).
    type: str
  state:
    description:
      - V(present) creates or updates the peer; V(absent) deletes it. Deleting needs only what identifies the
        peer (O(name), or O(peer_ip) with O(node) for a node-specific peer).
      - With O(peers), the state of every entry that does not set its own.
    type: str
    choices: [present, absent]
    default: present
  scope:
    description:
      - V(global) (the peer applies to every node) or V(node) (to O(node) only).
      - Defaults to V(node) when O(node) is given, else V(global). A check, as in C(calicoctl --scope).
    type: str
    choices: [global, node]
  node:
    description:
      - The node a node-specific peer applies to (a Calico node name). Excludes O(node_selector).
    type: str
  peer_ip:
    description:
      - Address of the BGP peer, IPv4 or IPv6, optionally with a port (V(10.0.0.1:1790), V([fd00::1]:1790)).
      - Stored as written; an address stored in another form (V(00aa::ff) for V(aa::ff)) is the same peer and
        is left as it is. An IPv4-mapped IPv6 address (V(::ffff:10.0.0.1)) is IPv4, as in Calico.
      - A peer needs O(peer_ip) or O(peer_selector). Calico accepts a peer with neither, which makes no session;
        this module refuses it.
    type: str
  as_number:
    description:
      - AS number of the peer, plain (V(64567)) or dotted, quoted (V("1.10")).
      - Required with O(peer_ip). Stricter than Calico, which accepts a O(peer_ip) peer without an AS number
        and then renders its session with AS 0, which BIRD refuses. V(0) is refused for the same reason.
    type: raw
  node_selector:
    description:
      - Calico selector over Node labels picking the nodes the peer applies to, for example
        V(rack == 'r1'). Excludes O(node).
    type: str
  peer_selector:
    description:
      - Calico selector over Node labels picking Calico nodes to peer with (for example route reflectors,
        V(has(route-reflector))). Excludes O(peer_ip) and O(as_number).
    type: str
  keep_original_next_hop:
    description:
      - Keep the original next hop when advertising routes to this peer (Calico omits V(false)).
        Excludes O(next_hop_mode).
    type: bool
  password:
    description:
      - Reference to the Kubernetes Secret (in calico/node's namespace) holding the BGP password.
        The datastore holds only this reference, never the password.
    type: dict
    suboptions:
      secret_name:
        description: Name of the Secret.
        type: str
        required: true
      secret_key:
        description: Key within the Secret.
        type: str
        required: true
      optional:
        description: Whether the Secret or its key must exist (Kubernetes' C(optional) of a secret key reference).
        type: bool
  local_workload_selector:
    description:
      - Selects the local workloads the nodes peer with (workloads peering with their own node), a Calico selector.
        Needs O(as_number) (the workloads' AS) and excludes O(peer_ip) and O(peer_selector). Calico v3.30.
      - The workloads' addresses come from their endpoints' status, which only a running cluster has, so the plan
        and the lab leave such peers out.
    type: str
  source_address:
    description: V(UseNodeIP) (Calico's default) makes the session use the node IP as source; V(None) does not.
    type: str
    choices: [UseNodeIP, "None"]
  max_restart_time:
    description:
      - BGP graceful restart time, a Go duration with a unit such as V(120s), stored as Go prints it (V(2m0s)), as
        C(calicoctl) stores it; a stored value of the same length is left as it is.
      - Stricter than Calico, a negative duration is refused (calico/node would render a failing BIRD configuration).
    type: str
  num_allowed_local_as_numbers:
    description: How many times the local AS number may appear in a received AS path.
    type: int
  ttl_security:
    description: GTSM hop count (0 to 255; 0 turns it off).
    type: int
  reachable_by:
    description: Address of the gateway the peer is reachable through; the same IP family as O(peer_ip).
    type: str
  filters:
    description: Names of BGPFilter resources applied to this peer.
    type: list
    elements: str
  local_as_number:
    description: AS number this node uses towards the peer instead of its own (plain or dotted).
    type: raw
  next_hop_mode:
    description: How the next hop is set on routes advertised to this peer. Excludes O(keep_original_next_hop).
    type: str
    choices: [Auto, Self, Keep]
  reverse_peering:
    description: For O(peer_selector) peers, whether the selected nodes peer back automatically (V(Auto)) or not.
    type: str
    choices: [Auto, Manual]
  keepalive_time:
    description:
      - BGP keepalive time, a Go duration with a unit such as V(20s), stored as Go prints it; negative is refused
        as for O(max_restart_time).
    type: str
  labels:
    description:
      - Labels merged into the peer's labels; a label set to V(null) is removed.
    type: dict
  unset:
    description:
      - Options whose stored field is removed from the peer.
      - Without O(name), V(peer_ip) and V(node) identify the peer and cannot be unset.
    type: list
    elements: str
    choices: [node, peer_ip, as_number, node_selector, peer_selector, keep_original_next_hop, password,
              local_workload_selector, source_address, max_restart_time, num_allowed_local_as_numbers, ttl_security,
              reachable_by, filters, local_as_number, next_hop_mode, reverse_peering, keepalive_time]
  peers:
    description:
      - Apply many peers in one task. Each entry is a dict with the same options as the single-peer form
        (O(name), O(state), O(scope), O(node), O(peer_ip), O(as_number), O(node_selector), O(peer_selector),
        O(keep_original_next_hop), O(password), O(source_address), O(max_restart_time),
        O(num_allowed_local_as_numbers), O(ttl_security), O(reachable_by), O(filters), O(local_as_number),
        O(next_hop_mode), O(reverse_peering), O(keepalive_time), O(labels), O(unset)).
      - Mutually exclusive with those options at the top level (O(state) is the default of every entry).
      - Every invalid entry is reported at once, by index and option, before anything is written.
    type: list
    elements: dict
  purge:
    description:
      - With O(peers), also delete the peers that carry the label C(netops.calico/managed-by=ansible), are
        not listed in O(peers), and are in O(purge_scope). A peer without that label is never deleted.
    type: bool
    default: false
  purge_scope:
    description:
      - Which peers O(purge) may delete. Required with O(purge).
    type: dict
    suboptions:
      nodes:
        description: Node-specific peers of these nodes (for example the nodes of one rack).
        type: list
        elements: str
      global:
        description: Global peers (no node, no node selector).
        type: bool
        default: false
notes:
  - Peers made by this collection carry the label C(netops.calico/managed-by=ansible). A peer adopted by
    address (made elsewhere) is not labelled, so O(purge) leaves it alone unless you add the label in O(labels).
  - Two tasks that create the same new peer at once under different names cannot be told apart by etcd;
    use O(name) (or run one of them) when that can happen.
seealso:
  - module: netops.calico.calico_bgp_peer_info
  - module: netops.calico.calico_bgp_config
"""

EXAMPLES = r"""
# calicoctl create: global peer 192.20.30.40, AS 64567 (named 192-20-30-40)
- name: Add a global BGP peer
  netops.calico.calico_bgp_peer:
    peer_ip: 192.20.30.40
    scope: global
    as_number: 64567

# calicoctl delete bgpPeer 192.20.30.40 --scope=global
- name: Remove the global BGP peer (the AS number is not needed)
  netops.calico.calico_bgp_peer:
    peer_ip: 192.20.30.40
    scope: global
    state: absent

# Node-specific peer aa:bb::ff, AS 64514, peering with node1
- name: Add a node-specific peer
  netops.calico.calico_bgp_peer:
    peer_ip: aa:bb::ff
    scope: node
    node: node1
    as_number: 64514

# calicoctl delete bgpPeer aa:bb::ff --scope=node --node=node1
- name: Remove it
  netops.calico.calico_bgp_peer:
    peer_ip: aa:bb::ff
    node: node1
    state: absent

- name: Every node of rack r1 peers with the rack's ToR, on port 1790, password from a Secret
  netops.calico.calico_bgp_peer:
    name: rack-r1-tor
    node_selector: rack == 'r1'
    peer_ip: 10.1.0.1:1790
    as_number: 65001
    password:
      secret_name: bgp-secrets
      secret_key: rack-r1

- name: Every node peers with the route reflectors
  netops.calico.calico_bgp_peer:
    name: peer-with-route-reflectors
    node_selector: all()
    peer_selector: has(route-reflector)

- name: Stop overriding the next hop on an existing peer
  netops.calico.calico_bgp_peer:
    name: rack-r1-tor
    unset: [next_hop_mode]

- name: A whole rack in one task; delete the rack's other peers made by this collection
  netops.calico.calico_bgp_peer:
    peers: "{{ groups['rack_r1'] | map('extract', hostvars) | map(attribute='bgp_peer') | list }}"
    purge: true
    purge_scope:
      nodes: "{{ groups['rack_r1'] }}"
"""

RETURN = r"""
name:
  description: Name of the peer managed (single-peer form).
  returned: without O(peers)
  type: str
  sample: node1.00aa-00bb-0000-0000-0000-0000-0000-00ff
resource:
  description: The BGPPeer as stored after the task (as it would be, in check mode); null when absent.
  returned: without O(peers)
  type: dict
  sample:
    kind: BGPPeer
    apiVersion: projectcalico.org/v3
    metadata:
      name: 192-20-30-40
      uid: 5b1f3c9e-8d0a-4e52-9a55-3c2b1f0d9e7a
      creationTimestamp: "2026-11-26T09:14:47Z"
      resourceVersion: "42"
      labels: {netops.calico/managed-by: ansible}
    spec:
      peerIP: 192.20.30.40
      asNumber: 64567
action:
  description: What was done, V(created), V(updated) or V(deleted); null when nothing changed.
  returned: without O(peers)
  type: str
  sample: created
results:
  description: One item per entry of O(peers), in order, then one per purged peer (RV(results[].index) null).
  returned: with O(peers)
  type: list
  elements: dict
  contains:
    index:
      description: Index of the entry in O(peers); null for a purged peer.
      type: int
    name:
      description: Name of the peer (given, found by address, or new).
      type: str
    action:
      description: V(created), V(updated), V(deleted) or V(unchanged).
      type: str
  sample: [{index: 0, name: node1.10-0-0-1, action: created}]
created:
  description: Names of the peers created (that would be, in check mode).
  returned: with O(peers)
  type: list
  elements: str
updated:
  description: Names of the peers updated.
  returned: with O(peers)
  type: list
  elements: str
deleted:
  description: Names of the peers deleted (entries with O(state=absent), and purged peers).
  returned: with O(peers)
  type: list
  elements: str
unchanged:
  description: Names of the listed peers left as they were (including absent ones already absent).
  returned: with O(peers)
  type: list
  elements: str
transactions:
  description: Number of etcd transactions sent (0 in check mode and when nothing changed).
  returned: with O(peers)
  type: int
  sample: 3
writes:
  description: Number of guarded writes (creates, updates, deletes) sent; 0 when nothing changed.
  returned: with O(peers)
  type: int
  sample: 300
"""

from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_peer as bgp_peer
from ansible_collections.netops.calico.plugins.module_utils._module import CalicoModule

ARGUMENT_SPEC = dict(bgp_peer.PEER_OPTIONS)
ARGUMENT_SPEC.update(
    state=dict(type="str", choices=list(bgp_peer.STATES), default="present"),
    peers=dict(type="list", elements="dict"),
    purge=dict(type="bool", default=False),
    purge_scope=dict(type="dict", options={
        "nodes": dict(type="list", elements="str"),
        "global": dict(type="bool", default=False),
    }),
)


def main():
    module = CalicoModule(ARGUMENT_SPEC)
    module.run(lambda module: bgp_peer.apply(module, module.params))


if __name__ == "__main__":
    main()
