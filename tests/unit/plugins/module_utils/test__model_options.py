"""Unit tests of the kind contract and the option rules every kind shares."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import OrderedDict

import pytest

from ansible_collections.netops.calico.plugins.module_utils import _model_values as values
from ansible_collections.netops.calico.plugins.module_utils._errors import ValidationError, ValidationErrors
from ansible_collections.netops.calico.plugins.module_utils._model_options import (
    Kind,
    Option,
    check_rules,
    coerce,
    label_changes,
    merge_labels,
    parse_options,
    secret_reference,
    update_section,
)

KIND = Kind("Example", "examples", options=[
    Option("as_number", "asNumber", "raw", values.as_number, values.same_as_number),
    Option("port", "listenPort", "int", values.port),
    Option("keep", "keepOriginalNextHop", "bool", omit_false=True),
    Option("wait", "maxRestartTime", "str", values.duration, values.same_duration),
], field_order=("listenPort", "asNumber", "keepOriginalNextHop", "maxRestartTime"),
    rules=(lambda spec, context: [(["asNumber", "listenPort"], "exclude each other")]
           if spec.get("asNumber") and spec.get("listenPort") else [],))


def test_options_left_out_keep_their_stored_value_and_unset_removes():
    request = parse_options(KIND, {"port": 1179, "unset": ["wait"]})
    section = update_section(KIND, OrderedDict([("asNumber", 1), ("maxRestartTime", "2m0s"), ("x", 1)]), request)
    assert list(section.items()) == [("listenPort", 1179), ("asNumber", 1), ("x", 1)]  # Go order, unknown last


def test_equal_values_keep_the_stored_text():
    request = parse_options(KIND, {"as_number": 65546, "wait": "120s"})
    section = update_section(KIND, {"asNumber": "1.10", "maxRestartTime": "120s"}, request)
    assert section == {"asNumber": "1.10", "maxRestartTime": "120s"}
    assert parse_options(KIND, {"wait": "120s"}).values == {"maxRestartTime": "2m0s"}


def test_go_omitempty_fields_are_not_written():
    request = parse_options(KIND, {"keep": False})
    assert request.remove == ["keepOriginalNextHop"]
    assert update_section(KIND, {"keepOriginalNextHop": True}, request) == {}


def test_set_and_unset_together_and_every_problem_at_once():
    with pytest.raises(ValidationErrors) as info:
        parse_options(KIND, {"as_number": "x", "port": 0, "unset": ["as_number", "nope"]})
    messages = info.value.messages
    assert any(message.startswith("unset: 'nope' is not an option that can be unset") for message in messages)
    assert any(message.startswith("as_number: 'x' is not an AS number") for message in messages)
    assert any(message.startswith("port: port 0 is out of range") for message in messages)
    assert any(message.startswith("unset: as_number cannot be both set and unset") for message in messages)


def test_rules_name_the_options_and_say_what_is_stored():
    request = parse_options(KIND, {"port": 1179})
    section = update_section(KIND, {"asNumber": 1}, request)
    with pytest.raises(ValidationError) as info:
        check_rules(KIND, section, request)
    assert str(info.value) == ("as_number, port: exclude each other (as_number already stored: name it in "
                               "unset to remove it)")


def test_labels_one_behaviour_for_every_kind():
    assert label_changes({"b": True, "a": 3, "c": None, "d": "x"}) == OrderedDict(
        [("a", "3"), ("b", "true"), ("c", None), ("d", "x")])
    with pytest.raises(ValidationError, match=r"labels.a: 1.5 is not a label value"):
        label_changes({"a": 1.5})
    with pytest.raises(ValidationError, match="must be a dict"):
        label_changes(["a"])
    metadata = {"labels": {"a": "1", "b": "2"}}
    merge_labels(metadata, {"b": None, "c": "3"})
    assert metadata == {"labels": {"a": "1", "c": "3"}}
    merge_labels(metadata, {"a": None, "c": None})
    assert metadata == {}


def test_secret_reference():
    assert secret_reference({"secret_name": "bgp", "secret_key": "mesh"}, "password") == {
        "secretKeyRef": {"name": "bgp", "key": "mesh"}}
    with pytest.raises(ValidationError, match=r"password.secret_key: is required"):
        secret_reference({"secret_name": "bgp"}, "password")
    with pytest.raises(ValidationError, match=r"unknown key\(s\) other"):
        secret_reference({"secret_name": "bgp", "secret_key": "k", "other": 1}, "password")
    with pytest.raises(ValidationError, match=r"password.secret_name: 'Bad_Name' is not a valid name"):
        secret_reference({"secret_name": "Bad_Name", "secret_key": "k"}, "password")


def test_argument_spec_from_the_table():
    spec = KIND.argument_spec(name=dict(type="str", required=True))
    assert list(spec) == ["as_number", "port", "keep", "wait", "labels", "unset", "name"]
    assert spec["unset"] == dict(type="list", elements="str", default=[],
                                 choices=["as_number", "port", "keep", "wait"])


@pytest.mark.parametrize("value, spec, expected", [
    ("yes", dict(type="bool"), True),
    ("12", dict(type="int"), 12),
    ("a, b", dict(type="list", elements="str"), ["a", "b"]),
    (12, dict(type="str"), "12"),
])
def test_coerce_like_ansible(value, spec, expected):
    assert coerce(value, spec, "x") == expected


@pytest.mark.parametrize("value, spec", [("maybe", dict(type="bool")), (1.5, dict(type="int")),
                                         ({}, dict(type="str")), (1.1, dict(type="str"))])
def test_coerce_refuses(value, spec):
    with pytest.raises(ValidationError, match="^x: "):
        coerce(value, spec, "x")
