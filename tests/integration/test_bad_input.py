"""Bad input of every kind, across every module, against a real etcd: each task fails with one
sentence that names the option, no traceback, no hang (an alarm stops a task that would not
end), and the etcd revision is unchanged (nothing written)."""
import signal

import pytest

from tests.integration.helpers import PREFIX, put, revision
from tests.support.module_runner import ModuleFailed, run_module

MESH_PASSWORD = {"secret_name": "bgp-secrets", "secret_key": "mesh"}
DEEP = "(" * 3000 + "has(rack)" + ")" * 2999
LONG_LABEL = "x" * 513

# (module, options, text the message must contain: the option it names)
CASES = [
    # calico_bgp_config
    ("calico_bgp_config", dict(as_number=1.1), "as_number: 1.1 is a floating-point number"),
    ("calico_bgp_config", dict(as_number=64513.0), "quote dotted AS numbers"),
    ("calico_bgp_config", dict(as_number=0), "as_number: 0 is not allowed"),
    ("calico_bgp_config", dict(as_number="abc"), "as_number: 'abc' is not an AS number"),
    ("calico_bgp_config", dict(as_number=4294967296), "as_number: 4294967296 is out of range"),
    ("calico_bgp_config", dict(as_number=True), "as_number: True is not an AS number"),
    ("calico_bgp_config", dict(as_number="\u0661\u0662"), "as_number: "),
    ("calico_bgp_config", dict(log_severity_screen="verbose"), "log_severity_screen: 'verbose' is not a log level"),
    ("calico_bgp_config", dict(log_severity_screen="Info "), "log_severity_screen: 'Info ' has whitespace"),
    ("calico_bgp_config", dict(listen_port=0), "listen_port: port 0 is out of range"),
    ("calico_bgp_config", dict(listen_port=70000), "listen_port: port 70000 is out of range"),
    ("calico_bgp_config", dict(service_cluster_ips=["10.96.0.1/12"]), "service_cluster_ips[0]: '10.96.0.1/12' has host"),
    ("calico_bgp_config", dict(service_external_ips=["x.x.x.x"]), "service_external_ips[0]: 'x.x.x.x' is not"),
    ("calico_bgp_config", dict(ignored_interfaces=["eth[0-9]"]), "ignored_interfaces[0]: 'eth[0-9]'"),
    ("calico_bgp_config", dict(ignored_interfaces=["veth?"]), "ignored_interfaces[0]: 'veth?'"),
    ("calico_bgp_config", dict(ignored_interfaces=["a:b"]), "ignored_interfaces[0]: 'a:b'"),
    ("calico_bgp_config", dict(ignored_interfaces=["*"]), "'*' alone is not allowed"),
    ("calico_bgp_config", dict(communities=[{"name": "Gold", "value": "1:1"}],
                               prefix_advertisements=[{"cidr": "10.0.0.0/24", "communities": ["1:1"]}]),
     "communities[0].name: 'Gold' is not a valid name"),
    ("calico_bgp_config", dict(communities=[{"name": "gold", "value": "65536:1"}],
                               prefix_advertisements=[{"cidr": "10.0.0.0/24", "communities": ["gold"]}]),
     "communities[0].value: '65536:1': each part must be 0 to 65535"),
    ("calico_bgp_config", dict(prefix_advertisements=[{"cidr": "10.0.0.1/24", "communities": ["1:1"]}]),
     "prefix_advertisements[0].cidr: '10.0.0.1/24' has host bits set"),
    ("calico_bgp_config", dict(prefix_advertisements=[{"cidr": "10.0.0.0/24", "communities": ["nosuch"]}]),
     "prefix_advertisements: community 'nosuch' is not defined"),
    ("calico_bgp_config", dict(prefix_advertisements=[{"cidr": "10.0.0.0/24", "communities": []}]),
     "prefix_advertisements[0].communities: is required"),
    ("calico_bgp_config", dict(communities=[{"name": "gold", "value": "1:1"}]),
     "communities: communities are defined but not used in prefix_advertisements"),
    ("calico_bgp_config", dict(node_to_node_mesh=False, node_mesh_password=MESH_PASSWORD),
     "node_mesh_password, node_to_node_mesh: cannot be set while the node-to-node mesh is off"),
    ("calico_bgp_config", dict(node_to_node_mesh=False, node_mesh_max_restart_time="2m"),
     "node_mesh_max_restart_time, node_to_node_mesh: cannot be set while the node-to-node mesh is off"),
    ("calico_bgp_config", dict(node_mesh_max_restart_time="120"), "node_mesh_max_restart_time: '120' is not a duration"),
    ("calico_bgp_config", dict(node_mesh_max_restart_time="-5s"), "node_mesh_max_restart_time: '-5s' is not a duration"),
    ("calico_bgp_config", dict(node="node1\n", listen_port=1179), "node: 'node1\\n'"),
    ("calico_bgp_config", dict(node=" node1", listen_port=1179), "node: ' node1' has whitespace"),
    ("calico_bgp_config", dict(node="Node1", listen_port=1179), "node: 'Node1' is not a valid name"),
    ("calico_bgp_config", dict(node="node1", as_number=64513), "as_number: only the global 'default'"),
    ("calico_bgp_config", dict(unset=["nope"]), "unset"),
    ("calico_bgp_config", dict(as_number=64513, unset=["as_number"]), "unset: as_number cannot be both set and unset"),
    ("calico_bgp_config", dict(as_number=64513, etcd_timeout=float("nan")), "etcd_timeout: must be a finite number"),
    ("calico_bgp_config", dict(as_number=64513, etcd_timeout=float("inf")), "etcd_timeout: must be a finite number"),
    ("calico_bgp_config", dict(as_number=64513, etcd_timeout=0), "etcd_timeout: must be a finite number"),
    ("calico_bgp_config", dict(bind_mode="All"), "bind_mode"),
    ("calico_bgp_config", dict(node_mesh_password={"secret_name": "bad name", "secret_key": "k"}),
     "node_mesh_password.secret_name: 'bad name' is not a valid name"),
    ("calico_bgp_config", dict(labels={"a b": "x"}), "labels (key 'a b')"),
    # calico_bgp_peer
    ("calico_bgp_peer", dict(peer_ip="1" * 200000, as_number=64512), "peer_ip: "),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1\n", as_number=64512), "peer_ip: '10.0.0.1\\n' has whitespace"),
    ("calico_bgp_peer", dict(peer_ip=" 10.0.0.1", as_number=64512), "peer_ip: ' 10.0.0.1' has whitespace"),
    ("calico_bgp_peer", dict(peer_ip="[fd00::1]", as_number=64512), "an IPv6 address in brackets must be followed"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1:0", as_number=64512), "peer_ip: port '0' is out of range"),
    ("calico_bgp_peer", dict(peer_ip="999.1.1.1", as_number=64512), "peer_ip: '999.1.1.1' is not a valid peer address"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1"), "as_number: required for a peer with peer_ip"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=1.1), "quote dotted AS numbers"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=0), "as_number: 0 is not allowed"),
    ("calico_bgp_peer", dict(name="peer1\n", peer_ip="10.0.0.1", as_number=64512), "name: 'peer1\\n'"),
    ("calico_bgp_peer", dict(name="Peer_1", peer_ip="10.0.0.1", as_number=64512), "name: 'Peer_1' is not a valid"),
    ("calico_bgp_peer", dict(name="p", node_selector="rack == 'r1'\n", peer_ip="10.0.0.1", as_number=64512),
     "node_selector: "),
    ("calico_bgp_peer", dict(name="p", node_selector="all ()", peer_ip="10.0.0.1", as_number=64512), "node_selector: "),
    ("calico_bgp_peer", dict(name="p", node_selector=DEEP, peer_ip="10.0.0.1", as_number=64512),
     "node_selector: is 6008 characters long; Calico allows at most 1024"),
    ("calico_bgp_peer", dict(name="p", peer_selector="!" * 5000 + "has(rr) &&"),
     "peer_selector: is 5010 characters long"),
    ("calico_bgp_peer", dict(name="p", peer_selector="has(%s)" % LONG_LABEL), "peer_selector: "),
    ("calico_bgp_peer", dict(name="p", peer_selector="has(rr)", as_number=64512), "as_number, peer_selector: "),
    ("calico_bgp_peer", dict(name="p", peer_selector="has(rr)", peer_ip="10.0.0.1"), "peer_ip, peer_selector: "),
    ("calico_bgp_peer", dict(name="p", node="n1", node_selector="all()", peer_ip="10.0.0.1", as_number=64512),
     "node, node_selector: "),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, keep_original_next_hop=True, next_hop_mode="Keep"),
     "keep_original_next_hop, next_hop_mode: exclude each other"),
    ("calico_bgp_peer", dict(name="p", peer_selector="has(rr)", reachable_by="10.0.0.254"), "reachable_by: needs peer_ip"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, reachable_by="fd00::1"),
     "reachable_by, peer_ip: must be of the same IP family"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, max_restart_time="two minutes"),
     "max_restart_time: 'two minutes' is not a duration"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, keepalive_time="20"), "keepalive_time: '20'"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, ttl_security=256), "ttl_security: 256 is out of range"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, num_allowed_local_as_numbers=-1),
     "num_allowed_local_as_numbers: -1 is out of range"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, password={"secret_name": "s"}), "secret_key"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, password={"secret_name": "s", "secret_key": "a b"}),
     "password.secret_key: 'a b' is not a valid Secret key"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, filters=["Bad_Filter"]),
     "filters[0]: 'Bad_Filter' is not a valid name"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, labels={"a b": "x"}), "labels (key 'a b')"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, labels={"rack": "r1\n"}), "labels.rack: 'r1\\n'"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, labels={"k": 1.5}), "labels.k: 1.5 is not a label"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, scope="global", node="n1"), "scope, node: "),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", peers=[{"peer_ip": "10.0.0.2", "as_number": 1}]), "peers: cannot be"),
    ("calico_bgp_peer", dict(peers=[{"peer_ip": "10.0.0.2"}]), "peers[0].as_number: required"),
    ("calico_bgp_peer", dict(peers=[{"peer_ip": "10.0.0.2", "as_number": 1, "colour": "red"}]),
     "peers[0].colour: unknown option"),
    ("calico_bgp_peer", dict(peers=[{"peer_ip": "10.0.0.2", "as_number": 1.1}]), "peers[0].as_number: 1.1"),
    ("calico_bgp_peer", dict(purge=True, peer_ip="10.0.0.1", as_number=1), "purge"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, local_as_number="x"), "local_as_number: 'x'"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, source_address="Any"), "source_address"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, next_hop_mode="keep"), "next_hop_mode"),
    ("calico_bgp_peer", dict(peer_ip="10.0.0.1", as_number=64512, etcd_timeout=float("nan")), "etcd_timeout: "),
    # calico_node (the node kube-node1 is registered, with an IPv4 address and a tunnel address)
    ("calico_node", dict(name="kube-node1\n", as_number=65011), "name: 'kube-node1\\n'"),
    ("calico_node", dict(name="kube-node1", as_number=1.1), "quote dotted AS numbers"),
    ("calico_node", dict(name="kube-node1", as_number=0), "as_number: 0 is not allowed"),
    ("calico_node", dict(name="kube-node1", ipv4_address="fd00::1/64"), "ipv4_address: 'fd00::1' is not an IPv4"),
    ("calico_node", dict(name="kube-node1", ipv6_address="10.0.0.1"), "ipv6_address: '10.0.0.1' is not an IPv6"),
    ("calico_node", dict(name="kube-node1", ipv6_address="::ffff:10.0.0.1"), "ipv6_address: '::ffff:10.0.0.1' is not"),
    ("calico_node", dict(name="kube-node1", route_reflector_cluster_id="abcdef"), "route_reflector_cluster_id: "),
    ("calico_node", dict(name="kube-node1", route_reflector_cluster_id="fd00::1"), "route_reflector_cluster_id: "),
    ("calico_node", dict(name="kube-node1", labels={".mylabel": "x"}), "labels (key '.mylabel')"),
    ("calico_node", dict(name="kube-node1", labels={"rack": "x" * 64}), "labels.rack: "),
    ("calico_node", dict(name="kube-node1", unset=["ipv4_address"]), "unset: node kube-node1 would be left without"),
    ("calico_node", dict(name="kube-node1", ipv4_address="10.0.0.1/33"), "ipv4_address: '10.0.0.1/33'"),
    # info modules
    ("calico_node_info", dict(name="Bad_Name"), "name: 'Bad_Name' is not a valid name"),
    ("calico_bgp_peer_info", dict(node="bad node"), "node: 'bad node'"),
    ("calico_bgp_peer_info", dict(scope="other"), "scope"),
    ("calico_bgp_config_info", dict(node="x y"), "node: 'x y'"),
    ("calico_bgp_config_info", dict(etcd_timeout=float("-inf")), "etcd_timeout: "),
    # calico_node_status (reads BIRD, not etcd; fails before reading anything)
    ("calico_node_status", dict(timeout=float("nan")), "timeout: nan must be a finite number"),
    ("calico_node_status", dict(wait_for=["10.0.0.1"], wait_timeout=float("inf")), "wait_timeout: inf"),
    ("calico_node_status", dict(wait_for=["node2"]), "wait_for: entry 'node2' is not a peer address"),
    ("calico_node_status", dict(wait_interval=0), "wait_interval: 0.0 must be"),
]

NODE_JSON = (
    '{"kind":"Node","apiVersion":"projectcalico.org/v3","metadata":{"name":"kube-node1",'
    '"uid":"0b6e3f0c-5d0e-4a43-8f4e-2d9f5b1c7a10","creationTimestamp":"2026-11-20T08:01:02Z"},'
    '"spec":{"bgp":{"ipv4Address":"172.31.3.11/32","ipv4IPIPTunnelAddr":"10.244.1.1"}},"status":{}}')


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def run_guarded(module, args):
    """The failure message of one module run; a run that succeeds or never ends fails the test."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)  # a guard against a task that never ends, not a speed check
    try:
        run_module(module, args)
    except ModuleFailed as failure:
        return failure.result["msg"]
    except Hang:
        raise AssertionError("%s with %s did not end within 60 s" % (module, sorted(args)))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    raise AssertionError("%s accepted %s" % (module, sorted(args)))


def test_there_are_at_least_seventy_of_them():
    assert len(CASES) >= 70
    assert set(module for module, _args, _text in CASES) == {
        "calico_bgp_config", "calico_bgp_config_info", "calico_bgp_peer", "calico_bgp_peer_info",
        "calico_node", "calico_node_info", "calico_node_status"}


CASE_IDS = ["%s-%d" % (case[0], index) for index, case in enumerate(CASES)]


@pytest.mark.parametrize("module, options, text", CASES, ids=CASE_IDS)
def test_bad_input_is_one_sentence_naming_the_option_and_writes_nothing(etcd, tmp_path, module, options, text):
    put(etcd, PREFIX + "nodes/kube-node1", NODE_JSON)
    before = revision(etcd)
    args = dict(options)
    if module == "calico_node_status":
        args.update(bird_socket=str(tmp_path / "absent.ctl"), bird6_socket=str(tmp_path / "absent6.ctl"))
    else:
        args["etcd_endpoints"] = etcd.endpoints
    message = run_guarded(module, args)
    assert text in message, message
    assert "Traceback" not in message and "\n" not in message.rstrip("\n")
    assert len(message) < 1200, "the message quotes too much of a bad value: %d characters" % len(message)
    assert revision(etcd) == before, "a refused task wrote to etcd"


@pytest.mark.parametrize("stored_field, stored_value", [
    ("nodeMeshPassword", {"secretKeyRef": {"name": "bgp-secrets", "key": "mesh"}}),
    ("nodeMeshMaxRestartTime", "2m0s"),
])
def test_turning_the_mesh_off_over_a_stored_mesh_setting_is_refused(etcd, stored_field, stored_value):
    put(etcd, PREFIX + "bgpconfigurations/default", {
        "kind": "BGPConfiguration", "apiVersion": "projectcalico.org/v3",
        "metadata": {"name": "default", "uid": "2c0b6a14-1f0c-4a4e-8f67-0a7a0c7e9d11",
                     "creationTimestamp": "2025-01-02T03:04:05Z"},
        "spec": {stored_field: stored_value}})
    before = revision(etcd)
    with pytest.raises(ModuleFailed) as failure:
        run_module("calico_bgp_config", dict(node_to_node_mesh=False, etcd_endpoints=etcd.endpoints))
    assert "cannot be set while the node-to-node mesh is off" in failure.value.result["msg"]
    assert "already stored: name it in unset to remove it" in failure.value.result["msg"]
    assert revision(etcd) == before
    # with the stored setting named in unset, the same change goes through
    option = {"nodeMeshPassword": "node_mesh_password", "nodeMeshMaxRestartTime": "node_mesh_max_restart_time"}
    result = run_module("calico_bgp_config", dict(node_to_node_mesh=False, unset=[option[stored_field]],
                                                  etcd_endpoints=etcd.endpoints))
    assert result["changed"] and stored_field not in result["resource"]["spec"]
