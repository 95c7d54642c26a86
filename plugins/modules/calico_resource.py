#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: calico_resource
short_description: Apply or delete calicoctl manifests (BGPConfiguration, BGPPeer, BGPFilter, Node, CalicoNodeStatus)
version_added: 0.2.0
description:
  - Applies the resources of a calicoctl manifest, one or many YAML documents, or deletes them, straight in Calico's
    etcd v3 datastore, as C(calicoctl apply -f) and C(calicoctl delete -f) do for the kinds this collection manages.
  - Every resource goes through the dedicated module's own code (M(netops.calico.calico_bgp_config),
    M(netops.calico.calico_bgp_peer), M(netops.calico.calico_bgp_filter), M(netops.calico.calico_node)), with the same
    validation, compare-and-swap, adoption of an existing peer, diff and check mode. Every document is checked before
    the first write; a bad one stops the task naming the document and the field.
  - As with those modules, fields a manifest leaves out keep their stored value, and labels are merged.
  - Takes v3 manifests (C(apiVersion projectcalico.org/v3)), lists (C(kind BGPPeerList) with C(items), or a YAML list of
    resources), and the v1 format of Calico's old guide (C(apiVersion v1), C(kind bgpPeer) with C(metadata.peerIP),
    C(scope) and C(node), C(kind node)), converted the way Calico's v1-to-v3 migration converts them, with a warning
    naming each conversion.
  - A Node must already be registered (calico/node registers it); only its C(spec.bgp) and labels are applied, the
    rest of a Node is calico/node's. A Node cannot be deleted here.
  - A C(CalicoNodeStatus) (a request for a node's BGP status, Calico 3.22 or later) is checked as Calico's validator
    checks it (C(node), C(classes) from C(Agent), C(BGP), C(Routes), each once, and C(updatePeriodSeconds) from 0 to
    86400, all three required); its C(status) is calico/node's, never applied, and kept as stored on update.
    M(netops.calico.calico_bgp_status) writes and reads such requests for you.
author:
  - netops.calico maintainers (@netops)
extends_documentation_fragment:
  - netops.calico.etcd
  - netops.calico.attributes
options:
  definition:
    description:
      - The manifest, as YAML text or as data (a resource or a list of resources). Exactly one of O(definition) and O(src).
    type: raw
  src:
    description: Path of a manifest file on the host that runs the module.
    type: path
  state:
    description:
      - V(present) applies the resources; V(absent) deletes them (identified by kind and name, or for v1 peers by
        address and scope).
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - With O(state=absent), delete BGPFilters that peers still name (see M(netops.calico.calico_bgp_filter)).
    type: bool
    default: false
seealso:
  - module: netops.calico.calico_resource_info
"""

EXAMPLES = r"""
- name: The guide's global peer, as calicoctl create -f of its v1 manifest
  netops.calico.calico_resource:
    definition: |
      apiVersion: v1
      kind: bgpPeer
      metadata:
        peerIP: 192.20.30.40
        scope: global
      spec:
        asNumber: 64567

- name: Restore a backup made with calico_resource_info
  netops.calico.calico_resource:
    src: /backups/calico-bgp.yaml
"""

RETURN = r"""
results:
  description: One entry per resource of the manifest, in order.
  returned: always
  type: list
  elements: dict
  contains:
    document:
      description: Index of the resource in the manifest.
      type: int
    kind:
      description: Its kind.
      type: str
    name:
      description: Its name (for a v1 peer, the name it has or gets).
      type: str
    action:
      description: V(created), V(updated), V(deleted), or null when nothing changed.
      type: str
    resource:
      description: The resource as stored after the task (as it would be, in check mode); null when absent.
      type: dict
"""

from ansible_collections.netops.calico.plugins.module_utils import _model_manifests as manifests
from ansible_collections.netops.calico.plugins.module_utils._errors import CalicoError, ValidationError
from ansible_collections.netops.calico.plugins.module_utils._module import CalicoModule

ARGUMENT_SPEC = dict(
    definition=dict(type="raw"),
    src=dict(type="path"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    force=dict(type="bool", default=False),
)


def load(params):
    if (params["definition"] is None) == (params["src"] is None):
        raise ValidationError("definition", "give exactly one of definition and src")
    if params["src"] is not None:
        try:
            with open(params["src"]) as handle:
                text = handle.read()
        except (IOError, OSError) as exc:
            raise ValidationError("src", "cannot read %s: %s" % (params["src"], exc))
    elif isinstance(params["definition"], str):
        text = params["definition"]
    else:
        return [params["definition"]]
    return manifests.load_documents(text, "src" if params["src"] else "definition")


def apply_manifest(module):
    params = module.params
    documents = manifests.parse_manifest(load(params), params["state"])
    for document in documents:
        for warning in document.warnings:
            module.warn(warning)
    results, diffs, changed = [], [], False
    for document in documents:
        task = dict(document.params, force=params["force"])
        try:
            output = manifests.KINDS[document.kind].apply(module, task)
        except CalicoError as exc:
            raise CalicoError("%s: %s" % (document.label, exc), changed=changed,
                              results=results, **exc.details)
        changed = changed or output["changed"]
        results.append(dict(document=document.index, kind=document.kind,
                            name=output.get("name") or document.name, action=output.get("action"),
                            resource=output.get("resource")))
        if "diff" in output:
            diffs.extend(output["diff"] if isinstance(output["diff"], list) else [output["diff"]])
    result = dict(changed=changed, results=results)
    if module._diff:
        result["diff"] = diffs
    return result


def main():
    CalicoModule(ARGUMENT_SPEC).run(apply_manifest)


if __name__ == "__main__":
    main()
