#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: calico_resource_info
short_description: Export Calico's BGP resources as a calicoctl manifest (a backup that restores)
version_added: 0.2.0
description:
  - Reads the stored resources of the chosen kinds from Calico's etcd v3 datastore and returns them as
    C(calicoctl get -o yaml) shows them, without the metadata Calico manages (C(uid), C(creationTimestamp),
    C(resourceVersion)).
  - M(netops.calico.calico_resource) applies the returned RV(manifest) again. On the same datastore it changes
    nothing; on another one it recreates the resources (Nodes must be registered there).
  - A stored value that cannot be read is left out with a warning naming its key.
author:
  - netops.calico maintainers (@netops)
extends_documentation_fragment:
  - netops.calico.etcd
  - netops.calico.attributes.info_module
options:
  kinds:
    description:
      - The kinds to export, in this order.
      - C(CalicoNodeStatus) requests are exported without their C(status) (calico/node's report), so a restore
        asks for a new report rather than replaying an old one.
    type: list
    elements: str
    choices: [BGPConfiguration, Node, BGPFilter, BGPPeer, CalicoNodeStatus]
    default: [BGPConfiguration, Node, BGPFilter, BGPPeer]
seealso:
  - module: netops.calico.calico_resource
"""

EXAMPLES = r"""
- name: Back up the BGP configuration
  netops.calico.calico_resource_info:
  register: calico_backup

- name: Keep it
  ansible.builtin.copy:
    content: "{{ calico_backup.manifest }}"
    dest: /backups/calico-bgp.yaml
    mode: "0600"
"""

RETURN = r"""
resources:
  description: The resources, filters before the peers that name them.
  returned: always
  type: list
  elements: dict
manifest:
  description: The same as one multi-document YAML text.
  returned: always
  type: str
"""

import json

from ansible_collections.netops.calico.plugins.module_utils import _model_manifests as manifests
from ansible_collections.netops.calico.plugins.module_utils._module import CalicoModule

ARGUMENT_SPEC = dict(
    kinds=dict(type="list", elements="str", choices=list(manifests.KINDS), default=list(manifests.BGP_KINDS)),
)


def export(module):
    resources = []
    for kind in module.params["kinds"]:
        for document in sorted(module.store.list(kind), key=lambda item: item["metadata"]["name"]):
            resources.append(manifests.exported(document))
    # plain dicts, in calicoctl's order (apiVersion, kind, metadata, spec, status)
    plain = [json.loads(json.dumps(resource)) for resource in resources]
    return dict(changed=False, resources=plain, manifest=manifests.dump_documents(plain))


def main():
    CalicoModule(ARGUMENT_SPEC).run(export)


if __name__ == "__main__":
    main()
