# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calico's rules for single values (libcalico-go's validator, its CRD schema, Go's parsers).

For internal use by this collection. No Ansible imports, standard library only (node-side code
uses it too). Every check raises ValidationError whose text starts with the option name. Patterns
are matched to the end of the string (Go's `$`; Python's `$` also matches before a trailing
newline, which would let 'node1\\n' through into an etcd key). Nothing is stripped: a value with
whitespace around it is refused, as Calico refuses it.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import math
import re

from ansible_collections.netops.calico.plugins.module_utils._errors import ValidationError, shown

MAX_AS_NUMBER = 4294967295
MAX_INT32 = 2147483647
_NAME_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_NAME = re.compile(r"%s(\.%s)*\Z" % (_NAME_LABEL, _NAME_LABEL))
_DIGITS = re.compile(r"[0-9]+\Z")
_DOTTED_AS = re.compile(r"([0-9]+)\.([0-9]+)\Z")
# libcalico-go ignoredInterfaceRegex
_IGNORED_INTERFACE = re.compile(r"[a-zA-Z0-9_.*-]{1,15}\Z")
# Kubernetes IsQualifiedName's name part and IsValidLabelValue
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
# Kubernetes IsConfigMapKey, the rule for a Secret's key
_SECRET_KEY = re.compile(r"[-._a-zA-Z0-9]+\Z")
_STANDARD_COMMUNITY = re.compile(r"([0-9]+):([0-9]+)\Z")
_LARGE_COMMUNITY = re.compile(r"([0-9]+):([0-9]+):([0-9]+)\Z")
# libcalico-go processIPPort: the forms that carry a port (its '.' matches any character)
_IPV4_PORT = re.compile(r"[0-9]+.[0-9]+.[0-9]+.[0-9]+:([0-9]+)\Z")
_IPV6_PORT = re.compile(r"\[([0-9a-fA-F:.]+)\]:([0-9]+)\Z")
# CRD maxLength of peerIP and reachableBy
MAX_ADDRESS_LENGTH = 64
LOG_SEVERITIES = ("Trace", "Debug", "Info", "Warning", "Error", "Fatal")


def text(value, field):
    """A string option as given: refuses other types, empty text and surrounding whitespace."""
    if not isinstance(value, str):
        raise ValidationError(field, "%s is not a string" % shown(value))
    if not value:
        raise ValidationError(field, "must not be empty (to remove a stored value, name the option "
                                     "in unset)")
    if value != value.strip():
        raise ValidationError(field, "%s has whitespace around it; Calico refuses it, write it without"
                              % shown(value))
    return value


def as_number(value, field="as_number"):
    """An AS number as Calico's numorstring.ASNumber parses it: 1-4294967295, or dotted 'x.y'
    (two 16-bit halves). 0 is refused: calico/node would render BGP sessions with AS 0, which
    BIRD refuses."""
    if isinstance(value, bool):
        raise ValidationError(field, "%s is not an AS number" % shown(value))
    if isinstance(value, float):
        raise ValidationError(field, "%s is a floating-point number, not an AS number; YAML reads an "
                                     "unquoted dotted AS number such as 1.10 as the number 1.1, so quote "
                                     "dotted AS numbers ('1.10')" % shown(value))
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        dotted = _DOTTED_AS.match(value)
        if _DIGITS.match(value):
            number = int(value)
        elif dotted:
            high, low = int(dotted.group(1)), int(dotted.group(2))
            if high > 65535 or low > 65535:
                raise ValidationError(field, "%s: each half of a dotted AS number must be 0 to 65535"
                                      % shown(value))
            number = high * 65536 + low
        else:
            raise ValidationError(field, "%s is not an AS number (a number from 1 to %d, or dotted x.y)"
                                  % (shown(value), MAX_AS_NUMBER))
    else:
        raise ValidationError(field, "%s is not an AS number" % shown(value))
    if number == 0:
        raise ValidationError(field, "0 is not allowed (BGP has no AS 0); give 1 to %d, or name the "
                                     "option in unset to remove it" % MAX_AS_NUMBER)
    if not 0 < number <= MAX_AS_NUMBER:
        raise ValidationError(field, "%d is out of range (1 to %d)" % (number, MAX_AS_NUMBER))
    return number


def same_as_number(stored, wanted):
    try:
        return as_number(stored) == as_number(wanted)
    except ValidationError:
        return False


def resource_name(value, field="name"):
    """A lower-case DNS-1123 subdomain of at most 253 characters, as Calico requires of names."""
    text(value, field)
    if len(value) > 253:
        raise ValidationError(field, "%s is %d characters long; at most 253 are allowed" % (
            shown(value[:40]), len(value)))
    if not _NAME.match(value):
        raise ValidationError(field, "%s is not a valid name: use lower-case letters, digits, '-' and "
                                     "'.', starting and ending with a letter or digit" % shown(value))
    return value


def parse_ip(value):
    """(version, ipaddress object) of a bare address as Go's net.ParseIP reads it, or None.

    An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is IPv4, as in Go (To4() succeeds)."""
    if not isinstance(value, str) or "%" in value or value != value.strip():
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return 4, address.ipv4_mapped
    return address.version, address


def ip_address(value, field, version=None):
    """A bare IPv4/IPv6 address; returned as given."""
    text(value, field)
    parsed = parse_ip(value)
    if parsed is None:
        raise ValidationError(field, "%s is not a valid IP address" % shown(value))
    if version and parsed[0] != version:
        raise ValidationError(field, "%s is not an IPv%d address" % (shown(value), version))
    return value


def same_ip(stored, wanted):
    first, second = parse_ip(stored), parse_ip(wanted)
    return first is not None and first == second


def parse_cidr(value):
    """(version, network, address) of 'address/length' or a bare address (Calico's
    ParseCIDROrIP), or None."""
    if not isinstance(value, str):
        return None
    address_text, _slash, length = value.partition("/")
    parsed = parse_ip(address_text)
    if parsed is None:
        return None
    version, address = parsed
    bits = 32 if version == 4 else 128
    if not _slash:
        length = str(bits)
    if not _DIGITS.match(length) or int(length) > bits:
        return None
    network = ipaddress.ip_network("%s/%s" % (address, int(length)), strict=False)
    return version, network, address


def cidr(value, field, version=None, masked=False):
    """An IP network 'a.b.c.d/n' or a bare address; masked=True refuses host bits (Calico's 'net'
    rule). Returned as given."""
    text(value, field)
    parsed = parse_cidr(value)
    if parsed is None:
        raise ValidationError(field, "%s is not a valid CIDR (address/prefix-length)" % shown(value))
    if version and parsed[0] != version:
        raise ValidationError(field, "%s is not an IPv%d address" % (shown(value.partition("/")[0]), version))
    if masked and parsed[1].network_address != parsed[2]:
        raise ValidationError(field, "%s has host bits set; use %s" % (shown(value), parsed[1]))
    return value


def same_cidr(stored, wanted):
    first, second = parse_cidr(stored), parse_cidr(wanted)
    return first is not None and second is not None and first[1:] == second[1:]


def split_peer_ip(text_value):
    """Calico's peerIP (processIPPort) split into (address text, port or None), or None when it
    is not one. 'a.b.c.d:port' and '[address]:port' carry a port; anything else is a bare address.
    Standard library only, so node-side code can use it."""
    if not isinstance(text_value, str) or not text_value:
        return None
    match = _IPV4_PORT.match(text_value)
    if match:
        address, port_text = text_value.rsplit(":", 1)
    else:
        match = _IPV6_PORT.match(text_value)
        if match:
            address, port_text = match.group(1), match.group(2)
        else:
            address, port_text = text_value, None
    if port_text is not None:
        port_number = int(port_text)
        if not 1 <= port_number <= 65535:
            return None
    else:
        port_number = None
    if parse_ip(address) is None:
        return None
    return address, port_number


def peer_ip(value, field="peer_ip"):
    """Calico's peerIP: 'a.b.c.d', 'a.b.c.d:port', a bare IPv6, or '[v6]:port'; returned as given."""
    text(value, field)
    if len(value) > MAX_ADDRESS_LENGTH:
        raise ValidationError(field, "%s is longer than Calico's %d characters" % (shown(value), MAX_ADDRESS_LENGTH))
    if split_peer_ip(value) is None:
        port_match = _IPV4_PORT.match(value) or _IPV6_PORT.match(value)
        if port_match and not 1 <= int(port_match.groups()[-1]) <= 65535:
            raise ValidationError(field, "port %s is out of range (1 to 65535)" % shown(port_match.groups()[-1]))
        if value.startswith("[") and parse_ip(value.strip("[]")) is not None:
            raise ValidationError(field, "%s: an IPv6 address in brackets must be followed by :port; write it "
                                         "without brackets when there is no port" % shown(value))
        raise ValidationError(field, "%s is not a valid peer address (a.b.c.d, a.b.c.d:port, an IPv6 "
                                     "address, or [IPv6]:port, port 1 to 65535)" % shown(value))
    return value


def peer_ip_identity(value):
    """(version, integer, port) of a peerIP, compared by value, or None."""
    parts = split_peer_ip(value)
    if parts is None:
        return None
    version, address = parse_ip(parts[0])
    return version, int(address), parts[1]


def same_peer_ip(stored, wanted):
    identity = peer_ip_identity(stored)
    return identity is not None and identity == peer_ip_identity(wanted)


def format_peer_ip(address, port_number=None):
    """The peerIP text for an address and optional port."""
    if port_number is None:
        return address
    if ":" in address:
        return "[%s]:%d" % (address, port_number)
    return "%s:%d" % (address, port_number)


def ip_version(value):
    """4 or 6 for an address already validated (IPv4-mapped IPv6 counts as 4)."""
    return parse_ip(value)[0]


def port(value, field):
    if isinstance(value, bool) or not isinstance(value, int):
        if not (isinstance(value, str) and _DIGITS.match(value)):
            raise ValidationError(field, "%s is not a port number" % shown(value))
        value = int(value)
    if not 1 <= value <= 65535:
        raise ValidationError(field, "port %d is out of range (1 to 65535)" % value)
    return value


# ---- Go's time.Duration: parsed as time.ParseDuration, stored as Duration.String() -----------

_DURATION_UNITS = (("ns", 1), ("us", 1000), ("\u00b5s", 1000), ("\u03bcs", 1000), ("ms", 10 ** 6),
                   ("s", 10 ** 9), ("m", 60 * 10 ** 9), ("h", 3600 * 10 ** 9))
_DURATION_PART = re.compile(r"([0-9]*)(\.([0-9]*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")
_MAX_DURATION = 2 ** 63 - 1


def parse_duration(value):
    """Nanoseconds of a Go duration text ('120s', '1m30s', '1.5h'), or None. Sign not accepted:
    calico/node renders a negative restart or keepalive time into a BIRD config that fails."""
    if not isinstance(value, str) or not value:
        return None
    if value == "0":
        return 0
    units = dict(_DURATION_UNITS)
    total, position = 0, 0
    while position < len(value):
        match = _DURATION_PART.match(value, position)
        if not match or (not match.group(1) and not match.group(3)):
            return None
        whole, fraction, unit = match.group(1) or "0", match.group(3) or "", match.group(4)
        scale = units[unit]
        total += int(whole) * scale + (int(fraction) * scale // 10 ** len(fraction) if fraction else 0)
        position = match.end()
    if total > _MAX_DURATION:
        return None
    return total


def format_duration(nanoseconds):
    """Go's Duration.String(): '2m0s', '1h0m0s', '1.5s', '300ms', '0s'."""
    if nanoseconds == 0:
        return "0s"
    if nanoseconds < 10 ** 9:
        for unit, scale in (("ns", 1), ("\u00b5s", 1000), ("ms", 10 ** 6)):
            if nanoseconds < scale * 1000:
                return _decimal(nanoseconds, scale) + unit
    seconds_ns = nanoseconds % (60 * 10 ** 9)
    minutes = nanoseconds // (60 * 10 ** 9)
    result = _decimal(seconds_ns, 10 ** 9) + "s"
    if minutes:
        hours, minutes = divmod(minutes, 60)
        result = "%dm%s" % (minutes, result)
        if hours:
            result = "%dh%s" % (hours, result)
    return result


def _decimal(value, scale):
    whole, fraction = divmod(value, scale)
    if not fraction:
        return str(whole)
    digits = len(str(scale)) - 1
    return "%d.%s" % (whole, ("%0*d" % (digits, fraction)).rstrip("0"))


def duration(value, field):
    """A Go duration; returned as Go prints it (120s -> 2m0s), the form calicoctl stores."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValidationError(field, "%s is not a duration: give a Go duration with a unit such as "
                                     "'120s' or '1m30s'" % shown(value))
    nanoseconds = parse_duration(value)
    if nanoseconds is None:
        raise ValidationError(field, "%s is not a duration (Go syntax with a unit, such as 120s, 1m30s, "
                                     "2h; no sign)" % shown(value))
    return format_duration(nanoseconds)


def same_duration(stored, wanted):
    value = parse_duration(stored)
    return value is not None and value == parse_duration(wanted)


# ---- the rest -----------------------------------------------------------------------------------

def community_value(value, field):
    """A BGP community 'aa:nn' (16-bit parts) or large community 'aa:nn:mm' (32-bit parts)."""
    text(value, field)
    standard = _STANDARD_COMMUNITY.match(value)
    large = _LARGE_COMMUNITY.match(value)
    if len(value) > 40 or not (standard or large):
        raise ValidationError(field, "%s is not a community (aa:nn or aa:nn:mm)" % shown(value))
    limit = 65535 if standard else MAX_AS_NUMBER
    if any(int(part) > limit for part in (standard or large).groups()):
        raise ValidationError(field, "%s: each part must be 0 to %d" % (shown(value), limit))
    return value


def is_community_value(value):
    return isinstance(value, str) and bool(_STANDARD_COMMUNITY.match(value) or _LARGE_COMMUNITY.match(value))


def integer(value, field, minimum, maximum):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, "%s is not a whole number" % shown(value))
    if not minimum <= value <= maximum:
        raise ValidationError(field, "%d is out of range (%d to %d)" % (value, minimum, maximum))
    return value


def choice(value, field, choices):
    if value not in choices:
        raise ValidationError(field, "%s is not one of %s" % (shown(value), ", ".join(choices)))
    return value


def log_severity(value, field):
    """Calico's pattern ^(?i)(Trace|Debug|Info|Warning|Error|Fatal)$; stored as given."""
    text(value, field)
    if value.lower() not in [level.lower() for level in LOG_SEVERITIES]:
        raise ValidationError(field, "%s is not a log level (%s, in any case)" % (
            shown(value), ", ".join(LOG_SEVERITIES)))
    return value


def ignored_interface(value, field):
    """libcalico-go's ignoredInterface rule: 1-15 of letters, digits, '_', '.', '-', '*'; not '*'."""
    text(value, field)
    if value == "*" or not _IGNORED_INTERFACE.match(value):
        raise ValidationError(field, "%s is not an interface name or '*' glob (1 to 15 letters, digits, "
                                     "'_', '.', '-', '*'; '*' alone is not allowed)" % shown(value))
    return value


def label_key(value, field):
    """Kubernetes IsQualifiedName: optional lower-case DNS prefix and '/', then a name of 1 to 63
    characters (letters, digits, '-', '_', '.', alphanumeric at both ends)."""
    if not isinstance(value, str):
        raise ValidationError(field, "label key %s is not a string" % shown(value))
    parts = value.split("/")
    if len(parts) > 2:
        raise ValidationError(field, "%s is not a valid label key (at most one '/')" % shown(value))
    if len(parts) == 2:
        if not parts[0] or len(parts[0]) > 253 or not _NAME.match(parts[0]):
            raise ValidationError(field, "%s: the prefix before '/' must be a lower-case DNS name"
                                  % shown(value))
    name = parts[-1]
    if len(name) > 63 or not _QUALIFIED_NAME.match(name):
        raise ValidationError(field, "%s is not a valid label key (a name of at most 63 letters, digits, "
                                     "'-', '_' and '.', alphanumeric at both ends)" % shown(value))
    return value


def label_value(value, field):
    """Kubernetes IsValidLabelValue: empty, or 1 to 63 characters as for a label key's name."""
    if not isinstance(value, str):
        raise ValidationError(field, "label value %s is not a string" % shown(value))
    if value and (len(value) > 63 or not _QUALIFIED_NAME.match(value)):
        raise ValidationError(field, "%s is not a valid label value (63 characters at most: letters, "
                                     "digits, '-', '_', '.', alphanumeric at both ends)" % shown(value))
    return value


def secret_key(value, field):
    """A key within a Kubernetes Secret (IsConfigMapKey)."""
    text(value, field)
    if len(value) > 253 or not _SECRET_KEY.match(value):
        raise ValidationError(field, "%s is not a valid Secret key (letters, digits, '-', '_' and '.')"
                              % shown(value))
    return value


def finite_positive(value, field):
    """A number of seconds: finite and above zero (.nan or .inf would make a wait endless)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or value <= 0:
        raise ValidationError(field, "%s must be a finite number of seconds above 0" % shown(value))
    return value
