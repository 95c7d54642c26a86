# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one base exception of the collection, and how a bad value is quoted in a message.

For internal use by this collection. No Ansible imports. Every failure the collection raises on
purpose is a CalicoError; _module.run_module turns it into exactly one fail_json line.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

# A message quotes at most this many characters of a value (a 200,000-character peer_ip must
# not be echoed whole).
QUOTE_LIMIT = 200


def shown(value):
    """repr() of a value for a message, cut to about QUOTE_LIMIT characters."""
    text = repr(value)
    if len(text) > QUOTE_LIMIT:
        return "%s... (%d characters)" % (text[:QUOTE_LIMIT], len(text))
    return text


class CalicoError(Exception):
    """A failure raised on purpose; str() is one actionable sentence.

    details: extra keys for the task result (for example how many writes were committed).
    """

    def __init__(self, message, **details):
        super(CalicoError, self).__init__(message)
        self.details = details


class ValidationError(CalicoError):
    """Bad input; str() is a sentence starting with the option name."""

    def __init__(self, field, message):
        super(ValidationError, self).__init__("%s: %s" % (field, message))
        self.field = field


class ValidationErrors(ValidationError):
    """Problems found together (every bad option, or every bad entry of a bulk list); field is
    the option at fault when there is just one."""

    def __init__(self, messages, fields=None):
        super(ValidationErrors, self).__init__(None, None)
        self.args = ("; ".join(messages),)
        self.messages = list(messages)
        self.fields = list(fields or [None] * len(self.messages))
        self.field = self.fields[0] if len(self.messages) == 1 else None


class Problems(object):
    """Collects every problem of a request so the task reports them together."""

    def __init__(self):
        self.messages = []
        self.fields = []

    def attempt(self, function, *args):
        """function(*args), or None with its ValidationError(s) recorded."""
        try:
            return function(*args)
        except ValidationError as exc:
            self.extend(exc)
        return None

    def extend(self, exc):
        """Record a ValidationError (or ValidationErrors)."""
        if isinstance(exc, ValidationErrors):
            self.messages.extend(exc.messages)
            self.fields.extend(exc.fields)
        else:
            self.messages.append(str(exc))
            self.fields.append(exc.field)

    def add(self, options, message):
        if isinstance(options, str):
            options = [options]
        self.messages.append("%s: %s" % (", ".join(options), message))
        self.fields.append(options[0] if len(options) == 1 else ", ".join(options))

    def raise_any(self):
        if self.messages:
            raise ValidationErrors(self.messages, self.fields)
