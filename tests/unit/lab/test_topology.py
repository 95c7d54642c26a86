"""The lab's topology file (tests/lab/topology.py)."""
import pytest

from tests.lab.topology import Topology, TopologyError


def test_default_topology_is_two_racks_of_three_nodes_with_one_tor_each():
    topology = Topology.load()
    assert [rack.name for rack in topology.racks] == ["r1", "r2"]
    assert [len(rack.nodes) for rack in topology.racks] == [3, 3]
    assert [tor.name for tor in topology.tors] == ["tor-r1", "tor-r2"]
    assert topology.listen_port == 1179
    node = topology.node("r2-n1")
    assert (node.address, node.as_number, node.labels, node.pod_block) == \
        ("127.65.2.11", 65002, {"rack": "r2"}, "10.244.2.0/26")
    assert all(n.address.startswith("127.") for n in topology.nodes + topology.tors)


def test_relocated_moves_every_address_to_another_loopback_range():
    moved = Topology.load().relocated(180)
    assert moved.node("r1-n1").address == "127.180.1.11"
    assert moved.rack("r2").tor.address == "127.180.2.254"
    assert moved.node("r1-n1").pod_block == "10.244.1.0/26"


def _data(**changes):
    data = {"racks": [{"name": "r1", "as_number": 65001, "tor": {"name": "tor-r1", "address": "127.66.1.254"},
                       "nodes": [{"name": "n1", "address": "127.66.1.11", "pod_block": "10.244.1.0/26"},
                                 {"name": "n2", "address": "127.66.1.12", "pod_block": "10.244.1.64/26",
                                  "as_number": None, "labels": {"role": "edge"}}]}]}
    node = data["racks"][0]["nodes"][0]
    node.update(changes)
    return data


def test_node_options():
    topology = Topology(_data())
    assert topology.node("n2").as_number is None  # null: the node uses the global AS
    assert topology.node("n2").labels == {"rack": "r1", "role": "edge"}


@pytest.mark.parametrize("changes, message", [
    ({"address": "10.1.1.1"}, "not on loopback"),
    ({"address": "127.66.1.12"}, "used by both"),
    ({"name": "N1"}, "racks[0].nodes[0].name"),
    ({"pod_block": "10.99.0.0/26"}, "not inside pod_cidr"),
    ({"pod_block": "10.244.1.64/26"}, "overlap"),
    ({"as_number": "x"}, "as_number"),
])
def test_bad_topologies_are_refused_naming_the_entry(changes, message):
    with pytest.raises(TopologyError, match=r".*" + message.replace("[", r"\[").replace("]", r"\]")):
        Topology(_data(**changes))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(TopologyError, match="cannot read topology"):
        Topology.load(str(tmp_path / "nope.yml"))


def test_generated_topologies_follow_the_default_address_plan_at_any_size():
    small = Topology.generate(2, 3)
    default = Topology.load()
    assert [(n.name, n.address, n.address6, n.as_number) for n in small.nodes] == \
        [(n.name, n.address, n.address6, n.as_number) for n in default.nodes]
    assert [(t.name, t.address, t.address6, t.as_number) for t in small.tors] == \
        [(t.name, t.address, t.address6, t.as_number) for t in default.tors]
    large = Topology.generate(16, 6, "rr-per-rack")
    assert len(large.nodes) == 96 and len(large.tors) == 16
    assert set(rack.as_number for rack in large.racks) == {64512}
    assert large.node("r16-n6").address == "127.65.16.16" and large.rack("r16").tor.address6 == "fd00:65:10::fe"
    assert len(set(n.pod_block for n in large.nodes)) == 96 and len(set(n.pod_block6 for n in large.nodes)) == 96
    assert [rack.as_number for rack in Topology.generate(3, 1).racks] == [65001, 65002, 65003]
    assert Topology.generate(1, 2, dual_stack=False).dual_stack is False


@pytest.mark.parametrize("args, message", [
    ((0, 3), "racks: 0 is not a whole number from 1 to 250"),
    ((2, 201), "nodes per rack: 201 is not a whole number from 1 to 200"),
    ((2, "3"), "nodes per rack: '3' is not a whole number"),
    ((250, 5), "racks x nodes per rack: 1250 nodes is more than the 1024 pod blocks"),
    ((2, 3, "full-mesh"), "layout: 'full-mesh' is not one of as-per-rack, rr-per-rack"),
])
def test_generated_sizes_out_of_range_are_one_sentence(args, message):
    with pytest.raises(TopologyError) as failure:
        Topology.generate(*args)
    assert str(failure.value).startswith(message)
