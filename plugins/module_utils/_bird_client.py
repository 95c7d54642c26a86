# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client for BIRD 1.6's control socket (the protocol birdc and calicoctl speak).

For internal use by this collection. Standard library only and no Ansible imports, so it can
be unit-tested directly. A session is: connect to the unix socket, read the greeting
(``0001 BIRD 1.6.8 ready.``), send one command line, read the coded reply up to its final line.

Reply lines are ``NNNN-text`` (a block with code NNNN begins), `` text`` (leading space: the
block continues) and ``NNNN text`` (digits then a space: the reply ends). The final code is
not always 0000 (``0013`` ends ``show status``; ``8xxx`` run-time and ``9xxx`` parse errors end
a failed command), so the reply ends on any final line. Lines starting with ``+`` are
asynchronous notifications and never end a reply.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import re
import socket
from collections import deque

from ansible_collections.netops.calico.plugins.module_utils._errors import CalicoError

# calicoctl gives every read from BIRD a 2 s deadline; a hung BIRD must not hang the task.
DEFAULT_TIMEOUT = 2.0

_CODED_LINE = re.compile(r"^(\d{4})([ -])(.*)$")


class BirdError(CalicoError):
    """Base of every error talking to BIRD. str() is one sentence a person can act on."""


class BirdSocketMissing(BirdError):
    """The control socket path does not exist (BIRD not started, or another path)."""


class BirdPermissionDenied(BirdError):
    """The control socket exists but this user may not open it (BIRD's socket is root-only)."""


class BirdConnectionRefused(BirdError):
    """Nothing listens on the socket (a stale socket file left by a dead BIRD)."""


class BirdTimeout(BirdError):
    """BIRD accepted the connection but did not answer before the read deadline."""


class BirdProtocolError(BirdError):
    """BIRD answered something that is not its control protocol, or hung up mid-reply."""


class BirdCommandError(BirdError):
    """BIRD refused the command with an 8xxx (run-time) or 9xxx (parse) error code."""

    def __init__(self, message, code, text):
        super(BirdCommandError, self).__init__(message)
        self.code = code
        self.text = text


class BirdReply(object):
    """A parsed reply: `lines` is a list of (code, text), continuation lines carrying the code of
    their block; `code` / `text` are those of the final line; `raw` is the reply as received."""

    def __init__(self, lines, code, text, raw):
        self.lines = lines
        self.code = code
        self.text = text
        self.raw = raw

    @property
    def failed(self):
        return self.code[0] in "89"

    def texts(self, code):
        """The text of every line (first and continuation) of the blocks with `code`."""
        return [text for line_code, text in self.lines if line_code == code]


class _ReplyParser(object):
    """Feeds reply lines one at a time; `done` once the final line was seen."""

    def __init__(self):
        self.lines = []
        self.raw_lines = []
        self.block_code = None
        self.final = None

    @property
    def done(self):
        return self.final is not None

    def feed(self, line):
        self.raw_lines.append(line)
        if line.startswith("+"):
            return  # asynchronous notification, not part of this reply
        match = _CODED_LINE.match(line)
        if match:
            code, separator, text = match.groups()
            if separator == " ":
                self.final = (code, text.rstrip())
                return
            self.block_code = code
            self.lines.append((code, text))
        elif line.startswith(" ") and self.block_code is not None:
            self.lines.append((self.block_code, line[1:]))
        else:
            raise BirdProtocolError("unexpected line in BIRD's reply: %r" % line[:120])

    def reply(self):
        code, text = self.final
        return BirdReply(self.lines, code, text, "".join(l + "\n" for l in self.raw_lines))


def parse_reply(raw):
    """Parse a complete reply (the text BIRD sent after the command, greeting excluded)."""
    parser = _ReplyParser()
    for line in raw.splitlines():
        if parser.done:
            raise BirdProtocolError("text after the final line of BIRD's reply: %r" % line[:120])
        parser.feed(line)
    if not parser.done:
        raise BirdProtocolError("BIRD's reply has no final line (NNNN followed by a space)")
    return parser.reply()


class BirdClient(object):
    """One connection to one BIRD control socket. Use as a context manager:

        with BirdClient("/var/run/calico/bird.ctl") as bird:
            reply = bird.command("show protocols")
    """

    def __init__(self, path, timeout=DEFAULT_TIMEOUT):
        self.path = path
        self.timeout = timeout
        self.greeting = None
        self._sock = None
        self._buffer = b""   # the part of a line received so far
        self._lines = deque()  # complete lines received and not read yet

    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, *exc_info):
        self.close()

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
        except socket.timeout:
            sock.close()
            raise BirdTimeout("BIRD control socket %s did not accept the connection within %s s"
                              % (self.path, _seconds(self.timeout)))
        except (OSError, socket.error) as exc:
            sock.close()
            raise _connect_error(self.path, exc)
        self._sock = sock
        try:
            greeting = self._read_line("its greeting")
            if not greeting.startswith("0001 "):
                raise BirdProtocolError("%s did not greet like BIRD (expected '0001 BIRD ... ready.', got %r)"
                                        % (self.path, greeting[:120]))
        except BirdError:
            self.close()  # the context manager's __exit__ does not run when __enter__ fails
            raise
        self.greeting = greeting[5:]
        return self

    def close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def command(self, command):
        """Send one command line and return its BirdReply; raise BirdCommandError on 8xxx/9xxx."""
        if self._sock is None:
            self.connect()
        try:
            self._sock.sendall(command.encode("utf-8") + b"\n")
        except (OSError, socket.error) as exc:
            raise BirdProtocolError("could not send %r to BIRD at %s: %s"
                                    % (command, self.path, _reason(exc)))
        parser = _ReplyParser()
        while not parser.done:
            parser.feed(self._read_line("the reply to %r" % command))
        reply = parser.reply()
        if reply.failed:
            raise BirdCommandError("BIRD at %s rejected %r with error %s: %s"
                                   % (self.path, command, reply.code, reply.text),
                                   reply.code, reply.text)
        return reply

    def _read_line(self, what):
        # Every recv() gets the full deadline, as calicoctl resets its deadline after each line.
        while not self._lines:
            try:
                chunk = self._sock.recv(65536)
            except socket.timeout:
                raise BirdTimeout("BIRD at %s did not send %s within %s s"
                                  % (self.path, what, _seconds(self.timeout)))
            except (OSError, socket.error) as exc:
                raise BirdProtocolError("reading %s from BIRD at %s failed: %s"
                                        % (what, self.path, _reason(exc)))
            if not chunk:
                raise BirdProtocolError("BIRD at %s closed the connection before sending %s"
                                        % (self.path, what))
            # every complete line at once: splitting one line off a long reply at a time copied the
            # rest of it each time (a 96-node `show route` took most of its time there)
            parts = (self._buffer + chunk).split(b"\n")
            self._buffer = parts.pop()
            self._lines.extend(parts)
        return self._lines.popleft().decode("utf-8", "replace")


def bird_command(path, command, timeout=DEFAULT_TIMEOUT):
    """Connect, run one command, disconnect; returns the BirdReply."""
    with BirdClient(path, timeout) as bird:
        return bird.command(command)


def _connect_error(path, exc):
    code = getattr(exc, "errno", None)
    if code == errno.ENOENT:
        return BirdSocketMissing("BIRD control socket %s does not exist" % path)
    if code in (errno.EACCES, errno.EPERM):
        return BirdPermissionDenied("no permission to open BIRD control socket %s (run as root)" % path)
    if code == errno.ECONNREFUSED:
        return BirdConnectionRefused("BIRD control socket %s refused the connection (no BIRD listens on it)"
                                     % path)
    return BirdError("cannot connect to BIRD control socket %s: %s" % (path, _reason(exc)))


def _reason(exc):
    return getattr(exc, "strerror", None) or str(exc)


def _seconds(value):
    return ("%.3f" % value).rstrip("0").rstrip(".")
