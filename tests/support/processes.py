"""Small helpers shared by the test fixtures and the lab: ports, binaries, stopping by PID."""
import os
import shutil
import signal
import socket
import sys
import time


class MissingTool(RuntimeError):
    """A binary the tests need is not installed (make test installs it)."""


def find_binary(name):
    """Path of `name`, looking beside this Python first (pip-installed etcd), then on PATH."""
    beside_python = os.path.join(os.path.dirname(sys.executable), name)
    if os.access(beside_python, os.X_OK):
        return beside_python
    for path in (shutil.which(name), "/usr/sbin/" + name, "/usr/bin/" + name):
        if path and os.access(path, os.X_OK):
            return path
    raise MissingTool(
        "%s is not installed; run the tests through 'make test', which installs it" % name)


def free_port(host="127.0.0.1"):
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_for_port(host, port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("nothing listens on %s:%s after %.0f s" % (host, port, timeout))


def pid_alive(pid):
    """True while the process runs. A zombie counts as gone: where PID 1 does not reap orphans
    (as in some containers), a stopped daemon stays a zombie forever."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid) as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except (IOError, OSError, IndexError):
        return True
    return state not in ("Z", "X")


def stop_process(proc, term_timeout=20.0):
    """SIGTERM a subprocess.Popen, then SIGKILL it if it lingers; always reaps it."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=term_timeout)
        except Exception:  # subprocess.TimeoutExpired: a member without quorum can hang
            proc.kill()
            proc.wait(timeout=10)


def stop_processes(procs, grace=2.0):
    """SIGTERM every subprocess.Popen at once, SIGKILL those still running after one shared grace
    period, reap them all: a large lab stops in about `grace` seconds, not one wait per process."""
    live = [proc for proc in procs if proc.poll() is None]
    for proc in live:
        try:
            proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(proc.poll() is None for proc in live):
        time.sleep(0.05)
    lingering = [proc for proc in live if proc.poll() is None]  # they ignored SIGTERM
    for proc in lingering:
        proc.kill()
    deadline = time.monotonic() + 10.0
    for proc in lingering:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except Exception:  # subprocess.TimeoutExpired: not reaped yet; the caller goes on stopping the rest
            pass


def stop_pid(pid, term_timeout=10.0):
    """Stop a process we did not spawn from this Python (e.g. a daemonised BIRD) by PID."""
    if not pid_alive(pid):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + term_timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    while pid_alive(pid):
        time.sleep(0.05)
