from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_configuration as bgp_configuration
from ansible_collections.netops.calico.plugins.module_utils._model_values import ValidationError


def params(**values):
    base = dict((option, None) for option in bgp_configuration.MODEL.options)
    base.update(node=None, state="present", unset=[])
    base.update(values)
    return base


def test_resource_names():
    assert bgp_configuration.resource_name_for(None) == "default"
    assert bgp_configuration.resource_name_for("kube-node1") == "node.kube-node1"
    with pytest.raises(ValidationError, match="^node: "):
        bgp_configuration.resource_name_for("Kube_Node1")


def test_options_map_to_calico_fields():
    request = bgp_configuration.spec_changes(params(
        as_number="1.10", node_to_node_mesh=False, log_severity_screen="Debug", listen_port=1179,
        service_cluster_ips=["10.96.0.0/12"], bind_mode="NodeIP", node_mesh_max_restart_time="120s",
        node_mesh_password={"secret_name": "bgp-secrets", "secret_key": "mesh"}, unset=["ignored_interfaces"]))
    assert request.values == {
        "asNumber": 65546, "nodeToNodeMeshEnabled": False, "logSeverityScreen": "Debug", "listenPort": 1179,
        "serviceClusterIPs": [{"cidr": "10.96.0.0/12"}], "bindMode": "NodeIP", "nodeMeshMaxRestartTime": "2m0s",
        "nodeMeshPassword": {"secretKeyRef": {"name": "bgp-secrets", "key": "mesh"}},
    }
    assert request.remove == ["ignoredInterfaces"]


def test_default_only_fields_rejected_on_a_node_resource():
    with pytest.raises(ValidationError) as error:
        bgp_configuration.spec_changes(params(node="n1", as_number=1, node_to_node_mesh=True, listen_port=1))
    assert str(error.value).startswith("as_number, node_to_node_mesh: only the global 'default'")
    request = bgp_configuration.spec_changes(params(node="n1", log_severity_screen="Debug", listen_port=1179))
    assert request.values == {"logSeverityScreen": "Debug", "listenPort": 1179}


def test_set_and_unset_the_same_option_is_refused():
    with pytest.raises(ValidationError, match="^unset: as_number cannot be both set and unset"):
        bgp_configuration.spec_changes(params(as_number=1, unset=["as_number"]))


def test_communities_need_prefix_advertisements_but_not_every_one_is_used():
    # Calico's CEL rule: communities only together with prefixAdvertisements
    with pytest.raises(ValidationError, match="^communities: communities are defined but not used"):
        bgp_configuration.desired_state(None, "default", params(
            communities=[{"name": "unused", "value": "65001:1"}]))
    # ... but not every defined community has to be used (that rule is not Calico's)
    document = bgp_configuration.desired_state(None, "default", params(
        communities=[{"name": "gold", "value": "65001:1"}, {"name": "spare", "value": "65001:9"}],
        prefix_advertisements=[{"cidr": "10.0.0.0/24", "communities": ["gold"]}]))
    assert [community["name"] for community in document["spec"]["communities"]] == ["gold", "spare"]
    document = bgp_configuration.desired_state(None, "default", params(
        communities=[{"name": "gold", "value": "65001:1"}],
        prefix_advertisements=[{"cidr": "10.0.0.0/24", "communities": ["gold", "65001:2"]}]))
    assert document["spec"]["prefixAdvertisements"] == [{"cidr": "10.0.0.0/24", "communities": ["gold", "65001:2"]}]


def test_empty_lists_are_omitted_like_calico_does():
    document = bgp_configuration.desired_state(None, "default", params(service_external_ips=[]))
    assert "serviceExternalIPs" not in document["spec"]


def test_absent():
    assert bgp_configuration.desired_state({"spec": {}}, "default", params(state="absent")) is None


def test_effective_values():
    newer_defaults = {"service_load_balancer_aggregation": "Enabled", "program_cluster_routes": "EnabledNoEncapOnly",
                      "ipv4_normal_route_priority": 1024, "ipv6_normal_route_priority": 1024}
    assert bgp_configuration.effective(None) == dict(
        newer_defaults, as_number=64512, node_to_node_mesh=True, log_severity_screen="Info", listen_port=179)
    default = {"spec": {"asNumber": "1.10", "nodeToNodeMeshEnabled": False, "listenPort": 1179,
                        "ipv6NormalRoutePriority": 80, "programClusterRoutes": "Disabled"}}
    node = {"spec": {"listenPort": 2179, "logSeverityScreen": "Debug"}}
    assert bgp_configuration.effective(default, node) == dict(
        newer_defaults, as_number=65546, node_to_node_mesh=False, log_severity_screen="Debug", listen_port=2179,
        ipv6_normal_route_priority=80, program_cluster_routes="Disabled")
    assert bgp_configuration.calicoctl_values(bgp_configuration.effective(default)) == {
        "asNumber": "65546", "nodeToNodeMesh": "off", "logLevel": "info"}


def test_an_undefined_community_name_is_refused_even_with_no_communities_defined():
    with pytest.raises(ValidationError, match="^prefix_advertisements: community 'silver' is not defined"):
        bgp_configuration.desired_state(None, "default", params(
            prefix_advertisements=[{"cidr": "10.0.0.0/24", "communities": ["silver"]}]))


def test_prefix_advertisement_cidr_masked_and_communities_required():
    with pytest.raises(ValidationError, match=r"^prefix_advertisements\[0\].cidr: '10.0.0.1/24' has host bits"):
        bgp_configuration.spec_changes(params(prefix_advertisements=[{"cidr": "10.0.0.1/24", "communities": ["1:1"]}]))
    with pytest.raises(ValidationError, match=r"^prefix_advertisements\[0\].communities: is required"):
        bgp_configuration.spec_changes(params(prefix_advertisements=[{"cidr": "10.0.0.0/24", "communities": []}]))


@pytest.mark.parametrize("option, value", [
    ("node_mesh_password", {"secret_name": "bgp", "secret_key": "mesh"}),
    ("node_mesh_max_restart_time", "2m0s"),
])
def test_mesh_settings_are_refused_with_the_mesh_off_whichever_the_task_changes(option, value):
    field = bgp_configuration.MODEL.options[option].field
    stored_value = bgp_configuration.MODEL.options[option].convert(value, option)
    # the task turns the mesh off over a stored setting
    with pytest.raises(ValidationError, match="^%s, node_to_node_mesh: cannot be set while the node-to-node mesh "
                                              "is off \\(%s already stored" % (option, option)):
        bgp_configuration.desired_state({"metadata": {"name": "default"}, "spec": {field: stored_value}},
                                        "default", params(node_to_node_mesh=False))
    # the task sets it while the mesh is stored off
    with pytest.raises(ValidationError, match="cannot be set while the node-to-node mesh is off"):
        bgp_configuration.desired_state({"metadata": {"name": "default"}, "spec": {"nodeToNodeMeshEnabled": False}},
                                        "default", params(**{option: value}))
    # and is fine with the mesh on
    document = bgp_configuration.desired_state(None, "default", params(node_to_node_mesh=True, **{option: value}))
    assert document["spec"][field] == stored_value


def test_spec_in_go_struct_order():
    document = bgp_configuration.desired_state(None, "default", params(
        listen_port=1179, as_number=64513, node_to_node_mesh=False, log_severity_screen="info"))
    assert list(document["spec"]) == ["logSeverityScreen", "nodeToNodeMeshEnabled", "asNumber", "listenPort"]
