# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calico's validation rules, one function per rule, each naming the option it checks.

For internal use by this collection. No Ansible imports. Every check raises ValidationError
whose text starts with the option name, so a user knows exactly what to fix.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

MAX_AS_NUMBER = 4294967295
_DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = re.compile(r"^%s(\.%s)*$" % (_DNS1123_LABEL, _DNS1123_LABEL))
_DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ns|us|\u00b5s|ms|s|m|h))+$")
_INTERFACE_NAME = re.compile(r"^[a-zA-Z0-9_.:*?\[\]-]{1,15}$")


class ValidationError(Exception):
    """Bad input; str() is a sentence starting with the option name."""

    def __init__(self, field, message):
        super(ValidationError, self).__init__("%s: %s" % (field, message))
        self.field = field


def _netaddr():
    try:
        import netaddr
    except ImportError:
        raise ValidationError("netaddr", "the Python library netaddr is required on the host "
                                         "that runs this module (pip install netaddr)")
    return netaddr


def as_number(value, field="as_number"):
    """An AS number as Calico accepts it: 0-4294967295, or dotted 'x.y' (16-bit halves)."""
    if isinstance(value, bool):
        raise ValidationError(field, "%r is not an AS number" % (value,))
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if re.match(r"^[0-9]+$", text):
            number = int(text)
        elif re.match(r"^[0-9]+\.[0-9]+$", text):
            high, low = (int(part) for part in text.split("."))
            if high > 65535 or low > 65535:
                raise ValidationError(field, "%r: each half of a dotted AS number must be 0 to 65535" % text)
            number = high * 65536 + low
        else:
            raise ValidationError(field, "%r is not an AS number (a number from 0 to %d, or dotted "
                                         "x.y)" % (text, MAX_AS_NUMBER))
    if not 0 <= number <= MAX_AS_NUMBER:
        raise ValidationError(field, "%d is out of range (0 to %d)" % (number, MAX_AS_NUMBER))
    return number


def format_as_number(number):
    """Plain text of an AS number as calicoctl prints it."""
    return str(number)


def resource_name(value, field="name"):
    """A lower-case DNS-1123 subdomain of at most 253 characters, as Calico requires of names."""
    if not isinstance(value, str) or not value:
        raise ValidationError(field, "must be a non-empty string")
    if len(value) > 253:
        raise ValidationError(field, "%r is %d characters long; at most 253 are allowed" % (
            value[:40] + "...", len(value)))
    if not _DNS1123_SUBDOMAIN.match(value):
        raise ValidationError(field, "%r is not a valid name: use lower-case letters, digits, '-' "
                                     "and '.', starting and ending with a letter or digit" % value)
    return value


def ip_address(value, field, version=None):
    """A bare IPv4/IPv6 address in canonical text form (netaddr)."""
    netaddr = _netaddr()
    text = str(value).strip()
    try:
        address = netaddr.IPAddress(text, flags=netaddr.INET_PTON)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ValidationError(field, "%r is not a valid IP address" % text)
    if version and address.version != version:
        raise ValidationError(field, "%r is not an IPv%d address" % (text, version))
    return str(address)


def ip_version(value):
    """4 or 6 for an address already validated."""
    return 6 if ":" in value else 4


def cidr(value, field, version=None, masked=False, allow_bare=False):
    """An IP network 'a.b.c.d/n'; masked=True refuses host bits; allow_bare takes a plain IP."""
    netaddr = _netaddr()
    text = str(value).strip()
    if "/" not in text:
        if not allow_bare:
            raise ValidationError(field, "%r is not a CIDR (expected address/prefix-length)" % text)
        return ip_address(text, field, version)
    address_text, length = text.split("/", 1)
    ip_address(address_text, field, version)
    try:
        network = netaddr.IPNetwork(text)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ValidationError(field, "%r is not a valid CIDR" % text)
    if not length.isdigit() or int(length) > (32 if network.version == 4 else 128):
        raise ValidationError(field, "%r has an invalid prefix length" % text)
    if masked and network.ip != network.network:
        raise ValidationError(field, "%r has host bits set; use %s" % (text, network.cidr))
    return "%s/%d" % (network.ip, network.prefixlen)


def split_peer_ip(text):
    """Calico's peerIP syntax split without judging the address (no netaddr needed, so node-side
    code can use it): 'a.b.c.d' -> ('a.b.c.d', None, False), 'a.b.c.d:179' -> ('a.b.c.d', '179',
    False), '[v6]:179' -> ('v6', '179', True), a bare IPv6 -> (it, None, False). '[v6]' without a
    port gives ('v6', None, True); text that is none of these gives None."""
    text = str(text).strip()
    if text.startswith("["):
        match = re.match(r"^\[([^\]]+)\](:(.*))?$", text)
        if not match:
            return None
        return match.group(1), match.group(3), True
    if text.count(":") == 1:
        address, port_text = text.split(":")
        return address, port_text, False
    return text, None, False


def peer_ip(value, field="peer_ip"):
    """Calico's peerIP: 'a.b.c.d', 'a.b.c.d:port', a bare IPv6, or '[v6]:port'.

    Returns (address, port or None), the address in canonical form.
    """
    text = str(value).strip()
    parts = split_peer_ip(text)
    if parts is None:
        raise ValidationError(field, "%r is not a valid peer address" % text)
    address, port_text, bracketed = parts
    if bracketed and port_text is None:
        raise ValidationError(field, "%r: an IPv6 address in brackets must be followed by "
                                     ":port; write it without brackets when there is no port" % text)
    if port_text is None:
        return ip_address(address, field), None
    return ip_address(address, field, 6 if bracketed else 4), port(port_text, field)


def format_peer_ip(address, port_number=None):
    """The stored peerIP text for an address and optional port."""
    if port_number is None:
        return address
    if ":" in address:
        return "[%s]:%d" % (address, port_number)
    return "%s:%d" % (address, port_number)


def port(value, field):
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValidationError(field, "port %r is out of range (1 to 65535)" % text)
    return int(text)


def duration(value, field):
    """A Go duration such as '120s' or '1m30s' (plain numbers are taken as seconds)."""
    if isinstance(value, bool):
        raise ValidationError(field, "%r is not a duration" % (value,))
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValidationError(field, "must not be negative")
        return "%ss" % (int(value) if float(value).is_integer() else value)
    text = str(value).strip()
    if not _DURATION.match(text):
        raise ValidationError(field, "%r is not a duration (use Go syntax such as 120s, 1m30s, 2h)" % text)
    return text


def community_value(value, field):
    """A BGP community 'aa:nn' (16-bit parts) or large community 'aa:nn:mm' (32-bit parts)."""
    text = str(value).strip()
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(part.isdigit() for part in parts):
        raise ValidationError(field, "%r is not a community (aa:nn or aa:nn:mm)" % text)
    limit = 65535 if len(parts) == 2 else 4294967295
    if any(int(part) > limit for part in parts):
        raise ValidationError(field, "%r: each part must be 0 to %d" % (text, limit))
    return text


def integer(value, field, minimum, maximum):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, "%r is not a whole number" % (value,))
    if not minimum <= value <= maximum:
        raise ValidationError(field, "%d is out of range (%d to %d)" % (value, minimum, maximum))
    return value


def choice(value, field, choices):
    if value not in choices:
        raise ValidationError(field, "%r is not one of %s" % (value, ", ".join(choices)))
    return value


def interface_pattern(value, field):
    text = str(value).strip()
    if text == "*" or not _INTERFACE_NAME.match(text):
        raise ValidationError(field, "%r is not an interface name or glob (and '*' is not allowed)" % text)
    return text


def label_key(value, field):
    """A Kubernetes-style label key: optional DNS prefix '/', then a name of up to 63 chars."""
    text = str(value)
    prefix, name = text.rsplit("/", 1) if "/" in text else ("", text)
    if prefix:
        resource_name(prefix, field)
    if not re.match(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", name):
        raise ValidationError(field, "%r is not a valid label key" % text)
    return text


def label_value(value, field):
    text = "" if value is None else str(value)
    if text and not re.match(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", text):
        raise ValidationError(field, "%r is not a valid label value (63 characters at most, "
                                     "alphanumerics, '-', '_', '.')" % text)
    return text
