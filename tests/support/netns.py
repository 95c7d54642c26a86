"""A network namespace of the tests' own, for the lab's IPv6 side: its loopback carries the
lab's unique local IPv6 addresses, so bird6 daemons get one address each without any address
being added to this machine. Creating one needs root (CI runs as root); without it the lab runs
IPv4 only."""
import os
import subprocess
import uuid

from tests.support.processes import MissingTool, find_binary


class NetnsError(RuntimeError):
    """The namespace could not be created or set up; the message says which command failed."""


def _ip(*args):
    try:
        ip = find_binary("ip")
    except MissingTool as exc:
        raise NetnsError(str(exc))
    result = subprocess.run([ip] + list(args), capture_output=True, text=True, timeout=20, check=False)
    if result.returncode != 0:
        raise NetnsError("ip %s failed: %s" % (" ".join(args), (result.stderr or result.stdout).strip()))
    return result.stdout


def available():
    """Whether this process may create network namespaces (root with iproute2)."""
    if os.geteuid() != 0:
        return False
    try:
        find_binary("ip")
    except MissingTool:
        return False
    return True


class Netns(object):
    """One namespace: create() brings its loopback up with the given IPv6 addresses."""

    def __init__(self, name=None):
        self.name = name or "netops-calico-%s" % uuid.uuid4().hex[:10]
        self.created = False

    def create(self, addresses=()):
        _ip("netns", "add", self.name)
        self.created = True
        try:
            self.exec_ip("link", "set", "lo", "up")
            for address in addresses:
                self.exec_ip("-6", "addr", "add", "%s/128" % address, "dev", "lo", "nodad")
        except NetnsError:
            self.delete()
            raise
        return self

    def exec_ip(self, *args):
        return _ip("netns", "exec", self.name, find_binary("ip"), *args)

    def command(self, argv):
        """argv run inside the namespace (`ip netns exec` execs it: the PID stays the same)."""
        return [find_binary("ip"), "netns", "exec", self.name] + list(argv)

    def delete(self):
        if self.created or exists(self.name):
            try:
                _ip("netns", "delete", self.name)
            except NetnsError:
                pass
            self.created = False


def exists(name):
    return os.path.exists(os.path.join("/run/netns", name))
