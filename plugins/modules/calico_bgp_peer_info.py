#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: calico_bgp_peer_info
short_description: List Calico BGP peers, or the peers that apply to one node
version_added: 0.1.0
description:
  - Reads the BGPPeer resources from Calico's etcd v3 datastore (one read), like C(calicoctl get bgpPeer).
  - With O(node), lists the peers that apply to that node - its node-specific peers, the global peers, and the
    peers whose node selector matches the node's labels - each flagged by how it applies.
  - Returns the resources and a text table in calicoctl's layout (C(NAME  PEERIP  NODE  ASN); NODE shows the
    node, else the node selector, else C((global))).
author:
  - netops.calico maintainers (@netops)
extends_documentation_fragment:
  - netops.calico.etcd
  - netops.calico.attributes.INFO_MODULE
options:
  name:
    description: Only the peer with this name.
    type: str
  scope:
    description:
      - Only V(global) peers (no node, no node selector), V(node) (node-specific) peers, or V(selector) peers
        (with a node selector).
    type: str
    choices: [global, node, selector]
  node:
    description:
      - Only the peers that apply to this node (see the description), like C(calicoctl get bgpPeer --node=<node>).
      - The node's labels, for node selectors, are read from its Node resource.
    type: str
seealso:
  - module: netops.calico.calico_bgp_peer
"""

EXAMPLES = r"""
# calicoctl get bgpPeer --scope=global
- name: List the global peers
  netops.calico.calico_bgp_peer_info:
    scope: global
  register: global_peers

# calicoctl get bgpPeer --node=node1
- name: The peers that apply to node1
  netops.calico.calico_bgp_peer_info:
    node: node1
  register: node1_peers

- name: Print them as calicoctl does
  ansible.builtin.debug:
    msg: "{{ node1_peers.table }}"

- name: Stop unless node1 peers with 10.1.0.1
  ansible.builtin.assert:
    that: "'10.1.0.1' in node1_peers.peers | map(attribute='peer_ip')"
"""

RETURN = r"""
resources:
  description: The matching BGPPeer resources, as stored.
  returned: always
  type: list
  elements: dict
peers:
  description: A summary of each matching peer, in the order of RV(resources).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Resource name.
      type: str
    peer_ip:
      description: Peer address (with port when set); null for a peer selector peer.
      type: str
    as_number:
      description: Peer AS number as stored; null when not set.
      type: raw
    scope:
      description: V(node), V(selector) or V(global).
      type: str
    node:
      description: The node of a node-specific peer; null otherwise.
      type: str
    node_selector:
      description: The node selector; null when not set.
      type: str
    peer_selector:
      description: The peer selector; null when not set.
      type: str
    local_workload_selector:
      description: The local workload selector (workloads peering with their node); null when not set.
      type: str
    managed:
      description: Whether the peer carries the label C(netops.calico/managed-by=ansible).
      type: bool
    applies:
      description: With O(node), how the peer applies to the node, V(node), V(global) or V(selector).
      type: str
      returned: with O(node)
  sample:
    - {name: 192-20-30-40, peer_ip: 192.20.30.40, as_number: 64567, scope: global, node: null,
       node_selector: null, peer_selector: null, managed: true, applies: global}
table:
  description: The matching peers in the layout of C(calicoctl get bgpPeer).
  returned: always
  type: str
  sample: |-
    NAME           PEERIP         NODE       ASN
    192-20-30-40   192.20.30.40   (global)   64567
node_found:
  description: With O(node), whether the node is registered (a missing node has no labels for selectors).
  returned: with O(node)
  type: bool
"""

from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_peer as bgp_peer
from ansible_collections.netops.calico.plugins.module_utils._module import CalicoModule
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import as_plain
from ansible_collections.netops.calico.plugins.module_utils._table import text_table
from ansible_collections.netops.calico.plugins.module_utils._model_values import resource_name

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    scope=dict(type="str", choices=["global", "node", "selector"]),
    node=dict(type="str"),
)


def _summary(document):
    spec = document.get("spec") or {}
    return dict(
        name=document["metadata"]["name"],
        peer_ip=spec.get("peerIP"),
        as_number=spec.get("asNumber"),
        scope=bgp_peer.scope_of(spec),
        node=spec.get("node"),
        node_selector=spec.get("nodeSelector"),
        peer_selector=spec.get("peerSelector"),
        local_workload_selector=spec.get("localWorkloadSelector"),
        managed=bgp_peer.is_owned(document),
    )


def list_peers(module):
    params = module.params
    for option in ("name", "node"):
        if params[option] is not None:
            resource_name(params[option], option)
    peers = module.store.list(bgp_peer.KIND)
    output = dict(changed=False)
    node_labels = None
    if params["node"] is not None:
        node = module.store.get("Node", params["node"])
        output["node_found"] = node is not None
        node_labels = (node or {}).get("metadata", {}).get("labels") or {}
    selected, summaries = [], []
    for document in peers:
        summary = _summary(document)
        if params["name"] is not None and summary["name"] != params["name"]:
            continue
        if params["scope"] is not None and summary["scope"] != params["scope"]:
            continue
        if params["node"] is not None:
            summary["applies"] = bgp_peer.how_it_applies(document, params["node"], node_labels)
            if summary["applies"] is None:
                continue
        selected.append(document)
        summaries.append(summary)
    output.update(
        resources=as_plain(selected),
        peers=summaries,
        table=text_table(bgp_peer.TABLE_HEADERS, [bgp_peer.table_row(document) for document in selected]),
    )
    return output


def main():
    module = CalicoModule(ARGUMENT_SPEC)
    module.run(list_peers)


if __name__ == "__main__":
    main()
