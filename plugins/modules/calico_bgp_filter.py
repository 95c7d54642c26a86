#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: calico_bgp_filter
short_description: Manage a Calico BGPFilter (which routes BGP peers import and export)
version_added: 0.2.0
description:
  - Manages one BGPFilter straight in Calico's etcd v3 datastore, in the format C(calicoctl) and C(calico/node) read.
  - The equivalent of C(calicoctl apply) of a BGPFilter, and C(calicoctl delete bgpfilter).
  - A filter takes effect on the BGP peers that name it in their C(filters) (see M(netops.calico.calico_bgp_peer)).
  - Each of O(export_v4), O(import_v4), O(export_v6) and O(import_v6) is an ordered list of rules; BIRD applies the
    first rule that matches, so the order given is the order stored. A list given replaces the stored one.
  - Only the options given are managed; every other stored field keeps its value. To remove a stored list, name its
    option in O(unset).
  - Deleting a filter that peers still name is refused, naming them, unless O(force=true) (as C(calicoctl) refuses a
    peer naming a filter that does not exist, such peers could not be applied again).
  - BGPFilter needs Calico v3.26; some rule fields need a later version (see the rule options). With the running
    version recorded in the datastore (or given as O(calico_version)), a field that version does not know is refused.
  - Every write is a compare-and-swap on the value read, retried on a concurrent change.
author:
  - netops.calico maintainers (@netops)
extends_documentation_fragment:
  - netops.calico.etcd
  - netops.calico.attributes
options:
  name:
    description: Name of the BGPFilter (a lower-case DNS-1123 name), as the peers' C(filters) name it.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the filter; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - With O(state=absent), delete the filter even though BGP peers still name it (calico/node then ignores the
        missing filter; such a peer cannot be applied with C(calicoctl) again until the filter exists).
    type: bool
    default: false
  export_v4:
    description:
      - Ordered rules for IPv4 routes exported to the peers that use the filter.
      - A rule matches when every condition it gives holds; it then applies its O(export_v4[].action).
    type: list
    elements: dict
    suboptions: &rule_options
      # Only shapes are checked by Ansible: every value rule is the module's, so that a message names the rule's
      # index (export_v4[2].priority).
      action:
        description: What a matching route gets, V(Accept) or V(Reject). Required.
        type: str
      cidr:
        description:
          - The prefix to compare routes with, a masked CIDR of the rule's family. Needs O(export_v4[].match_operator).
        type: str
      match_operator:
        description:
          - V(Equal) (the same prefix), V(NotEqual), V(In) (inside O(export_v4[].cidr), or equal), V(NotIn). Needs
            O(export_v4[].cidr).
        type: str
      prefix_length:
        description:
          - With V(In), the prefix lengths that match (Calico v3.29). Needs O(export_v4[].cidr).
        type: dict
        suboptions:
          min:
            description: Shortest prefix length (0-32 for IPv4, 0-128 for IPv6).
            type: raw
          max:
            description: Longest prefix length.
            type: raw
      source:
        description: V(RemotePeers) matches routes learned from BGP peers only (Calico v3.27).
        type: str
      interface:
        description: Matches routes through interfaces matching this name or V(*) glob (Calico v3.27).
        type: str
      peer_type:
        description: The rule applies only to V(eBGP) or only to V(iBGP) peers (Calico v3.32).
        type: str
      communities:
        description: Matches routes carrying a community (Calico v3.32).
        type: dict
        suboptions:
          values:
            description: Exactly one community, V(aa:nn) or V(aa:nn:mm) (no leading zeros).
            type: list
            elements: str
      as_path_prefix:
        description: Matches routes whose AS path starts with these AS numbers (Calico v3.32).
        type: list
        elements: raw
      priority:
        description: Matches routes of this priority, 1 to 2147483646 (Calico v3.32).
        type: raw
      operations:
        description:
          - What to do to a matching route before accepting it, in order; only with O(export_v4[].action=Accept)
            (Calico v3.32). At most 10; each sets exactly one of its options.
        type: list
        elements: dict
        suboptions:
          add_community:
            description: Add a community.
            type: dict
            suboptions:
              value:
                description: V(aa:nn) or V(aa:nn:mm).
                type: str
          prepend_as_path:
            description: Prepend AS numbers to the AS path.
            type: dict
            suboptions:
              prefix:
                description: 1 to 10 AS numbers; the first ends up first in the path.
                type: list
                elements: raw
          set_priority:
            description: Set the route's priority.
            type: dict
            suboptions:
              value:
                description: 1 to 2147483646.
                type: raw
  import_v4:
    description:
      - Ordered rules for IPv4 routes imported from the peers that use the filter (same rule options as O(export_v4)).
    type: list
    elements: dict
    suboptions: *rule_options
  export_v6:
    description:
      - Ordered rules for IPv6 routes exported to the peers (same rule options as O(export_v4)).
    type: list
    elements: dict
    suboptions: *rule_options
  import_v6:
    description:
      - Ordered rules for IPv6 routes imported from the peers (same rule options as O(export_v4)).
    type: list
    elements: dict
    suboptions: *rule_options
  labels:
    description:
      - Labels merged into the filter's labels; a label given V(null) is removed.
      - YAML booleans are stored as V(true) / V(false), integers as their digits.
    type: dict
  unset:
    description: Rule lists removed from the stored filter.
    type: list
    elements: str
    choices: [export_v4, import_v4, export_v6, import_v6]
    default: []
seealso:
  - module: netops.calico.calico_bgp_filter_info
  - module: netops.calico.calico_bgp_peer
"""

EXAMPLES = r"""
- name: Export only the pod CIDR to the top-of-rack switches, and not one rack's block
  netops.calico.calico_bgp_filter:
    name: tor-export
    export_v4:
      - {action: Reject, cidr: 10.244.3.0/24, match_operator: In}
      - {action: Accept, cidr: 10.244.0.0/16, match_operator: In}
      - {action: Reject}

- name: The ToR peers use it
  netops.calico.calico_bgp_peer:
    name: rack1-tor
    node_selector: rack == 'r1'
    peer_ip: 172.31.1.254
    as_number: 65001
    filters: [tor-export]

- name: Tag what goes to eBGP peers and make it less preferred (Calico v3.32)
  netops.calico.calico_bgp_filter:
    name: ebgp-tagging
    export_v4:
      - action: Accept
        peer_type: eBGP
        operations:
          - add_community: {value: "65001:100"}
          - prepend_as_path: {prefix: [65001, 65001]}

- name: Delete a filter (refused while peers still name it)
  netops.calico.calico_bgp_filter:
    name: tor-export
    state: absent
"""

RETURN = r"""
resource:
  description: The BGPFilter as stored after the task (as it would be, in check mode); null when absent.
  returned: always
  type: dict
  sample:
    kind: BGPFilter
    apiVersion: projectcalico.org/v3
    metadata: {name: tor-export, uid: 6b1f3c9e-8d0a-4e52-9a55-3c2b1f0d9e7a, creationTimestamp: "2026-12-01T09:14:47Z"}
    spec:
      exportV4:
        - {cidr: 10.244.0.0/16, matchOperator: In, action: Accept}
        - {action: Reject}
action:
  description: What was done, V(created), V(updated) or V(deleted); null when nothing changed.
  returned: always
  type: str
  sample: created
"""

from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_filter as bgp_filter
from ansible_collections.netops.calico.plugins.module_utils._module import CalicoModule

ARGUMENT_SPEC = bgp_filter.MODEL.argument_spec(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    force=dict(type="bool", default=False),
)


def main():
    CalicoModule(ARGUMENT_SPEC).run(lambda module: bgp_filter.apply(module, module.params))


if __name__ == "__main__":
    main()
