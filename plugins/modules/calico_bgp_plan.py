#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: calico_bgp_plan
short_description: Plan a BGP change - which sessions each node gains, loses and resets - and refuse risky ones
version_added: 0.2.0
description:
  - Reads Calico's datastore, applies the intended changes in memory exactly as the modules would write them
    (M(netops.calico.calico_bgp_config), M(netops.calico.calico_node), M(netops.calico.calico_bgp_peer) with
    O(peers) and O(purge), or manifests as M(netops.calico.calico_resource) takes them), and computes every node's
    BGP sessions before and after, per address family, the way calico/node computes them.
  - Reports per node the sessions added (+), removed (-) and reset (~, the same peer with a changed AS, local AS,
    port, source address, password or TTL security, or a change of the node's own AS or listen port), as text in the
    spirit of C(terraform plan) (RV(text)) and as data (RV(plan)).
  - Findings, by class; the task fails on a blocking finding whose class is not in O(accept), before anything is
    written - V(isolation) (a node left without any BGP session of a family), V(selector) (a peer's selector matches
    no node), V(reflectors) (a node keeps fewer route reflector sessions than O(min_route_reflectors)),
    V(session_reset) (the change resets sessions), V(restart_required) (C(bindMode), which calico/node applies only
    after a restart), V(unverified) (the mesh turned off while BGP nodes outside O(nodes_in_play) depend on it),
    V(reflector_disruption) (a Calico node becomes a route reflector while the mesh is on, so it leaves the mesh at
    once), and, as a warning only, V(mesh_scale) (the mesh left on above the guide's 100 nodes, or between nodes of
    three or more AS numbers, where add paths multiplies the paths with each AS).
  - Writes nothing. The C(netops.calico.bgp_peering) role runs it before every change.
  - Peers with C(local_workload_selector) are left out (their sessions depend on workloads only a running cluster knows).
author:
  - netops.calico maintainers (@netops)
extends_documentation_fragment:
  - netops.calico.etcd
  - netops.calico.attributes.info_module
options:
  bgp_configuration:
    description: Options of M(netops.calico.calico_bgp_config) for the C(default) BGPConfiguration.
    type: dict
  nodes:
    description: Options of M(netops.calico.calico_node), one entry per node (C(name) required).
    type: list
    elements: dict
  peers:
    description: Entries as M(netops.calico.calico_bgp_peer)'s O(peers) takes them.
    type: list
    elements: dict
  purge:
    description: As M(netops.calico.calico_bgp_peer)'s C(purge), with O(purge_scope).
    type: bool
    default: false
  purge_scope:
    description: As M(netops.calico.calico_bgp_peer)'s C(purge_scope).
    type: dict
  definition:
    description: A manifest (YAML text) of resources as M(netops.calico.calico_resource) applies them.
    type: str
  nodes_in_play:
    description:
      - The nodes whose sessions the caller verifies after the change (the role's play batch); with it, turning the
        mesh off while other BGP nodes exist is the V(unverified) finding, and RV(wait_for) lists only these nodes.
    type: list
    elements: str
  details:
    description:
      - Whether the result carries the per-node detail, RV(plan), RV(text), RV(lines) and RV(sessions_after).
      - V(false) keeps what a caller needs to decide and wait - RV(findings), RV(mesh), RV(deleted_peers) and
        RV(wait_for) - as the bgp_peering role does outside check mode. The detail of a change that turns the mesh
        off at 96 nodes is about 6 MB, and Ansible handles a registered result of that size on every later task
        of every host.
    type: bool
    default: true
  min_route_reflectors:
    description:
      - How many route reflector sessions each node that is not a reflector, and not in the mesh, must keep per
        family, when the layout has Calico route reflectors. V(0) turns the check off.
      - Default V(2) when the layout has two or more Calico route reflectors (a redundant pair), else V(1).
    type: int
  accept:
    description: Finding classes that do not fail the task.
    type: list
    elements: str
    choices: [isolation, selector, reflectors, session_reset, restart_required, mesh_scale, unverified,
              reflector_disruption]
    default: []
seealso:
  - module: netops.calico.calico_bgp_peer
  - module: netops.calico.calico_node_status
"""

EXAMPLES = r"""
- name: What would moving rack r1 to its ToR do?
  netops.calico.calico_bgp_plan:
    peers:
      - {node: r1-n1, peer_ip: "172.31.1.254", as_number: 65001}
    bgp_configuration: {node_to_node_mesh: false}
  register: plan

- name: Show it
  ansible.builtin.debug:
    msg: "{{ plan.lines }}"

- name: A node AS change resets the node's sessions; accept that
  netops.calico.calico_bgp_plan:
    nodes: [{name: r1-n1, as_number: 65011}]
    accept: [session_reset]
"""

RETURN = r"""
plan:
  description: Per node and address family (4, 6) - C(added), C(removed) and C(reset) (with C(changes)), lists of
    sessions each with C(name), C(peer), C(type), C(as_number) and C(resource) (the BGPPeer, empty for the mesh);
    C(kept), the number of sessions kept unchanged (their names are in RV(sessions_after)); and C(after), the number
    of sessions after the change.
  returned: when O(details=true)
  type: dict
findings:
  description: Each finding with C(class), C(blocking), C(message) and C(nodes).
  returned: always
  type: list
  elements: dict
text:
  description: The plan as text (a table per node, then the findings).
  returned: when O(details=true)
  type: str
lines:
  description: RV(text) as a list of lines.
  returned: when O(details=true)
  type: list
  elements: str
sessions_after:
  description: Per node and family, the names of the BIRD protocols calico/node will have after the change.
  returned: when O(details=true)
  type: dict
wait_for:
  description:
    - Per node (of O(nodes_in_play), when given), the peers of the sessions that carry traffic after the change, both families - the mesh's, those of
      the BGPPeers of O(peers), and every session the change adds or resets - in the form
      O(netops.calico.calico_node_status#module:wait_for) takes (the port only where the BIRD protocol name carries
      it).
  returned: always
  type: dict
  sample: {"r1-n1": ["172.31.1.254", "10.0.0.12", "fd00::1:254"]}
mesh:
  description: Whether the node-to-node mesh is on, C(before) and C(after) the change (Calico's default is on).
  returned: always
  type: dict
  sample: {"before": true, "after": false}
deleted_peers:
  description: Names of the stored BGPPeers the change deletes (purge, or entries with C(state=absent)).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.netops.calico.plugins.module_utils import _model_plan as bgp_plan
from ansible_collections.netops.calico.plugins.module_utils._module import CalicoModule

ARGUMENT_SPEC = dict(
    bgp_configuration=dict(type="dict"),
    nodes=dict(type="list", elements="dict"),
    peers=dict(type="list", elements="dict"),
    purge=dict(type="bool", default=False),
    purge_scope=dict(type="dict"),
    definition=dict(type="str"),
    min_route_reflectors=dict(type="int"),
    nodes_in_play=dict(type="list", elements="str"),
    accept=dict(type="list", elements="str", choices=list(bgp_plan.CLASSES), default=[]),
    details=dict(type="bool", default=True),
)


def main():
    CalicoModule(ARGUMENT_SPEC).run(lambda module: bgp_plan.run(module, module.params))


if __name__ == "__main__":
    main()
