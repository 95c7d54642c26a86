#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: calico_node_status
short_description: Report a Calico node's BGP sessions, read from BIRD, like C(calicoctl node status)
version_added: 0.1.0
description:
  - Runs on a Calico node and reads the BGP sessions of its BIRD daemons (C(bird) for IPv4,
    C(bird6) for IPv6) through their control sockets, as C(calicoctl node status) does.
  - Keeps the BGP protocols calico/node configures (named C(Mesh_<ip>), C(Global_<ip>) and
    C(Node_<ip>), with an optional C(_port_<N>) suffix) and reports each peer's address, port,
    type, protocol state and BGP session state, plus the text table calicoctl prints.
  - Can wait until named peers (or all peers) reach a BGP state, for example after a change to
    the BGP configuration.
  - Needs no datastore access and never changes anything.
author:
  - netops.calico maintainers (@netops)
requirements:
  - BIRD 1.6 (as run by calico/node, or a distribution's C(bird) package) on the managed node.
  - Permission to open BIRD's control sockets (usually root, so use I(become)).
extends_documentation_fragment:
  - netops.calico.attributes.INFO_MODULE
options:
  bird_socket:
    description:
      - Path of the IPv4 BIRD control socket.
      - When not set, C(/var/run/calico/bird.ctl) is tried first, then C(/var/run/bird/bird.ctl),
        as C(calicoctl node status) does.
      - The task fails when no IPv4 socket can be opened.
    type: path
  bird6_socket:
    description:
      - Path of the IPv6 BIRD control socket.
      - When not set, C(/var/run/calico/bird6.ctl) is tried first, then C(/var/run/bird/bird6.ctl).
      - When the socket does not exist, IPv6 is reported as not in use (I(ipv6_in_use=false))
        rather than failing. A socket that exists but does not answer is an error.
    type: path
  timeout:
    description:
      - Deadline in seconds for connecting to a socket and for each read from it.
      - calicoctl uses 2 seconds.
    type: float
    default: 2.0
  wait_for:
    description:
      - Peers to wait for until they reach O(wait_state). Each entry is a peer address
        (C(10.0.0.1), C(fd80::2)) or, to pick a peer with an explicit port, address and port
        (C(10.0.0.1:1790), C([fd80::2]:1790)). An address without a port selects every peer with
        that address.
      - The word C(all) waits for every Calico BGP peer of the node (IPv4 and IPv6). With addresses next to
        it, those addresses must also be peers of the node.
      - When empty, the module reports the current state without waiting.
      - Waiting also happens in check mode, since nothing is changed.
    type: list
    elements: str
    default: []
  wait_state:
    description:
      - BGP state the peers in O(wait_for) must reach.
      - C(Down) is the state of a disabled or failed protocol (BIRD's C(show protocols all)
        wording).
    type: str
    default: Established
    choices: [Idle, Connect, Active, OpenSent, OpenConfirm, Established, Close, Passive, Down]
  wait_timeout:
    description:
      - Seconds to wait for O(wait_for). After that the task fails, listing every peer that is
        not in O(wait_state) with its current state and last error, and every address in
        O(wait_for) that is not a peer of the node.
    type: float
    default: 60
  wait_interval:
    description:
      - Seconds between two readings of BIRD once the peers are in O(wait_state) (the readings O(stable_polls)
        counts). Until then BIRD is read every 0.25 seconds (every O(wait_interval) if that is shorter), so the wait
        ends as soon as the sessions are up.
    type: float
    default: 1
  stable_polls:
    description:
      - With O(wait_for), the peers must be in O(wait_state) on this many consecutive readings, O(wait_interval)
        apart. A session that flaps starts the count again, whether a reading saw it in another state or its BIRD
        SINCE time changed between two readings (it dropped and came back in between).
      - For C(Established), a session that BIRD's own clock shows Established for the span of those readings
        already ((O(stable_polls) - 1) x O(wait_interval) seconds, from BIRD's C(show status) time and the
        session's SINCE time, rounded against the session) counts at once; so a long-standing session is not
        watched again (see the notes on BIRD's clock).
    type: int
    default: 1
notes:
  - Only BGP protocols whose names follow calico/node's scheme are reported; other BIRD
    protocols (kernel, device, static, C(Local_Workload_*)) are left out, as calicoctl does.
  - Unlike calicoctl, the peer of a C(_port_<N>) protocol is shown as C(10.0.0.1:1790) or
    C([fd80::2]:1790) (calicoctl prints C(10.0.0.1.port.1790)), and protocols whose row has no
    info column (disabled peers) are kept.
  - The BIRD sockets must exist when the task starts, and an error talking to BIRD while waiting
    fails the task at once; the module does not wait for BIRD itself to start.
  - RV(ipv4_peers[].seconds_in_state) compares two times BIRD prints in its own local time, so it
    does not depend on the node's clock or time zone. calico/node runs in UTC; a BIRD run in a time
    zone with daylight saving shows a session that came up just before the clocks went forward as
    older by the change, for the seconds after it.
seealso:
  - name: calicoctl node status
    description: The command whose output RV(table) reproduces.
    link: https://docs.tigera.io/calico/latest/reference/calicoctl/node/status
"""

EXAMPLES = r"""
- name: Read the node's BGP sessions
  netops.calico.calico_node_status:
  become: true
  register: node_status

- name: Print them as calicoctl node status would
  ansible.builtin.debug:
    msg: "{{ node_status.table.splitlines() }}"

- name: Wait up to two minutes until every BGP session is Established
  netops.calico.calico_node_status:
    wait_for: all
    wait_timeout: 120
  become: true

- name: Wait for two route reflectors, one of them on port 1790
  netops.calico.calico_node_status:
    wait_for:
      - 10.0.0.1
      - 10.0.0.2:1790
    wait_timeout: 60
    wait_interval: 2
  become: true

- name: Read a BIRD that is not calico/node's, from its own sockets
  netops.calico.calico_node_status:
    bird_socket: /run/bird/bird.ctl
    bird6_socket: /run/bird/bird6.ctl
    timeout: 5
  become: true
"""

RETURN = r"""
calico_running:
  description: Whether a Calico process (C(calico-felix) or C(calico-node -felix)) runs on the node.
  returned: success
  type: bool
  sample: true
bird_running:
  description: Whether a C(bird) process runs on the node.
  returned: success
  type: bool
  sample: true
bird6_running:
  description: Whether a C(bird6) process runs on the node.
  returned: success
  type: bool
  sample: false
bird_socket:
  description: The IPv4 BIRD control socket that answered.
  returned: success
  type: str
  sample: /var/run/calico/bird.ctl
bird6_socket:
  description: The IPv6 BIRD control socket that answered, or null when IPv6 is not in use.
  returned: success
  type: str
  sample: null
ipv6_in_use:
  description: Whether an IPv6 BIRD control socket exists.
  returned: success
  type: bool
  sample: false
ipv4_peers:
  description: The node's IPv4 BGP peers, in BIRD's order.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The BIRD protocol name.
      type: str
      sample: Global_10_0_0_1_port_1790
    peer_address:
      description: The peer's address.
      type: str
      sample: 10.0.0.1
    peer_port:
      description: The peer's port when the protocol name has a C(_port_<N>) suffix, else null (the cluster's BGP listen port, 179 by default).
      type: int
      sample: 1790
    peer_type:
      description: C(node-to-node mesh), C(global) or C(node specific).
      type: str
      sample: global
    ip_version:
      description: 4 for peers of C(bird), 6 for peers of C(bird6).
      type: int
      sample: 4
    state:
      description: BIRD's protocol state, C(up), C(start) or C(down).
      type: str
      sample: up
    since:
      description: When the protocol entered that state, in BIRD's time format.
      type: str
      sample: "09:24:31"
    seconds_in_state:
      description:
        - Seconds the protocol has at least been in its state, from BIRD's clock (C(show status)) and RV(ipv4_peers[].since)
          rounded against the session; null when BIRD's time format does not tell.
      type: float
      sample: 3600.0
    info:
      description: BIRD's info column (BGP state and last error), spaces collapsed.
      type: str
      sample: "Active Socket: Connection refused"
    bgp_state:
      description:
        - The BGP session state, C(Idle), C(Connect), C(Active), C(OpenSent), C(OpenConfirm),
          C(Established), C(Close) or C(Passive); C(Down) for a down protocol.
      type: str
      sample: Established
    last_error:
      description: The last error BIRD reports for the session, or null.
      type: str
      sample: "Socket: Connection refused"
ipv6_peers:
  description: The node's IPv6 BGP peers, with the same keys as RV(ipv4_peers); empty when IPv6 is not in use.
  returned: success
  type: list
  elements: dict
counts:
  description: Number of peers (IPv4 and IPv6) in each BGP state.
  returned: success
  type: dict
  sample: {"Established": 3, "Active": 1}
table:
  description: The text C(calicoctl node status) prints, with ports shown as C(address:port).
  returned: success
  type: str
  sample: |-
    Calico process is running.

    IPv4 BGP status
    +--------------+-------------------+-------+----------+-------------+
    | PEER ADDRESS |     PEER TYPE     | STATE |  SINCE   |    INFO     |
    +--------------+-------------------+-------+----------+-------------+
    | 10.0.0.2     | node-to-node mesh | up    | 09:24:31 | Established |
    +--------------+-------------------+-------+----------+-------------+

    IPv6 BGP status
    No IPv6 peers found.
waited:
  description: Seconds spent waiting for O(wait_for) (0 when not waiting).
  returned: always
  type: float
  sample: 3.02
not_in_wait_state:
  description:
    - Peers selected by O(wait_for) that are not in O(wait_state) at the end of the wait, or in it but not
      stable (I(in_wait_state=true), see O(stable_polls)), and addresses of O(wait_for) that are not peers of
      the node (I(present=false)).
    - Empty when the wait succeeded.
  returned: when O(wait_for) is set
  type: list
  elements: dict
  sample: [{"peer": "10.0.0.3", "name": "Mesh_10_0_0_3", "peer_type": "node-to-node mesh",
            "bgp_state": "Active", "last_error": "Socket: Connection refused", "present": true,
            "in_wait_state": false}]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.netops.calico.plugins.module_utils import _bird_node_status as status_lib
from ansible_collections.netops.calico.plugins.module_utils._errors import CalicoError, ValidationError
from ansible_collections.netops.calico.plugins.module_utils._model_values import finite_positive
from ansible_collections.netops.calico.plugins.module_utils._module import run_module

ARGUMENT_SPEC = dict(
    bird_socket=dict(type="path"),
    bird6_socket=dict(type="path"),
    timeout=dict(type="float", default=2.0),
    wait_for=dict(type="list", elements="str", default=[]),
    wait_state=dict(type="str", default="Established",
                    choices=["Idle", "Connect", "Active", "OpenSent", "OpenConfirm",
                             "Established", "Close", "Passive", "Down"]),
    wait_timeout=dict(type="float", default=60.0),
    wait_interval=dict(type="float", default=1.0),
    stable_polls=dict(type="int", default=1),
)


def node_status(module):
    params = module.params
    for name in ("timeout", "wait_interval"):
        finite_positive(params[name], name)
    if params["wait_timeout"] != 0:
        finite_positive(params["wait_timeout"], "wait_timeout")
    if params["stable_polls"] < 1:
        raise ValidationError("stable_polls", "%d must be 1 or more" % params["stable_polls"])
    wait_for = status_lib.parse_wait_for(params["wait_for"])
    ipv4_sockets = [params["bird_socket"]] if params["bird_socket"] else status_lib.IPV4_SOCKETS
    ipv6_sockets = [params["bird6_socket"]] if params["bird6_socket"] else status_lib.IPV6_SOCKETS

    def read_status():
        return status_lib.collect_node_status(ipv4_sockets, ipv6_sockets, params["timeout"])

    if not params["wait_for"]:
        return dict(changed=False, waited=0.0, **read_status().result())
    status, unmet, waited = status_lib.wait_for_peers(
        read_status, wait_for, params["wait_state"], params["wait_timeout"], params["wait_interval"],
        stable_polls=params["stable_polls"])
    result = dict(changed=False, waited=round(waited, 3), not_in_wait_state=unmet, **status.result())
    if unmet:
        raise CalicoError("after %s s, not every peer is %s: %s"
                          % (round(waited, 1), params["wait_state"], status_lib.describe_unmet(unmet, params["stable_polls"])),
                          **result)
    return result


def main():
    run_module(AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True), node_status)


if __name__ == "__main__":
    main()
