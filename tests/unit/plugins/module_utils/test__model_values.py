import pytest

from ansible_collections.netops.calico.plugins.module_utils import _model_values as validate
from ansible_collections.netops.calico.plugins.module_utils._model_values import ValidationError


@pytest.mark.parametrize("value, expected", [
    (0, 0), (64512, 64512), ("64513", 64513), (4294967295, 4294967295),
    ("1.10", 65546), ("0.0", 0), ("65535.65535", 4294967295),
])
def test_as_number_accepts_plain_and_dotted(value, expected):
    assert validate.as_number(value) == expected


@pytest.mark.parametrize("value", [-1, 4294967296, "4294967296", "1.65536", "65536.0", "1.2.3", "abc", "", True, "1e3"])
def test_as_number_rejects(value):
    with pytest.raises(ValidationError) as error:
        validate.as_number(value, "as_number")
    assert str(error.value).startswith("as_number: ")


@pytest.mark.parametrize("name", ["node1", "kube-node1.example.com", "a", "1-2-3", "x" * 253])
def test_resource_name_accepts(name):
    assert validate.resource_name(name) == name


@pytest.mark.parametrize("name", ["Node1", "-node", "node-", "node_1", "a..b", "", "x" * 254, ".a"])
def test_resource_name_rejects(name):
    with pytest.raises(ValidationError, match="^name: "):
        validate.resource_name(name)


def test_ip_address_normalises_ipv6():
    assert validate.ip_address("00aa:00bb:0:0:0:0:0:ff", "peer_ip") == "aa:bb::ff"
    assert validate.ip_address("10.0.0.1", "peer_ip", version=4) == "10.0.0.1"
    for bad in ("10.0.0", "10.0.0.256", "aa:bb::gg", "10.1", ""):
        with pytest.raises(ValidationError, match="^peer_ip: "):
            validate.ip_address(bad, "peer_ip")
    with pytest.raises(ValidationError, match="not an IPv4"):
        validate.ip_address("aa::1", "reachable_by", version=4)


def test_cidr():
    assert validate.cidr("10.96.0.0/12", "service_cluster_ips", masked=True) == "10.96.0.0/12"
    assert validate.cidr("10.0.0.11/24", "ipv4_address") == "10.0.0.11/24"
    assert validate.cidr("10.0.0.11", "ipv4_address", allow_bare=True) == "10.0.0.11"
    with pytest.raises(ValidationError, match="host bits set; use 10.96.0.0/12"):
        validate.cidr("10.96.0.1/12", "service_cluster_ips", masked=True)
    for bad in ("10.0.0.0/33", "10.0.0.0/x", "10.0.0.0", "fd00::/129"):
        with pytest.raises(ValidationError, match="^field: "):
            validate.cidr(bad, "field")


@pytest.mark.parametrize("value, expected", [
    ("192.20.30.40", ("192.20.30.40", None)),
    ("192.20.30.40:1790", ("192.20.30.40", 1790)),
    ("aa:bb::ff", ("aa:bb::ff", None)),
    ("[aa:bb::ff]:1790", ("aa:bb::ff", 1790)),
])
def test_peer_ip(value, expected):
    assert validate.peer_ip(value) == expected
    assert validate.format_peer_ip(*expected) == value


@pytest.mark.parametrize("value, message", [
    ("[aa:bb::ff]", "must be followed by :port"),
    ("10.0.0.1:0", "port '0' is out of range"),
    ("10.0.0.1:65536", "out of range"),
    ("[aa::1]:x", "out of range"),
    ("[10.0.0.1]:179", "not an IPv6"),
    ("300.0.0.1", "not a valid IP"),
])
def test_peer_ip_rejects(value, message):
    with pytest.raises(ValidationError, match=message):
        validate.peer_ip(value)


def test_duration_and_community_and_interfaces():
    assert validate.duration("120s", "max_restart_time") == "120s"
    assert validate.duration("1m30s", "max_restart_time") == "1m30s"
    assert validate.duration(90, "max_restart_time") == "90s"
    for bad in ("ten seconds", "10", "-5s", ""):
        with pytest.raises(ValidationError, match="^max_restart_time: "):
            validate.duration(bad, "max_restart_time")
    assert validate.community_value("65001:100", "c") == "65001:100"
    assert validate.community_value("4200000000:1:2", "c") == "4200000000:1:2"
    for bad in ("65536:1", "1", "a:b", "1:2:3:4", "4294967296:1:1"):
        with pytest.raises(ValidationError):
            validate.community_value(bad, "c")
    assert validate.interface_pattern("eth*", "ignored_interfaces") == "eth*"
    with pytest.raises(ValidationError, match="'\\*' is not allowed"):
        validate.interface_pattern("*", "ignored_interfaces")


def test_labels():
    assert validate.label_key("projectcalico.org/rack", "labels") == "projectcalico.org/rack"
    assert validate.label_value("r1", "labels") == "r1"
    with pytest.raises(ValidationError):
        validate.label_key("Bad Key", "labels")
    with pytest.raises(ValidationError):
        validate.label_value("-x", "labels")


def test_integer_and_choice():
    assert validate.integer(5, "ttl_security", 0, 255) == 5
    with pytest.raises(ValidationError, match="ttl_security: 256 is out of range"):
        validate.integer(256, "ttl_security", 0, 255)
    with pytest.raises(ValidationError, match="bind_mode: 'x' is not one of None, NodeIP"):
        validate.choice("x", "bind_mode", ("None", "NodeIP"))


@pytest.mark.parametrize("text, parts", [
    ("10.0.0.1", ("10.0.0.1", None, False)),
    ("10.0.0.1:179", ("10.0.0.1", "179", False)),
    ("aa:bb::ff", ("aa:bb::ff", None, False)),
    ("[aa:bb::ff]:1790", ("aa:bb::ff", "1790", True)),
    ("[aa:bb::ff]", ("aa:bb::ff", None, True)),
    ("[aa:bb::ff", None),
])
def test_split_peer_ip_is_syntax_only(text, parts):
    assert validate.split_peer_ip(text) == parts
