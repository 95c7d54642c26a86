"""Top-of-rack router configs (tests/lab/routers.py)."""
import subprocess

from tests.lab.routers import fabric_protocols, rack_protocol, render_tor_config
from tests.lab.topology import Topology
from tests.support.fixtures import require_binary


def test_tor_reflects_for_its_rack_and_peers_with_the_other_tors(tmp_path):
    topology = Topology.load()
    rack = topology.rack("r1")
    text = render_tor_config(topology, rack)
    assert "listen bgp address 127.65.1.254 port 1179;" in text
    for node in rack.nodes:
        block = text.split("protocol bgp %s " % rack_protocol(node))[1].split("}")[0]
        assert "neighbor %s port 1179 as 65001;" % node.address in block
        assert "passive on;" in block and "rr client;" in block
    assert fabric_protocols(topology, rack) == ["Fabric_127_65_2_254"]
    assert "neighbor 127.65.2.254 port 1179 as 65002;" in text
    assert "127.65.2.11" not in text  # the other rack's nodes are not its clients
    path = tmp_path / "tor.conf"
    path.write_text(text)
    result = subprocess.run([require_binary("bird"), "-p", "-c", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
