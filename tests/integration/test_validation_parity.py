"""Validation parity with libcalico-go: every entry of Calico's own validator test suite that the
modules can express (../shared/calico_validator/cases.json: module options and Calico's verdict)
is run through the real module against a real etcd. The module must accept what Calico accepts
and refuse what Calico refuses, except for the stricter rules listed below with their reason;
a refusal writes nothing and is one sentence naming the option."""
import json
import os

import pytest

from tests.integration.helpers import PREFIX, put, revision
from tests.support.module_runner import ModuleFailed, run_module

CASES_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "calico_validator", "cases.json")

# Where the collection refuses what Calico accepts, and why (each rule is documented on its option).
STRICTER = {
    "peer-2453": "a peer_ip peer without as_number: calico/node renders its session with AS 0, which BIRD "
                 "refuses (as_number is required with peer_ip)",
}

# The node every calico_node case works on, unless the case says what it held before.
DEFAULT_NODE_SPEC = {"bgp": {"ipv4Address": "192.0.2.10/32"}}


def load_cases():
    with open(CASES_FILE) as handle:
        return json.load(handle)


CASES = load_cases()


def register_node(etcd, name, spec):
    put(etcd, PREFIX + "nodes/" + name, {
        "kind": "Node", "apiVersion": "projectcalico.org/v3",
        "metadata": {"name": name, "uid": "6f1b0a52-9a51-4a31-a9ef-0d6cf4c1a001",
                     "creationTimestamp": "2026-11-30T10:00:00Z"},
        "spec": spec, "status": {}})


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_the_module_agrees_with_calicos_validator(etcd, case):
    if case["module"] == "calico_node":
        register_node(etcd, case["args"]["name"], case.get("node_before") or DEFAULT_NODE_SPEC)
    before = revision(etcd)
    args = dict(case["args"], etcd_endpoints=etcd.endpoints)
    try:
        result = run_module(case["module"], args)
    except ModuleFailed as failure:
        result = failure.result
    accepted = not result.get("failed")
    expected = case["calico_valid"] and case["id"] not in STRICTER
    assert accepted is expected, "%s (%s): module %s, Calico %s: %s" % (
        case["id"], case["source"]["entry"], "accepted" if accepted else "refused",
        "accepts" if case["calico_valid"] else "refuses", result.get("msg"))
    if not accepted:
        message = result["msg"]
        assert "Traceback" not in message and "\n" not in message
        assert revision(etcd) == before, "a refused task wrote to etcd"
        named = [option for option in case["args"] if option in message] + \
            [option for option in ("name", "unset") if option in message]
        assert named, "the message names no option: %s" % message


def test_every_stricter_rule_is_a_case_calico_accepts():
    by_id = dict((case["id"], case) for case in CASES)
    for case_id in STRICTER:
        assert by_id[case_id]["calico_valid"] is True
