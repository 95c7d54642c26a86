"""Every module's DOCUMENTATION says exactly what its argument spec (built from the kind's option
table) accepts: names, types, elements, choices, defaults, required and suboptions; and the
etcd doc fragment documents exactly the shared connection options."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import re

import pytest
import yaml

from ansible_collections.netops.calico.plugins.doc_fragments.etcd import ModuleDocFragment
from ansible_collections.netops.calico.plugins.module_utils._datastore_settings import CONNECTION_ARGUMENT_SPEC

MODULES = ["calico_bgp_config", "calico_bgp_config_info", "calico_bgp_filter", "calico_bgp_filter_info",
           "calico_bgp_plan", "calico_resource", "calico_resource_info",
           "calico_bgp_peer", "calico_bgp_peer_info", "calico_bgp_status", "calico_node", "calico_node_info",
           "calico_node_status"]


def documented(options):
    """{name: comparable form} of DOCUMENTATION options."""
    result = {}
    for name, doc in (options or {}).items():
        result[name] = dict(type=doc.get("type", "str"), elements=doc.get("elements"),
                            choices=doc.get("choices"), default=doc.get("default"),
                            required=bool(doc.get("required", False)),
                            suboptions=documented(doc.get("suboptions")) if doc.get("suboptions") else None)
    return result


def specified(spec):
    result = {}
    for name, option in spec.items():
        result[name] = dict(type=option.get("type", "str"), elements=option.get("elements"),
                            choices=list(option["choices"]) if option.get("choices") else None,
                            default=option.get("default"), required=bool(option.get("required", False)),
                            suboptions=specified(option["options"]) if option.get("options") else None)
    return result


@pytest.mark.parametrize("name", MODULES)
def test_documentation_matches_the_argument_spec(name):
    module = importlib.import_module("ansible_collections.netops.calico.plugins.modules." + name)
    documentation = yaml.safe_load(module.DOCUMENTATION)
    spec = dict(module.ARGUMENT_SPEC)
    if "netops.calico.etcd" in documentation.get("extends_documentation_fragment", []):
        for option in CONNECTION_ARGUMENT_SPEC:
            spec.pop(option, None)
    assert documented(documentation["options"]) == specified(spec)


def test_the_etcd_fragment_documents_the_connection_options():
    fragment = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    assert documented(fragment["options"]) == specified(CONNECTION_ARGUMENT_SPEC)


def snake_case(name):
    """peerIP -> peer_ip, serviceClusterIPs -> service_cluster_ips, numAllowedLocalASNumbers ->
    num_allowed_local_as_numbers, routeReflectorClusterID -> route_reflector_cluster_id."""
    name = re.sub(r"IPs\b|IPs(?=[A-Z])", "Ips", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


@pytest.mark.parametrize("name", ["calico_bgp_config", "calico_bgp_filter", "calico_bgp_peer", "calico_node"])
def test_option_names_are_the_snake_case_of_calicos_field_names(name):
    module = importlib.import_module("ansible_collections.netops.calico.plugins.modules." + name)
    model = {"calico_bgp_config": "_kind_bgp_configuration", "calico_bgp_filter": "_kind_bgp_filter",
             "calico_bgp_peer": "_kind_bgp_peer", "calico_node": "_kind_node"}[name]
    kind = importlib.import_module("ansible_collections.netops.calico.plugins.module_utils." + model).MODEL
    # Calico's own spellings that snake_case cannot derive are listed with the reason.
    exceptions = {
        "nodeToNodeMeshEnabled": "node_to_node_mesh",  # the name `calicoctl config set nodeToNodeMesh` uses
    }
    for option in kind.options.values():
        expected = exceptions.get(option.field) or snake_case(option.field)
        assert option.name == expected, option.field
        assert option.name in module.ARGUMENT_SPEC
