"""calico_bgp_config and calico_bgp_config_info against a real etcd server."""
import json

import pytest

from tests.integration.helpers import PREFIX, ansible_playbook, put, revision, run_in_processes, stored
from tests.support.module_runner import run_module

DEFAULT_KEY = PREFIX + "bgpconfigurations/default"


def conn(etcd, **args):
    args["etcd_endpoints"] = etcd.endpoints
    return args


def test_guide_flow_default_as_number(etcd):
    info = run_module("calico_bgp_config_info", conn(etcd))
    assert info["resource"] is None
    assert info["effective"]["as_number"] == 64512 and info["effective"]["node_to_node_mesh"] is True
    assert info["calicoctl"] == {"asNumber": "64512", "nodeToNodeMesh": "on", "logLevel": "info"}

    result = run_module("calico_bgp_config", conn(etcd, as_number=64513))
    assert result["changed"] and result["action"] == "created"
    assert run_module("calico_bgp_config_info", conn(etcd))["calicoctl"]["asNumber"] == "64513"


def test_guide_flow_mesh_off_and_on(etcd):
    run_module("calico_bgp_config", conn(etcd, node_to_node_mesh=False))
    assert run_module("calico_bgp_config_info", conn(etcd))["calicoctl"]["nodeToNodeMesh"] == "off"
    run_module("calico_bgp_config", conn(etcd, node_to_node_mesh=True))
    info = run_module("calico_bgp_config_info", conn(etcd))
    assert info["calicoctl"]["nodeToNodeMesh"] == "on"
    assert info["table"].splitlines()[1].split() == ["default", "-", "true", "-"]


def test_stored_json_has_calico_field_names_and_types(etcd):
    run_module("calico_bgp_config", conn(etcd, as_number="64513", node_to_node_mesh=False,
                                         log_severity_screen="Warning", listen_port=1179))
    document, raw, _revision = stored(etcd, DEFAULT_KEY)
    assert list(document) == ["kind", "apiVersion", "metadata", "spec"]
    assert document["kind"] == "BGPConfiguration" and document["apiVersion"] == "projectcalico.org/v3"
    assert set(document["metadata"]) == {"name", "uid", "creationTimestamp"}
    assert document["metadata"]["name"] == "default"
    assert '"asNumber":64513' in raw and '"nodeToNodeMeshEnabled":false' in raw
    assert document["spec"] == {"asNumber": 64513, "nodeToNodeMeshEnabled": False,
                                "logSeverityScreen": "Warning", "listenPort": 1179}
    assert "resourceVersion" not in raw and ": " not in raw  # compact, like Go's encoder


def test_idempotent_second_run_and_check_mode(etcd):
    run_module("calico_bgp_config", conn(etcd, as_number=64513, node_to_node_mesh=False))
    _doc, _raw, mod_revision = stored(etcd, DEFAULT_KEY)
    again = run_module("calico_bgp_config", conn(etcd, as_number=64513, node_to_node_mesh=False))
    assert again["changed"] is False
    assert stored(etcd, DEFAULT_KEY)[2] == mod_revision

    before = revision(etcd)
    checked = run_module("calico_bgp_config", conn(etcd, as_number=65000), check_mode=True, diff=True)
    assert checked["changed"] and checked["resource"]["spec"]["asNumber"] == 65000
    assert checked["diff"]["before"]["spec"]["asNumber"] == 64513
    assert checked["diff"]["after"]["spec"]["asNumber"] == 65000
    assert "uid" not in checked["diff"]["after"]["metadata"]
    assert revision(etcd) == before
    assert stored(etcd, DEFAULT_KEY)[0]["spec"]["asNumber"] == 64513


def test_calicoctl_written_document_keeps_what_we_do_not_manage(etcd):
    original = {
        "kind": "BGPConfiguration", "apiVersion": "projectcalico.org/v3",
        "metadata": {"name": "default", "uid": "0d3c7c9e-3f7a-4c55-9d0e-4b4e8e1f2a11",
                     "creationTimestamp": "2025-06-01T10:00:00Z", "labels": {"owner": "netops"},
                     "annotations": {"projectcalico.org/metadata": "{}"}},
        "spec": {"logSeverityScreen": "Info", "nodeToNodeMeshEnabled": True, "asNumber": 64512,
                 "serviceClusterIPs": [{"cidr": "10.96.0.0/12"}], "someFutureField": {"enabled": True}},
    }
    put(etcd, DEFAULT_KEY, original)
    result = run_module("calico_bgp_config", conn(etcd, as_number=64513), diff=True)
    assert result["changed"]
    document = stored(etcd, DEFAULT_KEY)[0]
    assert document["metadata"] == original["metadata"]
    expected_spec = dict(original["spec"], asNumber=64513)
    assert document["spec"] == expected_spec
    # the diff shows the change, not the uid/creationTimestamp noise
    assert result["diff"]["before"]["metadata"] == {"name": "default", "labels": {"owner": "netops"},
                                                    "annotations": {"projectcalico.org/metadata": "{}"}}


def test_unset_removes_a_field_and_absent_deletes(etcd):
    run_module("calico_bgp_config", conn(etcd, as_number=64513, listen_port=1179))
    run_module("calico_bgp_config", conn(etcd, unset=["as_number"]))
    assert stored(etcd, DEFAULT_KEY)[0]["spec"] == {"listenPort": 1179}
    assert run_module("calico_bgp_config_info", conn(etcd))["effective"]["as_number"] == 64512
    result = run_module("calico_bgp_config", conn(etcd, state="absent"))
    assert result["changed"] and result["action"] == "deleted"
    assert stored(etcd, DEFAULT_KEY)[0] is None
    assert run_module("calico_bgp_config", conn(etcd, state="absent"))["changed"] is False


def test_per_node_resource(etcd):
    run_module("calico_bgp_config", conn(etcd, node="kube-node1", log_severity_screen="Debug", listen_port=1179))
    document = stored(etcd, PREFIX + "bgpconfigurations/node.kube-node1")[0]
    assert document["metadata"]["name"] == "node.kube-node1"
    assert document["spec"] == {"logSeverityScreen": "Debug", "listenPort": 1179}
    info = run_module("calico_bgp_config_info", conn(etcd, node="kube-node1"))
    assert info["effective"]["listen_port"] == 1179 and info["effective"]["log_severity_screen"] == "Debug"
    assert info["resource"]["metadata"]["name"] == "node.kube-node1"


def test_parallel_runs_changing_different_fields_lose_nothing(etcd):
    changes = [
        dict(as_number=64999), dict(node_to_node_mesh=False), dict(log_severity_screen="Error"),
        dict(listen_port=1179), dict(service_cluster_ips=["10.96.0.0/12"]),
        dict(service_external_ips=["198.51.100.0/24"]), dict(service_load_balancer_ips=["203.0.113.0/24"]),
        dict(bind_mode="NodeIP"), dict(ignored_interfaces=["eth9*"]),
        # (not node_mesh_max_restart_time: Calico refuses it beside the mesh turned off above)
        dict(prefix_advertisements=[{"cidr": "192.0.2.0/24", "communities": ["65001:300"]}]),
    ]
    results = run_in_processes([("calico_bgp_config", conn(etcd, **change)) for change in changes])
    assert all(result.get("changed") for result in results), results
    spec = stored(etcd, DEFAULT_KEY)[0]["spec"]
    assert spec == {
        "asNumber": 64999, "nodeToNodeMeshEnabled": False, "logSeverityScreen": "Error", "listenPort": 1179,
        "serviceClusterIPs": [{"cidr": "10.96.0.0/12"}], "serviceExternalIPs": [{"cidr": "198.51.100.0/24"}],
        "serviceLoadBalancerIPs": [{"cidr": "203.0.113.0/24"}], "bindMode": "NodeIP",
        "ignoredInterfaces": ["eth9*"],
        "prefixAdvertisements": [{"cidr": "192.0.2.0/24", "communities": ["65001:300"]}],
    }


BAD_INPUTS = [
    (dict(as_number=4294967296), "as_number: 4294967296 is out of range"),
    (dict(as_number=-1), "as_number: -1 is out of range"),
    (dict(as_number="65536.1"), "as_number: '65536.1': each half"),
    (dict(as_number="64512a"), "as_number: '64512a' is not an AS number"),
    (dict(as_number="1.2.3"), "as_number: '1.2.3' is not an AS number"),
    (dict(service_cluster_ips=["10.96.0.1/12"]), "service_cluster_ips[0]: '10.96.0.1/12' has host bits set"),
    (dict(service_external_ips=["10.0.0.0/33"]), "service_external_ips[0]: '10.0.0.0/33'"),
    (dict(service_load_balancer_ips=["not-a-cidr"]), "service_load_balancer_ips[0]: 'not-a-cidr'"),
    (dict(log_severity_screen="Verbose"), "log_severity_screen"),
    (dict(listen_port=70000), "listen_port: port 70000 is out of range"),
    (dict(listen_port=0), "listen_port: port 0 is out of range"),
    (dict(node="kube-node1", as_number=64513), "as_number: only the global 'default' BGPConfiguration"),
    (dict(node="kube-node1", node_to_node_mesh=False), "node_to_node_mesh: only the global 'default'"),
    (dict(node="Kube_Node1", listen_port=1179), "node: 'Kube_Node1' is not a valid name"),
    (dict(communities=[{"name": "gold", "value": "65536:1"}],
          prefix_advertisements=[{"cidr": "10.0.0.0/24", "communities": ["gold"]}]),
     "communities[0].value: '65536:1': each part"),
    (dict(communities=[{"name": "gold", "value": "65001:1"}]), "communities: communities are defined but not used in prefix_advertisements"),
    (dict(node_mesh_max_restart_time="2 minutes"), "node_mesh_max_restart_time: '2 minutes' is not a duration"),
    (dict(ignored_interfaces=["*"]), "ignored_interfaces[0]: '*' is not an interface name"),
    (dict(bind_mode="All"), "bind_mode"),
    (dict(as_number=1, unset=["as_number"]), "unset: as_number cannot be both set and unset"),
]


@pytest.mark.parametrize("args, message", BAD_INPUTS, ids=[message.split(":")[0] + "-%d" % index
                                                           for index, (_a, message) in enumerate(BAD_INPUTS)])
def test_bad_input_names_the_field_and_writes_nothing(etcd, args, message):
    put(etcd, DEFAULT_KEY, {"kind": "BGPConfiguration", "apiVersion": "projectcalico.org/v3",
                            "metadata": {"name": "default"}, "spec": {"asNumber": 64512}})
    before = revision(etcd)
    result = run_module("calico_bgp_config", conn(etcd, **args), expect_failure=True)
    assert message in result["msg"], result["msg"]
    assert "Traceback" not in result["msg"] and "\n" not in result["msg"]
    assert revision(etcd) == before


def test_corrupt_stored_value_is_refused_and_kept(etcd):
    put(etcd, DEFAULT_KEY, "{this is not json")
    before = revision(etcd)
    result = run_module("calico_bgp_config", conn(etcd, as_number=64513), expect_failure=True)
    assert "bgpconfigurations/default is not valid JSON" in result["msg"]
    assert revision(etcd) == before
    assert stored.__call__ is not None
    raw = etcd.etcdctl("get", DEFAULT_KEY, "--print-value-only").stdout.strip()
    assert raw == "{this is not json"


def test_wrong_kind_stored_value_is_refused(etcd):
    put(etcd, DEFAULT_KEY, {"kind": "BGPPeer", "apiVersion": "projectcalico.org/v3",
                            "metadata": {"name": "default"}, "spec": {}})
    result = run_module("calico_bgp_config", conn(etcd, as_number=64513), expect_failure=True)
    assert "is a 'BGPPeer', not a BGPConfiguration" in result["msg"]


def test_datastore_not_ready_refuses_writes_but_reads_work(etcd):
    put(etcd, PREFIX + "clusterinformations/default",
        {"kind": "ClusterInformation", "apiVersion": "projectcalico.org/v3",
         "metadata": {"name": "default"}, "spec": {"datastoreReady": False}})
    before = revision(etcd)
    result = run_module("calico_bgp_config", conn(etcd, as_number=64513), expect_failure=True)
    assert "datastoreReady: false" in result["msg"]
    assert revision(etcd) == before
    assert run_module("calico_bgp_config_info", conn(etcd))["effective"]["as_number"] == 64512


PLAYBOOK = """
- name: Guide flows through ansible-playbook, connection set once for the group
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/netops.calico.calico:
      etcd_endpoints: %(endpoints)s
  tasks:
    - name: Set the default AS number
      netops.calico.calico_bgp_config:
        as_number: 64513
      register: set_as
    - name: Turn the mesh off
      netops.calico.calico_bgp_config:
        node_to_node_mesh: false
    - name: Read back
      netops.calico.calico_bgp_config_info:
      register: bgp
    - name: Check
      ansible.builtin.assert:
        that:
          - bgp.calicoctl.asNumber == "64513"
          - bgp.calicoctl.nodeToNodeMesh == "off"
"""


def test_playbook_with_module_defaults_group_check_and_diff(etcd):
    playbook = PLAYBOOK % {"endpoints": json.dumps(etcd.endpoints)}
    checked = ansible_playbook(playbook, "--check", "--diff")
    # in check mode nothing is written, so the read-back assertion must fail
    assert checked.returncode != 0 and "Assertion failed" in checked.stdout, checked.stdout
    assert '"asNumber": 64513' in checked.stdout  # the diff is shown
    assert stored(etcd, DEFAULT_KEY)[0] is None

    applied = ansible_playbook(playbook, "--diff")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "changed=2" in applied.stdout
    again = ansible_playbook(playbook)
    assert again.returncode == 0 and "changed=0" in again.stdout, again.stdout
