import pytest

from ansible_collections.netops.calico.plugins.module_utils import _kind_bgp_configuration as bgp_configuration
from ansible_collections.netops.calico.plugins.module_utils._model_values import ValidationError


def params(**values):
    base = dict((option, None) for option in bgp_configuration.FIELDS)
    base.update(node=None, state="present", unset=[])
    base.update(values)
    return base


def test_resource_names():
    assert bgp_configuration.resource_name_for(None) == "default"
    assert bgp_configuration.resource_name_for("kube-node1") == "node.kube-node1"
    with pytest.raises(ValidationError, match="^node: "):
        bgp_configuration.resource_name_for("Kube_Node1")


def test_options_map_to_calico_fields():
    values, remove = bgp_configuration.spec_changes(params(
        as_number="1.10", node_to_node_mesh=False, log_severity_screen="Debug", listen_port=1179,
        service_cluster_ips=["10.96.0.0/12"], bind_mode="NodeIP", node_mesh_max_restart_time="120s",
        node_mesh_password={"secret_name": "bgp-secrets", "secret_key": "mesh"}, unset=["ignored_interfaces"]))
    assert values == {
        "asNumber": 65546, "nodeToNodeMeshEnabled": False, "logSeverityScreen": "Debug", "listenPort": 1179,
        "serviceClusterIPs": [{"cidr": "10.96.0.0/12"}], "bindMode": "NodeIP", "nodeMeshMaxRestartTime": "120s",
        "nodeMeshPassword": {"secretKeyRef": {"name": "bgp-secrets", "key": "mesh"}},
    }
    assert remove == ["ignoredInterfaces"]


def test_default_only_fields_rejected_on_a_node_resource():
    with pytest.raises(ValidationError) as error:
        bgp_configuration.spec_changes(params(node="n1", as_number=1, node_to_node_mesh=True, listen_port=1))
    assert str(error.value).startswith("as_number, node_to_node_mesh: only the global 'default'")
    values, _remove = bgp_configuration.spec_changes(params(node="n1", log_severity_screen="Debug", listen_port=1179))
    assert values == {"logSeverityScreen": "Debug", "listenPort": 1179}


def test_set_and_unset_the_same_option_is_refused():
    with pytest.raises(ValidationError, match="^unset: as_number cannot be both set and unset"):
        bgp_configuration.spec_changes(params(as_number=1, unset=["as_number"]))


def test_every_community_must_be_used():
    with pytest.raises(ValidationError, match="^communities: unused defined but not used"):
        bgp_configuration.desired_state(None, "default", params(
            communities=[{"name": "unused", "value": "65001:1"}]))
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
    assert bgp_configuration.effective(None) == {
        "as_number": 64512, "node_to_node_mesh": True, "log_severity_screen": "Info", "listen_port": 179}
    default = {"spec": {"asNumber": "1.10", "nodeToNodeMeshEnabled": False, "listenPort": 1179}}
    node = {"spec": {"listenPort": 2179, "logSeverityScreen": "Debug"}}
    assert bgp_configuration.effective(default, node) == {
        "as_number": 65546, "node_to_node_mesh": False, "log_severity_screen": "Debug", "listen_port": 2179}
    assert bgp_configuration.calicoctl_values(bgp_configuration.effective(default)) == {
        "asNumber": "65546", "nodeToNodeMesh": "off", "logLevel": "info"}
