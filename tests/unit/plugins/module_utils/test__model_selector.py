import pytest

from ansible_collections.netops.calico.plugins.module_utils._model_selector import selector_matches, validate_selector
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


@pytest.mark.parametrize("expression", ["", "rack ==", "rack = 'x'", "(all()", "has(", "rack in {'a'", "&& all()"])
def test_invalid_selectors_name_the_option(expression):
    with pytest.raises(ValidationError, match="^node_selector: .* is not a valid Calico selector"):
        validate_selector(expression, "node_selector")
