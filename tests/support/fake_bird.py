"""A stand-in BIRD control socket in a thread, for the cases a real BIRD will not produce on
demand: a socket that accepts and never answers, one that answers garbage or hangs up midway.
Real replies come from the recordings in tests/unit/plugins/module_utils/fixtures/bird/."""
import os
import socket
import threading

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "unit", "plugins", "module_utils", "fixtures", "bird")


def recorded(name):
    """The text of a recorded real BIRD reply (fixtures/bird/<name>.txt)."""
    with open(os.path.join(FIXTURES, name + ".txt")) as handle:
        return handle.read()


class FakeBird(object):
    """Listens on unix socket `path`. For each connection: send `greeting` (None: send nothing
    and hold the connection open), then for each command line received send `replies[command]`
    (a command not in `replies` gets no answer at all: a hung BIRD)."""

    def __init__(self, path, replies=None, greeting=None):
        self.path = path
        self.replies = replies or {}
        self.greeting = recorded("greeting") if greeting is None else greeting
        self.commands = []
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._stopping = threading.Event()
        self._connections = []
        self._thread = None

    @classmethod
    def silent(cls, path):
        """Accepts connections and never sends a byte."""
        return cls(path, greeting="")

    def start(self):
        self._server.bind(self.path)
        self._server.listen(8)
        self._server.settimeout(0.1)
        self._thread = threading.Thread(target=self._serve, name="fake-bird", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server.close()
        for connection in self._connections:
            connection.close()
        if os.path.exists(self.path):
            os.unlink(self.path)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _serve(self):
        while not self._stopping.is_set():
            try:
                connection, _address = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self._connections.append(connection)
            threading.Thread(target=self._talk, args=(connection,), daemon=True).start()

    def _talk(self, connection):
        try:
            if self.greeting:
                connection.sendall(self.greeting.encode())
            buffer = b""
            connection.settimeout(0.1)
            while not self._stopping.is_set():
                try:
                    chunk = connection.recv(4096)
                except socket.timeout:
                    continue
                if not chunk:
                    return
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    command = line.decode()
                    self.commands.append(command)
                    if command in self.replies:
                        connection.sendall(self.replies[command].encode())
                        if self.replies[command] == "" or not _ends_reply(self.replies[command]):
                            connection.shutdown(socket.SHUT_WR)  # a BIRD that dies mid-reply
        except OSError:
            return


def _ends_reply(text):
    lines = text.splitlines()
    return bool(lines) and len(lines[-1]) >= 5 and lines[-1][:4].isdigit() and lines[-1][4] == " "


def serving(path, fixture):
    """A stand-in BIRD at path answering `show protocols` with a recorded real reply (and `show
    status` with the one recorded next to it)."""
    return FakeBird(path, {"show status": recorded("show_status"), "show protocols": recorded(fixture)})
