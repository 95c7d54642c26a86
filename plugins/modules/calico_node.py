#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: calico_node
short_description: Manage the BGP settings and labels of a registered Calico node
version_added: 0.1.0
description:
  - Sets the BGP part of an existing Calico Node resource (C(spec.bgp)) and its labels, straight in
    Calico's etcd v3 datastore, in the format C(calicoctl) and C(calico/node) read.
  - The equivalent of C(calicoctl get node kube-node1 -o yaml), adding C(asNumber) under C(spec.bgp),
    and C(calicoctl apply) of the result, without the risk of writing back a stale copy.
  - The node must already be registered; C(calico/node) registers it when it starts. An unknown
    node is an error, never created. This module cannot delete a node (it has no C(state) option);
    deleting a node is Calico's job (C(calicoctl delete node), or the Kubernetes node controller),
    because Calico also removes the node's IPAM blocks, node-scoped BGP peers and
    C(node.<name>) BGP configuration.
  - Only the options given are managed; every other stored field keeps its value, including
    everything calico/node wrote (C(spec.addresses), C(spec.orchRefs), C(spec.bgp.ipv4IPIPTunnelAddr),
    C(status), other labels, annotations, C(uid), C(creationTimestamp) and fields this module
    does not know). To remove a BGP field, name its option in O(unset).
  - Every write is a compare-and-swap on the value read, retried on a concurrent change, so parallel
    tasks (or calico/node itself) never lose each other's updates.
  - Calico requires C(spec.bgp), when present, to carry O(ipv4_address) or O(ipv6_address). A task
    that would leave the node's BGP spec without any address is refused, so O(unset) cannot remove
    the last address; an AS number cannot be set on a node that has no BGP address unless an address
    is given in the same task.
  - A stored Node value that is not valid JSON is refused, never overwritten.
author:
  - netops.calico maintainers (@netops)
extends_documentation_fragment:
  - netops.calico.etcd
  - netops.calico.attributes
options:
  name:
    description:
      - Name of the node as registered by calico/node (usually the host name), for example V(kube-node1).
      - A lower-case DNS-1123 name.
    type: str
    required: true
  as_number:
    description:
      - The node's own AS number, overriding the global default (see M(netops.calico.calico_bgp_config)).
      - Plain (V(65011)) or dotted and quoted (V("1.10"), meaning 65546; unquoted, YAML reads 1.10 as the number
        1.1, which is refused). Stored as a number. V(0) is refused (stricter than Calico, since BGP has no AS 0).
    type: raw
  ipv4_address:
    description:
      - The node's IPv4 BGP address with its subnet, as calico/node writes it (V(172.31.3.11/32),
        V(10.0.0.11/24)), or a bare address.
      - Changing it changes the router ID and the address every peer must use; calico/node rewrites it at
        start-up unless it runs with a fixed C(IP).
    type: str
  ipv6_address:
    description:
      - The node's IPv6 BGP address with its subnet (V(fd00::11/64)), or a bare address.
    type: str
  route_reflector_cluster_id:
    description:
      - Makes the node a route reflector with this cluster ID, an IPv4 address such as V(224.0.0.1).
      - Peers usually select route reflectors by a label; set one with O(labels) in the same task.
    type: str
  labels:
    description:
      - Labels merged into the node's labels; labels not named here are kept.
      - A label given the value V(null) is removed.
      - YAML booleans are stored as V(true) / V(false), integers as their digits.
      - With the etcd datastore on Kubernetes, calico-kube-controllers copies the Kubernetes node's labels
        onto the Calico node; a label that also exists on the Kubernetes node is set back to the Kubernetes
        value, so manage such labels in Kubernetes instead.
    type: dict
  unset:
    description:
      - Options whose C(spec.bgp) field is removed (for V(as_number), the node then inherits the global
        default AS number again).
      - Options left out of a task keep their stored value; this is the only way to remove a field.
      - Naming an option both here and with a value is an error.
    type: list
    elements: str
    choices: [as_number, ipv4_address, ipv6_address, route_reflector_cluster_id]
    default: []
notes:
  - Calico itself rejects two nodes with the same BGP address; this module does not check other nodes.
seealso:
  - module: netops.calico.calico_node_info
  - module: netops.calico.calico_bgp_config
"""

EXAMPLES = r"""
# calicoctl get node kube-node1 -o yaml, add asNumber under spec/bgp, calicoctl apply:
- name: Give node kube-node1 its own AS number
  netops.calico.calico_node:
    name: kube-node1
    as_number: 65011
    etcd_endpoints: [https://10.0.0.1:2379, https://10.0.0.2:2379]
    etcd_ca_cert_file: /etc/calico/certs/ca.pem
    etcd_cert_file: /etc/calico/certs/client.pem
    etcd_key_file: /etc/calico/certs/client-key.pem

- name: Make kube-node2 a route reflector that peers select by label
  netops.calico.calico_node:
    name: kube-node2
    route_reflector_cluster_id: 224.0.0.1
    labels:
      route-reflector: "true"

- name: Back to the global default AS number, and drop a label
  netops.calico.calico_node:
    name: kube-node1
    unset: [as_number]
    labels:
      rack: null

- name: Set the BGP addresses explicitly
  netops.calico.calico_node:
    name: kube-node3
    ipv4_address: 172.31.3.13/24
    ipv6_address: fd00:10::13/64

- name: Connection settings once for every Calico task
  module_defaults:
    group/netops.calico.calico:
      etcd_endpoints: [https://10.0.0.1:2379]
      etcd_ca_cert_file: /etc/calico/certs/ca.pem
  block:
    - name: AS per rack
      netops.calico.calico_node:
        name: "{{ item.name }}"
        as_number: "{{ item.as_number }}"
      loop:
        - {name: kube-node1, as_number: 65011}
        - {name: kube-node2, as_number: 65012}
"""

RETURN = r"""
resource:
  description: The Node as stored after the task (as it would be, in check mode).
  returned: success
  type: dict
  sample:
    kind: Node
    apiVersion: projectcalico.org/v3
    metadata:
      name: kube-node1
      uid: 0b6e3f0c-5d0e-4a43-8f4e-2d9f5b1c7a10
      creationTimestamp: "2026-11-20T08:01:02Z"
      resourceVersion: "812"
      labels:
        kubernetes.io/hostname: kube-node1
    spec:
      bgp:
        asNumber: 65011
        ipv4Address: 172.31.3.11/32
        ipv4IPIPTunnelAddr: 10.244.1.1
      orchRefs:
        - nodeName: kube-node1
          orchestrator: k8s
    status: {}
action:
  description: V(updated) when the node was (or in check mode would be) changed; null when nothing changed.
  returned: success
  type: str
  sample: updated
"""

from ansible_collections.netops.calico.plugins.module_utils import _kind_node as node_model
from ansible_collections.netops.calico.plugins.module_utils._module import CalicoModule

ARGUMENT_SPEC = node_model.MODEL.argument_spec(name=dict(type="str", required=True))


def main():
    module = CalicoModule(ARGUMENT_SPEC)
    module.run(lambda module: node_model.apply(module, module.params))


if __name__ == "__main__":
    main()
