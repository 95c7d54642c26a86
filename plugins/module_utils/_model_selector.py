# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calico selector expressions (nodeSelector, peerSelector): tokenize, validate, match labels.

For internal use by this collection. No Ansible imports. Follows libcalico-go's tokenizer and
parser: whitespace is only space and tab (a newline is an error), all() and has(k) are written
without a space before '(', 'not in' may be written 'notin', labels are at most 512 characters.
Parsing and matching use explicit stacks, so any nesting depth works without recursion.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.calico.plugins.module_utils._errors import ValidationError, shown

MAX_LABEL_LENGTH = 512
# CRD maxLength of nodeSelector and peerSelector
MAX_SELECTOR_LENGTH = 1024
_IDENTIFIER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-")
_WORD_OPERATORS = (("contains", ("contains",)), ("starts with", ("starts", "with")),
                   ("ends with", ("ends", "with")), ("not in", ("not", "in")), ("in", ("in",)))


class SelectorError(ValueError):
    pass


def _skip_blanks(text, position):
    while position < len(text) and text[position] in " \t":
        position += 1
    return position


def _identifier(text, position):
    end = position
    while end < len(text) and text[end] in _IDENTIFIER_CHARS:
        end += 1
    if end == position:
        raise SelectorError("expected a label name at position %d" % position)
    if end - position > MAX_LABEL_LENGTH:
        raise SelectorError("a label is longer than %d characters" % MAX_LABEL_LENGTH)
    return text[position:end], end


def _word_operator(text, position):
    """(operator, end) of an operator after a label, or None."""
    for operator, words in _WORD_OPERATORS:
        end = position
        for index, word in enumerate(words):
            if not text.startswith(word, end):
                break
            end += len(word)
            if index < len(words) - 1:
                end = _skip_blanks(text, end)
        else:
            if end == len(text) or text[end] not in _IDENTIFIER_CHARS:
                return operator, end
    return None


def tokenize(text):
    """Calico's tokens: (kind, value) pairs."""
    tokens, position = [], 0
    while True:
        position = _skip_blanks(text, position)
        if position == len(text):
            return tokens
        character = text[position]
        after_label = bool(tokens) and tokens[-1][0] == "label"
        if character in "(){},":
            tokens.append((character, None))
            position += 1
        elif character in "\"'":
            end = text.find(character, position + 1)
            if end == -1:
                raise SelectorError("unterminated string")
            tokens.append(("string", text[position + 1:end]))
            position = end + 1
        elif text.startswith("==", position) or text.startswith("!=", position):
            tokens.append((text[position:position + 2], None))
            position += 2
        elif character == "!":
            tokens.append(("!", None))
            position += 1
        elif text.startswith("&&", position) or text.startswith("||", position):
            tokens.append((text[position:position + 2], None))
            position += 2
        elif character in "=&|":
            raise SelectorError("expected %s at position %d" % (character * 2, position))
        elif after_label:
            found = _word_operator(text, position)
            if found is None:
                raise SelectorError("expected an operator after label %s" % shown(tokens[-1][1]))
            tokens.append((found[0], None))
            position = found[1]
        elif text.startswith("has(", position):
            position = _skip_blanks(text, position + 4)
            label, position = _identifier(text, position)
            position = _skip_blanks(text, position)
            if not text.startswith(")", position):
                raise SelectorError("no closing ')' after has(")
            tokens.append(("has", label))
            position += 1
        elif text.startswith("all(", position) or text.startswith("global(", position):
            name = "all" if character == "a" else "global"
            position = _skip_blanks(text, position + len(name) + 1)
            if not text.startswith(")", position):
                raise SelectorError("no closing ')' after %s(" % name)
            tokens.append((name, None))
            position += 1
        else:
            label, position = _identifier(text, position)
            tokens.append(("label", label))


def _term(tokens, index):
    """(matcher, next index) of one has()/all()/comparison term starting at tokens[index]."""
    kind, value = tokens[index]
    if kind == "has":
        return (lambda labels: value in labels), index + 1
    if kind in ("all", "global"):
        return (lambda labels: True), index + 1
    if kind != "label":
        raise SelectorError("unexpected %s" % (kind if value is None else repr(value)))
    if index + 1 >= len(tokens):
        raise SelectorError("unexpected end of selector after label %s" % shown(value))
    operator = tokens[index + 1][0]
    if operator in ("==", "!=", "contains", "starts with", "ends with"):
        if index + 2 >= len(tokens) or tokens[index + 2][0] != "string":
            raise SelectorError("expected a quoted string after %s %s" % (shown(value), operator))
        wanted = tokens[index + 2][1]
        return _comparison(value, operator, wanted), index + 3
    if operator in ("in", "not in"):
        position = index + 2
        if position >= len(tokens) or tokens[position][0] != "{":
            raise SelectorError("expected a set literal {...} after %s %s" % (shown(value), operator))
        position += 1
        members = set()
        while position < len(tokens) and tokens[position][0] == "string":
            members.add(tokens[position][1])
            position += 1
            if position < len(tokens) and tokens[position][0] == ",":
                position += 1
            else:
                break
        if position >= len(tokens) or tokens[position][0] != "}":
            raise SelectorError("expected }")
        if operator == "in":
            return (lambda labels: value in labels and labels[value] in members), position + 1
        return (lambda labels: value not in labels or labels[value] not in members), position + 1
    raise SelectorError("expected == or != after label %s" % shown(value))


def _comparison(key, operator, wanted):
    if operator == "==":
        return lambda labels: key in labels and labels[key] == wanted
    if operator == "!=":
        return lambda labels: key not in labels or labels[key] != wanted
    if operator == "contains":
        return lambda labels: key in labels and wanted in labels[key]
    if operator == "starts with":
        return lambda labels: key in labels and labels[key].startswith(wanted)
    return lambda labels: key in labels and labels[key].endswith(wanted)


_PRECEDENCE = {"||": 1, "&&": 2, "!": 3}


def compile_selector(expression):
    """A function labels -> bool (an empty selector matches everything, as in Calico).
    Raises SelectorError on a malformed expression."""
    tokens = tokenize(expression)
    program, operators = [], []
    index, expect_term = 0, True
    while index < len(tokens):
        kind = tokens[index][0]
        if expect_term:
            if kind in ("!", "("):
                operators.append(kind)
                index += 1
                continue
            matcher, index = _term(tokens, index)
            program.append(matcher)
            expect_term = False
            continue
        if kind in ("&&", "||"):
            while operators and operators[-1] != "(" and _PRECEDENCE[operators[-1]] >= _PRECEDENCE[kind]:
                program.append(operators.pop())
            operators.append(kind)
            expect_term = True
        elif kind == ")":
            while operators and operators[-1] != "(":
                program.append(operators.pop())
            if not operators:
                raise SelectorError("unexpected )")
            operators.pop()
        else:
            raise SelectorError("unexpected content at the end of the selector")
        index += 1
    if not tokens:
        return lambda labels: True
    if expect_term:
        raise SelectorError("unexpected end of selector")
    while operators:
        operator = operators.pop()
        if operator == "(":
            raise SelectorError("expected )")
        program.append(operator)

    def evaluate(labels):
        stack = []
        for step in program:
            if step == "!":
                stack.append(not stack.pop())
            elif step == "&&":
                right = stack.pop()
                stack.append(stack.pop() and right)
            elif step == "||":
                right = stack.pop()
                stack.append(stack.pop() or right)
            else:
                stack.append(step(labels))
        return stack[0]

    return evaluate


def validate_selector(expression, field):
    """The expression unchanged, or ValidationError naming field."""
    if not isinstance(expression, str):
        raise ValidationError(field, "%s is not a string" % shown(expression))
    if not expression.strip():
        raise ValidationError(field, "must not be empty (to remove a stored selector, name the option in unset)")
    if len(expression) > MAX_SELECTOR_LENGTH:
        raise ValidationError(field, "is %d characters long; Calico allows at most %d"
                              % (len(expression), MAX_SELECTOR_LENGTH))
    try:
        compile_selector(expression)
    except SelectorError as exc:
        raise ValidationError(field, "%s is not a valid Calico selector: %s" % (shown(expression), exc))
    return expression


def selector_matches(expression, labels):
    return compile_selector(expression)(labels or {})
