"""calico_bgp_plan and the role's plan on the lab (real etcd, real BIRD for every node and family).

What is proven here:
- the plan's predicted sessions per node and family are the BGP protocols BIRD runs after the
  change, for mesh -> ToR, mesh -> Calico route reflectors and route reflectors -> mesh;
- removing the label the reflector peers select is refused before any write, naming every node
  that would lose its reflector sessions;
- a node AS change is refused unless session_reset is accepted, then applied and Established again,
  and a second run plans nothing and changes nothing;
- a peer selector that matches no node is refused before any write.
"""
import json

import pytest
import yaml

from tests.integration.test_bgp_peering_role import assert_no_change_no_wait, run_playbook
from tests.lab.lab import BIRD6, Lab, free_relocation
from tests.lab.topology import Topology
from tests.support.module_runner import ModuleFailed, run_module

ROLE_PLAY = """---
- name: Converge BGP peering with the role
  hosts: calico_nodes
  gather_facts: false
  roles:
    - role: netops.calico.bgp_peering
"""
CLIENTS = "!has(route-reflector)"
REFLECTORS = "has(route-reflector)"
REFLECTOR_PEERS = [
    {"name": "clients-to-reflectors", "node_selector": CLIENTS, "peer_selector": REFLECTORS},
    {"name": "reflectors-mesh", "node_selector": REFLECTORS, "peer_selector": REFLECTORS},
]


@pytest.fixture
def lab(tmp_path):
    with Lab(free_relocation(Topology.load())) as running:
        running.inventory_path = running.write_inventory(str(tmp_path / "inventory.yml"))
        running.play_path = str(tmp_path / "role.yml")
        with open(running.play_path, "w") as handle:
            handle.write(ROLE_PLAY)
        yield running


def conn(lab, **args):
    args["etcd_endpoints"] = lab.etcd_endpoints
    return args


def reflector_names(lab):
    """The first node of each rack: the Calico route reflectors of the layout."""
    return [rack.nodes[0].name for rack in lab.topology.racks]


def tor_peers(lab):
    port = lab.topology.listen_port  # the lab's BIRDs listen on it, not on 179
    return [dict(node=node.name, peer_ip=address, as_number=rack.tor.as_number)
            for rack in lab.topology.racks for node in rack.nodes
            for address in ("%s:%d" % (rack.tor.address, port), "[%s]:%d" % (rack.tor.address6, port))]


def bird_sessions(lab):
    """{node: {'4': [BGP protocols], '6': [...]}} that BIRD runs now."""
    return dict((name, {"4": sorted(lab.protocols(name)), "6": sorted(lab.protocols(name + BIRD6))})
                for name in lab.node_names)


def predicted(result):
    return dict((name, dict((version, sorted(names)) for version, names in families.items()))
                for name, families in result["sessions_after"].items())


def apply_and_compare(lab, plan_args, *changes):
    """Plan, apply the same change with the modules, and compare the prediction with BIRD."""
    plan = run_module("calico_bgp_plan", conn(lab, **plan_args))
    assert plan["changed"] is False
    for module, args in changes:
        run_module(module, conn(lab, **args))
    lab.wait_for_sync()
    lab.wait_established(timeout=60)
    assert bird_sessions(lab) == predicted(plan)
    return plan


def to_reflectors(lab):
    """Mesh -> Calico route reflectors (the first node of each rack), both families."""
    nodes = [dict(name=name, route_reflector_cluster_id="224.0.0.1", labels={"route-reflector": "true"})
             for name in reflector_names(lab)]
    return apply_and_compare(
        lab, dict(bgp_configuration={"node_to_node_mesh": False}, nodes=nodes, peers=REFLECTOR_PEERS,
                  accept=["reflector_disruption"]),
        *([("calico_node", node) for node in nodes]
          + [("calico_bgp_peer", {"peers": REFLECTOR_PEERS}), ("calico_bgp_config", {"node_to_node_mesh": False})]))


def test_plan_equals_bird_from_the_mesh_to_the_tors(lab):
    before = bird_sessions(lab)
    plan = apply_and_compare(
        lab, dict(bgp_configuration={"node_to_node_mesh": False}, peers=tor_peers(lab)),
        ("calico_bgp_peer", {"peers": tor_peers(lab)}), ("calico_bgp_config", {"node_to_node_mesh": False}))
    after = bird_sessions(lab)
    # every node: its mesh sessions removed, one ToR session per family added
    for name in lab.node_names:
        for version in ("4", "6"):
            entry = plan["plan"][name][version]
            assert sorted(item["name"] for item in entry["removed"]) == before[name][version]
            assert [item["name"] for item in entry["added"]] == after[name][version]
            assert len(after[name][version]) == 1
    assert plan["findings"] == []


def test_plan_equals_bird_from_the_mesh_to_route_reflectors_and_back(lab):
    plan = to_reflectors(lab)
    assert [finding["class"] for finding in plan["findings"]] == ["reflector_disruption"]
    sessions = bird_sessions(lab)
    reflectors = reflector_names(lab)
    for name in lab.node_names:
        expected = len(lab.node_names) - 1 if name in reflectors else len(reflectors)
        assert len(sessions[name]["4"]) == len(sessions[name]["6"]) == expected, sessions[name]

    nodes = [dict(name=name, unset=["route_reflector_cluster_id"], labels={"route-reflector": None})
             for name in reflectors]
    gone = [{"name": peer["name"], "state": "absent"} for peer in REFLECTOR_PEERS]
    back = apply_and_compare(
        lab, dict(bgp_configuration={"node_to_node_mesh": True}, nodes=nodes, peers=gone),
        *([("calico_bgp_config", {"node_to_node_mesh": True})] + [("calico_node", node) for node in nodes]
          + [("calico_bgp_peer", {"peers": gone})]))
    assert all(name.startswith("Mesh_") for families in back["sessions_after"].values()
               for names in families.values() for name in names)
    assert all(len(names) == len(lab.node_names) - 1 for families in bird_sessions(lab).values()
               for names in families.values())


def test_removing_the_reflector_label_is_refused_naming_every_client(lab, tmp_path):
    to_reflectors(lab)
    reflectors = reflector_names(lab)
    overlay = str(tmp_path / "unlabel.yml")
    with open(overlay, "w") as handle:
        yaml.safe_dump({"all": {"vars": {"calico_bgp_node_to_node_mesh": False,
                                         "calico_bgp_global_peers": REFLECTOR_PEERS},
                                "hosts": dict((name, {"calico_bgp_node_labels": {"route-reflector": None}})
                                              for name in reflectors)}}, handle)
    before = lab.datastore.revision()
    result = run_playbook(lab.inventory_path, lab.play_path, "-i", overlay)
    assert result.returncode != 0
    assert lab.datastore.revision() == before
    clients = sorted(name for name in lab.node_names if name not in reflectors)
    line = [text for text in result.output.splitlines() if "[ERROR]" in text][0]
    assert "[ERROR]: Task failed: Module failed: the change is refused before any write" in line
    # without the label nobody selects anybody: every node is left without a session, every
    # reflector client without its two reflectors
    for version in (4, 6):
        assert "would be left without any IPv%d BGP session (no mesh, reflector, ToR or other peer to learn routes " \
               "from): %s;" % (version, ", ".join(sorted(lab.node_names))) in line, line
    for client in clients:
        assert "%s (IPv4: 0 of 2), %s (IPv6: 0 of 2)" % (client, client) in line, line
    assert "peer_selector 'has(route-reflector)' matches no node any more" in line, line
    assert "Traceback" not in result.output


def test_a_node_as_change_needs_session_reset_then_comes_back_and_a_rerun_plans_nothing(lab):
    node = lab.topology.racks[0].nodes[0]
    # the lab inventory wants the mesh off (its migration playbooks); here it stays on
    extra = ("--limit", node.name, "-e", "calico_bgp_node_as_number=65011", "-e", "calico_bgp_node_to_node_mesh=true")
    before = lab.datastore.revision()
    refused = run_playbook(lab.inventory_path, lab.play_path, *extra)
    assert refused.returncode != 0
    assert "because of session_reset" in refused.output and "the change resets BGP sessions of: " in refused.output
    assert lab.datastore.revision() == before

    accepted = run_playbook(lab.inventory_path, lab.play_path, *(extra + ("-e", json.dumps(
        {"calico_bgp_accept": ["session_reset"]}))))
    assert accepted.returncode == 0, accepted.output
    assert lab.store.get("Node", node.name)["spec"]["bgp"]["asNumber"] == 65011
    lab.wait_for_sync()
    lab.wait_established(timeout=60)
    assert all(peer["bgp_state"] == "Established" for peer in lab.peers(node.name))
    assert len(lab.peers(node.name)) == len(lab.node_names) - 1

    checked = run_playbook(lab.inventory_path, lab.play_path, "--check", *extra)
    assert checked.returncode == 0, checked.output
    assert "No BGP session changes." in checked.output
    assert_no_change_no_wait(run_playbook(lab.inventory_path, lab.play_path, *extra))


def test_a_peer_selector_matching_no_node_is_refused(lab, tmp_path):
    overlay = str(tmp_path / "nowhere.yml")
    with open(overlay, "w") as handle:
        yaml.safe_dump({"all": {"vars": {"calico_bgp_global_peers": [
            {"name": "to-nowhere", "peer_selector": "rack == 'r9'"}]}}}, handle)
    before = lab.datastore.revision()
    result = run_playbook(lab.inventory_path, lab.play_path, "-i", overlay, "-e", "calico_bgp_node_to_node_mesh=true")
    assert result.returncode != 0
    assert "because of selector (" in result.output, result.output
    assert "BGP peer to-nowhere: its peer_selector \"rack == 'r9'\" matches no node" in result.output
    assert lab.datastore.revision() == before

    with pytest.raises(ModuleFailed) as failure:
        run_module("calico_bgp_plan", conn(lab, peers=[{"name": "to-nowhere", "node_selector": "rack == 'r9'",
                                                        "peer_ip": "127.0.0.9", "as_number": 65009}]))
    assert "its node_selector \"rack == 'r9'\" matches no node" in str(failure.value)


def test_without_details_the_plan_keeps_what_a_caller_decides_and_waits_on(lab):
    """details=false drops the per-node detail, and nodes_in_play limits wait_for to those nodes;
    what is left is the same as in the full plan."""
    rack = lab.topology.racks[0]
    args = dict(bgp_configuration={"node_to_node_mesh": False}, peers=tor_peers(lab),
                nodes_in_play=[node.name for node in rack.nodes], accept=["unverified"])
    full = run_module("calico_bgp_plan", conn(lab, **args))
    brief = run_module("calico_bgp_plan", conn(lab, details=False, **args))
    assert set(brief) - {"invocation"} == {"changed", "findings", "wait_for", "mesh", "deleted_peers"}
    assert sorted(brief["wait_for"]) == sorted(node.name for node in rack.nodes)
    for key in ("findings", "wait_for", "mesh", "deleted_peers"):
        assert brief[key] == full[key], key
    assert brief["mesh"] == {"before": True, "after": False}
    assert all(len(brief["wait_for"][node.name]) == 2 for node in rack.nodes)  # the ToR, both families
