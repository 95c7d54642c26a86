"""The datastore connection (_etcd.py, _settings.py) against real etcd servers: TLS with client
certificates, etcd auth limited to /calico/, a 3-member cluster losing a member, no server."""
import os

import pytest

from tests.integration.helpers import PREFIX, stored
from tests.support.etcd_server import EtcdCluster, TlsFiles
from tests.support.fixtures import require_binary
from tests.support.module_runner import run_module
from tests.support.processes import free_port

DEFAULT_KEY = PREFIX + "bgpconfigurations/default"


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    require_binary("openssl")
    return TlsFiles(str(tmp_path_factory.mktemp("tls"))).create()


def test_tls_with_client_certificates(tls_files):
    require_binary("etcd")
    with EtcdCluster(size=1, tls=tls_files) as cluster:
        args = dict(etcd_endpoints=cluster.endpoints, etcd_ca_cert_file=tls_files.ca_cert,
                    etcd_cert_file=tls_files.client_cert, etcd_key_file=tls_files.client_key, as_number=64513)
        assert cluster.endpoints[0].startswith("https://")
        assert run_module("calico_bgp_config", args)["changed"]
        assert stored(cluster, DEFAULT_KEY)[0]["spec"]["asNumber"] == 64513

        # the same server without a client certificate: one clear line naming the endpoint and TLS
        result = run_module("calico_bgp_config_info", dict(
            etcd_endpoints=cluster.endpoints, etcd_ca_cert_file=tls_files.ca_cert, etcd_timeout=3),
            expect_failure=True)
        assert cluster.endpoints[0] in result["msg"] and "\n" not in result["msg"]

        # a CA that did not sign the server's certificate
        other = TlsFiles(os.path.join(tls_files.directory, "..", "other-ca"))
        os.makedirs(other.directory, exist_ok=True)
        other.create()
        result = run_module("calico_bgp_config_info", dict(
            etcd_endpoints=cluster.endpoints, etcd_ca_cert_file=other.ca_cert, etcd_cert_file=tls_files.client_cert,
            etcd_key_file=tls_files.client_key, etcd_timeout=3), expect_failure=True)
        assert cluster.endpoints[0] in result["msg"]


def enable_auth(cluster, user_args=()):
    """A root user, and a user 'calico' whose role only reaches keys under /calico/."""
    def ctl(*args):
        return cluster.etcdctl(*(list(args) + list(user_args)))

    ctl("user", "add", "root:rootpw")
    ctl("role", "add", "calico-role")
    ctl("role", "grant-permission", "calico-role", "--prefix=true", "readwrite", "/calico/")
    ctl("user", "add", "calico:calicopw")
    ctl("user", "grant-role", "calico", "calico-role")
    ctl("auth", "enable")


def test_auth_on_plaintext_with_a_role_limited_to_calico_prefix():
    with EtcdCluster(size=1) as cluster:
        enable_auth(cluster)
        args = dict(etcd_endpoints=cluster.endpoints, etcd_username="calico", etcd_password="calicopw")
        result = run_module("calico_bgp_config", dict(args, as_number=64513))
        assert result["changed"]
        assert "in clear text" in str(result.get("warnings"))
        assert "calicopw" not in str(result)
        # the role really is limited: the same user cannot write outside /calico/
        denied = cluster.etcdctl("put", "/elsewhere", "x", "--user", "calico:calicopw", check=False)
        assert denied.returncode != 0 and "permission denied" in denied.stderr

        wrong = run_module("calico_bgp_config_info", dict(args, etcd_password="wrong"), expect_failure=True)
        assert "rejected the credentials of user 'calico'" in wrong["msg"]
        assert cluster.endpoints[0] in wrong["msg"] and "wrong" not in wrong["msg"].replace("'wrong'", "")


def test_auth_over_tls(tls_files):
    # TLS for the channel, password for the identity (no client certificate)
    with EtcdCluster(size=1, tls=tls_files, client_cert_auth=False) as cluster:
        enable_auth(cluster)
        args = dict(etcd_endpoints=cluster.endpoints, etcd_ca_cert_file=tls_files.ca_cert,
                    etcd_username="calico", etcd_password="calicopw")
        result = run_module("calico_bgp_config", dict(args, node_to_node_mesh=False))
        assert result["changed"]
        assert "clear text" not in str(result.get("warnings"))
        info = run_module("calico_bgp_config_info", args)
        assert info["calicoctl"]["nodeToNodeMesh"] == "off"


def test_three_member_cluster_first_member_killed():
    with EtcdCluster(size=3) as cluster:
        # List the leader first and kill it: the hardest case (a new election must finish).
        leader = cluster.leader_index()
        endpoints = [cluster.endpoints[leader]] + [e for i, e in enumerate(cluster.endpoints) if i != leader]
        args = dict(etcd_endpoints=endpoints, etcd_timeout=5)
        assert run_module("calico_bgp_config", dict(args, as_number=64600))["changed"]
        cluster.members[leader].kill()
        result = run_module("calico_bgp_config", dict(args, as_number=64601))
        assert result["changed"] and result["resource"]["spec"]["asNumber"] == 64601
        assert run_module("calico_bgp_config_info", args)["effective"]["as_number"] == 64601
        # and a follower listed first
        follower = endpoints[1]
        cluster.members[cluster.endpoints.index(follower)].kill()
        survivors = [follower, endpoints[2]]
        result = run_module("calico_bgp_config_info", dict(args, etcd_endpoints=survivors, etcd_timeout=2),
                            expect_failure=True)
        # one member of three cannot serve a linearizable read: a clear failure naming both endpoints
        assert all(endpoint in result["msg"] for endpoint in survivors)


def test_unreachable_datastore_is_one_clear_line(monkeypatch):
    endpoint = "http://127.0.0.1:%d" % free_port()
    result = run_module("calico_bgp_config", dict(etcd_endpoints=[endpoint], as_number=64513, etcd_timeout=2),
                        expect_failure=True)
    assert result["msg"].startswith("cannot reach the etcd datastore: etcd at %s" % endpoint)
    assert "\n" not in result["msg"] and "Traceback" not in result["msg"]


def test_environment_variables_calicoctl_reads(etcd, monkeypatch):
    monkeypatch.setenv("ETCD_ENDPOINTS", "http://127.0.0.1:%d,%s" % (free_port(), etcd.endpoints[0]))
    result = run_module("calico_bgp_config", dict(as_number=64777))
    assert result["changed"]
    assert stored(etcd, DEFAULT_KEY)[0]["spec"]["asNumber"] == 64777


def test_calicoctl_config_file(etcd, tmp_path, monkeypatch):
    monkeypatch.delenv("ETCD_ENDPOINTS", raising=False)
    config = tmp_path / "calicoctl.cfg"
    config.write_text("apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nmetadata: {}\nspec:\n"
                      "  datastoreType: etcdv3\n  etcdEndpoints: %s\n" % etcd.endpoints[0])
    result = run_module("calico_bgp_config", dict(calicoctl_config=str(config), node_to_node_mesh=False))
    assert result["changed"]
    assert stored(etcd, DEFAULT_KEY)[0]["spec"] == {"nodeToNodeMeshEnabled": False}


def test_etcd3_loads_with_the_installed_protobuf_without_any_setting(etcd):
    """A module process with no PROTOCOL_BUFFERS_* variable still imports etcd3 (no pin forced)."""
    import subprocess
    import sys

    from google import protobuf
    from tests.integration.helpers import REPO_ROOT

    assert int(protobuf.__version__.split(".")[0]) >= 4, "this test is meant to run with a current protobuf"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PROTOCOL_BUFFERS")}
    env["PYTHONPATH"] = os.pathsep.join([REPO_ROOT, os.path.join(REPO_ROOT, ".tmp", "collections")])
    args = '{"etcd_endpoints": ["%s"]}' % etcd.endpoints[0]
    result = subprocess.run([sys.executable, "-m", "tests.support.module_runner", "calico_bgp_config_info", args],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and '"as_number": 64512' in result.stdout, result.stdout + result.stderr


def count_connections(monkeypatch):
    from ansible_collections.netops.calico.plugins.module_utils._datastore_etcd import EtcdDatastore

    attempts = []
    real_connect = EtcdDatastore._connect

    def connect(self, endpoint):
        attempts.append(endpoint)
        return real_connect(self, endpoint)

    monkeypatch.setattr(EtcdDatastore, "_connect", connect)
    return attempts


def test_connection_refused_everywhere_fails_after_one_attempt_per_endpoint(monkeypatch):
    attempts = count_connections(monkeypatch)
    endpoints = ["http://127.0.0.1:%d" % free_port(), "http://127.0.0.1:%d" % free_port()]
    # a long etcd_timeout: rounds would go on for 2 x 30 s if a refusal were waited out
    result = run_module("calico_bgp_config", dict(etcd_endpoints=endpoints, as_number=64513, etcd_timeout=30),
                        expect_failure=True)
    assert attempts == endpoints
    assert result["msg"].startswith("cannot reach any etcd endpoint (2 tried)")
    assert all(endpoint in result["msg"] for endpoint in endpoints)


def test_tls_failure_fails_after_one_attempt(etcd, tls_files, monkeypatch):
    attempts = count_connections(monkeypatch)
    # TLS towards a plaintext member: the handshake fails, and another round cannot cure it
    endpoint = etcd.endpoints[0].replace("http://", "https://")
    result = run_module("calico_bgp_config_info", dict(etcd_endpoints=[endpoint], etcd_ca_cert_file=tls_files.ca_cert,
                                                       etcd_timeout=30), expect_failure=True)
    assert attempts == [endpoint]
    assert endpoint in result["msg"] and "\n" not in result["msg"]


def test_delete_created_deletes_the_key_created_then_however_often_it_was_updated(etcd):
    from ansible_collections.netops.calico.plugins.module_utils._datastore_etcd import EtcdDatastore, Write
    from ansible_collections.netops.calico.plugins.module_utils._datastore_settings import ConnectionSettings
    from ansible_collections.netops.calico.plugins.module_utils._datastore_store import ResourceStore

    store = ResourceStore(EtcdDatastore(ConnectionSettings(etcd.endpoints, timeout=5.0)))
    try:
        keys = dict((name, PREFIX + "caliconodestatuses/" + name) for name in ("kept-updating", "recreated"))
        created = dict((name, store.datastore.create(key, b"{}")) for name, key in keys.items())
        for _update in range(3):  # someone (calico/node) updates one of them
            current = store.datastore.get(keys["kept-updating"])
            assert store.datastore.update(keys["kept-updating"], b'{"x":1}', current.mod_revision)
        current = store.datastore.get(keys["recreated"])
        assert store.datastore.commit([Write("delete", keys["recreated"], None, current.mod_revision)])
        assert store.datastore.create(keys["recreated"], b"{}")  # the same name, another object
        assert store.delete_created("CalicoNodeStatus", created) == ["kept-updating"]
        assert store.datastore.get(keys["kept-updating"]) is None
        assert store.datastore.get(keys["recreated"]) is not None
    finally:
        store.close()
