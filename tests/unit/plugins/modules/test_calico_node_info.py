"""calico_node_info's Ansible surface without a server."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import yaml

from ansible_collections.netops.calico.plugins.modules import calico_node_info
from tests.support.module_runner import run_module
from tests.support.processes import free_port

NOWHERE = ["http://127.0.0.1:%d" % free_port()]


def test_documentation_and_return_parse():
    documentation = yaml.safe_load(calico_node_info.DOCUMENTATION)
    assert sorted(documentation["options"]) == ["name"]
    returned = yaml.safe_load(calico_node_info.RETURN)
    assert set(returned) == {"nodes", "default_as_number", "table"}
    assert set(returned["nodes"]["contains"]) == {
        "name", "labels", "bgp_enabled", "ipv4_address", "ipv6_address", "as_number", "effective_as_number",
        "as_number_inherited", "route_reflector_cluster_id", "ipv4_ipip_tunnel_address", "resource"}
    assert returned["table"]["sample"].splitlines()[0].split() == ["NAME", "ASN", "IPV4", "IPV6"]


def test_examples_parse():
    tasks = yaml.safe_load(calico_node_info.EXAMPLES)
    assert any("netops.calico.calico_node_info" in task for task in tasks)


def test_an_invalid_name_fails_before_connecting():
    result = run_module("calico_node_info", dict(etcd_endpoints=NOWHERE, name="kube_node1"), expect_failure=True)
    assert result["msg"].startswith("name: 'kube_node1' is not a valid name")


def test_unreachable_datastore_is_one_line():
    result = run_module("calico_node_info", dict(etcd_endpoints=NOWHERE, etcd_timeout=1), expect_failure=True)
    assert result["msg"].startswith("cannot reach the etcd datastore: etcd at %s" % NOWHERE[0])
