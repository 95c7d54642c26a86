"""pytest fixtures for real BIRD 1.6 daemons. A missing bird/bird6/birdc fails the test (never
skips it): `make test` installs Debian's `bird` package."""
import os
import shutil
import tempfile

import pytest

from tests.support.bird_daemon import BirdDaemon
from tests.support.fixtures import require_binary


class BirdDaemons(object):
    """Creates daemons in one short working directory and stops them all at teardown."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.daemons = []

    def new(self, name, router_id, ipv6=False):
        require_binary("bird6" if ipv6 else "bird")
        require_binary("birdc6" if ipv6 else "birdc")
        daemon = BirdDaemon(name, self.workdir, router_id, ipv6=ipv6)
        self.daemons.append(daemon)
        return daemon

    def stop_all(self):
        for daemon in self.daemons:
            daemon.stop()


def _short_workdir():
    # Unix socket paths are limited to 107 bytes: pytest's tmp_path is often longer.
    return tempfile.mkdtemp(prefix="ncbird-", dir="/tmp")


@pytest.fixture
def bird_daemons():
    """Factory for BIRD daemons that live for one test: `bird_daemons.new(name, router_id)`."""
    workdir = _short_workdir()
    daemons = BirdDaemons(workdir)
    yield daemons
    daemons.stop_all()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def module_bird_daemons():
    """Same factory, shared by the tests of one module (start a topology once)."""
    workdir = _short_workdir()
    daemons = BirdDaemons(workdir)
    yield daemons
    daemons.stop_all()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def sockets():
    """name -> a path for a unix socket in a short-lived directory (socket paths must be short)."""
    directory = tempfile.mkdtemp(prefix="ncb-", dir="/tmp")
    yield lambda name: os.path.join(directory, name)
    shutil.rmtree(directory, ignore_errors=True)
