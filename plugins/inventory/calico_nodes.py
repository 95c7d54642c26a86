# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: calico_nodes
short_description: Calico's nodes, read from its etcd v3 datastore, as inventory hosts
version_added: 0.2.0
description:
  - One host per Calico Node resource, named after the node, with its BGP settings as host variables.
  - Host variables C(calico_node_name), C(calico_ipv4_address), C(calico_ipv6_address) (the BGP addresses as
    stored, or null), C(calico_as_number) (the node's own AS, or null), C(calico_effective_as_number) (its own,
    else the global default, else 64512; null without BGP), C(calico_route_reflector_cluster_id) and
    C(calico_labels).
  - Groups from C(keyed_groups), C(groups) and C(compose) (constructed features), for example one group per
    value of the C(rack) label and one per AS number.
  - Connects with the same options, environment variables and C(calicoctl.cfg) as the modules (doc fragment
    M(netops.calico.etcd)); a node whose stored value cannot be read is skipped with a warning.
  - The inventory file's name must end in C(calico_nodes.yml) or C(calico_nodes.yaml).
author:
  - netops.calico maintainers (@netops)
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - netops.calico.etcd
options:
  plugin:
    description: The name of this plugin; it identifies an inventory source for it.
    type: str
    required: true
    choices: [netops.calico.calico_nodes]
  only_bgp:
    description: Leave out nodes without a BGP spec (policy-only nodes).
    type: bool
    default: false
"""

EXAMPLES = r"""
# calico.calico_nodes.yml
plugin: netops.calico.calico_nodes
etcd_endpoints: [https://10.0.0.1:2379]
etcd_ca_cert_file: /etc/calico/certs/ca.pem
keyed_groups:
  - key: calico_labels.rack | default('none')
    prefix: rack
  - key: calico_effective_as_number | string  # keyed_groups need text
    prefix: as
groups:
  route_reflectors: calico_route_reflector_cluster_id is not none
compose:
  ansible_host: calico_ipv4_address | regex_replace('/.*$', '')
"""

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.netops.calico.plugins.module_utils import _kind_node as node_model
from ansible_collections.netops.calico.plugins.module_utils._datastore_settings import (
    CONNECTION_ARGUMENT_SPEC,
    resolve_settings,
)
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import ResourceStore
from ansible_collections.netops.calico.plugins.module_utils._errors import CalicoError


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "netops.calico.calico_nodes"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(
            ("calico_nodes.yml", "calico_nodes.yaml"))

    def read_nodes(self):
        """Host variables of every Node, from one read of the datastore."""
        from ansible_collections.netops.calico.plugins.module_utils._datastore_etcd import EtcdDatastore

        params = dict((option, self.get_option(option)) for option in CONNECTION_ARGUMENT_SPEC)
        store = None
        try:
            store = ResourceStore(EtcdDatastore(resolve_settings(params)))
            nodes = store.list(node_model.KIND)
            default_as = node_model.default_as_number(store.get("BGPConfiguration", "default"))
            hosts = {}
            for node in nodes:
                try:
                    summary = node_model.summary(node, default_as)
                except CalicoError as exc:
                    store.warnings.append("skipped an unreadable node: %s" % exc)
                    continue
                hosts[summary["name"]] = {
                    "calico_node_name": summary["name"],
                    "calico_ipv4_address": summary["ipv4_address"],
                    "calico_ipv6_address": summary["ipv6_address"],
                    "calico_as_number": summary["as_number"],
                    "calico_effective_as_number": summary["effective_as_number"],
                    "calico_route_reflector_cluster_id": summary["route_reflector_cluster_id"],
                    "calico_labels": summary["labels"],
                    "calico_bgp_enabled": summary["bgp_enabled"],
                }
            for warning in store.warnings:
                self.display.warning(warning)
            return hosts
        except CalicoError as exc:
            raise AnsibleError("netops.calico.calico_nodes: %s" % exc)
        finally:
            if store is not None:
                store.close()

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        hosts = None
        if use_cache:
            try:
                hosts = self._cache[cache_key]
            except KeyError:
                hosts = None
        if hosts is None:
            hosts = self.read_nodes()
            if self.get_option("cache"):
                self._cache[cache_key] = hosts
        strict = self.get_option("strict")
        for name, variables in sorted(hosts.items()):
            if self.get_option("only_bgp") and not variables["calico_bgp_enabled"]:
                continue
            self.inventory.add_host(name)
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option("compose"), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, name, strict=strict)
