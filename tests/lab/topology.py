"""The lab's topology file: racks, their Calico nodes and top-of-rack routers, addresses, AS numbers.

A topology is YAML (see topologies/default.yml):

    name: default
    listen_port: 1179            # every BGP speaker of the lab listens here (no root needed)
    pod_cidr: 10.244.0.0/16      # the IP pool; routes in it are what nodes export
    pod_cidr6: fd00:244::/32     # optional: the IPv6 pool (dual-stack); then every speaker needs
                                 # address6 and every node pod_block6
    racks:
      - name: r1
        as_number: 65001         # the rack's AS: its ToR's, and its nodes' unless they say otherwise
        tor: {name: tor-r1, address: 127.65.1.254, address6: "fd00:65:1::fe"}
        nodes:
          - {name: r1-n1, address: 127.65.1.11, pod_block: 10.244.1.0/26,
             address6: "fd00:65:1::11", pod_block6: "fd00:244:1::/122"}
          - {name: r1-n2, address: 127.65.1.12, pod_block: 10.244.1.64/26,
             as_number: null,     # null: no per-node AS, the node uses the global one
             labels: {role: edge}}  # added to the automatic label rack: <rack name>

Every IPv4 address must be on loopback (127.0.0.0/8). relocated() moves a whole topology to
another 127.N.0.0/16 so that two labs (or a lab and a test) can run side by side. IPv6 addresses
are unique local addresses (fd00::/8): they exist only inside the network namespace each lab
creates for its bird6 daemons, so two labs never collide on them.
"""
import copy
import ipaddress
import os

import yaml

from ansible_collections.netops.calico.plugins.module_utils import _model_values as validate

DEFAULT_TOPOLOGY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "topologies", "default.yml")
# Used by the test machines' own interface: never in the lab.
FORBIDDEN = ipaddress.ip_network("192.0.2.0/24")
# Topology.generate: the layouts, and the limits of its address plan (127.65.<rack>.<10 + n>, the
# /26 pod blocks of 10.244.0.0/16)
LAYOUTS = ("as-per-rack", "rr-per-rack")
MAX_RACKS = 250
MAX_RACK_NODES = 200
MAX_NODES = 1024


class TopologyError(ValueError):
    """The topology file is unusable; the message names the entry at fault."""


class Router(object):
    """A plain BIRD router of the fabric (a ToR)."""

    def __init__(self, name, address, as_number, rack, address6=None):
        self.name = name
        self.address = address
        self.address6 = address6
        self.as_number = as_number
        self.rack = rack


class LabNode(object):
    """A simulated Calico node: its agent renders its BIRD config from the datastore."""

    def __init__(self, name, address, pod_block, as_number, labels, rack, address6=None, pod_block6=None):
        self.name = name
        self.address = address
        self.address6 = address6
        self.pod_block = pod_block
        self.pod_block6 = pod_block6
        self.as_number = as_number  # None: the node has no AS of its own
        self.labels = labels
        self.rack = rack


class Rack(object):
    def __init__(self, name, as_number, tor, nodes):
        self.name = name
        self.as_number = as_number
        self.tor = tor
        self.nodes = nodes


class Topology(object):
    def __init__(self, data, source=None):
        self.data = data
        self.source = source
        self.name = data.get("name") or "lab"
        self.listen_port = validate.port(data.get("listen_port", 1179), "listen_port")
        try:
            self.pod_cidr = str(ipaddress.ip_network(str(data.get("pod_cidr", "10.244.0.0/16"))))
        except ValueError as exc:
            raise TopologyError("pod_cidr: %s" % exc)
        self.pod_cidr6 = None
        if data.get("pod_cidr6"):
            try:
                network = ipaddress.ip_network(str(data["pod_cidr6"]))
            except ValueError as exc:
                raise TopologyError("pod_cidr6: %s" % exc)
            if network.version != 6:
                raise TopologyError("pod_cidr6: %s is not an IPv6 network" % network)
            self.pod_cidr6 = str(network)
        self.racks = []
        for index, rack in enumerate(data.get("racks") or []):
            self.racks.append(self._rack(rack, "racks[%d]" % index))
        if not self.racks:
            raise TopologyError("racks: the topology needs at least one rack")
        self._check_unique()

    # ---- loading ---------------------------------------------------------------------

    @classmethod
    def generate(cls, racks, nodes_per_rack, layout="as-per-rack", dual_stack=True):
        """A topology of any size in the default's address plan: rack r (1-based) is
        127.65.r.0/24 with its ToR at .254 and node n at .(10 + n); pod blocks are the /26 (and
        /122) blocks of the pod CIDRs in node order. Layouts: as-per-rack (rack r is AS 65000 + r,
        the ToRs peer over eBGP, as the default topology) or rr-per-rack (every rack in AS 64512,
        each ToR the route reflector of its rack, the ToRs an iBGP mesh)."""
        if layout not in LAYOUTS:
            raise TopologyError("layout: %r is not one of %s" % (layout, ", ".join(LAYOUTS)))
        for value, name, most in ((racks, "racks", MAX_RACKS), (nodes_per_rack, "nodes per rack", MAX_RACK_NODES)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
                raise TopologyError("%s: %r is not a whole number from 1 to %d" % (name, value, most))
        if racks * nodes_per_rack > MAX_NODES:
            raise TopologyError("racks x nodes per rack: %d nodes is more than the %d pod blocks (/26) of "
                                "10.244.0.0/16" % (racks * nodes_per_rack, MAX_NODES))
        data = {"name": "%s-%dx%d" % (layout, racks, nodes_per_rack), "listen_port": 1179,
                "pod_cidr": "10.244.0.0/16", "racks": []}
        if dual_stack:
            data["pod_cidr6"] = "fd00:244::/32"
        pod_cidr = ipaddress.ip_network(data["pod_cidr"])
        pod_cidr6 = ipaddress.ip_network("fd00:244::/32")
        index = 0
        for rack in range(1, racks + 1):
            entry = {"name": "r%d" % rack, "as_number": 65000 + rack if layout == "as-per-rack" else 64512,
                     "tor": {"name": "tor-r%d" % rack, "address": "127.65.%d.254" % rack}, "nodes": []}
            if dual_stack:
                entry["tor"]["address6"] = "fd00:65:%x::fe" % rack
            for number in range(1, nodes_per_rack + 1):
                node = {"name": "r%d-n%d" % (rack, number), "address": "127.65.%d.%d" % (rack, 10 + number),
                        "pod_block": str(ipaddress.ip_network("%s/26" % (pod_cidr.network_address + 64 * index)))}
                if dual_stack:
                    node["address6"] = "fd00:65:%x::%x" % (rack, 0x10 + number)
                    node["pod_block6"] = str(ipaddress.ip_network("%s/122" % (pod_cidr6.network_address + 64 * index)))
                entry["nodes"].append(node)
                index += 1
            data["racks"].append(entry)
        return cls(data, source="generated")

    @classmethod
    def load(cls, path=None):
        path = path or DEFAULT_TOPOLOGY
        try:
            with open(path) as handle:
                data = yaml.safe_load(handle)
        except (IOError, OSError) as exc:
            raise TopologyError("cannot read topology %s: %s" % (path, exc))
        except yaml.YAMLError as exc:
            raise TopologyError("topology %s is not valid YAML: %s" % (path, exc))
        if not isinstance(data, dict):
            raise TopologyError("topology %s must be a mapping" % path)
        return cls(data, source=os.path.abspath(path))

    @staticmethod
    def _address(value, field):
        try:
            address = ipaddress.ip_address(str(value))
        except ValueError:
            raise TopologyError("%s: %r is not an IPv4 address" % (field, value))
        if address.version != 4 or not address.is_loopback:
            raise TopologyError("%s: %s is not on loopback (127.0.0.0/8); the lab uses only "
                                "loopback addresses" % (field, address))
        return str(address)

    def _address6(self, value, field):
        """An IPv6 address of the lab (dual-stack topologies only): a unique local address."""
        if self.pod_cidr6 is None:
            if value is not None:
                raise TopologyError("%s: an IPv6 address needs pod_cidr6 in the topology" % field)
            return None
        try:
            address = ipaddress.ip_address(str(value))
        except ValueError:
            raise TopologyError("%s: %r is not an IPv6 address (a dual-stack topology needs one for "
                                "every speaker)" % (field, value))
        if address.version != 6 or address not in ipaddress.ip_network("fd00::/8"):
            raise TopologyError("%s: %s is not a unique local IPv6 address (fd00::/8)" % (field, address))
        return str(address)

    def _block6(self, value, field):
        if self.pod_cidr6 is None:
            return None
        try:
            block = ipaddress.ip_network(str(value))
        except ValueError as exc:
            raise TopologyError("%s: %s" % (field, exc))
        if block.version != 6 or not block.subnet_of(ipaddress.ip_network(self.pod_cidr6)):
            raise TopologyError("%s: %s is not inside pod_cidr6 %s" % (field, block, self.pod_cidr6))
        return str(block)

    @staticmethod
    def _as_number(value, field):
        try:
            return validate.as_number(value, field)
        except validate.ValidationError as exc:
            raise TopologyError(str(exc))

    @staticmethod
    def _name(value, field):
        try:
            return validate.resource_name(value, field)
        except validate.ValidationError as exc:
            raise TopologyError(str(exc))

    def _rack(self, data, field):
        if not isinstance(data, dict):
            raise TopologyError("%s must be a mapping" % field)
        name = self._name(data.get("name"), field + ".name")
        as_number = self._as_number(data.get("as_number"), field + ".as_number")
        tor_data = data.get("tor")
        if not isinstance(tor_data, dict):
            raise TopologyError("%s.tor: each rack needs a tor with a name and an address" % field)
        tor = Router(self._name(tor_data.get("name"), field + ".tor.name"),
                     self._address(tor_data.get("address"), field + ".tor.address"),
                     self._as_number(tor_data.get("as_number", as_number), field + ".tor.as_number"),
                     name, self._address6(tor_data.get("address6"), field + ".tor.address6"))
        nodes = []
        for index, node in enumerate(data.get("nodes") or []):
            node_field = "%s.nodes[%d]" % (field, index)
            if not isinstance(node, dict):
                raise TopologyError("%s must be a mapping" % node_field)
            node_as = node.get("as_number", as_number)
            labels = {"rack": name}
            labels.update({str(k): str(v) for k, v in (node.get("labels") or {}).items()})
            try:
                block = ipaddress.ip_network(str(node.get("pod_block")))
            except ValueError as exc:
                raise TopologyError("%s.pod_block: %s" % (node_field, exc))
            if not block.subnet_of(ipaddress.ip_network(self.pod_cidr)):
                raise TopologyError("%s.pod_block: %s is not inside pod_cidr %s" % (node_field, block, self.pod_cidr))
            if block.overlaps(FORBIDDEN):
                raise TopologyError("%s.pod_block: %s overlaps 192.0.2.0/24, which this machine uses"
                                    % (node_field, block))
            nodes.append(LabNode(
                self._name(node.get("name"), node_field + ".name"),
                self._address(node.get("address"), node_field + ".address"),
                str(block),
                None if node_as is None else self._as_number(node_as, node_field + ".as_number"),
                labels, name, self._address6(node.get("address6"), node_field + ".address6"),
                self._block6(node.get("pod_block6"), node_field + ".pod_block6")))
        if not nodes:
            raise TopologyError("%s.nodes: a rack needs at least one node" % field)
        return Rack(name, as_number, tor, nodes)

    def _check_unique(self):
        seen_names, seen_addresses, blocks = {}, {}, []
        for speaker in self.tors + self.nodes:
            if speaker.name in seen_names:
                raise TopologyError("name %s is used twice" % speaker.name)
            if speaker.address in seen_addresses:
                raise TopologyError("address %s is used by both %s and %s"
                                    % (speaker.address, seen_addresses[speaker.address], speaker.name))
            if speaker.address6 is not None and speaker.address6 in seen_addresses:
                raise TopologyError("address %s is used by both %s and %s"
                                    % (speaker.address6, seen_addresses[speaker.address6], speaker.name))
            seen_names[speaker.name] = True
            seen_addresses[speaker.address] = speaker.name
            if speaker.address6 is not None:
                seen_addresses[speaker.address6] = speaker.name
        for node in self.nodes:
            for text in (node.pod_block, node.pod_block6):
                if text is None:
                    continue
                block = ipaddress.ip_network(text)
                for other, other_block in blocks:
                    if block.version == other_block.version and block.overlaps(other_block):
                        raise TopologyError("pod blocks of %s and %s overlap" % (other, node.name))
                blocks.append((node.name, block))

    # ---- queries ---------------------------------------------------------------------

    @property
    def dual_stack(self):
        return self.pod_cidr6 is not None

    @property
    def nodes(self):
        return [node for rack in self.racks for node in rack.nodes]

    @property
    def tors(self):
        return [rack.tor for rack in self.racks]

    def node(self, name):
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError("no node %s in the topology (nodes: %s)"
                       % (name, ", ".join(n.name for n in self.nodes)))

    def rack(self, name):
        for rack in self.racks:
            if rack.name == name:
                return rack
        raise KeyError("no rack %s in the topology" % name)

    def relocated(self, second_octet):
        """The same topology moved to 127.<second_octet>.x.y (pod blocks unchanged)."""
        if not 1 <= int(second_octet) <= 254:
            raise TopologyError("second octet must be 1-254, got %r" % second_octet)
        data = copy.deepcopy(self.data)

        def move(address):
            parts = str(address).split(".")
            parts[1] = str(int(second_octet))
            return ".".join(parts)

        for rack in data["racks"]:
            rack["tor"]["address"] = move(rack["tor"]["address"])
            for node in rack["nodes"]:
                node["address"] = move(node["address"])
        return Topology(data, source=self.source)
