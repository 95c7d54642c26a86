# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kind contract and the option rules every kind shares.

For internal use by this collection. No Ansible imports. A Calico kind is declared once, in its
_kind_<kind>.py file, as a Kind: its name and key plural, an option table (Option: option name =
snake_case of Calico's JSON field, Ansible type, conversion to the stored form, value rules),
the Go struct order of its fields, cross-field rules and Calico's defaults. Argument specs,
request parsing, the stored form and rule checking come from that table, here, once:

- options left out keep their stored value; `unset` removes fields; an option cannot be both
  set and unset;
- a value equal to the stored one (an AS number, address, CIDR or duration written another way)
  keeps the stored text, so an equivalent task is not a change;
- fields Go omits when empty are not written, and spec fields are kept in Go's struct order;
- labels are merged, `null` removes a label, YAML booleans and integers become their text;
- every problem of a task is reported together.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections import OrderedDict

from ansible_collections.netops.calico.plugins.module_utils import _model_values as values
from ansible_collections.netops.calico.plugins.module_utils._errors import Problems, ValidationError, shown


# Every resource this collection creates carries this label (BGP peers, status requests); a purge or
# a cleanup only ever removes such resources.
OWNER_LABEL = "netops.calico/managed-by"
OWNER_VALUE = "ansible"


def is_owned(document):
    return ((document.get("metadata") or {}).get("labels") or {}).get(OWNER_LABEL) == OWNER_VALUE


def _go_empty(value):
    """What encoding/json's omitempty leaves out (false only for non-pointer bools: see Option)."""
    return value is None or value == "" or value == [] or value == {}


class Option(object):
    """One module option: the Calico JSON field it sets and its rules.

    convert(value, option_name) -> stored value (raises ValidationError); same(stored, wanted)
    says whether a stored value already means what the task asks for. omit_false is for Go's
    non-pointer bools (keepOriginalNextHop), whose false is never stored. since: the Calico
    version that introduced the field ("3.31"), None for fields every supported version knows.
    to_option(stored) turns a stored value back into the option's form (for manifests)."""

    def __init__(self, name, field, type="str", convert=None, same=None, elements=None,
                 choices=None, suboptions=None, omit_false=False, no_log=None, since=None, to_option=None):
        self.name = name
        self.field = field
        self.type = type
        self.convert = convert or (lambda value, option: value)
        self.same = same or (lambda stored, wanted: stored == wanted)
        self.elements = elements
        self.choices = choices
        self.suboptions = suboptions
        self.omit_false = omit_false
        self.no_log = no_log
        self.since = since
        self.to_option = to_option or (lambda stored: stored)

    def omitted(self, value):
        return _go_empty(value) or (self.omit_false and value is False)

    def argument_spec(self):
        spec = dict(type=self.type)
        if self.elements:
            spec["elements"] = self.elements
        if self.choices:
            spec["choices"] = list(self.choices)
        if self.suboptions:
            spec["options"] = dict((name, dict(sub)) for name, sub in self.suboptions.items())
        if self.no_log is not None:
            spec["no_log"] = self.no_log
        return spec


class Kind(object):
    """A Calico kind as the collection models it (see the module docstring)."""

    def __init__(self, name, plural, options, field_order, section=("spec",), rules=(), defaults=None,
                 unsettable=None, since=None):
        self.name = name
        self.since = since  # the Calico version that introduced the kind
        self.plural = plural
        self.options = OrderedDict((option.name, option) for option in options)
        self.by_field = dict((option.field, option) for option in options)
        self.field_order = tuple(field_order)
        self.section = tuple(section)
        self.rules = tuple(rules)
        self.defaults = dict(defaults or {})
        self.unsettable = tuple(unsettable if unsettable is not None else self.options)

    def versions(self, option_names):
        """(option, Calico version) of the given options that need a version of their own."""
        return [(name, self.options[name].since) for name in option_names
                if name in self.options and self.options[name].since]

    def option_name(self, field):
        option = self.by_field.get(field)
        return option.name if option else field

    def argument_spec(self, **extra):
        """The module's argument spec: the option table, labels, unset, then extra options."""
        spec = OrderedDict((name, option.argument_spec()) for name, option in self.options.items())
        spec["labels"] = dict(type="dict")
        spec["unset"] = dict(type="list", elements="str", default=[], choices=list(self.unsettable))
        spec.update(extra)
        return spec


class Request(object):
    """The validated options of one task (or one bulk entry) for a kind."""

    def __init__(self, kind, prefix=""):
        self.kind = kind
        self.prefix = prefix          # "" or "peers[3]." in messages
        self.values = OrderedDict()   # field -> stored value to set
        self.remove = []              # fields to remove
        self.labels = None            # {key: value or None} to merge, or None
        self.given = set()            # option names given


def parse_options(kind, params, prefix="", problems=None):
    """A Request from the options of the kind's table in params; problems are added to problems
    (a Problems) or raised together."""
    own_problems = problems is None
    problems = problems if problems is not None else Problems()
    request = Request(kind, prefix)
    unset = params.get("unset") or []
    if not isinstance(unset, list):
        problems.add(prefix + "unset", "must be a list of option names")
        unset = []
    for option_name in unset:
        if option_name not in kind.unsettable:
            problems.add(prefix + "unset", "%s is not an option that can be unset (one of %s)"
                         % (shown(option_name), ", ".join(kind.unsettable)))
    for name, option in kind.options.items():
        value = params.get(name)
        if value is None:
            continue
        request.given.add(name)
        converted = problems.attempt(option.convert, value, prefix + name)
        if converted is None:
            continue
        if option.omitted(converted):
            request.remove.append(option.field)  # Go never stores it: asking for it means absent
        else:
            request.values[option.field] = converted
    both = [name for name in unset if name in request.given]
    if both:
        problems.add(prefix + "unset", "%s cannot be both set and unset in one task" % ", ".join(both))
    for name in unset:
        if name in kind.options and kind.options[name].field not in request.remove:
            request.remove.append(kind.options[name].field)
    if params.get("labels") is not None:
        request.labels = problems.attempt(label_changes, params["labels"], prefix + "labels")
    if own_problems:
        problems.raise_any()
    return request


def label_changes(labels, field="labels"):
    """Validated labels to merge: {key: text value, or None to remove the label}. YAML booleans
    become 'true'/'false' and integers their digits, as Kubernetes stores them."""
    if not isinstance(labels, dict):
        raise ValidationError(field, "must be a dict of label names to values (null removes a label)")
    problems = Problems()
    result = OrderedDict()
    for key in sorted(labels, key=str):
        value = labels[key]
        problems.attempt(values.label_key, key, "%s (key %s)" % (field, shown(key)))
        entry = "%s.%s" % (field, key)
        if value is None:
            result[key] = None
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int):
            value = str(value)
        elif not isinstance(value, str):
            problems.add(entry, "%s is not a label value; give a string" % shown(value))
            continue
        result[key] = problems.attempt(values.label_value, value, entry)
    problems.raise_any()
    return result


def merge_labels(metadata, labels):
    """metadata's labels with labels merged in (None removes one); an empty set is dropped."""
    if not labels:
        return
    stored = metadata.get("labels")
    if stored is not None and not isinstance(stored, dict):
        raise ValidationError("labels", "the stored metadata.labels is not a map; refusing to overwrite it")
    merged = OrderedDict(stored or {})
    for key, value in labels.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if merged:
        metadata["labels"] = merged
    else:
        metadata.pop("labels", None)


def update_section(kind, section, request):
    """The stored section (spec, or spec.bgp for a Node) with the request applied: a new
    OrderedDict in Go's struct order, fields Go omits left out, unknown fields kept after."""
    result = OrderedDict(section or {})
    for field, value in request.values.items():
        if field in result and kind.by_field[field].same(result[field], value):
            continue
        result[field] = value
    for field in request.remove:
        result.pop(field, None)
    for field in list(result):
        option = kind.by_field.get(field)
        if option is not None and option.omitted(result[field]):
            del result[field]
    return go_order(result, kind.field_order)


def go_order(mapping, field_order):
    ordered = OrderedDict((field, mapping[field]) for field in field_order if field in mapping)
    for field, value in mapping.items():
        if field not in ordered:
            ordered[field] = value
    return ordered


def check_rules(kind, section, request, context=None, rules=None):
    """Run the kind's cross-field rules (or the given subset) on a section; every broken rule is
    reported, naming the options, and saying when a field involved is one the task did not give.
    context is the kind's extra input to its rules (a peer's scope)."""
    problems = Problems()
    for rule in kind.rules if rules is None else rules:
        for fields, message in rule(section, context):
            names = [request.prefix + kind.option_name(field) for field in fields]
            kept = [kind.option_name(field) for field in fields
                    if field in section and kind.option_name(field) not in request.given]
            if kept:
                message += " (%s already stored: name it in unset to remove it)" % ", ".join(kept)
            problems.add(names, message)
    problems.raise_any()


# ---- option types shared by the kinds ----------------------------------------------------------

def list_option(check):
    """A list option whose items are checked by check(item, 'option[index]')."""
    def convert(items, name):
        if not isinstance(items, list):
            raise ValidationError(name, "must be a list")
        problems = Problems()
        converted = [problems.attempt(check, item, "%s[%d]" % (name, index)) for index, item in enumerate(items)]
        problems.raise_any()
        return converted
    return convert


def same_list(same_item):
    return lambda stored, wanted: isinstance(stored, list) and len(stored) == len(wanted) and all(
        same_item(first, second) for first, second in zip(stored, wanted))


def choice_option(choices):
    return lambda value, name: values.choice(value, name, choices)


def integer_option(minimum, maximum):
    return lambda value, name: values.integer(value, name, minimum, maximum)


SECRET_REFERENCE_SUBOPTIONS = OrderedDict([
    ("secret_name", dict(type="str", required=True)),
    ("secret_key", dict(type="str", required=True, no_log=False)),
    ("optional", dict(type="bool")),
])


def secret_reference_option(stored):
    """A stored secretKeyRef as the option's dict."""
    reference = (stored or {}).get("secretKeyRef") if isinstance(stored, dict) else None
    if not isinstance(reference, dict):
        return stored
    option = OrderedDict([("secret_name", reference.get("name")), ("secret_key", reference.get("key"))])
    if "optional" in reference:
        option["optional"] = reference["optional"]
    return option


def secret_reference(value, name):
    """A reference to a key of a Kubernetes Secret, stored as Calico's secretKeyRef; the datastore
    holds only the reference, never the password."""
    if not isinstance(value, dict):
        raise ValidationError(name, "must be a dict with secret_name and secret_key")
    unknown = sorted(set(value) - set(SECRET_REFERENCE_SUBOPTIONS))
    if unknown:
        raise ValidationError(name, "unknown key(s) %s; expected secret_name, secret_key and optional"
                              % ", ".join(str(key) for key in unknown))
    problems = Problems()
    for key in ("secret_name", "secret_key"):
        if value.get(key) is None:
            problems.add("%s.%s" % (name, key), "is required")
    problems.raise_any()
    secret = problems.attempt(values.resource_name, value["secret_name"], name + ".secret_name")
    key = problems.attempt(values.secret_key, value["secret_key"], name + ".secret_key")
    reference = OrderedDict([("name", secret), ("key", key)])
    if value.get("optional") is not None:
        if not isinstance(value["optional"], bool):
            problems.add(name + ".optional", "%s is not a boolean" % shown(value["optional"]))
        reference["optional"] = value["optional"]
    problems.raise_any()
    return OrderedDict([("secretKeyRef", reference)])


# ---- bulk entries: Ansible's type coercion for options inside a list of dicts ----------------------

_TRUE = ("true", "yes", "on", "1", "y", "t")
_FALSE = ("false", "no", "off", "0", "n", "f")


def coerce(value, spec, field):
    """A bulk entry's value converted as Ansible converts a module option of spec."""
    kind = spec.get("type", "str")
    if value is None:
        return None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValidationError(field, "%s is not a boolean" % shown(value))
    if kind == "int":
        if isinstance(value, bool):
            raise ValidationError(field, "%s is not a whole number" % shown(value))
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.match(r"-?[0-9]+\Z", value):
            return int(value)
        raise ValidationError(field, "%s is not a whole number" % shown(value))
    if kind == "str":
        if isinstance(value, (dict, list, bool, float)):
            raise ValidationError(field, "%s is not a string" % shown(value))
        value = str(value)
    elif kind == "list":
        if isinstance(value, str):
            value = [item.strip() for item in value.split(",") if item.strip()]  # as Ansible splits
        if not isinstance(value, list):
            raise ValidationError(field, "must be a list")
        if spec.get("elements") == "str":
            if any(not isinstance(item, (str, int)) or isinstance(item, bool) for item in value):
                raise ValidationError(field, "must be a list of strings")
            value = [str(item) for item in value]
    elif kind == "dict":
        if not isinstance(value, dict):
            raise ValidationError(field, "must be a dict")
    if spec.get("choices"):
        for item in value if isinstance(value, list) else [value]:
            values.choice(item, field, spec["choices"])
    return value
