from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.calico.plugins.module_utils import _model_values as validate
from ansible_collections.netops.calico.plugins.module_utils._errors import ValidationError


@pytest.mark.parametrize("value, expected", [
    (1, 1), (64512, 64512), ("64513", 64513), (4294967295, 4294967295),
    ("1.10", 65546), ("0.1", 1), ("65535.65535", 4294967295), ("0064512", 64512),
])
def test_as_number_accepts_plain_and_dotted(value, expected):
    assert validate.as_number(value) == expected


@pytest.mark.parametrize("value", [-1, 4294967296, "4294967296", "1.65536", "65536.0", "1.2.3", "abc", "", True,
                                   "1e3", " 64512", "64512\n", "\u0661\u0662", 1.1, 64513.0])
def test_as_number_rejects(value):
    with pytest.raises(ValidationError) as error:
        validate.as_number(value, "as_number")
    assert str(error.value).startswith("as_number: ")


@pytest.mark.parametrize("value", [0, "0", "0.0"])
def test_as_number_zero_says_it_is_not_allowed(value):
    with pytest.raises(ValidationError, match="^as_number: 0 is not allowed"):
        validate.as_number(value, "as_number")


def test_as_number_float_says_to_quote_dotted_numbers():
    with pytest.raises(ValidationError, match=r"quote dotted AS numbers \('1.10'\)"):
        validate.as_number(1.1, "as_number")


@pytest.mark.parametrize("name", ["node1", "kube-node1.example.com", "a", "1-2-3", "x" * 253])
def test_resource_name_accepts(name):
    assert validate.resource_name(name) == name


@pytest.mark.parametrize("name", ["Node1", "-node", "node-", "node_1", "a..b", "", "x" * 254, ".a", "node1\n",
                                  " node1", "node1 ", 5])
def test_resource_name_rejects(name):
    with pytest.raises(ValidationError, match="^name: "):
        validate.resource_name(name)


def test_ip_address_kept_as_typed_and_compared_by_value():
    assert validate.ip_address("00aa:00bb:0:0:0:0:0:ff", "peer_ip") == "00aa:00bb:0:0:0:0:0:ff"
    assert validate.same_ip("00aa:00bb:0:0:0:0:0:ff", "aa:bb::ff")
    assert not validate.same_ip("aa:bb::fe", "aa:bb::ff")
    assert validate.ip_address("10.0.0.1", "peer_ip", version=4) == "10.0.0.1"
    for bad in ("10.0.0", "10.0.0.256", "aa:bb::gg", "10.1", "", "fe80::1%eth0", "010.0.0.1", " 10.0.0.1",
                "\u0661.0.0.1"):
        with pytest.raises(ValidationError, match="^peer_ip: "):
            validate.ip_address(bad, "peer_ip")
    with pytest.raises(ValidationError, match="not an IPv4"):
        validate.ip_address("aa::1", "reachable_by", version=4)


def test_ipv4_mapped_ipv6_is_ipv4_as_in_go():
    assert validate.ip_address("::ffff:10.1.2.3", "route_reflector_cluster_id", 4) == "::ffff:10.1.2.3"
    with pytest.raises(ValidationError, match="not an IPv6"):
        validate.ip_address("::ffff:10.1.2.3", "x", 6)
    assert validate.ip_version("::ffff:10.1.2.3") == 4


def test_cidr():
    assert validate.cidr("10.96.0.0/12", "service_cluster_ips", masked=True) == "10.96.0.0/12"
    assert validate.cidr("10.0.0.11/24", "ipv4_address") == "10.0.0.11/24"
    assert validate.cidr("10.0.0.11", "ipv4_address") == "10.0.0.11"
    assert validate.cidr("1.2.3.4", "service_cluster_ips", masked=True) == "1.2.3.4"
    with pytest.raises(ValidationError, match="host bits set; use 10.96.0.0/12"):
        validate.cidr("10.96.0.1/12", "service_cluster_ips", masked=True)
    for bad in ("10.0.0.0/33", "10.0.0.0/x", "fd00::/129", "10.0.0.0/", "10.0.0.0/ 8", "10.0.0.0/8\n"):
        with pytest.raises(ValidationError, match="^field: "):
            validate.cidr(bad, "field")
    assert validate.same_cidr("fd00:0::11/64", "fd00::11/64")
    assert not validate.same_cidr("fd00::11/64", "fd00::11/65")


@pytest.mark.parametrize("value, expected", [
    ("192.20.30.40", ("192.20.30.40", None)),
    ("192.20.30.40:1790", ("192.20.30.40", 1790)),
    ("aa:bb::ff", ("aa:bb::ff", None)),
    ("[aa:bb::ff]:1790", ("aa:bb::ff", 1790)),
])
def test_peer_ip(value, expected):
    assert validate.peer_ip(value) == value
    assert validate.split_peer_ip(value) == expected
    assert validate.format_peer_ip(*expected) == value


@pytest.mark.parametrize("value", ["[aa:bb::ff]", "10.0.0.1:0", "10.0.0.1:65536", "[aa::1]:x", "300.0.0.1",
                                   "192.168.0.0:", "[9000::]:", ":8552", "[]:8552", "10.0.0.1 ", "x" * 65,
                                   "10.0.0.1:\u0661\u0667\u0669"])
def test_peer_ip_rejects(value):
    with pytest.raises(ValidationError, match="^peer_ip: "):
        validate.peer_ip(value)


def test_peer_ip_in_brackets_may_be_ipv4_as_calico_accepts():
    # libcalico-go's processIPPort takes '[1.2.3.4]:179' (its IPv6 pattern admits dots)
    assert validate.split_peer_ip("[10.0.0.1]:179") == ("10.0.0.1", 179)
    assert validate.same_peer_ip("[10.0.0.1]:179", "10.0.0.1:179")


def test_duration_parsed_as_go_and_stored_as_go_prints_it():
    assert validate.duration("120s", "max_restart_time") == "2m0s"
    assert validate.duration("1m30s", "max_restart_time") == "1m30s"
    assert validate.duration("90m", "max_restart_time") == "1h30m0s"
    assert validate.duration("1.5s", "max_restart_time") == "1.5s"
    assert validate.duration("300ms", "max_restart_time") == "300ms"
    assert validate.duration("0", "max_restart_time") == "0s"
    assert validate.duration("2h45m", "max_restart_time") == "2h45m0s"
    assert validate.same_duration("2m0s", "120s")
    for bad in ("ten seconds", "10", "-5s", "", "1m 30s", 90, "5s\n", "1.2.3s"):
        with pytest.raises(ValidationError, match="^max_restart_time: "):
            validate.duration(bad, "max_restart_time")


def test_community_and_interfaces():
    assert validate.community_value("65001:100", "c") == "65001:100"
    assert validate.community_value("4200000000:1:2", "c") == "4200000000:1:2"
    for bad in ("65536:1", "1", "a:b", "1:2:3:4", "4294967296:1:1", "1:2\n"):
        with pytest.raises(ValidationError):
            validate.community_value(bad, "c")
    assert validate.ignored_interface("eth*", "ignored_interfaces") == "eth*"
    with pytest.raises(ValidationError, match="'\\*' alone is not allowed"):
        validate.ignored_interface("*", "ignored_interfaces")
    for bad in ("eth[0-9]", "veth?", "a:b", "x" * 16, "eth 0"):
        with pytest.raises(ValidationError, match="^ignored_interfaces: "):
            validate.ignored_interface(bad, "ignored_interfaces")


def test_labels():
    assert validate.label_key("projectcalico.org/rack", "labels") == "projectcalico.org/rack"
    assert validate.label_key("projectcalico.org/Label", "labels") == "projectcalico.org/Label"
    assert validate.label_value("r1", "labels") == "r1"
    assert validate.label_value("", "labels") == ""
    for bad in ("Bad Key", "a/b/c", "ProjectCalico.org/label", "x" * 64, "rack\n"):
        with pytest.raises(ValidationError):
            validate.label_key(bad, "labels")
    for bad in ("-x", "x" * 64, "r1\n"):
        with pytest.raises(ValidationError):
            validate.label_value(bad, "labels")


def test_log_severity_is_case_insensitive_and_knows_trace():
    for level in ("Info", "info", "INFO", "Trace", "fatal"):
        assert validate.log_severity(level, "log_severity_screen") == level
    with pytest.raises(ValidationError, match="^log_severity_screen: 'invalidLvl' is not a log level"):
        validate.log_severity("invalidLvl", "log_severity_screen")


def test_integer_and_choice():
    assert validate.integer(5, "ttl_security", 0, 255) == 5
    with pytest.raises(ValidationError, match="ttl_security: 256 is out of range"):
        validate.integer(256, "ttl_security", 0, 255)
    with pytest.raises(ValidationError, match="bind_mode: 'x' is not one of None, NodeIP"):
        validate.choice("x", "bind_mode", ("None", "NodeIP"))


def test_finite_positive():
    assert validate.finite_positive(0.5, "etcd_timeout") == 0.5
    for bad in (0, -1, float("nan"), float("inf"), True, "5"):
        with pytest.raises(ValidationError, match="^etcd_timeout: "):
            validate.finite_positive(bad, "etcd_timeout")


def test_long_values_are_quoted_short():
    with pytest.raises(ValidationError) as info:
        validate.peer_ip("1" * 200000)
    assert len(str(info.value)) < 400
