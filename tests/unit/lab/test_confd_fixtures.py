"""The lab renders what calico/node renders: Calico's own confd test fixtures
(../shared/confd_fixtures: the resources of each scenario, the node it renders for, the expected
bird.cfg / bird6.cfg), compared protocol by protocol, and BGPFilter function by function.

Each `protocol bgp` block is compared whole, line for line: name, neighbor address, port and AS,
local AS, source address, TTL security and multihop, import and export filters (with their
BGPFilter calls), passive, graceful restart time, keepalive, route-reflector client and cluster
ID, next hop self/keep, allow local as. The sessions come from the collection's own computation
(plugins/module_utils/_model_sessions.py); tests/lab/render.py writes their text.

What the lab leaves out on purpose (not compared, with the reason):
- passwords: Calico reads them from Kubernetes Secrets (KDD-only fixtures, not vendored);
- kernel and IPAM programming (protocol kernel/direct, bird_ipam.cfg, bird_aggr.cfg): the lab
  never touches this machine's routes; and with it the community rules (apply_communities) and
  Service advertisement, which feed them;
- the template's header (timers, debug level, listen address): the lab's own, see render.py.
Nothing else is skipped: every scenario of the fixtures' README that renders BGP sessions is run.
"""
import copy
import os
import re

import pytest
import yaml

from tests.lab.bgp_filters import filter_functions
from tests.lab.render import Snapshot, render_protocol

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared", "confd_fixtures")
INPUTS = os.path.join(FIXTURES, "mock_data", "calicoctl")
EXPECTED = os.path.join(FIXTURES, "compiled_templates")


def _set(kind, name, **spec):
    def change(resources):
        for resource in resources:
            if resource["kind"] == kind and resource["metadata"]["name"] == name:
                resource.setdefault("spec", {}).update(spec)
                return
        raise AssertionError("%s %s is not in the scenario" % (kind, name))
    return change


def _delete(kind, name):
    def change(resources):
        resources[:] = [r for r in resources if not (r["kind"] == kind and r["metadata"]["name"] == name)]
    return change


def _upsert(path):
    def change(resources):
        for document in load(path):
            resources[:] = [r for r in resources if not (r["kind"] == document["kind"] and
                                                         r["metadata"]["name"] == document["metadata"]["name"])]
            resources.append(document)
    return change


# (expected directory, input directory, node, changes after loading the input)
SCENARIOS = [("explicit_peering/" + name, "explicit_peering/" + name, "kube-master", []) for name in (
    "global", "global-external", "specific_node", "global-ipv6", "selectors", "route_reflector",
    "route_reflector_v6_by_ip", "keepnexthop", "keepnexthop-global", "local-as", "local-as-global",
    "local-as-ipv6", "local-as-global-ipv6")]
SCENARIOS += [
    ("explicit_peering/selectors/step2", "explicit_peering/selectors", "kube-master",
     [_upsert("explicit_peering/selectors/step2")]),
    ("mesh/communities/step2", "mesh/communities", "kube-master", [_upsert("mesh/communities/step2")]),
    ("sourceaddr_gracefulrestart/step1", "sourceaddr_gracefulrestart", "node1", []),
    ("sourceaddr_gracefulrestart/step2", "sourceaddr_gracefulrestart", "node1",
     [_set("BGPPeer", "bgppeer-1", sourceAddress="None")]),
    ("sourceaddr_gracefulrestart/step3", "sourceaddr_gracefulrestart", "node1",
     [_set("BGPPeer", "bgppeer-1", sourceAddress="None", maxRestartTime="10s")]),
]
SCENARIOS += [("mesh/" + name, "mesh/" + name, "kube-master", []) for name in (
    "bgp-export", "ipip-always", "ipip-cross-subnet", "communities", "ipip-off", "vxlan-always",
    "route-reflector-mesh-enabled", "restart-time")]
SCENARIOS += [(name, name, "kube-master", []) for name in (
    "reverse_peering/auto", "reverse_peering/manual", "ttl_security/explicit_node", "ttl_security/peer_selector",
    "ttl_security/global", "next_hop_mode/global_peers", "next_hop_mode/route_reflectors",
    "reachable_by/global_peers", "reachable_by/route_reflectors")]
FILTER_SCENARIOS = [("bgpfilter/" + name, "bgpfilter/" + name, "kube-master", []) for name in (
    "single_filter/global_peer", "single_filter/explicit_peer", "multi_filter/global_peer",
    "multi_filter/explicit_peer", "node_mesh", "match_operators", "match_source", "match_interface",
    "filter_names", "import_only/explicit_peer", "import_only/global_peer", "v6_only/global_peer",
    "export_only/explicit_peer", "export_only/global_peer", "v4_only/explicit_peer", "v4_only/global_peer",
    "v6_only/explicit_peer", "communities_and_operations", "peer_type", "as_path_and_priority",
    "large_community", "kubevirt_live_migration")]
FILTER_SCENARIOS += [
    ("bgpfilter/node_mesh/priority1", "bgpfilter/node_mesh", "kube-master", []),
    ("bgpfilter/node_mesh/priority2", "bgpfilter/node_mesh", "kube-master",
     [_set("BGPConfiguration", "default", ipv4NormalRoutePriority=5000)]),
    ("bgpfilter/node_mesh/priority3", "bgpfilter/node_mesh", "kube-master",
     [_set("BGPConfiguration", "default", ipv4NormalRoutePriority=5000, ipv6NormalRoutePriority=80)]),
    ("bgpfilter/filter_deletion/step1", "bgpfilter/filter_deletion", "kube-master", []),
    ("bgpfilter/filter_deletion/step2", "bgpfilter/filter_deletion", "kube-master",
     [_delete("BGPFilter", "test-filter")]),
]


def load(directory):
    """The scenario's resources; YAML 1.1 booleans in labels (route-reflector: yes) become the
    strings Calico's loader makes of them."""
    with open(os.path.join(INPUTS, directory, "input.yaml")) as handle:
        documents = [document for document in yaml.safe_load_all(handle) if document]
    for document in documents:
        labels = document.get("metadata", {}).get("labels") or {}
        for key, value in labels.items():
            if isinstance(value, bool):
                labels[key] = "true" if value else "false"
    return documents


def snapshot_of(resources):
    by_kind = dict((kind, [r for r in resources if r["kind"] == kind])
                   for kind in ("Node", "BGPConfiguration", "BGPPeer", "BGPFilter"))
    return Snapshot(by_kind["Node"], by_kind["BGPConfiguration"], by_kind["BGPPeer"], by_kind["BGPFilter"])


def scenario_snapshot(input_directory, changes):
    resources = copy.deepcopy(load(input_directory))
    for change in changes:
        change(resources)
    return snapshot_of(resources)


_PROTOCOL = re.compile(r"^protocol bgp (\S+) from bgp_template \{$")


def protocols(text):
    """{name: block text} of every `protocol bgp` block of a BIRD config."""
    blocks, name, lines = {}, None, []
    for line in text.splitlines():
        match = _PROTOCOL.match(line)
        if match:
            name, lines = match.group(1), [line]
        elif name is not None:
            lines.append(line)
            if line == "}":
                blocks[name] = "\n".join(lines)
                name = None
    return blocks


def filter_section(text):
    """The lines between '# -------------- BGP Filters' and the protocols."""
    lines = text.splitlines()
    start = lines.index("# -------------- BGP Filters ------------------") + 1
    end = start
    while end < len(lines) and not lines[end].startswith(("# BGP Protocol Configurations", "# No BGP peers")):
        end += 1
    return lines[start:end]


def expected_text(directory, version):
    path = os.path.join(EXPECTED, directory, "bird.cfg" if version == 4 else "bird6.cfg")
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return handle.read()


def compare(directory, input_directory, node, changes, with_filters):
    snapshot = scenario_snapshot(input_directory, changes)
    for version in (4, 6):
        expected = expected_text(directory, version)
        peers = snapshot.bird_peers(node, version) or []
        rendered = dict((peer.name, render_protocol(snapshot, peer, version)) for peer in peers)
        if expected is None:
            # the fixtures keep bird6.cfg only where confd renders an IPv6 session
            assert version == 6 and rendered == {}, sorted(rendered)
            continue
        wanted = protocols(expected)
        assert sorted(rendered) == sorted(wanted), "IPv%d protocols of %s" % (version, directory)
        for name, block in wanted.items():
            assert rendered[name] == block, "IPv%d %s of %s" % (version, name, directory)
        if with_filters:
            assert filter_functions(snapshot.bgp_filters.values(), version) == filter_section(expected)


@pytest.mark.parametrize("directory, input_directory, node, changes", SCENARIOS,
                         ids=[scenario[0] for scenario in SCENARIOS])
def test_sessions_match_confd_protocol_by_protocol(directory, input_directory, node, changes):
    compare(directory, input_directory, node, changes, with_filters=False)


@pytest.mark.parametrize("directory, input_directory, node, changes", FILTER_SCENARIOS,
                         ids=[scenario[0] for scenario in FILTER_SCENARIOS])
def test_bgp_filters_match_confd_function_by_function(directory, input_directory, node, changes):
    compare(directory, input_directory, node, changes, with_filters=True)


def test_idle_peers_renders_one_session():
    # confd's TestIdlePeers: node1 has exactly one `protocol bgp`
    snapshot = scenario_snapshot("idle_peers", [])
    assert len((snapshot.bird_peers("node1", 4) or []) + (snapshot.bird_peers("node1", 6) or [])) == 1


def test_node_deletion_drops_its_sessions():
    # confd's TestNodeDeletion: 3 sessions on node1, then 2 once Node node3 is deleted
    assert len(scenario_snapshot("node_deletion", []).bird_peers("node1", 4)) == 3
    assert len(scenario_snapshot("node_deletion", [_delete("Node", "node3")]).bird_peers("node1", 4)) == 2


def test_every_scenario_with_a_golden_file_is_run():
    """Nothing is skipped: every compiled_templates directory with a bird.cfg is a scenario here."""
    run = set(scenario[0] for scenario in SCENARIOS + FILTER_SCENARIOS)
    golden = set()
    for root, _dirs, files in os.walk(EXPECTED):
        if "bird.cfg" in files or "bird6.cfg" in files:
            golden.add(os.path.relpath(root, EXPECTED))
    assert golden == run
