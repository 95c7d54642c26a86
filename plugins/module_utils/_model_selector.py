# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calico selector expressions (nodeSelector, peerSelector): parse, validate, match labels.

For internal use by this collection. No Ansible imports. Supports Calico's syntax:
all(), has(k), k == 'v', k != 'v', k in {'a','b'}, k not in {...}, k contains 'v',
k starts with 'v', k ends with 'v', !, &&, ||, parentheses; single or double quotes.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.netops.calico.plugins.module_utils._model_values import ValidationError

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>'[^']*'|"[^"]*")
    | (?P<op>==|!=|&&|\|\||!|\(|\)|\{|\}|,)
    | (?P<word>[A-Za-z0-9_./-]+)
    )""", re.VERBOSE)


class SelectorError(ValueError):
    pass


def _tokenize(text):
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise SelectorError("unexpected text at position %d: %r" % (position, text[position:position + 10]))
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "string":
            value = value[1:-1]
        tokens.append((kind, value))
        position = match.end()
    return tokens


class _Parser(object):
    def __init__(self, text):
        self.tokens = _tokenize(text)
        self.index = 0

    def peek(self, offset=0):
        index = self.index + offset
        return self.tokens[index] if index < len(self.tokens) else (None, None)

    def take(self, kind=None, value=None):
        token = self.peek()
        if token[0] is None or (kind and token[0] != kind) or (value and token[1] != value):
            raise SelectorError("expected %s but found %s" % (value or kind, token[1] or "the end"))
        self.index += 1
        return token[1]

    def parse(self):
        if not self.tokens:
            raise SelectorError("empty selector")
        node = self.disjunction()
        if self.peek()[0] is not None:
            raise SelectorError("unexpected %r" % self.peek()[1])
        return node

    def disjunction(self):
        terms = [self.conjunction()]
        while self.peek() == ("op", "||"):
            self.take()
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (lambda labels: any(term(labels) for term in terms))

    def conjunction(self):
        terms = [self.unary()]
        while self.peek() == ("op", "&&"):
            self.take()
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else (lambda labels: all(term(labels) for term in terms))

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            inner = self.unary()
            return lambda labels: not inner(labels)
        if self.peek() == ("op", "("):
            self.take()
            inner = self.disjunction()
            self.take("op", ")")
            return inner
        return self.comparison()

    def _call(self, function):
        self.take("word", function)
        self.take("op", "(")
        argument = None if function in ("all", "global") else self.take("word")
        self.take("op", ")")
        return argument

    def comparison(self):
        kind, word = self.peek()
        if kind != "word":
            raise SelectorError("expected a label name but found %s" % (word or "the end"))
        if word in ("all", "global") and self.peek(1) == ("op", "("):
            self._call(word)
            return lambda labels: True
        if word == "has" and self.peek(1) == ("op", "("):
            key = self._call("has")
            return lambda labels: key in labels
        key = self.take("word")
        kind, operator = self.peek()
        if operator in ("==", "!="):
            self.take()
            value = self.take("string")
            if operator == "==":
                return lambda labels: labels.get(key) == value
            return lambda labels: labels.get(key) != value
        if operator == "in" or (operator == "not" and self.peek(1) == ("word", "in")):
            negate = operator == "not"
            self.take()
            if negate:
                self.take("word", "in")
            values = self._set()
            if negate:
                return lambda labels: labels.get(key) not in values
            return lambda labels: key in labels and labels[key] in values
        if operator == "contains":
            self.take()
            value = self.take("string")
            return lambda labels: value in labels.get(key, "") and key in labels
        if operator in ("starts", "ends"):
            self.take()
            self.take("word", "with")
            value = self.take("string")
            if operator == "starts":
                return lambda labels: key in labels and labels[key].startswith(value)
            return lambda labels: key in labels and labels[key].endswith(value)
        raise SelectorError("expected an operator after %r but found %s" % (key, operator or "the end"))

    def _set(self):
        self.take("op", "{")
        values = set()
        if self.peek() != ("op", "}"):
            values.add(self.take("string"))
            while self.peek() == ("op", ","):
                self.take()
                values.add(self.take("string"))
        self.take("op", "}")
        return values


def compile_selector(expression):
    """A function labels -> bool. Raises SelectorError on a malformed expression."""
    return _Parser(expression).parse()


def validate_selector(expression, field):
    """The expression unchanged, or ValidationError naming field."""
    try:
        compile_selector(expression)
    except SelectorError as exc:
        raise ValidationError(field, "%r is not a valid Calico selector: %s" % (expression, exc))
    return expression


def selector_matches(expression, labels):
    return compile_selector(expression)(labels or {})
