#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: calico_bgp_status
short_description: Read and wait on the BGP sessions of many Calico nodes at once, from the datastore
version_added: 0.3.0
description:
  - Reads the BGP status of the chosen nodes through Calico's datastore, from the controller, with no access to the
    nodes. For each node it writes a C(CalicoNodeStatus) request, and calico/node's status reporter on that node
    writes its BIRDs' agent state, BGP sessions and routes into it.
  - Returns, per node, the same peer entries as M(netops.calico.calico_node_status) (address, type, BGP state and
    since), for IPv4 and IPv6, the state of each BIRD, optionally the routes, and the C(calicoctl node status) text.
  - Can wait until peers of every node reach a BGP state, with the rules of
    M(netops.calico.calico_node_status) (O(wait_for), O(wait_state), O(wait_timeout), O(stable_polls)) applied to
    every node at once.
  - A report counts only when calico/node wrote it into the request this task has just written. calico/node rewrites
    a status only when what it reads from BIRD changed, so the age of an older status says when it last changed,
    not whether calico/node still runs.
  - The requests are named C(netops-calico-<node>), carry the collection's label C(netops.calico/managed-by=ansible),
    ask for the classes C(Agent) and C(BGP), and C(Routes) with O(routes=true) (the routes are most of a report, and
    calico/node rewrites it whenever one changes), and are deleted when the task ends, on success or failure,
    unless O(keep_requests=true). A request left by an earlier run (O(keep_requests), or a run that was killed) is
    deleted and the new one is named C(netops-calico.<node>) instead, so that calico/node cannot mistake the new
    request for the old one. A request of such a name that this collection did not create is never touched; the
    task stops before writing.
  - The datastore sees one write per node to create its request, one per node to delete it, and one range read of all
    requests per reading, whatever the number of nodes; calico/node writes each request when its status changes.
author:
  - netops.calico maintainers (@netops)
requirements:
  - Calico 3.22 or later (the C(CalicoNodeStatus) resource), with calico/node running on the nodes.
extends_documentation_fragment:
  - netops.calico.etcd
attributes:
  check_mode:
    description: Can run in check mode; nothing is written.
    support: partial
    details: In check mode no request is written, so nothing new is reported; the module shows the latest reports
      already stored for the nodes (written for whoever asked), without waiting, and says so in RV(msg).
  diff_mode:
    description: The module changes no BGP configuration, so there is no diff.
    support: none
options:
  nodes:
    description:
      - Names of the Calico nodes to read, or V(all) for every registered node.
      - A node that is not registered in the datastore is refused before anything is written.
    type: list
    elements: str
    default: []
  node_selector:
    description:
      - Only the nodes (of O(nodes), or of all registered nodes when O(nodes) is empty) whose labels match this Calico
        selector, for example C(rack == 'r1').
    type: str
  update_period:
    description:
      - The request's C(updatePeriodSeconds) - how often calico/node reads its BIRDs and writes the status when it
        changed - from 0 to 86400 seconds.
      - V(0) makes calico/node report once only, when the request appears; it cannot be used with a wait.
    type: int
    default: 1
  routes:
    description:
      - Also ask for and return the routes calico/node reports for each node (RV(nodes.routes)); the requests then
        have the class C(Routes) too.
    type: bool
    default: false
  details:
    description:
      - Return each node's peers, agents and table (RV(nodes.ipv4_peers), RV(nodes.ipv6_peers), RV(nodes.agent),
        RV(nodes.table), RV(table)). V(false) returns only whether each node reported and its counts by state,
        and, on failure, RV(not_in_wait_state) (megabytes fewer for a large mesh, for a wait whose result is not
        shown).
    type: bool
    default: true
  wait_for:
    description:
      - Peers every node must have in O(wait_state), as in M(netops.calico.calico_node_status) - addresses, or V(all)
        for every BGP session of the node - applied to each node.
      - Without it (and without O(wait_for_each)) the module waits only until every node has reported.
    type: list
    elements: str
    default: []
  wait_for_each:
    description:
      - Per node, more peers to wait for, in the form of O(wait_for) - for example each node's own top-of-rack switch.
      - Keys are node names among the nodes read.
    type: dict
    default: {}
  wait_state:
    description:
      - BGP state the peers must reach. calico/node reports C(Idle), C(Connect), C(Active), C(OpenSent),
        C(OpenConfirm), C(Established) and C(Close); BIRD's C(Down) and C(Passive) it leaves out.
    type: str
    default: Established
    choices: [Idle, Connect, Active, OpenSent, OpenConfirm, Established, Close]
  wait_timeout:
    description:
      - Seconds to wait for every node's first report and for the peers. After that the task fails, naming every node
        that did not report (and how long it waited) and every peer not in O(wait_state).
    type: float
    default: 60
  wait_interval:
    description:
      - Seconds between two readings of the requests once the peers are in O(wait_state) (the readings
        O(stable_polls) counts). Until every node reported and its peers are first in the state, the requests are
        read every 0.1 seconds (a reading is one range read, whatever the number of nodes).
    type: float
    default: 1
  stable_polls:
    description:
      - The peers must be in O(wait_state) on this many readings in a row, O(wait_interval) apart; a session whose
        C(since) changed between two readings (it dropped and came back) starts its count again.
      - For C(Established), a session that has been Established for the readings' span already counts at once; its
        age is C(lastUpdated) minus its C(since) (both calico/node's clock) plus the time the module has read the
        same report since (calico/node rewrites a report when a session changes).
    type: int
    default: 1
  keep_requests:
    description:
      - Leave the requests in the datastore when the task ends, for monitoring; calico/node goes on updating them
        every O(update_period) until they are deleted. Calico advises against many at once.
    type: bool
    default: false
notes:
  - The status has no port for a peer with an explicit port, so a peer's C(peer_port) in RV(nodes.ipv4_peers) is always null and
    a O(wait_for) entry with a port matches the address.
  - Calico's reporter reports no BGP sessions at all when it cannot reach one of its BIRDs (RV(nodes.agent) then shows
    that BIRD C(NotReady)).
seealso:
  - module: netops.calico.calico_node_status
  - name: CalicoNodeStatus
    description: The Calico resource this module writes and reads.
    link: https://docs.tigera.io/calico/latest/reference/resources/caliconodestatus
"""

EXAMPLES = r"""
- name: The BGP sessions of every node, from the controller
  netops.calico.calico_bgp_status:
    nodes: all
  register: fabric

- name: Print them as calicoctl node status would
  ansible.builtin.debug:
    msg: "{{ fabric.table.splitlines() }}"

- name: Wait until every session of rack r1's nodes is Established, three readings in a row
  netops.calico.calico_bgp_status:
    node_selector: rack == 'r1'
    wait_for: all
    stable_polls: 3
    wait_timeout: 120

- name: Wait until each node has its own top-of-rack switch Established
  netops.calico.calico_bgp_status:
    nodes: [kube-r1-n1, kube-r2-n1]
    wait_for_each:
      kube-r1-n1: [10.1.0.1]
      kube-r2-n1: [10.2.0.1]
"""

RETURN = r"""
nodes:
  description: Per node name, what calico/node reported.
  returned: success and failure
  type: dict
  contains:
    node:
      description: The node's name.
      type: str
    request:
      description: The name of the CalicoNodeStatus the report was read from.
      type: str
      sample: netops-calico-kube-r1-n1
    current:
      description: Whether calico/node wrote the report into the request this task wrote (false in check mode).
      type: bool
    reported:
      description: Whether there is a report.
      type: bool
    last_updated:
      description: When calico/node last changed the status (RFC 3339, UTC).
      type: str
      sample: "2026-12-04T21:30:00Z"
    waited_for_report:
      description: Seconds waited for a node that never reported.
      type: float
      returned: when the node did not report
    agent:
      description: The state of each BIRD, C(ipv4) and C(ipv6), each with C(state) (C(Ready) or C(NotReady)),
        C(version), C(router_id), C(last_boot_time) and C(last_reconfiguration_time); null when not reported.
      type: dict
      returned: with O(details)
    ipv4_peers:
      description:
        - The node's IPv4 BGP peers, with the keys of M(netops.calico.calico_node_status)'s peers - C(name)
          (calico/node's protocol name, without a port), C(peer_address), C(peer_port) (always null), C(peer_type),
          C(ip_version), C(state) (C(up) when Established, else null), C(since), C(seconds_in_state), C(info),
          C(bgp_state), C(last_error) (null) - and C(node).
      type: list
      elements: dict
      returned: with O(details)
    ipv6_peers:
      description: The node's IPv6 BGP peers, with the keys of RV(nodes.ipv4_peers).
      type: list
      elements: dict
      returned: with O(details)
    counts:
      description: Number of peers in each BGP state.
      type: dict
      sample: {"Established": 4}
    routes:
      description: With O(routes), C(ipv4) and C(ipv6) lists of routes, each with C(type) (C(FIB) or C(RIB)),
        C(destination), C(gateway), C(interface) and C(learned_from) (C(source_type), C(peer_ip)).
      type: dict
      returned: with O(routes)
    table:
      description: The node's status as C(calicoctl node status) prints it.
      type: str
      returned: with O(details)
table:
  description: Every node's RV(nodes.table), each under a line C(Node <name>); null with O(details=false).
  returned: success and failure
  type: str
waited:
  description: Seconds spent waiting.
  returned: success and failure
  type: float
not_reporting:
  description: The nodes whose calico/node did not report within O(wait_timeout).
  returned: success and failure
  type: list
  elements: str
not_in_wait_state:
  description: Per node, the peers not (or not stably) in O(wait_state), in the form of
    M(netops.calico.calico_node_status)'s RV(netops.calico.calico_node_status#module:not_in_wait_state).
  returned: success and failure
  type: dict
requests:
  description: The names of the requests this task C(created), C(deleted) and C(kept).
  returned: success and failure
  type: dict
  sample: {"created": ["netops-calico-kube-r1-n1"], "deleted": ["netops-calico-kube-r1-n1"], "kept": []}
msg:
  description: In check mode, what was read instead of written.
  returned: in check mode
  type: str
"""

from ansible_collections.netops.calico.plugins.module_utils import _task_bgp_status as bgp_status
from ansible_collections.netops.calico.plugins.module_utils._module import CalicoModule

ARGUMENT_SPEC = dict(
    nodes=dict(type="list", elements="str", default=[]),
    node_selector=dict(type="str"),
    update_period=dict(type="int", default=1),
    routes=dict(type="bool", default=False),
    details=dict(type="bool", default=True),
    wait_for=dict(type="list", elements="str", default=[]),
    wait_for_each=dict(type="dict", default={}),
    wait_state=dict(type="str", default="Established",
                    choices=["Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established", "Close"]),
    wait_timeout=dict(type="float", default=60.0),
    wait_interval=dict(type="float", default=1.0),
    stable_polls=dict(type="int", default=1),
    keep_requests=dict(type="bool", default=False),
)


def main():
    CalicoModule(ARGUMENT_SPEC).run(bgp_status.run)


if __name__ == "__main__":
    main()
