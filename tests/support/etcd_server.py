"""Real etcd servers for the tests and the lab: one member or a small cluster on loopback,
optionally with TLS client certificates, each on ports and a data directory of its own."""
import os
import subprocess
import tempfile
import time

from tests.support.processes import find_binary, free_port, stop_process, wait_for_port


class EtcdMember(object):
    def __init__(self, name, workdir, client_port, peer_port, tls=None, client_cert_auth=True):
        self.name = name
        self.client_port = client_port
        self.peer_port = peer_port
        self.data_dir = os.path.join(workdir, name + ".etcd")
        self.log_path = os.path.join(workdir, name + ".log")
        self.tls = tls
        self.client_cert_auth = client_cert_auth
        self.proc = None

    @property
    def scheme(self):
        return "https" if self.tls else "http"

    @property
    def endpoint(self):
        return "%s://127.0.0.1:%d" % (self.scheme, self.client_port)

    @property
    def peer_url(self):
        return "http://127.0.0.1:%d" % self.peer_port

    def start(self, initial_cluster, cluster_token):
        args = [
            find_binary("etcd"),
            "--name", self.name,
            "--data-dir", self.data_dir,
            "--listen-client-urls", self.endpoint,
            "--advertise-client-urls", self.endpoint,
            "--listen-peer-urls", self.peer_url,
            "--initial-advertise-peer-urls", self.peer_url,
            "--initial-cluster", initial_cluster,
            "--initial-cluster-token", cluster_token,
            "--initial-cluster-state", "new",
            "--log-level", "error",
        ]
        if self.tls:
            args += [
                "--cert-file", self.tls.server_cert,
                "--key-file", self.tls.server_key,
            ]
            if self.client_cert_auth:
                # etcd checks client certificates against this CA whenever it is given
                args += ["--trusted-ca-file", self.tls.ca_cert, "--client-cert-auth"]
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc, term_timeout=5.0)

    def kill(self):
        """Crash the member (no graceful leave), as a failed machine would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


class EtcdCluster(object):
    """`size` members on 127.0.0.1. Use as a context manager or call start()/stop()."""

    def __init__(self, size=1, workdir=None, tls=None, client_cert_auth=True):
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="netops-calico-etcd-")
        self.tls = tls
        self.members = [
            EtcdMember("member%d" % index, self.workdir, free_port(), free_port(), tls, client_cert_auth)
            for index in range(size)
        ]

    @property
    def endpoints(self):
        return [member.endpoint for member in self.members]

    def start(self, timeout=20.0):
        initial = ",".join("%s=%s" % (m.name, m.peer_url) for m in self.members)
        token = os.path.basename(self.workdir)
        for member in self.members:
            member.start(initial, token)
        for member in self.members:
            wait_for_port("127.0.0.1", member.client_port, timeout)
        self.wait_healthy(timeout)
        return self

    def etcdctl(self, *args, **kwargs):
        """Run etcdctl against the cluster; returns CompletedProcess (text)."""
        env = dict(os.environ, ETCDCTL_API="3")
        cmd = [find_binary("etcdctl"), "--endpoints", ",".join(self.endpoints)]
        if self.tls:
            cmd += ["--cacert", self.tls.ca_cert, "--cert", self.tls.client_cert,
                    "--key", self.tls.client_key]
        cmd += list(args)
        return subprocess.run(cmd, env=env, capture_output=True, text=True,
                              check=kwargs.pop("check", True), **kwargs)

    def wait_healthy(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            result = self.etcdctl("endpoint", "health", check=False)
            if result.returncode == 0:
                return
            last = result.stderr.strip()
            time.sleep(0.2)
        raise TimeoutError("etcd did not become healthy: %s" % last)

    def leader_index(self):
        """Index in self.members of the current raft leader."""
        import json

        statuses = json.loads(self.etcdctl("endpoint", "status", "-w", "json").stdout)
        for status in statuses:
            if status["Status"]["header"]["member_id"] == status["Status"]["leader"]:
                return self.endpoints.index(status["Endpoint"])
        raise RuntimeError("the cluster has no leader")

    def stop(self):
        for member in self.members:
            member.stop()
        if self._own_workdir:
            subprocess.run(["rm", "-rf", self.workdir], check=False)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class TlsFiles(object):
    """A throw-away CA, a server certificate for 127.0.0.1 and a client certificate (openssl)."""

    def __init__(self, directory):
        self.directory = directory
        self.ca_cert = os.path.join(directory, "ca.pem")
        self.ca_key = os.path.join(directory, "ca-key.pem")
        self.server_cert = os.path.join(directory, "server.pem")
        self.server_key = os.path.join(directory, "server-key.pem")
        self.client_cert = os.path.join(directory, "client.pem")
        self.client_key = os.path.join(directory, "client-key.pem")

    def create(self):
        openssl = find_binary("openssl")

        def run(*args):
            subprocess.run([openssl] + list(args), check=True, capture_output=True, cwd=self.directory)

        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=netops-calico-test-ca", "-keyout", self.ca_key, "-out", self.ca_cert)
        ext = os.path.join(self.directory, "server-ext.cnf")
        with open(ext, "w") as handle:
            handle.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                         "extendedKeyUsage=serverAuth,clientAuth\n")
        for name, subject, extfile in (("server", "/CN=127.0.0.1", ext), ("client", "/CN=root", None)):
            key = os.path.join(self.directory, name + "-key.pem")
            csr = os.path.join(self.directory, name + ".csr")
            run("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", key, "-out", csr)
            sign = ["x509", "-req", "-in", csr, "-CA", self.ca_cert, "-CAkey", self.ca_key,
                    "-CAcreateserial", "-days", "2", "-out", os.path.join(self.directory, name + ".pem")]
            if extfile:
                sign += ["-extfile", extfile]
            run(*sign)
        return self
