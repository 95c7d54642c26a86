"""calico_node against a real etcd: the guide's AS-per-node flow, preservation of everything
calico/node wrote, idempotence, check mode, diff, concurrency and refusals that write nothing."""
import base64
import json
import textwrap

import pytest

from ansible_collections.netops.calico.plugins.module_utils._datastore_store import DEFAULT_ATTEMPTS
from tests.integration.helpers import PREFIX, ansible_playbook, put, revision, run_in_processes
from tests.support.module_runner import run_module

NODE_KEY = PREFIX + "nodes/kube-node1"
CLUSTER_INFO_KEY = PREFIX + "clusterinformations/default"

# What calico/node (etcd datastore, on Kubernetes) writes for a node, byte for byte in Go's
# compact encoding: labels, an annotation kube-controllers uses, the IPIP tunnel address,
# addresses, orchRefs, a wireguard field, status, and a field from a Calico newer than us.
CALICO_NODE_JSON = (
    '{"kind":"Node","apiVersion":"projectcalico.org/v3",'
    '"metadata":{"name":"kube-node1","uid":"0b6e3f0c-5d0e-4a43-8f4e-2d9f5b1c7a10",'
    '"creationTimestamp":"2026-11-20T08:01:02Z",'
    '"labels":{"beta.kubernetes.io/arch":"amd64","kubernetes.io/hostname":"kube-node1","rack":"r1"},'
    '"annotations":{"projectcalico.org/kube-labels":"{\\"kubernetes.io/hostname\\":\\"kube-node1\\"}"}},'
    '"spec":{"bgp":{"ipv4Address":"172.31.3.11/32","ipv4IPIPTunnelAddr":"10.244.1.1"},'
    '"ipv4VXLANTunnelAddr":"10.244.1.2",'
    '"orchRefs":[{"nodeName":"kube-node1","orchestrator":"k8s"}],'
    '"wireguard":{"interfaceIPv4Address":"10.244.1.3"},'
    '"addresses":[{"address":"172.31.3.11/32","type":"CalicoNodeIP"},{"address":"172.31.3.11","type":"InternalIP"}],'
    '"futureSpecField":{"x":[1,2,3]}},'
    '"status":{"wireguardPublicKey":"jlkVyQYooZYzI2wFfNhSZez5eWh44yfq1wKVjLvSXgY=","podCIDRs":["10.244.1.0/24"]}}'
)


def stored(etcd, key=NODE_KEY):
    """(raw text or None, mod_revision) of a key; unlike helpers.stored, also for a value that is
    not JSON (the corrupt-value tests)."""
    result = json.loads(etcd.etcdctl("get", key, "-w", "json").stdout)
    if not result.get("kvs"):
        return None, 0
    return base64.b64decode(result["kvs"][0]["value"]).decode("utf-8"), int(result["kvs"][0]["mod_revision"])


def args(etcd, **options):
    options["etcd_endpoints"] = etcd.endpoints
    return options


def register_node(etcd, value=CALICO_NODE_JSON, key=NODE_KEY):
    put(etcd, key, value)
    return stored(etcd, key)[1]


def test_guide_flow_sets_as_and_keeps_every_byte_calico_node_wrote(etcd):
    register_node(etcd)
    result = run_module("calico_node", args(etcd, name="kube-node1", as_number=65011))
    assert result["changed"] is True
    assert result["action"] == "updated"
    value, mod_revision = stored(etcd)
    # Exactly calico/node's bytes, with asNumber added where Calico's encoder puts it.
    expected = CALICO_NODE_JSON.replace(
        '"bgp":{"ipv4Address"', '"bgp":{"asNumber":65011,"ipv4Address"')
    assert value == expected
    assert result["resource"]["spec"]["bgp"] == {
        "asNumber": 65011, "ipv4Address": "172.31.3.11/32", "ipv4IPIPTunnelAddr": "10.244.1.1"}
    assert result["resource"]["metadata"]["resourceVersion"] == str(mod_revision)


def test_second_run_changes_nothing_and_writes_nothing(etcd):
    register_node(etcd)
    options = args(etcd, name="kube-node1", as_number="65011", route_reflector_cluster_id="224.0.0.1",
                   labels={"route-reflector": True})
    assert run_module("calico_node", options)["changed"] is True
    value, mod_revision = stored(etcd)
    before = revision(etcd)
    again = run_module("calico_node", options)
    assert again["changed"] is False
    assert again["action"] is None
    assert stored(etcd) == (value, mod_revision)
    assert revision(etcd) == before
    assert json.loads(value)["metadata"]["labels"]["route-reflector"] == "true"


def test_equivalent_stored_forms_are_not_rewritten(etcd):
    """An AS stored as text, a dotted AS and an IPv6 address written differently already mean what
    the task asks for: no write."""
    document = json.loads(CALICO_NODE_JSON)
    document["spec"]["bgp"]["asNumber"] = "65546"
    document["spec"]["bgp"]["ipv6Address"] = "FD00:10:0:0::11/64"
    register_node(etcd, json.dumps(document, separators=(",", ":")))
    value, mod_revision = stored(etcd)
    result = run_module("calico_node", args(etcd, name="kube-node1", as_number="1.10",
                                            ipv6_address="fd00:10::11/64"))
    assert result["changed"] is False
    assert stored(etcd) == (value, mod_revision)


def test_check_mode_reports_the_change_and_writes_nothing(etcd):
    register_node(etcd)
    before = stored(etcd)
    result = run_module("calico_node", args(etcd, name="kube-node1", as_number=65011, labels={"rack": None}),
                        check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["action"] == "updated"
    assert result["resource"]["spec"]["bgp"]["asNumber"] == 65011
    assert "rack" not in result["resource"]["metadata"]["labels"]
    assert result["diff"]["after"]["spec"]["bgp"]["asNumber"] == 65011
    assert stored(etcd) == before


def test_diff_shows_only_the_managed_change_without_metadata_noise(etcd):
    register_node(etcd)
    result = run_module("calico_node", args(etcd, name="kube-node1", as_number=65011,
                                            labels={"rack": None, "route-reflector": "true"}), diff=True)
    diff = result["diff"]
    assert diff["before_header"] == "Node kube-node1"
    assert "asNumber" not in diff["before"]["spec"]["bgp"]
    assert diff["after"]["spec"]["bgp"]["asNumber"] == 65011
    assert diff["before"]["metadata"]["labels"]["rack"] == "r1"
    assert "rack" not in diff["after"]["metadata"]["labels"]
    assert diff["after"]["metadata"]["labels"]["route-reflector"] == "true"
    for side in (diff["before"], diff["after"]):
        assert "uid" not in side["metadata"]
        assert "resourceVersion" not in side["metadata"]
    # everything else is identical on both sides
    assert diff["before"]["spec"]["orchRefs"] == diff["after"]["spec"]["orchRefs"]
    assert diff["before"]["status"] == diff["after"]["status"]


def test_labels_merge_and_null_removes_and_unset_removes_a_field(etcd):
    register_node(etcd)
    run_module("calico_node", args(etcd, name="kube-node1", as_number=65011, ipv6_address="fd00:10::11/64",
                                   labels={"zone": "a"}))
    result = run_module("calico_node", args(etcd, name="kube-node1", unset=["as_number"],
                                            labels={"rack": None, "zone": None}))
    assert result["changed"] is True
    document = json.loads(stored(etcd)[0])
    assert document["spec"]["bgp"] == {"ipv4Address": "172.31.3.11/32", "ipv6Address": "fd00:10::11/64",
                                       "ipv4IPIPTunnelAddr": "10.244.1.1"}
    assert document["metadata"]["labels"] == {"beta.kubernetes.io/arch": "amd64",
                                              "kubernetes.io/hostname": "kube-node1"}
    # Back where calico/node left it, to the byte (apart from the labels removed here).
    expected = json.loads(CALICO_NODE_JSON)
    del expected["metadata"]["labels"]["rack"]
    expected["spec"]["bgp"]["ipv6Address"] = "fd00:10::11/64"
    assert document == expected


def test_options_left_out_keep_their_stored_value(etcd):
    register_node(etcd)
    run_module("calico_node", args(etcd, name="kube-node1", as_number=65011, route_reflector_cluster_id="224.0.0.1"))
    run_module("calico_node", args(etcd, name="kube-node1", labels={"zone": "b"}))
    bgp = json.loads(stored(etcd)[0])["spec"]["bgp"]
    assert bgp["asNumber"] == 65011
    assert bgp["routeReflectorClusterID"] == "224.0.0.1"


def test_unsetting_the_last_address_is_refused_and_writes_nothing(etcd):
    register_node(etcd)
    before = stored(etcd)
    result = run_module("calico_node", args(etcd, name="kube-node1", unset=["ipv4_address"]),
                        expect_failure=True)
    assert result["msg"].startswith("unset:")
    assert "without a BGP address" in result["msg"]
    assert stored(etcd) == before


def test_as_number_on_a_policy_only_node_needs_an_address(etcd):
    document = json.loads(CALICO_NODE_JSON)
    del document["spec"]["bgp"]
    register_node(etcd, json.dumps(document, separators=(",", ":")))
    before = stored(etcd)
    result = run_module("calico_node", args(etcd, name="kube-node1", as_number=65011), expect_failure=True)
    assert "ipv4_address" in result["msg"] and "no BGP address" in result["msg"]
    assert stored(etcd) == before
    # labels alone are fine on such a node and add no spec.bgp
    run_module("calico_node", args(etcd, name="kube-node1", labels={"zone": "c"}))
    assert "bgp" not in json.loads(stored(etcd)[0])["spec"]
    # with an address it works
    run_module("calico_node", args(etcd, name="kube-node1", as_number=65011, ipv4_address="172.31.3.11/32"))
    assert json.loads(stored(etcd)[0])["spec"]["bgp"] == {"asNumber": 65011, "ipv4Address": "172.31.3.11/32"}


def test_unregistered_node_is_an_error_and_nothing_is_created(etcd):
    register_node(etcd)
    before = revision(etcd)
    for check_mode in (False, True):
        result = run_module("calico_node", args(etcd, name="kube-node9", as_number=65019),
                            check_mode=check_mode, expect_failure=True)
        assert result["msg"].startswith(
            "node kube-node9 is not registered in the Calico datastore; calico/node registers nodes when it starts")
        assert "registered nodes: kube-node1" in result["msg"]
    assert stored(etcd, NODE_KEY.replace("kube-node1", "kube-node9")) == (None, 0)
    assert revision(etcd) == before


def test_unregistered_node_in_an_empty_datastore(etcd):
    result = run_module("calico_node", args(etcd, name="kube-node1", as_number=65011), expect_failure=True)
    assert "is not registered in the Calico datastore" in result["msg"]
    assert "no node is registered at all" in result["msg"]
    assert stored(etcd) == (None, 0)


@pytest.mark.parametrize("options, option_named", [
    (dict(as_number=4294967296), "as_number"),
    (dict(as_number=-1), "as_number"),
    (dict(as_number="65536.1"), "as_number"),
    (dict(as_number="1.65536"), "as_number"),
    (dict(as_number="AS65011"), "as_number"),
    (dict(as_number=True), "as_number"),
    (dict(ipv4_address="172.31.3.300/32"), "ipv4_address"),
    (dict(ipv4_address="172.31.3.11/33"), "ipv4_address"),
    (dict(ipv4_address="fd00::11/64"), "ipv4_address"),
    (dict(ipv4_address="172.31.3.11/"), "ipv4_address"),
    (dict(ipv6_address="172.31.3.11/32"), "ipv6_address"),
    (dict(ipv6_address="fd00::11/129"), "ipv6_address"),
    (dict(ipv6_address="fd00:::11"), "ipv6_address"),
    (dict(route_reflector_cluster_id="224.0.0.256"), "route_reflector_cluster_id"),
    (dict(route_reflector_cluster_id="fd00::1"), "route_reflector_cluster_id"),
    (dict(route_reflector_cluster_id="224.0.0.1/32"), "route_reflector_cluster_id"),
    (dict(name="Kube-Node1"), "name"),
    (dict(name="kube_node1"), "name"),
    (dict(name="a" * 254), "name"),
    (dict(labels={"bad key": "x"}), "labels"),
    (dict(labels={"-rack": "x"}), "labels"),
    (dict(labels={"rack": "has space"}), "labels.rack"),
    (dict(labels={"rack": "x" * 64}), "labels.rack"),
    (dict(labels={"rack": ["r1"]}), "labels.rack"),
    (dict(as_number=65011, unset=["as_number"]), "unset"),
])
def test_invalid_input_names_the_option_and_writes_nothing(etcd, options, option_named):
    register_node(etcd)
    before = stored(etcd)
    start = revision(etcd)
    task = dict(name="kube-node1")
    task.update(options)
    result = run_module("calico_node", args(etcd, **task), expect_failure=True)
    assert result["msg"].startswith(option_named), result["msg"]
    assert "Traceback" not in json.dumps(result)
    assert stored(etcd) == before
    assert revision(etcd) == start


def test_unknown_unset_choice_is_refused_by_the_argument_spec(etcd):
    register_node(etcd)
    before = stored(etcd)
    result = run_module("calico_node", args(etcd, name="kube-node1", unset=["ipv4IPIPTunnelAddr"]),
                        expect_failure=True)
    assert "unset" in result["msg"]
    assert stored(etcd) == before


@pytest.mark.parametrize("corrupt", [
    '{"kind":"Node","apiVersion":"projectcalico.org/v3","metadata":{"name":"kube-node1"',
    '{"kind":"BGPPeer","apiVersion":"projectcalico.org/v3","metadata":{"name":"kube-node1"},"spec":{}}',
    '{"kind":"Node","apiVersion":"projectcalico.org/v3","metadata":{"name":"kube-node1"},"spec":{"bgp":"x"}}',
])
def test_a_corrupt_stored_node_is_refused_and_not_overwritten(etcd, corrupt):
    register_node(etcd, corrupt)
    before = stored(etcd)
    for check_mode in (False, True):
        result = run_module("calico_node", args(etcd, name="kube-node1", as_number=65011),
                            check_mode=check_mode, expect_failure=True)
        assert "refusing to use or overwrite it" in result["msg"]
    assert stored(etcd) == before


def test_a_locked_datastore_is_refused(etcd):
    register_node(etcd)
    put(etcd, CLUSTER_INFO_KEY, json.dumps({
        "kind": "ClusterInformation", "apiVersion": "projectcalico.org/v3",
        "metadata": {"name": "default"}, "spec": {"datastoreReady": False}}))
    before = stored(etcd)
    result = run_module("calico_node", args(etcd, name="kube-node1", as_number=65011), expect_failure=True)
    assert "datastoreReady: false" in result["msg"]
    assert stored(etcd) == before


def test_parallel_runs_on_one_node_lose_no_update(etcd):
    register_node(etcd)
    tasks = [dict(name="kube-node1", labels={"worker-%d" % index: "done"}) for index in range(9)]
    tasks += [
        dict(name="kube-node1", as_number=65011),
        dict(name="kube-node1", ipv6_address="fd00:10::11/64"),
        dict(name="kube-node1", route_reflector_cluster_id="224.0.0.1"),
    ]
    # Every task in its own Python process, all started at once, all on the same node.
    results = run_in_processes([("calico_node", args(etcd, **task)) for task in tasks])
    succeeded = [task for task, result in zip(tasks, results) if not result.get("failed")]
    failed = [(task, result["msg"]) for task, result in zip(tasks, results) if result.get("failed")]
    # A run may only fail by giving up under contention, and then it wrote nothing.
    for _task, message in failed:
        assert "kept changing under concurrent writers" in message, message
    assert all(result["changed"] for result in results if not result.get("failed"))
    document = json.loads(stored(etcd)[0])
    labels, bgp = document["metadata"]["labels"], document["spec"]["bgp"]

    def present(task):
        if "labels" in task:
            return all(labels.get(key) == value for key, value in task["labels"].items())
        if "as_number" in task:
            return bgp.get("asNumber") == 65011
        if "ipv6_address" in task:
            return bgp.get("ipv6Address") == "fd00:10::11/64"
        return bgp.get("routeReflectorClusterID") == "224.0.0.1"

    assert [task for task in succeeded if not present(task)] == []  # no update lost
    assert [task for task, _message in failed if present(task)] == []  # a run that gave up wrote nothing
    # Each conflict a run lost was someone else's successful write, so a run that gave up after
    # DEFAULT_ATTEMPTS conflicts proves at least that many others succeeded.
    assert not failed or len(succeeded) >= DEFAULT_ATTEMPTS
    # Re-running what gave up completes the set; calico/node's own fields survived all of it.
    for task, _message in failed:
        run_module("calico_node", args(etcd, **task))
    document = json.loads(stored(etcd)[0])
    assert all("worker-%d" % index in document["metadata"]["labels"] for index in range(9))
    assert document["spec"]["bgp"] == {
        "asNumber": 65011, "ipv4Address": "172.31.3.11/32", "ipv6Address": "fd00:10::11/64",
        "ipv4IPIPTunnelAddr": "10.244.1.1", "routeReflectorClusterID": "224.0.0.1"}
    original = json.loads(CALICO_NODE_JSON)
    for field in ("orchRefs", "addresses", "wireguard", "futureSpecField", "ipv4VXLANTunnelAddr"):
        assert document["spec"][field] == original["spec"][field]
    assert document["status"] == original["status"]
    assert document["metadata"]["uid"] == original["metadata"]["uid"]
    assert document["metadata"]["annotations"] == original["metadata"]["annotations"]


PLAYBOOK = """\
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/netops.calico.calico:
      etcd_endpoints: {endpoints}
  tasks:
{tasks}
"""


def playbook(etcd, tasks):
    return PLAYBOOK.format(endpoints=json.dumps(etcd.endpoints), tasks=textwrap.indent(textwrap.dedent(tasks), "    "))


def test_ansible_playbook_with_module_defaults_check_and_diff(etcd):
    register_node(etcd)
    run = ansible_playbook(playbook(etcd, """\
        - name: Give kube-node1 its own AS (guide flow)
          netops.calico.calico_node:
            name: kube-node1
            as_number: 65011
            labels:
              route-reflector: true
          register: first
        - name: Again, nothing to do
          netops.calico.calico_node:
            name: kube-node1
            as_number: 65011
            labels:
              route-reflector: true
          register: second
        - name: Read it back
          netops.calico.calico_node_info:
            name: kube-node1
          register: info
        - ansible.builtin.assert:
            that:
              - first is changed
              - second is not changed
              - info.nodes[0].as_number == 65011
              - info.nodes[0].effective_as_number == 65011
              - info.nodes[0].ipv4_address == '172.31.3.11/32'
              - info.nodes[0].labels['route-reflector'] == 'true'
        """))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "changed=1" in run.stdout and "failed=0" in run.stdout
    assert json.loads(stored(etcd)[0])["spec"]["bgp"]["asNumber"] == 65011

    # --check --diff on a change: reported with a diff, nothing written.
    before = stored(etcd)
    run = ansible_playbook(playbook(etcd, """\
        - netops.calico.calico_node:
            name: kube-node1
            as_number: 65099
        """), "--check", "--diff")
    assert run.returncode == 0, run.stdout + run.stderr
    assert '-            "asNumber": 65011,' in run.stdout and '+            "asNumber": 65099,' in run.stdout
    assert "changed=1" in run.stdout
    assert stored(etcd) == before

    # An unregistered node fails the play with the one-line explanation.
    run = ansible_playbook(playbook(etcd, """\
        - netops.calico.calico_node:
            name: kube-node9
            as_number: 65019
        """))
    assert run.returncode != 0
    assert "node kube-node9 is not registered in the Calico datastore" in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
