"""calico_bgp_peer with `peers` (bulk), ownership and purge, against a real etcd server."""
import json

from ansible_collections.netops.calico.plugins.module_utils import _datastore_etcd

from tests.integration.helpers import PREFIX, ansible_playbook, put, revision, run_in_processes, stored
from tests.support.module_runner import run_module

PEERS = PREFIX + "bgppeers/"
OWNER = {"netops.calico/managed-by": "ansible"}


def conn(etcd, **args):
    args["etcd_endpoints"] = etcd.endpoints
    return args


def rack(count, asn=65001, **extra):
    """count node-scoped peers: node-<n> peers with its ToR 10.<n/250>.<n%250>.1."""
    peers = []
    for index in range(count):
        entry = dict(node="node-%d" % index, peer_ip="10.%d.%d.1" % (index // 250, index % 250), as_number=asn)
        entry.update(extra)
        peers.append(entry)
    return peers


def stored_peers(etcd):
    output = json.loads(etcd.etcdctl("get", "--prefix", PEERS, "-w", "json").stdout)
    import base64

    return dict((base64.b64decode(kv["key"]).decode()[len(PEERS):], json.loads(base64.b64decode(kv["value"])))
                for kv in output.get("kvs", []))


def by_hand(name, spec, labels=None):
    metadata = {"name": name, "uid": "11111111-2222-4333-8444-555555555555",
                "creationTimestamp": "2025-01-01T00:00:00Z"}
    if labels:
        metadata["labels"] = labels
    return {"kind": "BGPPeer", "apiVersion": "projectcalico.org/v3", "metadata": metadata, "spec": spec}


def test_300_peers_in_several_transactions_then_noop(etcd):
    before = revision(etcd)
    result = run_module("calico_bgp_peer", conn(etcd, peers=rack(300)))
    assert result["changed"] and len(result["created"]) == 300
    assert result["transactions"] == 3 and result["writes"] == 300  # 128 + 128 + 44
    assert revision(etcd) == before + 3  # one revision per transaction
    peers = stored_peers(etcd)
    assert len(peers) == 300
    assert peers["node-7.10-0-7-1"]["spec"] == {"node": "node-7", "peerIP": "10.0.7.1", "asNumber": 65001}
    assert peers["node-7.10-0-7-1"]["metadata"]["labels"] == OWNER
    assert [item["action"] for item in result["results"]] == ["created"] * 300
    assert result["results"][299] == {"index": 299, "name": "node-299.10-1-49-1", "action": "created"}

    before = revision(etcd)
    again = run_module("calico_bgp_peer", conn(etcd, peers=rack(300)))
    assert again["changed"] is False and again["writes"] == 0 and again["transactions"] == 0
    assert len(again["unchanged"]) == 300 and revision(etcd) == before

    # only what differs is written
    changed = rack(300)
    changed[5]["as_number"] = 65099
    changed[200]["keepalive_time"] = "20s"
    result = run_module("calico_bgp_peer", conn(etcd, peers=changed + [dict(peer_ip="10.9.9.9", as_number=1)]))
    assert result["updated"] == ["node-5.10-0-5-1", "node-200.10-0-200-1"]
    assert result["created"] == ["10-9-9-9"] and result["writes"] == 3 and result["transactions"] == 1


def test_check_mode_and_diff_write_nothing(etcd):
    run_module("calico_bgp_peer", conn(etcd, peers=rack(3)))
    before = revision(etcd)
    entries = rack(4)
    entries[0]["as_number"] = 65002
    entries[1]["state"] = "absent"
    result = run_module("calico_bgp_peer", conn(etcd, peers=entries), check_mode=True, diff=True)
    assert result["changed"] and result["transactions"] == 0 and result["writes"] == 0
    assert (result["created"], result["updated"], result["deleted"], result["unchanged"]) == (
        ["node-3.10-0-3-1"], ["node-0.10-0-0-1"], ["node-1.10-0-1-1"], ["node-2.10-0-2-1"])
    diffs = dict((diff["before_header"], diff) for diff in result["diff"])
    assert diffs["BGPPeer node-0.10-0-0-1"]["before"]["spec"]["asNumber"] == 65001
    assert diffs["BGPPeer node-0.10-0-0-1"]["after"]["spec"]["asNumber"] == 65002
    assert diffs["BGPPeer node-1.10-0-1-1"]["after"] == {} and diffs["BGPPeer node-3.10-0-3-1"]["before"] == {}
    assert len(diffs) == 3 and revision(etcd) == before


def test_adopts_peers_made_elsewhere_and_states_per_entry(etcd):
    put(etcd, PEERS + "tor-a", by_hand("tor-a", {"node": "node-0", "peerIP": "10.0.0.1", "asNumber": 65001}))
    result = run_module("calico_bgp_peer", conn(etcd, peers=rack(2) + [
        dict(name="to-rr", node_selector="all()", peer_selector="has(route-reflector)"),
        dict(peer_ip="10.5.5.5", state="absent")]))
    assert result["unchanged"] == ["tor-a", "10-5-5-5"] and result["created"] == ["node-1.10-0-1-1", "to-rr"]
    assert sorted(stored_peers(etcd)) == ["node-1.10-0-1-1", "to-rr", "tor-a"]
    removed = run_module("calico_bgp_peer", conn(etcd, state="absent", peers=rack(2)))
    assert removed["deleted"] == ["tor-a", "node-1.10-0-1-1"]
    assert sorted(stored_peers(etcd)) == ["to-rr"]


def test_conflicting_writer_during_bulk_apply_loses_nothing(etcd, monkeypatch):
    run_module("calico_bgp_peer", conn(etcd, peers=rack(200)))
    real_commit = _datastore_etcd.EtcdDatastore.commit
    interference = {"commits": 0}

    def commit_with_a_concurrent_writer(self, writes):
        interference["commits"] += 1
        if interference["commits"] in (1, 3):
            # someone else labels a peer of this very batch between our read and our write
            key = writes[-1].key
            document = stored(etcd, key)[0]
            document["metadata"].setdefault("labels", {})["other-writer-%d" % interference["commits"]] = "yes"
            put(etcd, key, document)
        return real_commit(self, writes)

    monkeypatch.setattr(_datastore_etcd.EtcdDatastore, "commit", commit_with_a_concurrent_writer)
    result = run_module("calico_bgp_peer", conn(etcd, peers=rack(200, labels={"rollout": "2"})))
    assert sorted(result["updated"]) == sorted(item["name"] for item in result["results"])
    assert len(result["updated"]) == 200 and result["writes"] == 200
    assert result["transactions"] == 4  # two refused by compare-and-swap, then 128 + 72 written
    peers = stored_peers(etcd)
    assert all(peer["metadata"]["labels"]["rollout"] == "2" for peer in peers.values())
    touched = [peer["metadata"]["labels"] for peer in peers.values()
               if any(key.startswith("other-writer") for key in peer["metadata"]["labels"])]
    assert len(touched) == 2  # both concurrent changes survived, merged with ours
    assert all(labels["rollout"] == "2" and labels["netops.calico/managed-by"] == "ansible" for labels in touched)


def test_concurrent_bulk_runs_on_overlapping_peers_lose_nothing(etcd):
    run_module("calico_bgp_peer", conn(etcd, peers=rack(150)))
    calls = [("calico_bgp_peer", conn(etcd, peers=rack(150, labels={"writer-%d" % index: "yes"})))
             for index in range(3)]
    results = run_in_processes(calls)
    assert all(not result.get("failed") for result in results), [result.get("msg") for result in results]
    for peer in stored_peers(etcd).values():
        assert set(peer["metadata"]["labels"]) == {"netops.calico/managed-by", "writer-0", "writer-1", "writer-2"}


def test_purge_removes_exactly_the_owned_unlisted_peers_in_scope(etcd):
    run_module("calico_bgp_peer", conn(etcd, peers=rack(4)))  # node-0 .. node-3, owned
    run_module("calico_bgp_peer", conn(etcd, peer_ip="10.200.0.1", as_number=65000))  # owned global
    run_module("calico_bgp_peer", conn(etcd, name="rack-sel", node_selector="rack == 'r1'",
                                       peer_ip="10.201.0.1", as_number=65000))  # owned selector peer
    put(etcd, PEERS + "hand-made", by_hand("hand-made", {"node": "node-1", "peerIP": "10.99.0.1", "asNumber": 1}))
    put(etcd, PEERS + "other-owner", by_hand(
        "other-owner", {"node": "node-2", "peerIP": "10.99.0.2", "asNumber": 1},
        {"netops.calico/managed-by": "someone-else"}))
    before = revision(etcd)
    keep = rack(2)  # node-0, node-1 stay listed
    scope = {"nodes": ["node-0", "node-1", "node-2"]}  # node-3 is out of scope
    checked = run_module("calico_bgp_peer", conn(etcd, peers=keep, purge=True, purge_scope=scope),
                         check_mode=True)
    assert checked["deleted"] == ["node-2.10-0-2-1"] and revision(etcd) == before
    result = run_module("calico_bgp_peer", conn(etcd, peers=keep, purge=True, purge_scope=scope))
    assert result["deleted"] == ["node-2.10-0-2-1"]
    assert result["results"][-1] == {"index": None, "name": "node-2.10-0-2-1", "action": "deleted"}
    assert sorted(stored_peers(etcd)) == ["10-200-0-1", "hand-made", "node-0.10-0-0-1", "node-1.10-0-1-1",
                                          "node-3.10-0-3-1", "other-owner", "rack-sel"]
    # global scope: the owned global peer goes, the selector peer and node peers stay
    result = run_module("calico_bgp_peer", conn(etcd, peers=[], purge=True, purge_scope={"global": True}))
    assert result["deleted"] == ["10-200-0-1"]
    assert "rack-sel" in stored_peers(etcd) and "hand-made" in stored_peers(etcd)


def test_invalid_entries_are_all_reported_by_index_before_any_write(etcd):
    before = revision(etcd)
    entries = rack(3) + [
        dict(peer_ip="10.0.0.300", as_number=1),
        dict(node="node-1", peer_ip="10.0.0.1", as_number="99999999999"),
        dict(name="sel", peer_ip="10.0.0.2", peer_selector="has(rr)"),
        dict(peer_ip="10.0.0.3", as_number=1, colour="blue"),
        dict(peer_ip="10.0.0.4", as_number=1, ttl_security="many"),
        dict(node="node-0", peer_ip="10.0.0.1", as_number=65001),  # the same peer as entry 0
    ]
    failed = run_module("calico_bgp_peer", conn(etcd, peers=entries), expect_failure=True)
    message = failed["msg"]
    for expected in ("peers[3].peer_ip: ", "peers[4].as_number: ", "peers[5].peer_ip, peers[5].peer_selector: ",
                     "peers[6].colour: unknown option", "peers[7].ttl_security: ",
                     "peers[8].peer_ip: peer 10.0.0.1 (node node-0) is also defined by peers[0]"):
        assert expected in message, (expected, message)
    assert "peers[0]" not in message.replace("by peers[0]", "")
    assert revision(etcd) == before

    # problems only visible after the read (stored fields) are also reported together, before writing
    run_module("calico_bgp_peer", conn(etcd, name="a", node_selector="all()", peer_selector="has(rr)"))
    run_module("calico_bgp_peer", conn(etcd, name="b", peer_ip="10.1.1.1", as_number=1, keep_original_next_hop=True))
    before = revision(etcd)
    failed = run_module("calico_bgp_peer", conn(etcd, peers=[
        dict(peer_ip="10.3.3.3", as_number=1), dict(name="a", node="node-1"),
        dict(name="b", next_hop_mode="Self")]), expect_failure=True)
    assert "peers[1].node, peers[1].node_selector: " in failed["msg"]
    assert "peers[2].keep_original_next_hop, peers[2].next_hop_mode: " in failed["msg"]
    assert revision(etcd) == before


def test_bulk_option_errors(etcd):
    before = revision(etcd)
    mixed = run_module("calico_bgp_peer", conn(etcd, peers=rack(1), peer_ip="10.0.0.1"), expect_failure=True)
    assert mixed["msg"].startswith("peers: ") and "peer_ip" in mixed["msg"]
    no_scope = run_module("calico_bgp_peer", conn(etcd, peers=rack(1), purge=True), expect_failure=True)
    assert no_scope["msg"].startswith("purge_scope: ")
    empty_scope = run_module("calico_bgp_peer", conn(etcd, peers=rack(1), purge=True, purge_scope={}),
                             expect_failure=True)
    assert empty_scope["msg"].startswith("purge_scope: ")
    assert revision(etcd) == before


def test_real_playbook_bulk_task(etcd):
    entries = json.dumps(rack(20))
    playbook = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/netops.calico.calico:
      etcd_endpoints: %s
  vars:
    rack_peers: %s
  tasks:
    - name: The whole rack in one task
      netops.calico.calico_bgp_peer:
        peers: "{{ rack_peers }}"
        purge: true
        purge_scope:
          nodes: "{{ rack_peers | map(attribute='node') | list }}"
      register: bulk
    - ansible.builtin.assert:
        that:
          - bulk.results | length == 20
          - (bulk.created + bulk.unchanged) | length == 20
""" % (json.dumps(etcd.endpoints), entries)
    checked = ansible_playbook(playbook, "--check", "--diff")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "changed=1" in checked.stdout and stored_peers(etcd) == {}
    applied = ansible_playbook(playbook)
    assert applied.returncode == 0 and "changed=1" in applied.stdout, applied.stdout
    assert len(stored_peers(etcd)) == 20
    again = ansible_playbook(playbook)
    assert again.returncode == 0 and "changed=0" in again.stdout, again.stdout


def test_every_write_of_a_transaction_is_guarded(etcd):
    """The batched commit refuses the whole transaction when any one guard fails."""
    from ansible_collections.netops.calico.plugins.module_utils._datastore_settings import resolve_settings

    datastore = _datastore_etcd.EtcdDatastore(resolve_settings({"etcd_endpoints": etcd.endpoints}))
    try:
        key_a, key_b = PEERS + "guard-a", PEERS + "guard-b"
        first = datastore.commit([_datastore_etcd.Write("create", key_a, b"a1", 0), _datastore_etcd.Write("create", key_b, b"b1", 0)])
        assert first is not None
        before = revision(etcd)
        assert datastore.commit([_datastore_etcd.Write("create", PEERS + "guard-c", b"c", 0),
                                 _datastore_etcd.Write("create", key_a, b"again", 0)]) is None  # exists
        assert datastore.commit([_datastore_etcd.Write("update", key_a, b"a2", first),
                                 _datastore_etcd.Write("update", key_b, b"b2", first - 1)]) is None  # stale
        assert datastore.commit([_datastore_etcd.Write("delete", key_b, None, first + 5)]) is None  # stale
        assert revision(etcd) == before and stored_peers_raw(etcd) == {"guard-a": "a1", "guard-b": "b1"}
        second = datastore.commit([_datastore_etcd.Write("update", key_a, b"a2", first),
                                   _datastore_etcd.Write("delete", key_b, None, first)])
        assert second == before + 1 and stored_peers_raw(etcd) == {"guard-a": "a2"}
    finally:
        datastore.close()


def stored_peers_raw(etcd):
    lines = etcd.etcdctl("get", "--prefix", PEERS).stdout.splitlines()
    return dict((lines[index][len(PEERS):], lines[index + 1]) for index in range(0, len(lines), 2))


def test_a_read_larger_than_grpc_default_limit_works(etcd):
    """One prefix read of more than gRPC's default 4 MiB (about 11,000 ordinary peers)."""
    from ansible_collections.netops.calico.plugins.module_utils._datastore_settings import resolve_settings

    datastore = _datastore_etcd.EtcdDatastore(resolve_settings({"etcd_endpoints": etcd.endpoints}))
    bulky = "x" * 15000  # an annotation calico/node or another tool might carry
    try:
        for start in range(0, 320, 64):  # 64 per transaction stays under etcd's 1.5 MiB request limit
            writes = []
            for index in range(start, start + 64):
                document = by_hand("peer-%d" % index, {"node": "node-%d" % index,
                                                       "peerIP": "10.0.%d.%d" % (index // 250, index % 250),
                                                       "asNumber": 65001})
                document["metadata"]["annotations"] = {"note": bulky}
                writes.append(_datastore_etcd.Write("create", PEERS + "peer-%d" % index, json.dumps(document).encode(), 0))
            assert datastore.commit(writes) is not None
    finally:
        datastore.close()
    entries = [dict(node="node-%d" % index, peer_ip="10.0.%d.%d" % (index // 250, index % 250), as_number=65001)
               for index in range(320)]
    before = revision(etcd)
    result = run_module("calico_bgp_peer", conn(etcd, peers=entries))
    assert len(result["unchanged"]) == 320 and result["writes"] == 0 and revision(etcd) == before


def test_an_interrupted_bulk_apply_reports_what_was_committed_and_a_rerun_completes_it(etcd, monkeypatch):
    real_commit = _datastore_etcd.EtcdDatastore.commit
    commits = []

    def commit_then_lose_the_datastore(self, writes):
        commits.append(len(writes))
        if len(commits) == 2:  # etcd goes away after the first transaction was committed
            raise _datastore_etcd.DatastoreError("cannot reach the etcd datastore: etcd at %s: connection refused"
                                                 % etcd.endpoints[0])
        return real_commit(self, writes)

    monkeypatch.setattr(_datastore_etcd.EtcdDatastore, "commit", commit_then_lose_the_datastore)
    result = run_module("calico_bgp_peer", conn(etcd, peers=rack(300)), expect_failure=True)
    assert result["changed"] is True and result["committed"] == 128
    assert "128 of 300 operations had been committed" in result["msg"]
    assert "run the task again to complete it" in result["msg"]
    assert len(stored_peers(etcd)) == 128

    monkeypatch.setattr(_datastore_etcd.EtcdDatastore, "commit", real_commit)
    again = run_module("calico_bgp_peer", conn(etcd, peers=rack(300)))
    assert again["changed"] and again["writes"] == 172 and len(again["unchanged"]) == 128
    assert len(stored_peers(etcd)) == 300
