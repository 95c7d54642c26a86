"""calico_resource and calico_resource_info against real etcd servers: the guide's v1 manifests, the
same in v3, bad documents, and a backup exported from one etcd restored on a fresh one."""
import json

import pytest
import yaml

from tests.integration.helpers import PREFIX, put, revision, stored
from tests.support.etcd_server import EtcdCluster
from tests.support.module_runner import ModuleFailed, run_module

GUIDE_V1 = """
apiVersion: v1
kind: bgpPeer
metadata:
  peerIP: 192.20.30.40
  scope: global
spec:
  asNumber: 64567
---
apiVersion: v1
kind: bgpPeer
metadata:
  peerIP: aa:bb::ff
  scope: node
  node: node1
spec:
  asNumber: 64514
---
- apiVersion: v1
  kind: node
  metadata:
    name: kube-node1
  spec:
    bgp:
      asNumber: 65011
      ipv4Address: 172.31.3.11/32
"""

GUIDE_V3 = """
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: 192-20-30-40}
spec: {peerIP: 192.20.30.40, asNumber: 64567}
---
apiVersion: projectcalico.org/v3
kind: BGPPeerList
items:
  - apiVersion: projectcalico.org/v3
    kind: BGPPeer
    metadata: {name: node1.00aa-00bb-0000-0000-0000-0000-0000-00ff}
    spec: {node: node1, peerIP: "aa:bb::ff", asNumber: 64514}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: kube-node1}
spec: {bgp: {asNumber: 65011, ipv4Address: 172.31.3.11/32}}
"""

NODE = {"kind": "Node", "apiVersion": "projectcalico.org/v3",
        "metadata": {"name": "kube-node1", "uid": "0b6e3f0c-5d0e-4a43-8f4e-2d9f5b1c7a10",
                     "creationTimestamp": "2026-11-20T08:01:02Z"},
        "spec": {"bgp": {"ipv4Address": "172.31.3.11/32"},
                 "orchRefs": [{"nodeName": "kube-node1", "orchestrator": "k8s"}]},
        "status": {}}


def conn(etcd, **args):
    args["etcd_endpoints"] = etcd.endpoints
    return args


def resources(etcd):
    """{key: spec and labels} of every BGP resource, without uid and creation time."""
    output = json.loads(etcd.etcdctl("get", "--prefix", PREFIX, "-w", "json").stdout)
    import base64
    found = {}
    for kv in output.get("kvs", []):
        key = base64.b64decode(kv["key"]).decode()
        if "/clusterinformations/" in key:
            continue
        value = json.loads(base64.b64decode(kv["value"]))
        found[key] = {"spec": value.get("spec"), "labels": value["metadata"].get("labels"),
                      "status": value.get("status")}
    return found


def with_dedicated_modules(etcd):
    put(etcd, PREFIX + "nodes/kube-node1", NODE)
    run_module("calico_bgp_peer", conn(etcd, peer_ip="192.20.30.40", as_number=64567))
    run_module("calico_bgp_peer", conn(etcd, peer_ip="aa:bb::ff", node="node1", as_number=64514))
    run_module("calico_node", conn(etcd, name="kube-node1", as_number=65011))
    return resources(etcd)


def test_the_guides_v1_manifests_give_what_the_dedicated_modules_give(etcd):
    expected = with_dedicated_modules(etcd)
    etcd.etcdctl("del", "--prefix", "/calico/")
    put(etcd, PREFIX + "nodes/kube-node1", NODE)
    result = run_module("calico_resource", conn(etcd, definition=GUIDE_V1), diff=True)
    assert result["changed"]
    assert [(r["kind"], r["name"], r["action"]) for r in result["results"]] == [
        ("BGPPeer", "192-20-30-40", "created"),
        ("BGPPeer", "node1.00aa-00bb-0000-0000-0000-0000-0000-00ff", "created"),
        ("Node", "kube-node1", "updated")]
    warnings = json.dumps(result["warnings"])
    assert "converted the v1 bgpPeer (peerIP 192.20.30.40, scope global) to the v3 BGPPeer 192-20-30-40" in warnings
    assert "converted the v1 node kube-node1 to the v3 Node kube-node1" in warnings
    assert resources(etcd) == expected
    before = revision(etcd)
    again = run_module("calico_resource", conn(etcd, definition=GUIDE_V1))
    assert again["changed"] is False and revision(etcd) == before


def test_the_same_in_v3(etcd, tmp_path):
    expected = with_dedicated_modules(etcd)
    etcd.etcdctl("del", "--prefix", "/calico/")
    put(etcd, PREFIX + "nodes/kube-node1", NODE)
    manifest = tmp_path / "guide.yaml"
    manifest.write_text(GUIDE_V3)
    check = run_module("calico_resource", conn(etcd, src=str(manifest)), check_mode=True)
    assert check["changed"] and resources(etcd) == {PREFIX + "nodes/kube-node1": {
        "spec": NODE["spec"], "labels": None, "status": {}}}
    assert run_module("calico_resource", conn(etcd, src=str(manifest)))["changed"]
    # the v3 names are the migration names, so the same peers result (apart from the owner label the
    # dedicated modules give a peer they create, which a manifest's peer gets too)
    assert resources(etcd) == expected
    before = revision(etcd)
    assert run_module("calico_resource", conn(etcd, src=str(manifest)))["changed"] is False
    assert revision(etcd) == before
    deleted = run_module("calico_resource", conn(etcd, src=str(manifest), state="absent"))
    assert [r["action"] for r in deleted["results"]] == ["deleted", "deleted", None]  # a Node is never deleted
    assert sorted(resources(etcd)) == [PREFIX + "nodes/kube-node1"]


@pytest.mark.parametrize("manifest, message", [
    ("apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: a}\nspec: {peerIP: 10.0.0.1, asNumber: 1}\n"
     "---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: b}\n"
     "spec: {peerIP: 10.0.0.2, asNumber: 1, colour: red}",
     "documents[1] (BGPPeer b).spec.colour: not a field of BGPPeer that this collection knows"),
    ("apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: a}\nspec: {peerIP: 10.0.0.1, asNumber: 1}\n"
     "---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: b}\nspec: {peerIP: 10.0.0.300, asNumber: 1}",
     "documents[1] (BGPPeer b): peer_ip: '10.0.0.300' is not a valid peer address"),
    ("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.0.0/8}",
     "documents[0].kind: 'IPPool' is not a kind this collection manages"),
    ("apiVersion: v2\nkind: BGPPeer\nmetadata: {name: p}", "documents[0].apiVersion: 'v2' is not projectcalico.org/v3"),
    ("apiVersion: v1\nkind: bgpPeer\nmetadata: {scope: global}\nspec: {asNumber: 1}",
     "documents[0].metadata.peerIP: is required in a v1 bgpPeer"),
    ("apiVersion: v1\nkind: bgpPeer\nmetadata: {peerIP: 10.0.0.1, scope: node}\nspec: {asNumber: 1}",
     "documents[0].metadata.node: is required with scope node"),
    ("apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: global}\nspec: {asNumber: 1}",
     "documents[0] (BGPConfiguration global): metadata.name: 'global': a BGPConfiguration is named default"),
    ("apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: default}\n"
     "spec: {nodeMeshMaxRestartTime: 2m, nodeToNodeMeshEnabled: false}",
     "documents[0] (BGPConfiguration default): node_mesh_max_restart_time, node_to_node_mesh: cannot be set"),
    ("kind: [", "definition: is not valid YAML"),
])
def test_a_bad_document_is_refused_naming_it_and_nothing_is_written(etcd, manifest, message):
    before = revision(etcd)
    with pytest.raises(ModuleFailed) as failure:
        run_module("calico_resource", conn(etcd, definition=manifest))
    assert message in failure.value.result["msg"], failure.value.result["msg"]
    assert revision(etcd) == before


def test_export_then_restore_on_a_fresh_etcd(etcd):
    put(etcd, PREFIX + "nodes/kube-node1", NODE)
    run_module("calico_bgp_config", conn(etcd, as_number=64513, node_to_node_mesh=False, listen_port=1179,
                                         node_mesh_password=None, labels={"team": "net"}))
    run_module("calico_bgp_config", conn(etcd, node="kube-node1", log_severity_screen="Debug"))
    run_module("calico_bgp_filter", conn(etcd, name="tor-out", export_v4=[
        {"action": "Accept", "cidr": "10.244.0.0/16", "match_operator": "In", "prefix_length": {"max": 26}},
        {"action": "Reject"}], import_v6=[{"action": "Reject", "peer_type": "eBGP"}]))
    run_module("calico_bgp_peer", conn(etcd, name="rack1-tor", node_selector="rack == 'r1'", peer_ip="10.0.1.254",
                                       as_number=65001, filters=["tor-out"], keepalive_time="20s",
                                       password={"secret_name": "bgp", "secret_key": "r1", "optional": True}))
    run_module("calico_bgp_peer", conn(etcd, peer_ip="192.20.30.40", as_number=64567))
    run_module("calico_node", conn(etcd, name="kube-node1", as_number=65011, labels={"rack": "r1"}))
    original = resources(etcd)

    export = run_module("calico_resource_info", conn(etcd))
    kinds = [resource["kind"] for resource in export["resources"]]
    assert kinds == ["BGPConfiguration", "BGPConfiguration", "Node", "BGPFilter", "BGPPeer", "BGPPeer"]
    assert all("uid" not in r["metadata"] and "creationTimestamp" not in r["metadata"] for r in export["resources"])
    assert list(yaml.safe_load_all(export["manifest"])) == export["resources"]

    # on the first etcd, the export applies as a no-op
    before = revision(etcd)
    assert run_module("calico_resource", conn(etcd, definition=export["manifest"]))["changed"] is False
    assert revision(etcd) == before

    # on a fresh etcd (calico/node registered the node there), it restores every resource
    with EtcdCluster(size=1) as fresh:
        put(fresh, PREFIX + "nodes/kube-node1", NODE)
        restored = run_module("calico_resource", conn(fresh, definition=export["manifest"]))
        assert restored["changed"]
        assert resources(fresh) == original
        assert run_module("calico_resource", conn(fresh, definition=export["manifest"]))["changed"] is False
        raw_original = stored(etcd, PREFIX + "bgpfilters/tor-out")[1]
        raw_restored = stored(fresh, PREFIX + "bgpfilters/tor-out")[1]
        # byte for byte from the spec on (uid and creation time differ)
        assert raw_restored[raw_restored.index('"spec"'):] == raw_original[raw_original.index('"spec"'):]
