# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""calicoctl manifests in and out: v3 documents (and the v1 format of Calico's old guide) turned into
the same task options the dedicated modules take, and stored resources written back as manifests.

For internal use by this collection. No Ansible imports. A manifest goes through each kind's own
apply(), so validation, compare-and-swap, adoption of existing peers, diff and check mode are the
dedicated modules' own. As with them, fields a manifest leaves out keep their stored value.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import OrderedDict

from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_configuration as bgp_configuration
from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_filter as bgp_filter
from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_peer as bgp_peer
from ansible_collections.netops.calico.plugins.module_utils import _kind_calico_node_status as node_status
from ansible_collections.netops.calico.plugins.module_utils import _kind_node as node_model
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import API_VERSION, as_plain
from ansible_collections.netops.calico.plugins.module_utils._errors import CalicoError, ValidationError, shown
from ansible_collections.netops.calico.plugins.module_utils._model_values import split_peer_ip

# The kinds a manifest may hold, in the order an export lists them (filters before the peers that
# name them, configuration and nodes before peers).
KINDS = OrderedDict([
    ("BGPConfiguration", bgp_configuration),
    ("Node", node_model),
    ("BGPFilter", bgp_filter),
    ("BGPPeer", bgp_peer),
    ("CalicoNodeStatus", node_status),
])
# What an export holds unless told otherwise: the BGP configuration (status requests are transient).
BGP_KINDS = ("BGPConfiguration", "Node", "BGPFilter", "BGPPeer")
# Kinds whose status is calico/node's report: an export leaves it out, so a restore never replays it.
REPORTED_STATUS = ("CalicoNodeStatus",)
# Metadata Calico manages itself: left out of an export, never applied.
MANAGED_METADATA = ("uid", "creationTimestamp", "resourceVersion", "generation", "managedFields",
                    "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds")


class Document(object):
    """One resource of a manifest: its index, kind, name and the task options it means."""

    def __init__(self, index, kind, name, params, warnings):
        self.index = index
        self.kind = kind
        self.name = name
        self.params = params
        self.warnings = warnings

    @property
    def label(self):
        return "documents[%d] (%s %s)" % (self.index, self.kind, self.name)


def documents_of(loaded):
    """The resources of a loaded manifest: YAML documents, each a resource, a list of them, or a
    calicoctl list (kind: ...List with items)."""
    resources = []
    for item in loaded:
        if item is None:
            continue
        if isinstance(item, list):
            resources.extend(item)
        elif isinstance(item, dict) and str(item.get("kind", "")).endswith("List") and "items" in item:
            resources.extend(item.get("items") or [])
        else:
            resources.append(item)
    return resources


def parse_manifest(loaded, state="present"):
    """[Document] of every resource, all checked before anything is read or written; every
    problem of every document is reported together, each naming the document and the field."""
    documents, errors = [], []
    for index, resource in enumerate(documents_of(loaded)):
        try:
            documents.append(_document(index, resource, state))
        except CalicoError as exc:
            errors.append(str(exc))
    if errors:
        raise CalicoError("; ".join(errors))
    return documents


def _document(index, resource, state):
    where = "documents[%d]" % index
    if not isinstance(resource, dict):
        raise ValidationError(where, "is not a resource (a mapping with apiVersion, kind, metadata, spec)")
    warnings = []
    api_version = resource.get("apiVersion")
    if api_version == "v1":
        resource = _from_v1(resource, where, warnings)
    elif api_version != API_VERSION:
        raise ValidationError(where + ".apiVersion", "%s is not %s (or the v1 format of Calico's old guide)"
                              % (shown(api_version), API_VERSION))
    kind = resource.get("kind")
    if kind not in KINDS:
        raise ValidationError(where + ".kind", "%s is not a kind this collection manages (%s)"
                              % (shown(kind), ", ".join(KINDS)))
    metadata = resource.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ValidationError(where + ".metadata", "must be a mapping")
    name = metadata.get("name")
    shown_name = name or resource.get("_v1_name")
    where = "documents[%d] (%s %s)" % (index, kind, shown_name)
    if state == "present":
        options = _options(kind, resource, where, warnings)
        if metadata.get("labels"):
            options["labels"] = metadata["labels"]
        if metadata.get("annotations"):
            warnings.append("%s: metadata.annotations are not applied (the collection does not manage them)" % where)
        if kind in REPORTED_STATUS and resource.get("status"):
            warnings.append("%s: status is not applied (calico/node writes it)" % where)
    try:
        params = _identity(kind, name, state)
        if state == "present":
            params.update(options)
        complete_params(kind, params)
    except ValidationError as exc:
        raise CalicoError("%s: %s" % (where, exc))
    return Document(index, kind, shown_name, params, warnings)


def _identity(kind, name, state):
    if kind == "BGPConfiguration":
        if name == bgp_configuration.DEFAULT_NAME:
            return {"node": None, "state": state}
        if isinstance(name, str) and name.startswith("node."):
            return {"node": name[len("node."):], "state": state}
        raise ValidationError("metadata.name", "%s: a BGPConfiguration is named default or node.<node name>"
                              % shown(name))
    params = {"name": name}
    if kind != "Node":
        params["state"] = state
    return params


def _options(kind, resource, where, warnings):
    model = KINDS[kind].MODEL
    spec = resource.get("spec") or {}
    if not isinstance(spec, dict):
        raise ValidationError(where + ".spec", "must be a mapping")
    section = spec
    if kind == "Node":
        section = spec.get("bgp") or {}
        if not isinstance(section, dict):
            raise ValidationError(where + ".spec.bgp", "must be a mapping")
    params, unknown = {}, []
    for field, value in section.items():
        option = model.by_field.get(field)
        if option is None:
            if kind == "Node" and field == "ipv4IPIPTunnelAddr":
                continue  # calico/node's own, like the rest of a Node outside spec.bgp
            unknown.append(field)
            continue
        params[option.name] = option.to_option(value)
    if unknown:
        path = "spec.bgp" if kind == "Node" else "spec"
        raise ValidationError(", ".join("%s.%s.%s" % (where, path, field) for field in unknown),
                              "not a field of %s that this collection knows (%s)" % (kind, ", ".join(
                                  option.field for option in model.options.values())))
    return params


def complete_params(kind, params):
    """params with every option of the kind (None where not given), after the kind's checks that
    need no datastore, so a bad document stops the task before any write."""
    full = dict((name, None) for name in KINDS[kind].MODEL.options)
    full.update(unset=[], labels=None)
    full.update(params)
    if kind == "BGPConfiguration":
        bgp_configuration.spec_changes(full)
    elif kind == "BGPPeer":
        bgp_peer.parse_request(full)
    elif kind in ("Node", "CalicoNodeStatus"):
        KINDS[kind].requested_changes(full)
    elif full.get("state") == "present":
        bgp_filter.desired_state(None, full["name"], full)
    params.update((key, value) for key, value in full.items() if key not in params)
    return params


def _from_v1(resource, where, warnings):
    """A v1 resource converted the way Calico's v1-to-v3 migration converts it."""
    kind = resource.get("kind")
    metadata = resource.get("metadata") or {}
    spec = resource.get("spec") or {}
    if kind == "bgpPeer":
        peer_ip, scope, node = metadata.get("peerIP"), metadata.get("scope"), metadata.get("node")
        if not peer_ip:
            raise ValidationError(where + ".metadata.peerIP", "is required in a v1 bgpPeer")
        if scope not in ("global", "node"):
            raise ValidationError(where + ".metadata.scope", "%s is not global or node" % shown(scope))
        if scope == "node" and not node:
            raise ValidationError(where + ".metadata.node", "is required with scope node")
        if scope == "global" and node:
            raise ValidationError(where + ".metadata.node", "a global v1 bgpPeer has no node")
        converted_spec = OrderedDict()
        if scope == "node":
            converted_spec["node"] = bgp_peer.normalize_node_name(node)
        converted_spec["peerIP"] = peer_ip
        for field, value in spec.items():
            converted_spec[field] = value
        parts = split_peer_ip(str(peer_ip))
        name = bgp_peer.migration_name(parts[0], converted_spec.get("node")) if parts else str(peer_ip)
        warnings.append("%s: converted the v1 bgpPeer (peerIP %s, scope %s%s) to the v3 BGPPeer %s: metadata.peerIP, "
                        "scope and node became spec.peerIP%s" % (
                            where, peer_ip, scope, ", node %s" % node if node else "", name,
                            " and spec.node" if scope == "node" else ""))
        # no name: found by node and address like a dedicated task, so a migrated peer is adopted
        return {"apiVersion": API_VERSION, "kind": "BGPPeer", "metadata": {"name": None, "labels": metadata.get("labels")},
                "spec": converted_spec, "_v1_name": name}
    if kind == "node":
        name = metadata.get("name")
        converted = bgp_peer.normalize_node_name(name) if name else name
        warnings.append("%s: converted the v1 node %s to the v3 Node %s" % (where, name, converted))
        return {"apiVersion": API_VERSION, "kind": "Node", "metadata": {"name": converted,
                                                                        "labels": metadata.get("labels")},
                "spec": spec}
    raise ValidationError(where + ".kind", "%s: only v1 bgpPeer and node resources can be converted"
                          % shown(kind))


def yaml_library():
    """PyYAML, imported only by the tasks that read or write manifests."""
    try:
        import yaml
    except ImportError:
        raise CalicoError("the Python library PyYAML is required on the host that runs this module (pip install pyyaml)")
    return yaml


def load_documents(text, option):
    """The YAML documents of a manifest text; a syntax error names the option."""
    yaml = yaml_library()
    try:
        return list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        raise ValidationError(option, "is not valid YAML: %s" % " ".join(str(exc).split()))


def dump_documents(resources):
    """Resources (plain dicts) as one multi-document YAML text, in their keys' order."""
    yaml = yaml_library()
    return "".join("---\n" + yaml.safe_dump(resource, default_flow_style=False, sort_keys=False)
                   for resource in resources)


def exported(document):
    """A stored resource as `calicoctl get -o yaml` shows it, without the metadata Calico manages."""
    clean = as_plain(document)
    metadata = clean.get("metadata") or {}
    for field in MANAGED_METADATA:
        metadata.pop(field, None)
    ordered = OrderedDict([("apiVersion", clean.get("apiVersion")), ("kind", clean.get("kind")),
                           ("metadata", metadata), ("spec", clean.get("spec") or {})])
    if "status" in clean and clean.get("kind") not in REPORTED_STATUS:
        ordered["status"] = clean["status"]
    return ordered
