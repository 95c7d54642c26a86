#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: calico_bgp_config_info
short_description: Read Calico's BGP configuration and the values in effect
version_added: 0.1.0
description:
  - Reads the global C(default) BGPConfiguration (or C(node.<name>) with O(node)) from Calico's etcd v3 datastore.
  - Returns the stored resource and the values in effect, with Calico's defaults filled in
    (AS number 64512, node-to-node mesh on, log severity Info, listen port 179, LoadBalancer aggregation
    Enabled, cluster routes EnabledNoEncapOnly, normal route priorities 1024),
    which is what C(calicoctl config get asNumber) and C(calicoctl config get nodeToNodeMesh) print.
author:
  - netops.calico maintainers (@netops)
extends_documentation_fragment:
  - netops.calico.etcd
  - netops.calico.attributes.info_module
options:
  node:
    description:
      - Also read the per-node C(node.<node>) resource; its per-node fields override the global ones in RV(effective).
    type: str
seealso:
  - module: netops.calico.calico_bgp_config
"""

EXAMPLES = r"""
- name: What calicoctl config get asNumber / nodeToNodeMesh would print
  netops.calico.calico_bgp_config_info:
  register: bgp

- name: Show them
  ansible.builtin.debug:
    msg: "asNumber {{ bgp.calicoctl.asNumber }}, nodeToNodeMesh {{ bgp.calicoctl.nodeToNodeMesh }}"

- name: Stop unless the mesh is off
  ansible.builtin.assert:
    that: not bgp.effective.node_to_node_mesh
"""

RETURN = r"""
resource:
  description: The stored C(default) resource (or C(node.<node>) with O(node)); null when none is stored.
  returned: always
  type: dict
resources:
  description: Every stored BGPConfiguration.
  returned: always
  type: list
  elements: dict
effective:
  description: Values in effect, Calico's defaults filled in.
  returned: always
  type: dict
  contains:
    as_number:
      description: Default AS number.
      type: int
      sample: 64512
    node_to_node_mesh:
      description: Whether the full mesh is on.
      type: bool
      sample: true
    log_severity_screen:
      description: BIRD log level.
      type: str
      sample: Info
    listen_port:
      description: BGP port.
      type: int
      sample: 179
    service_load_balancer_aggregation:
      description: Whether LoadBalancer IPs are advertised as their ranges (V(Enabled)) or one route per service.
      type: str
      sample: Enabled
    program_cluster_routes:
      description: Which cluster routes BIRD programs.
      type: str
      sample: EnabledNoEncapOnly
    ipv4_normal_route_priority:
      description: The normal IPv4 route priority.
      type: int
      sample: 1024
    ipv6_normal_route_priority:
      description: The normal IPv6 route priority.
      type: int
      sample: 1024
calicoctl:
  description: The effective values as C(calicoctl config get) prints them.
  returned: always
  type: dict
  sample: {asNumber: "64512", nodeToNodeMesh: "on", logLevel: "info"}
table:
  description: The stored resources in the layout of C(calicoctl get bgpConfiguration).
  returned: always
  type: str
  sample: |-
    NAME      LOGSEVERITY   MESHENABLED   ASNUMBER
    default   Info          false         64513
"""

from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_configuration as bgp_configuration
from ansible_collections.netops.calico.plugins.module_utils._module import CalicoModule
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import as_plain
from ansible_collections.netops.calico.plugins.module_utils._table import text_table


ARGUMENT_SPEC = dict(node=dict(type="str"))


def read_configuration(module):
    wanted = bgp_configuration.resource_name_for(module.params["node"])
    resources = module.store.list(bgp_configuration.KIND)
    by_name = dict((resource["metadata"]["name"], resource) for resource in resources)
    default = by_name.get(bgp_configuration.DEFAULT_NAME)
    node = by_name.get(wanted) if module.params["node"] else None
    effective = bgp_configuration.effective(default, node)
    return dict(
        changed=False,
        resource=as_plain(by_name.get(wanted)),
        resources=as_plain(resources),
        effective=effective,
        calicoctl=bgp_configuration.calicoctl_values(effective),
        table=text_table(bgp_configuration.TABLE_HEADERS,
                         [bgp_configuration.table_row(resource) for resource in resources]),
    )


def main():
    module = CalicoModule(ARGUMENT_SPEC)
    module.run(read_configuration)


if __name__ == "__main__":
    main()
