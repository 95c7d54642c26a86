"""calico_bgp_config's Ansible surface without a server: bad input fails before any connection,
secrets stay out of the output, a missing client library is one clear sentence."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys

import pytest

from tests.support.module_runner import run_module
from tests.support.processes import free_port

# Nothing listens here: a test that got past validation would fail with a connection error.
NOWHERE = ["http://127.0.0.1:%d" % free_port()]


@pytest.mark.parametrize("args, message", [
    (dict(as_number="x"), "as_number: 'x' is not an AS number"),
    (dict(node="n1", node_to_node_mesh=True), "node_to_node_mesh: only the global 'default'"),
    (dict(service_cluster_ips=["10.96.0.1/12"]), "service_cluster_ips[0]: '10.96.0.1/12' has host bits set"),
    (dict(etcd_endpoints=["etcd:2379"], as_number=1), "etcd_endpoints: 'etcd:2379' must be a URL"),
])
def test_bad_input_fails_before_connecting(args, message):
    args.setdefault("etcd_endpoints", NOWHERE)
    result = run_module("calico_bgp_config", args, expect_failure=True)
    assert message in result["msg"]
    assert "cannot reach" not in result["msg"]


def test_unknown_option_and_bad_choice_are_rejected_by_the_argument_spec():
    result = run_module("calico_bgp_config", dict(etcd_endpoints=NOWHERE, as_numbre=1), expect_failure=True)
    assert "as_numbre" in result["msg"]
    result = run_module("calico_bgp_config", dict(etcd_endpoints=NOWHERE, unset=["peer_ip"]), expect_failure=True)
    assert "unset" in result["msg"]


def test_password_is_never_returned():
    result = run_module("calico_bgp_config", dict(etcd_endpoints=NOWHERE, etcd_username="calico",
                                                  etcd_password="TopSecret-42", etcd_timeout=1, as_number=1),
                        expect_failure=True)
    assert "TopSecret-42" not in str(result)


def test_missing_etcd3_library_is_one_clear_sentence(monkeypatch):
    monkeypatch.setitem(sys.modules, "etcd3", None)  # makes `import etcd3` raise ImportError
    result = run_module("calico_bgp_config", dict(etcd_endpoints=NOWHERE, as_number=1), expect_failure=True)
    assert result["msg"].startswith("the Python library etcd3 is required on the host that runs this module")


def test_info_module_reports_unreachable_datastore_in_one_line():
    result = run_module("calico_bgp_config_info", dict(etcd_endpoints=NOWHERE, etcd_timeout=1), expect_failure=True)
    assert result["msg"].startswith("cannot reach the etcd datastore: etcd at %s" % NOWHERE[0])
