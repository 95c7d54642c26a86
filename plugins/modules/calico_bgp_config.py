#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: calico_bgp_config
short_description: Manage Calico's BGP configuration (default AS number, node-to-node mesh, ...)
version_added: 0.1.0
description:
  - Manages the global C(default) BGPConfiguration, or the per-node C(node.<name>) one when O(node) is given,
    straight in Calico's etcd v3 datastore, in the format C(calicoctl) and C(calico/node) read.
  - The equivalent of C(calicoctl config set asNumber) and C(calicoctl config set nodeToNodeMesh).
  - Only the options given are managed; every other stored field keeps its value.
    To remove a stored field, name its option in O(unset).
  - Every write is a compare-and-swap on the value read, retried on a concurrent change,
    so parallel tasks never lose each other's updates.
  - Turning the mesh off drops routes unless the replacement peers are already Established;
    the role M(netops.calico.bgp_peering) sequences that safely.
author:
  - netops.calico maintainers (@netops)
extends_documentation_fragment:
  - netops.calico.etcd
  - netops.calico.attributes
options:
  node:
    description:
      - Manage the per-node resource C(node.<node>) instead of the global C(default) one.
      - A per-node resource may only set O(log_severity_screen), O(listen_port) and O(prefix_advertisements).
    type: str
  state:
    description:
      - V(present) creates or updates the resource; V(absent) deletes it (Calico's defaults then apply).
    type: str
    choices: [present, absent]
    default: present
  as_number:
    description:
      - Default AS number of every node that has none of its own. Plain (V(64513)) or dotted, quoted (V("1.10")),
        because unquoted YAML reads 1.10 as the number 1.1, which is refused.
      - V(0) is refused (stricter than Calico, since BGP has no AS 0 and calico/node would render it).
    type: raw
  node_to_node_mesh:
    description:
      - Whether every node peers with every other node. Calico's default is V(true).
    type: bool
  log_severity_screen:
    description:
      - BIRD log level, one of V(Trace), V(Debug), V(Info), V(Warning), V(Error), V(Fatal), in any case (as Calico
        accepts it); stored as given.
    type: str
  listen_port:
    description: Port BIRD listens on for BGP (Calico's default is 179).
    type: int
  service_cluster_ips:
    description: Masked CIDRs of Kubernetes service cluster IPs to advertise.
    type: list
    elements: str
  service_external_ips:
    description: Masked CIDRs of service external IPs to advertise.
    type: list
    elements: str
  service_load_balancer_ips:
    description: Masked CIDRs of service load balancer IPs to advertise.
    type: list
    elements: str
  communities:
    description:
      - Named BGP communities (at most 500), for use in O(prefix_advertisements).
      - As in Calico, communities can only be defined together with O(prefix_advertisements).
    type: list
    elements: dict
    suboptions:
      name:
        description: Name to use in O(prefix_advertisements).
        type: str
        required: true
      value:
        description: V(aa:nn) (standard) or V(aa:nn:mm) (large) community.
        type: str
        required: true
  prefix_advertisements:
    description: Communities to attach to the advertisement of a CIDR.
    type: list
    elements: dict
    suboptions:
      cidr:
        description: The prefix.
        type: str
        required: true
      communities:
        description:
          - Community names from O(communities), or literal community values (at most 50).
          - A name that O(communities) does not define is refused (calico/node would drop it silently).
        type: list
        elements: str
        required: true
  bind_mode:
    description: V(NodeIP) makes BIRD listen on the node IP only.
    type: str
    choices: ["None", NodeIP]
  ignored_interfaces:
    description: Interface names or globs BIRD ignores (not V(*)).
    type: list
    elements: str
  node_mesh_password:
    description:
      - Reference to the Kubernetes Secret holding the mesh BGP password. The datastore stores only the reference.
      - Refused while the mesh is off (O(node_to_node_mesh=false), given or stored), as Calico refuses it.
    type: dict
    suboptions:
      secret_name:
        description: Name of the Secret in calico/node's namespace.
        type: str
        required: true
      secret_key:
        description: Key within the Secret.
        type: str
        required: true
      optional:
        description: Whether the Secret or its key must exist (Kubernetes' C(optional) of a secret key reference).
        type: bool
  node_mesh_max_restart_time:
    description:
      - Graceful restart time for mesh sessions, a Go duration with a unit such as V(120s), stored as Go prints it
        (V(2m0s)), the way C(calicoctl) stores it; a stored value of the same length is left as it is.
      - Refused while the mesh is off, as Calico refuses it. Stricter than Calico, a negative duration is refused
        (calico/node would render a BIRD configuration that fails).
    type: str
  service_load_balancer_aggregation:
    description:
      - V(Disabled) advertises a /32 (/128) route per LoadBalancer service IP instead of the whole
        O(service_load_balancer_ips) ranges; Calico's default is V(Enabled). Calico v3.31.
    type: str
    choices: [Enabled, Disabled]
  local_workload_peering_ipv4:
    description:
      - The virtual IPv4 address of every node with which its local workloads peer (peers with
        C(local_workload_selector)); a link-local address is recommended. Calico v3.30.
    type: str
  local_workload_peering_ipv6:
    description: The same for IPv6. Calico v3.30.
    type: str
  program_cluster_routes:
    description:
      - Which cluster routes BIRD programs (IP pools with C(vxlanMode=Never)); must agree with
        FelixConfiguration's C(programClusterRoutes). Calico's default is V(EnabledNoEncapOnly). Calico v3.32.
    type: str
    choices: [Enabled, Disabled, EnabledIPIPOnly, EnabledNoEncapOnly]
  ipv4_normal_route_priority:
    description:
      - The route priority (metric) Felix uses for IPv4 workload routes, 1 to 2147483646; must match
        FelixConfiguration. Calico's default is 1024. Calico v3.32.
    type: int
  ipv6_normal_route_priority:
    description: The same for IPv6. Calico v3.32.
    type: int
  labels:
    description:
      - Labels merged into the resource's labels; labels not named here are kept, a label given V(null) is removed.
      - YAML booleans are stored as V(true) / V(false), integers as their digits.
    type: dict
  unset:
    description:
      - Options whose stored field is removed, so that Calico's default applies again.
    type: list
    elements: str
    choices: [as_number, node_to_node_mesh, log_severity_screen, listen_port, service_cluster_ips,
              service_external_ips, service_load_balancer_ips, communities, prefix_advertisements,
              bind_mode, ignored_interfaces, node_mesh_password, node_mesh_max_restart_time,
              service_load_balancer_aggregation, local_workload_peering_ipv4, local_workload_peering_ipv6,
              program_cluster_routes, ipv4_normal_route_priority, ipv6_normal_route_priority]
    default: []
seealso:
  - module: netops.calico.calico_bgp_config_info
"""

EXAMPLES = r"""
- name: Set the default AS number (calicoctl config set asNumber 64513)
  netops.calico.calico_bgp_config:
    as_number: 64513
    etcd_endpoints: [https://10.0.0.1:2379, https://10.0.0.2:2379]
    etcd_ca_cert_file: /etc/calico/certs/ca.pem
    etcd_cert_file: /etc/calico/certs/client.pem
    etcd_key_file: /etc/calico/certs/client-key.pem

- name: Turn the full node-to-node mesh off (calicoctl config set nodeToNodeMesh off)
  netops.calico.calico_bgp_config:
    node_to_node_mesh: false

- name: Turn it back on (calicoctl config set nodeToNodeMesh on)
  netops.calico.calico_bgp_config:
    node_to_node_mesh: true

- name: Log at Debug on one node only
  netops.calico.calico_bgp_config:
    node: kube-node1
    log_severity_screen: Debug

- name: Go back to the default AS number 64512
  netops.calico.calico_bgp_config:
    unset: [as_number]
"""

RETURN = r"""
resource:
  description: The BGPConfiguration as stored after the task (as it would be, in check mode); null when absent.
  returned: always
  type: dict
  sample:
    kind: BGPConfiguration
    apiVersion: projectcalico.org/v3
    metadata:
      name: default
      uid: 5b1f3c9e-8d0a-4e52-9a55-3c2b1f0d9e7a
      creationTimestamp: "2026-11-26T09:14:47Z"
      resourceVersion: "42"
    spec:
      asNumber: 64513
      nodeToNodeMeshEnabled: false
action:
  description: What was done, V(created), V(updated) or V(deleted); null when nothing changed.
  returned: always
  type: str
  sample: updated
"""

from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_configuration as bgp_configuration
from ansible_collections.netops.calico.plugins.module_utils._module import CalicoModule

ARGUMENT_SPEC = bgp_configuration.MODEL.argument_spec(
    node=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = CalicoModule(ARGUMENT_SPEC)
    module.run(lambda module: bgp_configuration.apply(module, module.params))


if __name__ == "__main__":
    main()
