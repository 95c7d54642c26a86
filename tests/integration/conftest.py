"""Fixtures shared by the integration test modules."""
import pytest

from tests.lab.lab import Lab, free_relocation
from tests.lab.topology import Topology
from tests.support.fixtures import require_binary


@pytest.fixture(scope="module")
def lab():
    """A running default lab (dual-stack where root allows) on a free 127.N.0.0/16, one per test
    module, so these tests never collide with a `make demo` or another lab on this machine."""
    require_binary("bird")
    require_binary("etcd")
    with Lab(free_relocation(Topology.load())) as running_lab:
        yield running_lab
