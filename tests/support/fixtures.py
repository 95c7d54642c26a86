"""pytest fixtures for tests that need real servers. A missing etcd or BIRD fails the test
(never skips it): `make test` installs both."""
import pytest

from tests.support.etcd_server import EtcdCluster
from tests.support.processes import MissingTool, find_binary


def require_binary(name):
    try:
        return find_binary(name)
    except MissingTool as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def etcd_cluster():
    """One real single-member etcd for the whole session."""
    require_binary("etcd")
    require_binary("etcdctl")
    cluster = EtcdCluster(size=1)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def etcd(etcd_cluster):
    """The session's etcd, emptied of everything under /calico/ before each test."""
    etcd_cluster.etcdctl("del", "--prefix", "/calico/")
    return etcd_cluster
