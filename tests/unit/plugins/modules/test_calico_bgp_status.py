"""calico_bgp_status's Ansible surface without a server: every option rule is checked before the
datastore is contacted (the endpoint here answers nobody)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.netops.calico.plugins.modules import calico_bgp_status
from tests.support.module_runner import run_module
from tests.support.processes import free_port

NOWHERE = ["http://127.0.0.1:%d" % free_port()]


def test_documentation_return_and_examples_parse():
    documentation = yaml.safe_load(calico_bgp_status.DOCUMENTATION)
    assert documentation["module"] == "calico_bgp_status"
    returned = yaml.safe_load(calico_bgp_status.RETURN)
    assert {"nodes", "table", "waited", "not_reporting", "not_in_wait_state", "requests"} <= set(returned)
    tasks = yaml.safe_load(calico_bgp_status.EXAMPLES)
    assert sum("netops.calico.calico_bgp_status" in task for task in tasks) == len(tasks) - 1  # and one debug


@pytest.mark.parametrize("options, message", [
    (dict(nodes=["all"], node_selector="rack =="), "node_selector: 'rack ==' is not a valid Calico selector"),
    (dict(nodes=["all"], update_period=100000), "update_period: 100000 is out of range (0 to 86400)"),
    (dict(nodes=["all"], stable_polls=0), "stable_polls: 0 must be 1 or more"),
    (dict(nodes=["all"], wait_for=["10.0.0.1.5"]), "wait_for: entry '10.0.0.1.5' is not a peer address"),
    (dict(nodes=["All_Nodes"]), "nodes[0]: 'All_Nodes' is not a valid name"),
    (dict(), "nodes: give node names, or all (optionally with node_selector)"),
])
def test_bad_options_fail_with_one_sentence_before_any_connection(options, message):
    result = run_module("calico_bgp_status", dict(options, etcd_endpoints=NOWHERE), expect_failure=True)
    assert result["msg"].startswith(message), result["msg"]
    assert "\n" not in result["msg"] and "etcd" not in result["msg"]
