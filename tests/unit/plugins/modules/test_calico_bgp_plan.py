"""calico_bgp_plan's Ansible surface without a server: every input is checked before connecting."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.netops.calico.plugins.modules import calico_bgp_plan
from tests.support.module_runner import run_module
from tests.support.processes import free_port

NOWHERE = ["http://127.0.0.1:%d" % free_port()]


def test_documentation_lists_every_finding_class_as_a_choice_of_accept():
    documentation = yaml.safe_load(calico_bgp_plan.DOCUMENTATION)
    assert sorted(documentation["options"]["accept"]["choices"]) == sorted(
        ["isolation", "selector", "reflectors", "session_reset", "restart_required", "mesh_scale", "unverified",
         "reflector_disruption"])
    returned = yaml.safe_load(calico_bgp_plan.RETURN)
    assert {"plan", "findings", "text", "lines", "sessions_after"} <= set(returned)
    assert any("netops.calico.calico_bgp_plan" in task for task in yaml.safe_load(calico_bgp_plan.EXAMPLES))


@pytest.mark.parametrize("args, message", [
    (dict(min_route_reflectors=-1), "min_route_reflectors: must be 0 or more, not -1"),
    (dict(nodes=[{"name": "n1", "as_number": "x"}]), "nodes[0].as_number: 'x' is not an AS number (a number from 1 "
                                                     "to 4294967295, or dotted x.y) (nodes[0] is node n1)"),
    (dict(nodes=[{"name": "Bad_Name"}]), "nodes[0].name: "),
    (dict(bgp_configuration={"node_to_node_mesh": "perhaps"}), "bgp_configuration.node_to_node_mesh: 'perhaps' is "
                                                               "not a boolean"),
    (dict(bgp_configuration={"mesh": False}), "bgp_configuration.mesh: is not an option here"),
    (dict(bgp_configuration={"as_number": 0}), "bgp_configuration.as_number: 0 is not allowed (BGP has no AS 0)"),
    (dict(nodes=[{"name": "n1", "cluster": "x"}]), "nodes[0].cluster: is not an option here"),
    (dict(peers=[{"name": "p", "peer_ip": "10.0.0.300", "as_number": 65001}]), "peers[0].peer_ip: "),
    (dict(peers=[], purge=True), "purge_scope: is required with purge=true"),
    (dict(accept=["everything"]), "accept"),
])
def test_bad_input_fails_in_one_sentence_before_connecting(args, message):
    result = run_module("calico_bgp_plan", dict(args, etcd_endpoints=NOWHERE, etcd_timeout=1), expect_failure=True)
    assert message in result["msg"], result["msg"]
    assert "cannot reach" not in result["msg"] and "Traceback" not in result["msg"]
    assert "\n" not in result["msg"]
