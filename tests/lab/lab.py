"""The lab as a Python object: etcd, one BIRD per node and per ToR, the node agents.

    from tests.lab.lab import Lab
    with Lab() as lab:                          # default topology, a fresh temp directory
        lab.etcd_endpoints                      # ['http://127.0.0.1:PORT']
        lab.socket("r1-n1")                     # that node's BIRD control socket
        lab.wait_established()                  # every configured session Established
        print(lab.status_text())                # calicoctl-node-status-like tables
        with lab.monitor() as monitor:          # route continuity while something runs
            ...
        print(monitor.report().text())

Everything the lab starts is a child of this process and is stopped by PID in stop() (also on
an exception inside the `with`); the work directory (etcd data, BIRD configs, sockets, logs)
is removed. `python -m tests.lab` wraps the same class for the command line.
"""
import json
import logging
import os
import random
import shutil
import socket
import sys
import tempfile
import time

from tests.lab.agent import AgentPool, NodeAgent, ensure_cluster_information, read_snapshot, register_node
from tests.lab.monitor import RouteMonitor
from tests.lab.routers import fabric_protocols, render_tor_config
from tests.lab.status_reporter import StatusReporters
from tests.lab.topology import Topology
from tests.support import netns as netns_support
from tests.support.bird_daemon import BirdDaemon, start_all
from tests.support.etcd_server import EtcdCluster
from tests.support.processes import stop_processes
from ansible_collections.netops.calico.plugins.module_utils._bird_client import BirdError
from ansible_collections.netops.calico.plugins.module_utils._datastore_etcd import EtcdDatastore
from ansible_collections.netops.calico.plugins.module_utils._bird_node_status import read_sessions
from ansible_collections.netops.calico.plugins.module_utils._bird_node_status_table import render_peer_table
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import ResourceStore
from ansible_collections.netops.calico.plugins.module_utils._datastore_settings import ConnectionSettings

LOG = logging.getLogger("netops.calico.lab")
STATE_FILE = "lab.json"
# A speaker's bird6 is named after it with this suffix (its files: <name>.bird6.ctl, ...).
BIRD6 = ".bird6"


class LabError(RuntimeError):
    """The lab could not start or a wait timed out; the message says what and where."""


def address_in_use(address, port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # as BIRD does: connections in TIME-WAIT from a lab that just stopped do not count
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError:
            return True
    return False


def busy_addresses(topology):
    return ["%s:%d" % (s.address, topology.listen_port) for s in topology.tors + topology.nodes
            if address_in_use(s.address, topology.listen_port)]


def free_relocation(topology, attempts=50):
    """The topology moved to a 127.N.0.0/16 whose addresses are all free (for tests that must
    not collide with another lab or test on this machine)."""
    for octet in random.sample(range(100, 250), attempts):
        moved = topology.relocated(octet)
        if not busy_addresses(moved):
            return moved
    raise LabError("found no free 127.N.0.0/16 range for the lab's addresses")


def peers_of(socket_path, timeout=2.0, version=4):
    """The node's BGP peers as parsed by the collection (calicoctl's view): list of dicts."""
    return read_sessions([socket_path], version, timeout)[1]


def all_protocols(socket_path, timeout=2.0):
    """{protocol name: info} of every BGP protocol of a BIRD (ToRs' names are not Calico's)."""
    from ansible_collections.netops.calico.plugins.module_utils._bird_client import bird_command
    reply = bird_command(socket_path, "show protocols", timeout)
    result = {}
    for row in reply.texts("1002"):
        fields = row.split()
        if len(fields) >= 5 and fields[1] == "BGP":
            result[fields[0]] = " ".join(fields[5:]) or fields[3]
    return result


def status_text(state):
    """calicoctl-node-status-like tables (IPv4, and IPv6 in a dual-stack lab) for every node of a
    lab state (see Lab.state())."""
    blocks = []
    for node in state["nodes"]:
        announces = node["pod_block"] + (" and %s" % node["pod_block6"] if node.get("socket6") else "")
        heading = "%s  (address %s%s, AS %s, rack %s, announces %s)" % (
            node["name"], node["address"], " / %s" % node["address6"] if node.get("socket6") else "",
            node["as_number"] if node["as_number"] is not None else "global", node["rack"], announces)
        parts = [heading]
        for version, socket_path in ((4, node["socket"]), (6, node.get("socket6"))):
            if socket_path is None:
                continue
            try:
                peers = peers_of(socket_path, version=version)
            except BirdError as exc:
                parts.append("IPv%d: BIRD cannot be read: %s" % (version, exc))
                continue
            table = render_peer_table(peers) if peers else "No IPv%d peers found." % version
            parts.append("IPv%d BGP status\n%s" % (version, table))
        blocks.append("\n".join(parts))
    return "\n\n".join(blocks)


def inventory(state):
    """An Ansible inventory (dict, dump as YAML) for a lab state: one host per node with
    `ansible_connection: local`, its BIRD socket for calico_node_status, rack groups with the
    ToR's address and AS, and the etcd endpoint for the datastore modules."""
    racks = {}
    for node in state["nodes"]:
        rack = racks.setdefault(node["rack"], {"hosts": {}, "vars": {}})
        rack["hosts"][node["name"]] = {
            "calico_node_name": node["name"],
            "calico_node_address": node["address"],
            "calico_pod_block": node["pod_block"],
            "calico_bird_socket": node["socket"],
            # the node's bird6; without IPv6 a path nothing listens on, so that calico_node_status
            # never falls back to a real calico/node's bird6 socket on this machine
            "calico_bird6_socket": node.get("socket6") or node["socket"][:-len(".ctl")] + BIRD6 + ".ctl",
        }
        if node.get("socket6"):
            rack["hosts"][node["name"]].update(calico_node_address6=node["address6"],
                                               calico_pod_block6=node["pod_block6"])
    for tor in state["tors"]:
        racks[tor["rack"]]["vars"].update({
            "calico_rack": tor["rack"],
            "calico_rack_as_number": tor["as_number"],
            "calico_tor_name": tor["name"],
            "calico_tor_address": tor["address"],
            "calico_tor_as_number": tor["as_number"],
            "calico_tor_peer_ip": "%s:%d" % (tor["address"], state["listen_port"]),
            "calico_tor_bird_socket": tor["socket"],
        })
        if tor.get("socket6"):
            racks[tor["rack"]]["vars"].update({
                "calico_tor_address6": tor["address6"],
                "calico_tor_peer_ip6": "[%s]:%d" % (tor["address6"], state["listen_port"]),
                "calico_tor_bird6_socket": tor["socket6"],
            })
    return {"all": {
        "vars": {
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "calico_etcd_endpoints": list(state["etcd"]["endpoints"]),
            "calico_lab_listen_port": state["listen_port"],
            # for the collection's bgp_peering role and playbooks: the lab's target topology is the
            # ToRs as route reflectors (mesh off at the end), and BIRD's sockets here need no root
            "calico_bgp_node_to_node_mesh": False,
            "calico_node_status_become": False,
        },
        "children": {"calico_nodes": {"children": {
            "rack_%s" % name.replace("-", "_"): group for name, group in sorted(racks.items())}}},
    }}


def speakers(state):
    """(speaker, node, socket, pod block field) of every node's BIRD: the node's name for its
    IPv4 BIRD, name + '.bird6' for its bird6."""
    result = []
    for node in state["nodes"]:
        result.append((node["name"], node["name"], node["socket"], "pod_block"))
        if node.get("socket6"):
            result.append((node["name"] + BIRD6, node["name"], node["socket6"], "pod_block6"))
    return result


def expected_routes(state):
    """(speaker -> prefixes it must see, prefix -> owner) for the monitor: every other node's
    pod block of the speaker's family."""
    nodes = dict((node["name"], node) for node in state["nodes"])
    owners, expected = {}, {}
    for speaker, name, _socket, field in speakers(state):
        owners[nodes[name][field]] = name
        expected[speaker] = [nodes[other][field] for other in nodes if other != name]
    return expected, owners


def monitor_for(state, interval=0.2):
    expected, owners = expected_routes(state)
    cidrs = {"pod_block": state["pod_cidr"], "pod_block6": state.get("pod_cidr6")}
    summaries = dict((speaker, (cidrs[field], len(expected[speaker]) + 1))
                     for speaker, _name, _socket, field in speakers(state) if cidrs[field])
    return RouteMonitor(dict((speaker, socket_path) for speaker, _name, socket_path, _field in speakers(state)),
                        expected, owners=owners, interval=interval, summaries=summaries)


class Lab(object):
    """A running fabric. `topology`: a Topology, a path to a topology file, or None (default).
    `workdir`: where everything lives (created; removed on stop unless it existed)."""

    def __init__(self, topology=None, workdir=None, poll_interval=0.3, start_timeout=60.0, ipv6=None):
        if not isinstance(topology, Topology):
            topology = Topology.load(topology)
        self.topology = topology
        # None: dual-stack when the topology is and this process may create a network namespace
        self.ipv6 = topology.dual_stack and netns_support.available() if ipv6 is None else bool(ipv6)
        if self.ipv6 and not topology.dual_stack:
            raise LabError("ipv6=True needs a dual-stack topology (pod_cidr6, address6)")
        self.netns = None
        self._own_workdir = workdir is None or not os.path.exists(workdir)
        self._requested_workdir = workdir
        self.workdir = os.path.abspath(workdir) if workdir else None  # a temp dir made by start()
        self.poll_interval = poll_interval
        self.start_timeout = start_timeout
        self.etcd = None
        self.datastore = None
        self.store = None
        self.agents = {}
        self.tors = {}      # speaker (ToR name, and name.bird6) -> BirdDaemon
        self.pool = None
        self.reporters = None
        self.started = False

    # ---- life cycle ------------------------------------------------------------------

    def start(self):
        busy = busy_addresses(self.topology)
        if busy:
            raise LabError("the lab's BGP addresses are already in use (%s): is another lab running? "
                           "Stop it with 'python -m tests.lab down', or move this one with "
                           "Topology.relocated()" % ", ".join(busy))
        if self.workdir is None:
            self.workdir = tempfile.mkdtemp(prefix="netops-calico-lab-")
        os.makedirs(self.workdir, exist_ok=True)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self.started = True
        return self

    def _start(self):
        etcd_dir = os.path.join(self.workdir, "etcd")
        os.makedirs(etcd_dir, exist_ok=True)
        self.etcd = EtcdCluster(size=1, workdir=etcd_dir)
        self.etcd.start()
        self.datastore = EtcdDatastore(ConnectionSettings(self.etcd.endpoints, timeout=5.0))
        self.store = ResourceStore(self.datastore)
        ensure_cluster_information(self.store)
        # One listen port for every speaker: the global BGPConfiguration says so, as it would
        # in a cluster that runs BGP on a non-standard port.
        self.store.apply("BGPConfiguration", "default", self._listen_port_config)
        if self.ipv6:
            # bird6 daemons get their addresses in a namespace of the lab's own (see README)
            self.netns = netns_support.Netns().create(
                [speaker.address6 for speaker in self.topology.tors + self.topology.nodes])
        for node in self.topology.nodes:
            register_node(self.store, node, with_ipv6=self.ipv6)
        snapshot = read_snapshot(self.datastore)
        bird_dir = os.path.join(self.workdir, "bird")
        pod_cidrs = {4: self.topology.pod_cidr, 6: self.topology.pod_cidr6}
        configs = []  # (daemon, config text) of every BIRD, started together below
        for node in self.topology.nodes:
            daemons = {4: BirdDaemon(node.name, bird_dir, node.address)}
            if self.ipv6:
                daemons[6] = BirdDaemon(node.name + BIRD6, bird_dir, node.address, ipv6=True, netns=self.netns)
            agent = NodeAgent(node, daemons, pod_cidrs)
            self.agents[node.name] = agent
            texts = dict((version, agent.render(snapshot, version)) for version in daemons)
            configs += [(daemon, texts[version]) for version, daemon in daemons.items()]
            agent.started(snapshot, texts)
        for rack in self.topology.racks:
            self.tors[rack.tor.name] = BirdDaemon(rack.tor.name, bird_dir, rack.tor.address)
            configs.append((self.tors[rack.tor.name], render_tor_config(self.topology, rack)))
            if self.ipv6:
                daemon = BirdDaemon(rack.tor.name + BIRD6, bird_dir, rack.tor.address, ipv6=True, netns=self.netns)
                self.tors[rack.tor.name + BIRD6] = daemon
                configs.append((daemon, render_tor_config(self.topology, rack, 6)))
        start_all(configs, timeout=self.start_timeout)
        # The agents follow the datastore with their own connection (their own thread).
        pool_datastore = EtcdDatastore(ConnectionSettings(self.etcd.endpoints, timeout=5.0))
        self.pool = AgentPool(pool_datastore, list(self.agents.values()), self.poll_interval)
        self.pool.start()
        # calico/node's status reporter for every node (CalicoNodeStatus requests), its own connection
        self.reporters = StatusReporters(EtcdDatastore(ConnectionSettings(self.etcd.endpoints, timeout=5.0)),
                                         dict((name, self.status_sockets(name)) for name in self.agents))
        self.reporters.start()
        self.wait_established(timeout=self.start_timeout)
        self.wait_for_routes(timeout=self.start_timeout)

    def _listen_port_config(self, current):
        from ansible_collections.netops.calico.plugins.module_utils._datastore_store import new_resource
        document = current or new_resource("BGPConfiguration", "default")
        document["spec"]["listenPort"] = self.topology.listen_port
        return document

    def stop(self):
        """Stop everything this lab started, by PID, and remove its work directory."""
        if self.reporters is not None:
            self.reporters.stop()
            self.reporters.datastore.close()
            self.reporters = None
        if self.pool is not None:
            self.pool.stop()
            self.pool.datastore.close()
            self.pool = None
        daemons = list(self.tors.values()) + [d for a in self.agents.values() for d in a.daemons.values()]
        # all at once with one short grace, then SIGKILL: a 96-node lab has 224 BIRDs
        stop_processes([daemon.proc for daemon in daemons if daemon.proc is not None])
        for daemon in daemons:
            try:
                daemon.stop()
            except Exception as exc:  # keep stopping the others
                LOG.error("stopping BIRD %s: %s", daemon.name, exc)
        self.tors, self.agents = {}, {}
        if self.netns is not None:
            self.netns.delete()
            self.netns = None
        if self.datastore is not None:
            self.datastore.close()
            self.datastore = None
        if self.etcd is not None:
            self.etcd.stop()
            self.etcd = None
        if self._own_workdir and self.workdir and os.path.exists(self.workdir):
            shutil.rmtree(self.workdir, ignore_errors=True)
            if self._requested_workdir is None:
                self.workdir = None
        self.started = False

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- faults, for tests ------------------------------------------------------------

    def stop_router(self, name):
        """Stop a ToR's BIRDs (by PID): its sessions go down, as when a switch fails."""
        for speaker in (name, name + BIRD6):
            if speaker in self.tors:
                self.tors[speaker].stop()

    def start_router(self, name):
        """Start a stopped ToR's BIRDs again with its topology config."""
        rack = [r for r in self.topology.racks if r.tor.name == name][0]
        self.tors[name].start(render_tor_config(self.topology, rack))
        if name + BIRD6 in self.tors:
            self.tors[name + BIRD6].start(render_tor_config(self.topology, rack, 6))

    # ---- what is running -------------------------------------------------------------

    @property
    def etcd_endpoints(self):
        return list(self.etcd.endpoints)

    @property
    def node_names(self):
        return [node.name for node in self.topology.nodes]

    def daemon(self, name):
        """The BirdDaemon of a speaker: a node or ToR name (IPv4), or name + '.bird6'."""
        node_name = name[:-len(BIRD6)] if name.endswith(BIRD6) else name
        if node_name in self.agents:
            return self.agents[node_name].daemons[6 if name.endswith(BIRD6) else 4]
        return self.tors[name]

    def socket(self, name):
        """BIRD control socket of a speaker (see daemon())."""
        return self.daemon(name).socket_path

    def status_sockets(self, node_name):
        """{4: path, 6: path} of the BIRD sockets a node's status reporter reads; without IPv6, a
        bird6 path nothing listens on (as on a calico/node that runs no bird6)."""
        ipv4 = self.socket(node_name)
        ipv6 = self.socket(node_name + BIRD6) if self.ipv6 else ipv4[:-len(".ctl")] + BIRD6 + ".ctl"
        return {4: ipv4, 6: ipv6}

    def pids(self):
        """{what: pid} of every process the lab started."""
        pids = {"etcd": self.etcd.members[0].proc.pid}
        for name, agent in self.agents.items():
            for daemon in agent.daemons.values():
                pids["bird " + daemon.name] = daemon.pid
        for name, daemon in self.tors.items():
            pids["bird " + name] = daemon.pid
        return pids

    def state(self):
        """Everything a client needs to use the lab, JSON-serialisable (`lab.json`)."""
        return {
            "workdir": self.workdir,
            "topology": self.topology.source,
            "listen_port": self.topology.listen_port,
            "pod_cidr": self.topology.pod_cidr,
            "pod_cidr6": self.topology.pod_cidr6,
            "etcd": {"endpoints": self.etcd_endpoints, "pid": self.etcd.members[0].proc.pid,
                     "data_dir": self.etcd.members[0].data_dir},
            "ipv6": self.ipv6,
            "netns": self.netns.name if self.netns is not None else None,
            "nodes": [self._speaker_state(n, {"rack": n.rack, "as_number": n.as_number, "pod_block": n.pod_block,
                                              "pod_block6": n.pod_block6}) for n in self.topology.nodes],
            "tors": [self._speaker_state(r.tor, {"rack": r.name, "as_number": r.tor.as_number})
                     for r in self.topology.racks],
        }

    def _speaker_state(self, speaker, extra):
        v4 = self.daemon(speaker.name)
        v6 = self.daemon(speaker.name + BIRD6) if self.ipv6 else None
        state = {"name": speaker.name, "address": speaker.address, "socket": v4.socket_path,
                 "config": v4.config_path, "pid": v4.pid,
                 "address6": speaker.address6 if v6 else None, "socket6": v6.socket_path if v6 else None,
                 "config6": v6.config_path if v6 else None, "pid6": v6.pid if v6 else None}
        state.update(extra)
        return state

    def write_state(self, path=None):
        path = path or os.path.join(self.workdir, STATE_FILE)
        with open(path + ".tmp", "w") as handle:
            json.dump(dict(self.state(), supervisor_pid=os.getpid()), handle, indent=2)
        os.rename(path + ".tmp", path)
        return path

    # ---- reading the fabric ----------------------------------------------------------

    def peers(self, name, version=4):
        """calicoctl's view of a speaker's BGP peers (dicts from the collection's parser)."""
        return peers_of(self.socket(name), version=version)

    def protocols(self, name):
        """{protocol: info} of every BGP protocol of a node's or ToR's BIRD."""
        return all_protocols(self.socket(name))

    def routes(self, name):
        from tests.lab.monitor import read_routes
        return read_routes(self.socket(name))

    def expected_sessions(self):
        """{speaker: [protocol names]} that should be Established now: each node's rendered
        sessions and the ToR-to-ToR sessions."""
        expected = {}
        for name, agent in self.agents.items():
            for version, sessions in agent.sessions.items():
                expected[name + (BIRD6 if version == 6 else "")] = [s.name for s in sessions]
        for rack in self.topology.racks:
            expected[rack.tor.name] = fabric_protocols(self.topology, rack)
            if self.ipv6:
                expected[rack.tor.name + BIRD6] = fabric_protocols(self.topology, rack, 6)
        return expected

    def not_established(self, expected=None):
        pending = {}
        for name, protocols in (expected or self.expected_sessions()).items():
            try:
                current = self.protocols(name)
            except BirdError as exc:
                pending[name] = {"(bird)": str(exc)}
                continue
            missing = {p: current.get(p, "not configured") for p in protocols
                       if not current.get(p, "").startswith("Established")}
            if missing:
                pending[name] = missing
        return pending

    def wait_established(self, expected=None, timeout=30.0):
        """Wait until every session in `expected` ({speaker: [protocols]}, default: all the
        lab's configured sessions) is Established; LabError naming the others on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            pending = self.not_established(expected)
            if not pending:
                return
            if time.monotonic() > deadline:
                raise LabError("not Established after %.0f s: %s" % (timeout, "; ".join(
                    "%s: %s" % (name, ", ".join("%s (%s)" % item for item in sorted(p.items())))
                    for name, p in sorted(pending.items()))))
            time.sleep(0.2)

    def missing_routes(self):
        """{node: [pod blocks of other nodes it has no route to]} for nodes missing any."""
        expected, _owners = expected_routes(self.state())
        missing = {}
        for node, prefixes in expected.items():
            try:
                present = self.routes(node)
            except BirdError:
                present = set()
            lacking = sorted(set(prefixes) - present)
            if lacking:
                missing[node] = lacking
        return missing

    def wait_for_routes(self, timeout=30.0):
        """Wait until every node has a route to every other node's pod block."""
        deadline = time.monotonic() + timeout
        while True:
            missing = self.missing_routes()
            if not missing:
                return
            if time.monotonic() > deadline:
                raise LabError("routes still missing after %.0f s: %s" % (timeout, "; ".join(
                    "%s lacks %s" % (node, ", ".join(prefixes)) for node, prefixes in sorted(missing.items()))))
            time.sleep(0.1)

    def wait_for_sync(self, timeout=10.0):
        """Wait until the agents have rendered the datastore's current revision."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pool.revision is not None and self.pool.revision >= self.datastore.revision():
                return
            time.sleep(0.05)
        raise LabError("the agents did not catch up with the datastore within %.0f s" % timeout)

    def status_text(self):
        return status_text(self.state())

    def inventory(self):
        return inventory(self.state())

    def write_inventory(self, path):
        import yaml
        with open(path, "w") as handle:
            handle.write("# Ansible inventory of the netops.calico lab (python -m tests.lab inventory)\n")
            yaml.safe_dump(self.inventory(), handle, default_flow_style=False, sort_keys=False)
        return path

    def monitor(self, interval=0.2):
        """A RouteMonitor over every node (use as a context manager)."""
        return monitor_for(self.state(), interval)

    def connection(self):
        """Module options that point the collection's modules at this lab's etcd."""
        return {"etcd_endpoints": self.etcd_endpoints}


__all__ = ["Lab", "LabError", "free_relocation", "status_text", "inventory", "monitor_for"]
