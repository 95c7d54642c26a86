# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of a BGP change: every node's sessions before and after, per address family, and what
in the change could take traffic down.

For internal use by this collection. No Ansible imports, no I/O. The sessions come from
_model_sessions (calico/node's own computation), on the stored resources and on the same
resources with the intended changes applied by each kind's own desired_state(), so the plan sees
exactly what the modules would write.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
from collections import OrderedDict

from ansible_collections.netops.calico.plugins.module_utils._errors import CalicoError, ValidationError, shown
from ansible_collections.netops.calico.plugins.module_utils._model_options import coerce
from ansible_collections.netops.calico.plugins.module_utils._model_sessions import Fabric
from ansible_collections.netops.calico.plugins.module_utils._model_values import format_peer_ip

# Changes of a session that make BGP reset it (a new OPEN): the peer's AS, our local AS, the port,
# the source address, the password, TTL security.
RESET_FIELDS = ("as_number", "local_as_number", "port", "source_address", "password", "ttl_security")
# The guide's limit for the node-to-node mesh
MESH_LIMIT = 100
# ASes in one mesh from which the paths add paths passes on blow up (measured in the lab, BIRD 1.6:
# per pod block 18 paths with 2 ASes of 6 nodes, 888 with 3 of 6; 4 of 6 passed 3,700 and never settled)
MESH_AS_LIMIT = 3

# Finding classes (what calico_bgp_accept names)
ISOLATION = "isolation"                  # a node left without any BGP session of a family
SELECTOR = "selector"                    # a peer's selector matches no node
REFLECTORS = "reflectors"                # fewer route reflector sessions than wanted
SESSION_RESET = "session_reset"          # sessions reset (a change of AS, port, ...)
RESTART_REQUIRED = "restart_required"    # calico/node applies it only after a restart (bindMode)
MESH_SCALE = "mesh_scale"                # the mesh left on above the guide's limit (a warning)
UNVERIFIED = "unverified"                # the mesh goes off while BGP nodes outside the play depend on it
REFLECTOR_DISRUPTION = "reflector_disruption"  # a Calico node becomes a route reflector while the mesh is on
CLASSES = (ISOLATION, SELECTOR, REFLECTORS, SESSION_RESET, RESTART_REQUIRED, MESH_SCALE, UNVERIFIED,
           REFLECTOR_DISRUPTION)


def session_key(peer):
    """Which session a BIRD peer is, whatever its port: the same type to the same address."""
    return peer.type, peer.ip


def _fabric(resources):
    return Fabric(resources.get("Node", []), resources.get("BGPConfiguration", []),
                  resources.get("BGPPeer", []), resources.get("BGPFilter", []))


def compare(before, after, node_names=None):
    """{node: {4: {...}, 6: {...}}} of added, removed, reset and kept sessions, and the node
    fields each session depends on (the node's own AS and listen port)."""
    plan = OrderedDict()
    names = node_names or sorted(set(before.nodes) | set(after.nodes))
    for name in names:
        families = OrderedDict()
        node_reset = (before.node_as(name) != after.node_as(name) and name in before.nodes and name in after.nodes,
                      before.listen_port(name) != after.listen_port(name))
        for version in (4, 6):
            old = dict((session_key(peer), peer) for peer in before.bird_peers(name, version) or [])
            new = dict((session_key(peer), peer) for peer in after.bird_peers(name, version) or [])
            if not old and not new:
                continue
            # kept: a count, since the kept sessions are unchanged (their names are in sessions_after)
            # and listing them grows with the square of the mesh
            entry = OrderedDict([("added", []), ("removed", []), ("reset", []), ("kept", 0)])
            for key in sorted(set(old) | set(new)):
                if key not in old:
                    entry["added"].append(describe(new[key]))
                elif key not in new:
                    entry["removed"].append(describe(old[key]))
                else:
                    changes = ["%s %s -> %s" % (field, _shown(getattr(old[key], field)), _shown(getattr(new[key], field)))
                               for field in RESET_FIELDS if getattr(old[key], field) != getattr(new[key], field)]
                    if node_reset[0]:
                        changes.append("node AS %s -> %s" % (before.node_as(name), after.node_as(name)))
                    if node_reset[1]:
                        changes.append("listen port %s -> %s" % (before.listen_port(name) or 179,
                                                                 after.listen_port(name) or 179))
                    if changes:
                        entry["reset"].append(dict(describe(new[key]), changes=changes))
                    else:
                        entry["kept"] += 1
            entry["after"] = len(new)
            families[version] = entry
        plan[name] = families
    return plan


def _shown(value):
    return "-" if value in (None, "") else value


def describe(peer):
    if not peer.port:
        address = peer.ip
    else:
        address = ("[%s]:%s" if ":" in peer.ip else "%s:%s") % (peer.ip, peer.port)
    return OrderedDict([("name", peer.name), ("peer", address), ("type", peer.type),
                        ("as_number", peer.as_number), ("resource", peer.resource)])


def findings(before, after, plan, min_route_reflectors=None, nodes_in_play=None):
    """Every finding of the change: [{class, blocking, message, nodes}]. nodes_in_play: the nodes
    whose sessions the caller waits for (None: every node)."""
    result = []

    def add(kind, message, nodes=(), blocking=True):
        result.append(OrderedDict([("class", kind), ("blocking", blocking), ("message", message),
                                   ("nodes", sorted(nodes))]))

    for version in (4, 6):
        isolated = [name for name, families in plan.items() if version in families
                    and families[version]["after"] == 0 and after.node_ip(name, version)
                    and (families[version]["removed"] or families[version]["reset"])]
        if isolated:
            add(ISOLATION, "these nodes would be left without any IPv%d BGP session (no mesh, reflector, ToR or "
                           "other peer to learn routes from): %s" % (version, ", ".join(sorted(isolated))), isolated)
    before_peers = dict((item["metadata"]["name"], item.get("spec") or {}) for item in before.bgp_peers)
    for resource in after.bgp_peers:
        spec = resource.get("spec") or {}
        name = resource["metadata"]["name"]
        old = before_peers.get(name) or {}
        if spec.get("nodeSelector") and not after.nodes_matching(spec["nodeSelector"]):
            add(SELECTOR, "BGP peer %s: its node_selector %r matches no node" % (name, spec["nodeSelector"]))
        if spec.get("peerSelector") and not after.nodes_matching(spec["peerSelector"]):
            # the nodes that expect sessions from it: those it applies to (in the play, when one is given)
            if spec.get("nodeSelector"):
                local = after.nodes_matching(spec["nodeSelector"])
            else:
                local = [spec["node"]] if spec.get("node") else list(after.nodes)
            affected = [node for node in local if nodes_in_play is None or node in nodes_in_play]
            stopped = bool(old.get("peerSelector") and before.nodes_matching(old["peerSelector"]))
            if affected or stopped:
                add(SELECTOR, "BGP peer %s: its peer_selector %r matches no node%s%s" % (
                    name, spec["peerSelector"], " any more" if stopped else "",
                    ", so %s get no session from it" % ", ".join(sorted(local)) if local else ""), local)
    reflectors = [name for name in after.nodes if after.node_fields(name)[3]]
    wanted = min_route_reflectors if min_route_reflectors is not None else (2 if len(reflectors) >= 2 else 1)
    if wanted and (reflectors or any(before.node_fields(name)[3] for name in before.nodes)):
        short = []
        for name in after.nodes:
            if after.node_fields(name)[3]:
                continue  # a reflector itself
            for version in (4, 6):
                if not after.node_ip(name, version):
                    continue
                sessions = [peer for peer in after.bird_peers(name, version) or [] if peer.ip in _reflector_ips(after, version)]
                had = [peer for peer in before.bird_peers(name, version) or [] if peer.ip in _reflector_ips(before, version)]
                # a reflector client: it has, or had, reflector sessions (a node that only peers
                # with external routers is not one; losing everything is the isolation finding)
                if (had or sessions) and len(sessions) < wanted and not _in_mesh(after, name):
                    short.append("%s (IPv%d: %d of %d)" % (name, version, len(sessions), wanted))
        if short:
            add(REFLECTORS, "these nodes would keep fewer route reflector sessions than %d: %s" % (
                wanted, ", ".join(short)), [item.split(" ")[0] for item in short])
    reset = sorted(set(name for name, families in plan.items() for entry in families.values() if entry["reset"]))
    if reset:
        add(SESSION_RESET, "the change resets BGP sessions of: %s (routes through them are withdrawn until they are "
                           "Established again)" % ", ".join(reset), reset)
    if (before.global_spec.get("bindMode") or "None") != (after.global_spec.get("bindMode") or "None"):
        add(RESTART_REQUIRED, "bindMode changes from %s to %s: calico/node applies it only after a restart of every "
                              "node" % (before.global_spec.get("bindMode") or "None",
                                        after.global_spec.get("bindMode") or "None"), list(after.nodes))
    bgp_nodes = [name for name in after.nodes if after.node_ip(name, 4) or after.node_ip(name, 6)]
    if before.mesh_enabled() and not after.mesh_enabled() and nodes_in_play is not None:
        outside = [name for name in bgp_nodes if name not in nodes_in_play]
        if outside:
            add(UNVERIFIED, "the node-to-node mesh would be turned off, but these BGP nodes of the datastore are not "
                            "in this play (batch), so nobody checked that they have other sessions: %s"
                            % ", ".join(outside), outside)
    new_reflectors = [name for name in after.nodes if after.node_fields(name)[3] and name in before.nodes
                      and before.node_fields(name)[3] != after.node_fields(name)[3]]
    if before.mesh_enabled() and new_reflectors:
        add(REFLECTOR_DISRUPTION, "these nodes would become route reflectors while the node-to-node mesh is on: %s. "
                                  "Calico removes a route reflector from the mesh at once and its reflector sessions "
                                  "only come up after that, so routes to and through it are missing meanwhile; or "
                                  "use external route reflectors (for example the ToRs)" % ", ".join(new_reflectors),
            new_reflectors)
    if after.mesh_enabled() and len(bgp_nodes) > MESH_LIMIT:
        add(MESH_SCALE, "the node-to-node mesh stays on with %d BGP nodes, above the %d nodes Calico's guide "
                        "advises for it: plan route reflectors" % (len(bgp_nodes), MESH_LIMIT), blocking=False)
    mesh_ases = sorted(set(after.node_as(name) for name in bgp_nodes if _in_mesh(after, name)))
    if after.mesh_enabled() and len(mesh_ases) >= MESH_AS_LIMIT:
        add(MESH_SCALE, "the node-to-node mesh stays on between nodes of %d AS numbers (%s): over eBGP with add paths "
                        "(Calico's bgp_template) every node passes every loop-free path of every pod block on, so "
                        "the paths multiply with each AS; peer each rack with its ToR and turn the mesh off"
            % (len(mesh_ases), ", ".join(mesh_ases)), blocking=False)
    return result


def _reflector_ips(fabric, version):
    return set(fabric.node_ip(name, version) for name in fabric.nodes
               if fabric.node_fields(name)[3] and fabric.node_ip(name, version))


def _in_mesh(fabric, name):
    return fabric.mesh_enabled() and not fabric.node_fields(name)[3]


def plan_change(resources, changed_resources):
    """(before, after) Fabrics: resources {kind: [stored]}, changed_resources {kind: {name: resource or
    None (deleted)}} as each kind's desired_state() made them."""
    after = dict((kind, list(items)) for kind, items in resources.items())
    for kind, changes in changed_resources.items():
        kept = [item for item in after.get(kind, []) if item["metadata"]["name"] not in changes]
        kept.extend(copy.deepcopy(item) for item in changes.values() if item is not None)
        after[kind] = kept
    return _fabric(resources), _fabric(after)


def text(plan, found):
    """The plan as `terraform plan` shows a change: a table per node, + added, - removed, ~ reset."""
    lines = []
    changed = 0
    for name, families in plan.items():
        rows = []
        for version, entry in families.items():
            for sign, key in (("+", "added"), ("-", "removed"), ("~", "reset")):
                for item in entry[key]:
                    detail = "  (%s)" % "; ".join(item["changes"]) if key == "reset" else ""
                    rows.append("  %s IPv%d %-34s %-24s AS %-10s %s%s" % (
                        sign, version, item["name"], item["peer"], item["as_number"],
                        item["resource"] or "node-to-node mesh", detail))
        if rows:
            changed += 1
            lines.append("node %s:" % name)
            lines += rows
    if not lines:
        lines.append("No BGP session changes.")
    else:
        lines.insert(0, "BGP sessions that change on %d node(s):" % changed)
    for finding in found:
        lines.append("%s [%s] %s" % ("!" if finding["blocking"] else "warning:", finding["class"], finding["message"]))
    return "\n".join(lines)


KINDS_READ = ("Node", "BGPConfiguration", "BGPPeer", "BGPFilter")


def wait_targets(after, plan, name, resources):
    """The node's sessions that carry traffic after the change, as calico_node_status wait_for
    entries: the mesh's, those of the BGPPeers named in `resources`, and every session the change
    adds or resets (other sessions are not the change's to wait for). An entry is the peer's
    address, with the port only where calico/node's protocol name carries it."""
    targets = []
    for version in (4, 6):
        entry = plan.get(name, {}).get(version) or {}
        touched = set(item["name"] for key in ("added", "reset") for item in entry.get(key, []))
        for peer in after.bird_peers(name, version) or []:
            if peer.type == "mesh" or peer.resource in resources or peer.name in touched:
                targets.append(format_peer_ip(peer.ip, peer.named_port()))
    return targets


def _typed(kind, entry, where, extra=()):
    """A dict of a kind's module options (bgp_configuration, an entry of nodes) converted as
    Ansible converts the module's own options, unknown keys refused."""
    if not isinstance(entry, dict):
        raise ValidationError(where, "must be a dictionary of options, not %s" % shown(entry))
    spec = kind.argument_spec()
    typed = {}
    for key, value in entry.items():
        if key not in spec and key not in extra:
            raise ValidationError("%s.%s" % (where, key), "is not an option here; use %s"
                                  % ", ".join(sorted(set(spec) | set(extra))))
        typed[key] = coerce(value, spec[key], "%s.%s" % (where, key)) if key in spec else value
    return typed


def _within(where, compute, node_name=None):
    """compute(), a ValidationError it raises named as the plan's option `where` (and, for an
    entry of nodes, the node: a role's index says nothing of which host it is)."""
    try:
        return compute()
    except ValidationError as exc:
        field = exc.field if exc.field and exc.field.startswith(where) else "%s.%s" % (where, exc.field)
        text = str(exc).split(": ", 1)[1]
        if node_name:
            text += " (%s is node %s)" % (where, node_name)
        raise ValidationError(field, text)


def run(module, params):
    """The plan task (module: the CalicoModule): reads the datastore once, applies the intended
    changes in memory with each kind's desired_state(), and compares the sessions."""
    from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_configuration as bgp_configuration
    from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_filter as bgp_filter
    from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_peer as bgp_peer
    from ansible_collections.netops.calico.plugins.module_utils import _kind_node as node_model
    from ansible_collections.netops.calico.plugins.module_utils import _model_manifests as manifests

    # every input checked before the read
    if (params.get("min_route_reflectors") or 0) < 0:
        raise ValidationError("min_route_reflectors", "must be 0 or more, not %d" % params["min_route_reflectors"])
    configuration = None
    if params.get("bgp_configuration"):
        configuration = _within("bgp_configuration", lambda: manifests.complete_params("BGPConfiguration", dict(
            _typed(bgp_configuration.MODEL, params["bgp_configuration"], "bgp_configuration"), node=None,
            state="present")))
        configuration_given = _within("bgp_configuration", lambda: bgp_configuration.spec_changes(configuration).given)
    nodes = []
    for index, entry in enumerate(params.get("nodes") or []):
        where = "nodes[%d]" % index
        name = entry.get("name") if isinstance(entry, dict) else None
        nodes.append(_within(where, lambda: manifests.complete_params(
            "Node", _typed(node_model.MODEL, entry, where, ("name",))), name if isinstance(name, str) else None))
    requests = bgp_peer.parse_entries(params["peers"], "present") if params.get("peers") is not None else None
    purge_scope = bgp_peer.parse_purge_scope(params["purge_scope"]) if params.get("purge") else None
    documents = manifests.parse_manifest(manifests.load_documents(params["definition"], "definition")) \
        if params.get("definition") else []

    if configuration is not None:
        # what calico_bgp_config would refuse at its write is refused here, before any write
        module.require_calico_version([("bgp_configuration." + option, since) for option, since
                                       in bgp_configuration.MODEL.versions(configuration_given)])
    resources = dict((kind, module.store.list(kind)) for kind in KINDS_READ)
    by_name = dict((kind, dict((item["metadata"]["name"], item) for item in items)) for kind, items in resources.items())
    changed = dict((kind, OrderedDict()) for kind in KINDS_READ)

    def current(kind, name):
        if name in changed[kind]:
            return copy.deepcopy(changed[kind][name])
        return copy.deepcopy(by_name[kind].get(name))

    def current_peers():
        names = set(by_name["BGPPeer"]) | set(changed["BGPPeer"])
        return dict((name, current("BGPPeer", name)) for name in names if current("BGPPeer", name) is not None)

    if configuration is not None:
        changed["BGPConfiguration"]["default"] = bgp_configuration.desired_state(
            current("BGPConfiguration", "default"), "default", configuration)
    for entry in nodes:
        changed["Node"][entry["name"]] = node_model.desired_state(current("Node", entry["name"]), entry["name"], entry)
    for document in documents:
        kind = document.kind
        if kind == "BGPPeer":
            wanted, _names = bgp_peer.plan_bulk(current_peers(), [bgp_peer.parse_request(document.params)])
            changed["BGPPeer"].update(wanted)
        elif kind == "BGPConfiguration":
            name = bgp_configuration.resource_name_for(document.params.get("node"))
            changed[kind][name] = bgp_configuration.desired_state(current(kind, name), name, document.params)
        elif kind == "Node":
            changed[kind][document.name] = node_model.desired_state(current(kind, document.name), document.name,
                                                                    document.params)
        else:
            changed[kind][document.name] = bgp_filter.desired_state(current(kind, document.name), document.name,
                                                                    document.params)
    requested = set()  # the BGPPeers the peers entries are
    if requests is not None:
        # what calico_bgp_peer would refuse at its write is refused here, before any write
        module.require_calico_version([(request.prefix + option, since) for request in requests
                                       for option, since in bgp_peer.MODEL.versions(request.given)])
        wanted, names = bgp_peer.plan_bulk(current_peers(), requests, purge_scope)
        changed["BGPPeer"].update(wanted)

        filters = []  # the filter names after the change, worked out once, when a peer names a filter

        def filter_names():
            if not filters:
                filters.append(set(name for name in set(by_name["BGPFilter"]) | set(changed["BGPFilter"])
                                   if current("BGPFilter", name) is not None))
            return filters[0]
        for request, name in zip(requests, names):
            bgp_peer.check_filters_exist(wanted.get(name), filter_names, request.prefix)
        requested.update(names)

    before, after = plan_change(resources, changed)
    plan = compare(before, after)
    found = findings(before, after, plan, params.get("min_route_reflectors"), params.get("nodes_in_play"))
    accepted = set(params.get("accept") or [])
    blocking = [finding for finding in found if finding["blocking"] and finding["class"] not in accepted]
    waiting = [name for name in after.nodes if params.get("nodes_in_play") is None or name in params["nodes_in_play"]]
    output = dict(changed=False, findings=found,
                  wait_for=dict((name, wait_targets(after, plan, name, requested)) for name in waiting),
                  mesh=dict(before=before.mesh_enabled(), after=after.mesh_enabled()),
                  deleted_peers=sorted(name for name, document in changed["BGPPeer"].items()
                                       if document is None and name in by_name["BGPPeer"]))
    if params.get("details", True):
        text_output = text(plan, found)
        output.update(plan=plan, text=text_output, lines=text_output.splitlines(),
                      sessions_after=dict((name, dict((version, [peer.name for peer in after.bird_peers(name, version) or []])
                                                      for version in (4, 6))) for name in after.nodes))
    if blocking:
        raise CalicoError("the change is refused before any write, because of %s (accept a class with accept / "
                          "calico_bgp_accept): %s" % (", ".join(sorted(set(f["class"] for f in blocking))),
                                                      "; ".join(f["message"] for f in blocking)), **output)
    return output
