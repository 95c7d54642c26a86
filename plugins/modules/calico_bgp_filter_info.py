#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: calico_bgp_filter_info
short_description: List Calico BGPFilters and the peers that use them
version_added: 0.2.0
description:
  - Reads the BGPFilter resources from Calico's etcd v3 datastore, every filter or only O(name).
  - For each filter returns its rules per direction and family and the BGP peers that name it.
  - Also returns the listing in the layout of C(calicoctl get bgpfilter).
  - A stored BGPFilter that cannot be read is left out with a warning naming its key, as Calico skips it.
author:
  - netops.calico maintainers (@netops)
extends_documentation_fragment:
  - netops.calico.etcd
  - netops.calico.attributes.info_module
options:
  name:
    description: Only this filter. When it does not exist, RV(filters) is empty.
    type: str
seealso:
  - module: netops.calico.calico_bgp_filter
"""

EXAMPLES = r"""
- name: calicoctl get bgpfilter
  netops.calico.calico_bgp_filter_info:
  register: filters

- name: Which peers use tor-export
  ansible.builtin.debug:
    msg: "{{ (filters.filters | selectattr('name', 'eq', 'tor-export') | first).peers }}"
"""

RETURN = r"""
filters:
  description: The filters, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Filter name.
      type: str
      sample: tor-export
    export_v4:
      description: Number of IPv4 export rules (likewise import_v4, export_v6, import_v6).
      type: int
      sample: 3
    peers:
      description: The BGP peers whose C(filters) name this filter.
      type: list
      elements: str
      sample: [rack1-tor]
    resource:
      description: The stored BGPFilter.
      type: dict
table:
  description: The filters in the layout of C(calicoctl get bgpfilter).
  returned: always
  type: str
  sample: |-
    NAME
    tor-export
"""

from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_filter as bgp_filter
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import as_plain
from ansible_collections.netops.calico.plugins.module_utils._module import CalicoModule
from ansible_collections.netops.calico.plugins.module_utils._model_values import resource_name
from ansible_collections.netops.calico.plugins.module_utils._table import text_table

ARGUMENT_SPEC = dict(name=dict(type="str"))


def list_filters(module):
    name = module.params["name"]
    if name is not None:
        resource_name(name, "name")
        filters = [item for item in [module.store.get(bgp_filter.KIND, name)] if item is not None]
    else:
        filters = module.store.list(bgp_filter.KIND)
    peers = module.store.list("BGPPeer")
    filters = sorted(filters, key=lambda item: item["metadata"]["name"])
    summaries = []
    for document in filters:
        summary = bgp_filter.summary(document)
        summary["peers"] = bgp_filter.peers_naming(peers, document["metadata"]["name"])
        summary["resource"] = as_plain(document)
        summaries.append(summary)
    return dict(changed=False, filters=as_plain(summaries),
                table=text_table(bgp_filter.TABLE_HEADERS, [bgp_filter.table_row(item) for item in filters]))


def main():
    CalicoModule(ARGUMENT_SPEC).run(list_filters)


if __name__ == "__main__":
    main()
