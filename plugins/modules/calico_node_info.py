#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: calico_node_info
short_description: List Calico nodes with their BGP addresses and AS numbers
version_added: 0.1.0
description:
  - Reads the Node resources from Calico's etcd v3 datastore, every node or only O(name).
  - For each node returns its labels, BGP addresses, its own AS number, and the AS number in effect
    (its own, else the global default of the C(default) BGPConfiguration, else Calico's 64512).
  - Also returns the listing in the layout of C(calicoctl get node -o wide).
  - A stored Node that cannot be read (not valid JSON) is left out with a warning naming its key;
    Calico itself skips such a node.
author:
  - netops.calico maintainers (@netops)
extends_documentation_fragment:
  - netops.calico.etcd
  - netops.calico.attributes.info_module
options:
  name:
    description:
      - Only this node. When it is not registered, RV(nodes) is empty.
    type: str
seealso:
  - module: netops.calico.calico_node
  - module: netops.calico.calico_bgp_config_info
"""

EXAMPLES = r"""
- name: calicoctl get node -o wide
  netops.calico.calico_node_info:
  register: calico_nodes

- name: Show it
  ansible.builtin.debug:
    msg: "{{ calico_nodes.table }}"

- name: The AS number kube-node1 uses
  netops.calico.calico_node_info:
    name: kube-node1
  register: node1

- name: Stop unless kube-node1 has its own AS 65011
  ansible.builtin.assert:
    that:
      - node1.nodes[0].as_number == 65011
      - not node1.nodes[0].as_number_inherited
"""

RETURN = r"""
nodes:
  description: The nodes, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Node name.
      type: str
      sample: kube-node1
    labels:
      description: The node's labels.
      type: dict
      sample: {kubernetes.io/hostname: kube-node1, route-reflector: "true"}
    bgp_enabled:
      description: Whether the node has a C(spec.bgp) (false for a node in policy-only mode).
      type: bool
      sample: true
    ipv4_address:
      description: IPv4 BGP address (CIDR or bare address as stored), or null.
      type: str
      sample: 172.31.3.11/32
    ipv6_address:
      description: IPv6 BGP address, or null.
      type: str
      sample: fd00:10::11/64
    as_number:
      description: The node's own AS number, or null when it inherits the global default.
      type: int
      sample: 65011
    effective_as_number:
      description:
        - The AS number the node uses; its own, else the global default, else 64512.
        - Null for a node without C(spec.bgp), which runs no BGP.
      type: int
      sample: 65011
    as_number_inherited:
      description: Whether RV(nodes[].effective_as_number) is the inherited global default.
      type: bool
      sample: false
    route_reflector_cluster_id:
      description: Route reflector cluster ID, or null when the node is not a route reflector.
      type: str
      sample: 224.0.0.1
    ipv4_ipip_tunnel_address:
      description: The IPIP tunnel address calico/node chose, or null.
      type: str
      sample: 10.244.1.1
    resource:
      description: The stored Node resource.
      type: dict
default_as_number:
  description: The global default AS number (the C(default) BGPConfiguration's, else 64512).
  returned: always
  type: int
  sample: 64512
table:
  description: The nodes in the layout of C(calicoctl get node -o wide); an inherited AS number is in parentheses.
  returned: always
  type: str
  sample: |-
    NAME         ASN       IPV4             IPV6
    kube-node1   65011     172.31.3.11/32
    kube-node2   (64512)   172.31.3.12/32   fd00:10::12/64
"""

from ansible_collections.netops.calico.plugins.module_utils import _kind_node as node_model
from ansible_collections.netops.calico.plugins.module_utils._module import CalicoModule
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import as_plain
from ansible_collections.netops.calico.plugins.module_utils._table import text_table
from ansible_collections.netops.calico.plugins.module_utils._errors import ValidationError


ARGUMENT_SPEC = dict(name=dict(type="str"))


def read_nodes(module):
    name = module.params["name"]
    if name is not None:
        node_model.node_name(name)
    if name is not None:
        nodes = [node for node in [module.store.get(node_model.KIND, name)] if node is not None]
    else:
        nodes = module.store.list(node_model.KIND)
    problems = []
    default_as = node_model.default_as_number(module.store.get("BGPConfiguration", "default"))
    summaries = []
    for node in sorted(nodes, key=lambda item: item["metadata"]["name"]):
        try:
            summary = node_model.summary(node, default_as)
        except ValidationError as exc:
            problems.append(str(exc))
            continue
        summary["resource"] = as_plain(node)
        summaries.append(summary)
    for problem in problems:
        module.warn("skipped an unreadable node: %s" % problem)
    return dict(
        changed=False,
        nodes=as_plain(summaries),
        default_as_number=default_as,
        table=text_table(node_model.TABLE_HEADERS, [node_model.summary_row(item) for item in summaries]),
    )


def main():
    module = CalicoModule(ARGUMENT_SPEC)
    module.run(read_nodes)


if __name__ == "__main__":
    main()
