from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.calico.plugins.module_utils._model_selector import (
    SelectorError,
    compile_selector,
    selector_matches,
    validate_selector,
)
from ansible_collections.netops.calico.plugins.module_utils._model_values import ValidationError

LABELS = {"rack": "r1", "route-reflector": "true", "zone": "eu-west", "kubernetes.io/hostname": "node1"}


@pytest.mark.parametrize("expression, expected", [
    ("all()", True),
    ("has(route-reflector)", True),
    ("!has(route-reflector)", False),
    ("has(kubernetes.io/hostname)", True),
    ("rack == 'r1'", True),
    ('rack == "r2"', False),
    ("rack != 'r1'", False),
    ("missing != 'x'", True),
    ("rack in {'r1', 'r2'}", True),
    ("rack not in {'r1'}", False),
    ("missing in {'r1'}", False),
    ("rack == 'r1' && has(route-reflector)", True),
    ("rack == 'r2' || zone starts with 'eu'", True),
    ("!(rack == 'r1') && all()", False),
    ("zone ends with 'west'", True),
    ("zone contains 'u-w'", True),
    ("missing contains ''", False),
])
def test_selector_semantics(expression, expected):
    assert selector_matches(expression, LABELS) is expected


def test_empty_selector_is_refused_with_the_way_to_remove_one():
    with pytest.raises(ValidationError, match="^node_selector: must not be empty .*unset"):
        validate_selector("", "node_selector")


@pytest.mark.parametrize("expression", ["rack ==", "rack = 'x'", "(all()", "has(", "rack in {'a'", "&& all()"])
def test_invalid_selectors_name_the_option(expression):
    with pytest.raises(ValidationError, match="^node_selector: .* is not a valid Calico selector"):
        validate_selector(expression, "node_selector")


@pytest.mark.parametrize("expression", [
    "rack == 'r1'\n", "all ()", "has (rack)", "rack == 'r1' &", "rack === 'x'", "rack in {'a',}x",
    "x" * 513 + " == 'a'", "rack == 'r1' " * 100,
])
def test_calico_refuses_what_its_tokenizer_refuses(expression):
    with pytest.raises(ValidationError, match="^peer_selector: "):
        validate_selector(expression, "peer_selector")


@pytest.mark.parametrize("expression, expected", [
    ("rack notin {'r2'}", True),             # Calico's tokenizer reads 'notin' as 'not in'
    ("rack not   in {'r1'}", False),
    ("all(  )", True),
    ("has( rack )", True),
    ("\track == 'r1'", True),
    ("global()", True),
    ("missing != 'x'", True),
    ("missing not in {'x'}", True),
    ("!!has(rack)", True),
    ("x" * 512 + " != 'a'", True),
])
def test_calico_syntax(expression, expected):
    assert selector_matches(expression, LABELS) is expected


def test_length_limit_of_a_selector():
    expression = "rack == '%s'" % ("a" * 1014)
    assert len(expression) == 1024
    assert validate_selector(expression, "node_selector") == expression
    with pytest.raises(ValidationError, match="1025 characters long; Calico allows at most 1024"):
        validate_selector(expression + " ", "node_selector")


def test_any_nesting_depth_without_recursion():
    deep = "(" * 3000 + "has(rack)" + ")" * 3000
    assert selector_matches(deep, LABELS) is True
    negations = "!" * 5000 + "has(rack)"
    assert selector_matches(negations, LABELS) is True
    assert selector_matches("!" + negations, LABELS) is False
    with pytest.raises(SelectorError):
        compile_selector("(" * 3000 + "has(rack)" + ")" * 2999)
