"""The node agents: calico/node's BGP part (confd + BIRD reloads) for each simulated node.

One NodeAgent per node renders that node's BIRD config from a Snapshot and reloads its BIRD
(the control socket's `configure`, what `birdc configure` sends) only when the text changed, so
sessions a change does not touch stay up, as with calico/node. The AgentPool runs every agent of
a lab in one thread: it polls the datastore's revision every `interval` seconds (0.3 s), and on a
change reads the kinds confd renders from (one range read each) and, when any of them changed,
hands the snapshot to each agent, so a change reaches BIRD in well under a second.

At start the agents register the nodes as calico/node does (Node resource with name,
spec.bgp.ipv4Address and, dual-stack, ipv6Address, AS when the topology gives one, labels) and create
clusterinformations/default with datastoreReady: true when it is missing.
"""
import logging
import threading
import time
import uuid

from tests.lab.render import KINDS, Snapshot, node_sessions, render_node_config
from ansible_collections.netops.calico.plugins.module_utils._bird_client import BirdError, bird_command
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import kind_prefix, new_resource

LOG = logging.getLogger("netops.calico.lab")
POLL_INTERVAL = 0.3


def read_key_values(datastore):
    """The stored values of the kinds confd renders from: a range read of each kind (calico/node's
    BGP part never reads CalicoNodeStatus, whose reports change every second during a wait)."""
    return [key_value for kind in KINDS for key_value in datastore.get_prefix(kind_prefix(kind))]


def read_snapshot(datastore, key_values=None):
    key_values = read_key_values(datastore) if key_values is None else key_values
    revision = max([kv.mod_revision for kv in key_values] or [0])
    return Snapshot.from_key_values(key_values, revision)


def ensure_cluster_information(store):
    """Create clusterinformations/default (datastoreReady: true) if missing, as calico/node does."""
    def compute(current):
        if current is not None:
            return current
        return new_resource("ClusterInformation", "default", spec={
            "clusterGUID": uuid.uuid4().hex,
            "clusterType": "netops-calico-lab,bgp",
            # the Calico the lab renders as (its confd fixtures are from after v3.32.0)
            "calicoVersion": "v3.32.0",
            "datastoreReady": True,
        })
    return store.apply("ClusterInformation", "default", compute)


def register_node(store, lab_node, with_ipv6=True):
    """Create or refresh the node's Node resource the way calico/node does at start: its address
    (and AS when configured) and labels are set; everything else stored is kept."""
    def compute(current):
        document = current or new_resource("Node", lab_node.name)
        spec = document.setdefault("spec", {})
        bgp = dict(spec.get("bgp") or {})
        bgp["ipv4Address"] = "%s/32" % lab_node.address
        if with_ipv6 and lab_node.address6:
            bgp["ipv6Address"] = "%s/128" % lab_node.address6
        if lab_node.as_number is not None:
            bgp["asNumber"] = lab_node.as_number
        spec["bgp"] = bgp
        labels = dict(document["metadata"].get("labels") or {})
        labels.update(lab_node.labels)
        document["metadata"]["labels"] = labels
        return document
    return store.apply("Node", lab_node.name, compute)


class NodeAgent(object):
    """Renders one node's BIRD configs (bird, and bird6 in a dual-stack lab) and reloads a BIRD
    when its text changes.

    daemons: {4: BirdDaemon, 6: BirdDaemon} (6 only when the lab runs IPv6); pod_cidrs likewise."""

    def __init__(self, lab_node, daemons, pod_cidrs, listen_port=None):
        self.node = lab_node
        self.daemons = dict(daemons)
        self.pod_cidrs = dict(pod_cidrs)
        self.listen_port = listen_port
        self.texts = {}
        self.sessions = dict((version, []) for version in self.daemons)
        self.reloads = 0
        self.last_error = None

    @property
    def daemon(self):
        return self.daemons[4]

    def pod_blocks(self, version):
        block = self.node.pod_block if version == 4 else self.node.pod_block6
        return [block] if block else []

    def render(self, snapshot, version=4):
        return render_node_config(snapshot, self.node.name, self.pod_cidrs[version], self.pod_blocks(version),
                                  version=version, listen_port=self.listen_port)

    def sync(self, snapshot):
        """Bring every BIRD of the node in line with `snapshot`; True when a new config was loaded."""
        loaded = False
        for version, daemon in sorted(self.daemons.items()):
            text = self.render(snapshot, version)
            if text is None or text == self.texts.get(version):
                continue
            daemon.write_config(text)
            try:
                bird_command(daemon.socket_path, "configure", timeout=5.0)
            except BirdError as exc:
                self.last_error = "BIRD %s refused its new config: %s" % (daemon.name, exc)
                LOG.error(self.last_error)
                continue
            self.texts[version] = text
            self.sessions[version] = node_sessions(snapshot, self.node.name, version)
            self.reloads += 1
            self.last_error = None
            loaded = True
            LOG.info("%s: reloaded BIRD IPv%d (%d sessions) at revision %s", self.node.name, version,
                     len(self.sessions[version]), snapshot.revision)
        return loaded

    def started(self, snapshot, texts):
        """Record the configs ({version: text}) the BIRDs were started with."""
        self.texts = dict(texts)
        self.sessions = dict((version, node_sessions(snapshot, self.node.name, version)) for version in self.daemons)


class AgentPool(threading.Thread):
    """Runs every NodeAgent of a lab: polls the revision, hands each change to the agents."""

    def __init__(self, datastore, agents, interval=POLL_INTERVAL):
        super(AgentPool, self).__init__(name="lab-agents", daemon=True)
        self.datastore = datastore
        self.agents = agents
        self.interval = interval
        self.revision = None
        self.signature = None  # (key, mod_revision) of what the agents last rendered from
        self.syncs = 0
        self.last_error = None
        self._stop_event = threading.Event()

    def sync_once(self):
        revision = self.datastore.revision()
        if revision == self.revision:
            return False
        key_values = read_key_values(self.datastore)
        signature = tuple((kv.key, kv.mod_revision) for kv in key_values)
        if signature != self.signature:  # a write of another kind (a status report) renders nothing new
            snapshot = read_snapshot(self.datastore, key_values)
            for agent in self.agents:
                agent.sync(snapshot)
            self.signature = signature
            self.syncs += 1
        self.revision = revision
        return True

    def run(self):
        while not self._stop_event.is_set():
            started = time.monotonic()
            try:
                self.sync_once()
                self.last_error = None
            except Exception as exc:  # etcd briefly away, a BIRD restarting: keep following
                if str(exc) != self.last_error:
                    LOG.warning("agents: %s", exc)
                self.last_error = str(exc)
            self._stop_event.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def stop(self, timeout=10.0):
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout)
