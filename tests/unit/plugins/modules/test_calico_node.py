"""calico_node's Ansible surface without a server: documentation matches the argument spec,
bad input fails before any connection, an unreachable datastore is one clear line."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.netops.calico.plugins.modules import calico_node
from tests.support.module_runner import run_module
from tests.support.processes import free_port

# Nothing listens here: a test that got past validation would fail with a connection error.
NOWHERE = ["http://127.0.0.1:%d" % free_port()]


def test_documented_options_match_the_argument_spec():
    options = yaml.safe_load(calico_node.DOCUMENTATION)["options"]
    assert sorted(options) == sorted(calico_node.ARGUMENT_SPEC)
    for name, spec in calico_node.ARGUMENT_SPEC.items():
        assert options[name]["type"] == spec["type"], name
        assert options[name].get("required", False) == spec.get("required", False), name
        assert options[name].get("choices") == spec.get("choices"), name
        assert options[name].get("default") == spec.get("default"), name


def test_examples_use_only_documented_options():
    documented = set(calico_node.ARGUMENT_SPEC) | {
        "etcd_endpoints", "etcd_ca_cert_file", "etcd_cert_file", "etcd_key_file"}
    tasks = yaml.safe_load(calico_node.EXAMPLES)
    tasks += [task for block in tasks for task in block.get("block", [])]
    used = [task["netops.calico.calico_node"] for task in tasks if "netops.calico.calico_node" in task]
    assert len(used) >= 5
    for options in used:
        assert set(options) <= documented, options


@pytest.mark.parametrize("args, message", [
    (dict(name="kube-node1", as_number=4294967296), "as_number: 4294967296 is out of range"),
    (dict(name="kube-node1", as_number="1.70000"), "as_number: '1.70000': each half of a dotted AS number"),
    (dict(name="kube-node1", ipv4_address="fd00::11/64"), "ipv4_address: 'fd00::11' is not an IPv4 address"),
    (dict(name="kube-node1", ipv6_address="172.31.3.11/32"), "ipv6_address: '172.31.3.11' is not an IPv6 address"),
    (dict(name="kube-node1", ipv4_address="172.31.3.11/24/1"), "ipv4_address:"),
    (dict(name="kube-node1", route_reflector_cluster_id="rr1"), "route_reflector_cluster_id: 'rr1'"),
    (dict(name="Kube-Node1", as_number=65011), "name: 'Kube-Node1' is not a valid name"),
    (dict(name="kube-node1", labels={"bad key": "x"}), "labels (key 'bad key')"),
    (dict(name="kube-node1", labels={"rack": "r 1"}), "labels.rack: 'r 1' is not a valid label value"),
    (dict(name="kube-node1", as_number=1, unset=["as_number"]), "unset: as_number cannot be both set and unset"),
])
def test_bad_input_fails_before_connecting(args, message):
    args["etcd_endpoints"] = NOWHERE
    result = run_module("calico_node", args, expect_failure=True)
    assert message in result["msg"], result["msg"]
    assert "cannot reach" not in result["msg"]


def test_argument_spec_rejects_missing_name_and_unknown_unset_choice():
    result = run_module("calico_node", dict(etcd_endpoints=NOWHERE, as_number=1), expect_failure=True)
    assert "name" in result["msg"]
    result = run_module("calico_node", dict(etcd_endpoints=NOWHERE, name="n", unset=["labels"]), expect_failure=True)
    assert "unset" in result["msg"]
    result = run_module("calico_node", dict(etcd_endpoints=NOWHERE, name="n", state="absent"), expect_failure=True)
    assert "state" in result["msg"]


def test_unreachable_datastore_is_one_line():
    result = run_module("calico_node", dict(etcd_endpoints=NOWHERE, etcd_timeout=1, name="kube-node1",
                                            as_number=65011), expect_failure=True)
    assert result["msg"].startswith("cannot reach the etcd datastore: etcd at %s" % NOWHERE[0])
    assert "Traceback" not in str(result)
