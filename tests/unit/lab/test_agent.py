"""The node agent (tests/lab/agent.py): reload BIRD only when the rendered text changes."""
from tests.lab import agent as agent_module
from tests.lab.agent import NodeAgent, register_node
from tests.lab.render import Snapshot
from tests.lab.topology import Topology
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import ResourceStore, new_resource
from tests.support.fake_datastore import FakeDatastore


class FakeDaemon(object):
    socket_path = "/lab/r1-n1.ctl"

    def __init__(self):
        self.written = []

    def write_config(self, text):
        self.written.append(text)


def _snapshot(mesh=True):
    nodes = [new_resource("Node", name, spec={"bgp": {"ipv4Address": address + "/32"}})
             for name, address in (("r1-n1", "127.65.1.11"), ("r1-n2", "127.65.1.12"))]
    configs = [new_resource("BGPConfiguration", "default", spec={"nodeToNodeMeshEnabled": mesh})]
    return Snapshot(nodes, configs)


def test_agent_reloads_only_when_the_config_text_changes(monkeypatch):
    commands = []
    monkeypatch.setattr(agent_module, "bird_command", lambda path, command, timeout: commands.append((path, command)))
    lab_node = Topology.load().node("r1-n1")
    daemon = FakeDaemon()
    agent = NodeAgent(lab_node, {4: daemon}, {4: "10.244.0.0/16"})
    assert agent.sync(_snapshot()) is True
    assert agent.sync(_snapshot()) is False            # same text: BIRD is left alone
    assert agent.sync(_snapshot(mesh=False)) is True   # mesh off: new text, one reload
    assert commands == [("/lab/r1-n1.ctl", "configure")] * 2
    assert "Mesh_127_65_1_12" in daemon.written[0] and "Mesh_" not in daemon.written[1]
    assert [s.name for s in agent.sessions[4]] == []


def test_register_node_sets_address_as_and_labels_and_keeps_other_fields():
    store = ResourceStore(FakeDatastore())
    lab_node = Topology.load().node("r2-n3")
    register_node(store, lab_node)
    stored = store.get("Node", "r2-n3")
    assert stored["spec"]["bgp"] == {"ipv4Address": "127.65.2.13/32", "ipv6Address": "fd00:65:2::13/128",
                                     "asNumber": 65002}
    assert stored["metadata"]["labels"] == {"rack": "r2"}

    def add_fields(current):
        current["spec"]["orchRefs"] = [{"nodeName": "r2-n3", "orchestrator": "k8s"}]
        current["spec"]["bgp"]["routeReflectorClusterID"] = "224.0.0.1"
        current["metadata"]["labels"]["extra"] = "kept"
        return current
    store.apply("Node", "r2-n3", add_fields)
    register_node(store, lab_node)  # a restart of the node
    again = store.get("Node", "r2-n3")
    assert again["spec"]["orchRefs"] == [{"nodeName": "r2-n3", "orchestrator": "k8s"}]
    assert again["spec"]["bgp"]["routeReflectorClusterID"] == "224.0.0.1"
    assert again["metadata"]["labels"] == {"rack": "r2", "extra": "kept"}
