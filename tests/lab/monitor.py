"""The route-continuity monitor: did any node ever lack a route to another node's pod block?

While a command runs, a RouteMonitor asks every node's BIRD for its routing table
(`show route primary` over the control socket, with the collection's BIRD client: one line per
prefix that has any route, the best one, so a 96-node lab's samples stay cheap) every `interval`
seconds (0.2 s), and records, per node, every interval in which at least one other node's pod
block was missing from it. A gap starts at the first sample that lacked a route and ends at the
first sample that had them all again (or at the end of monitoring: "still missing").

    with RouteMonitor(sockets, expected) as monitor:
        run_the_change()
    print(monitor.report().text())

`sockets` maps node name -> BIRD control socket; `expected` maps node name -> the prefixes it
must see (every other node's pod block). With `summaries` (node -> (pod CIDR, number of networks
in it when nothing is missing: the expected ones and the node's own)) a sample first asks BIRD
only for that count (`show route count where net ~ CIDR`) and reads the whole table only when the
count differs, so the 192 speakers of a 96-node lab cost a line each per sample; this relies on
the lab announcing nothing else inside its pod CIDRs. A route counts when BIRD holds one for that exact
prefix, whatever its next hop: the lab has no kernel routes, so BIRD cannot resolve loopback
next hops and shows BGP routes as `unreachable`; what is measured is whether the route exists.
"""
import re
import threading
import time

from ansible_collections.netops.calico.plugins.module_utils._bird_client import BirdClient, BirdError

ROUTE_CODE = "1007"
SHOW_ROUTES = "show route primary"
INTERVAL = 0.2


def parse_show_route(reply):
    """The set of prefixes in a `show route` BirdReply. The first route of a prefix starts with
    the prefix; further routes of the same prefix start with spaces (continuation lines)."""
    prefixes = set()
    for text in reply.texts(ROUTE_CODE):
        if text and not text[0].isspace():
            prefixes.add(text.split()[0])
    return prefixes


def read_routes(socket_path, timeout=2.0):
    with BirdClient(socket_path, timeout) as bird:
        return parse_show_route(bird.command(SHOW_ROUTES))


class Gap(object):
    """An interval in which `node` lacked routes to `missing` (prefix -> owner node)."""

    def __init__(self, node, start, missing):
        self.node = node
        self.start = start
        self.end = None  # None: still missing when monitoring stopped
        self.missing = dict(missing)
        self.samples = 1

    @property
    def duration(self):
        return None if self.end is None else self.end - self.start

    def as_dict(self, origin):
        return {"node": self.node, "start": round(self.start - origin, 3),
                "end": None if self.end is None else round(self.end - origin, 3),
                "duration": None if self.end is None else round(self.duration, 3),
                "samples": self.samples, "missing": dict(sorted(self.missing.items()))}


class ContinuityReport(object):
    def __init__(self, nodes, gaps, samples, failures, started, stopped, interval):
        self.nodes = nodes
        self.gaps = gaps
        self.samples = samples      # node -> samples taken
        self.failures = failures    # node -> [(time, error)] when its BIRD could not be read
        self.started = started
        self.stopped = stopped
        self.interval = interval

    @property
    def ok(self):
        return not self.gaps and not any(self.failures.values())

    def gaps_of(self, node):
        return [gap for gap in self.gaps if gap.node == node]

    def as_dict(self):
        return {"duration": round(self.stopped - self.started, 3), "interval": self.interval,
                "samples": dict(self.samples),
                "gaps": [gap.as_dict(self.started) for gap in self.gaps],
                "read_failures": {node: len(items) for node, items in self.failures.items() if items}}

    def text(self, title="Route continuity"):
        lines = ["%s: every node's routes sampled every %.1f s for %.1f s (%d samples per node)"
                 % (title, self.interval, self.stopped - self.started,
                    min(self.samples.values()) if self.samples else 0)]
        for node in self.nodes:
            gaps = self.gaps_of(node)
            failures = self.failures.get(node) or []
            if not gaps and not failures:
                lines.append("  %-12s no gap: a route to every other node's pod block at every sample" % node)
                continue
            for gap in gaps:
                owners = ", ".join("%s (%s)" % (prefix, owner) for prefix, owner in sorted(gap.missing.items()))
                if gap.end is None:
                    span = "from +%.1f s until the end (still missing)" % (gap.start - self.started)
                else:
                    span = "from +%.1f s to +%.1f s (%.1f s)" % (
                        gap.start - self.started, gap.end - self.started, gap.duration)
                lines.append("  %-12s GAP %s: no route to %s" % (node, span, owners))
            if failures:
                lines.append("  %-12s could not read BIRD %d time(s), first: %s"
                             % (node, len(failures), failures[0][1]))
        total = len(self.gaps)
        lines.append("  => %s" % ("no node ever lost a route" if self.ok else
                                  "%d gap(s) on %d node(s)" % (total, len({g.node for g in self.gaps}))))
        return "\n".join(lines)


def network_count(reply):
    """Z of `show route count`'s 'X of Y routes for Z networks', or None."""
    match = re.match(r"\d+ of \d+ routes for (\d+) networks", reply.text or "")
    return int(match.group(1)) if match else None


class RouteMonitor(object):
    def __init__(self, sockets, expected, owners=None, interval=INTERVAL, summaries=None):
        self.sockets = dict(sockets)
        self.expected = {node: set(prefixes) for node, prefixes in expected.items()}
        self.summaries = dict(summaries or {})
        self.owners = owners or {}  # prefix -> node that announces it (for the report)
        self.interval = interval
        self.nodes = sorted(self.sockets)
        self._clients = {}
        self._open = {}             # node -> Gap in progress
        self.gaps = []
        self.samples = {node: 0 for node in self.nodes}
        self.failures = {node: [] for node in self.nodes}
        self._thread = None
        self._stop_event = threading.Event()
        self.started = self.stopped = None

    def _routes(self, node):
        client = self._clients.get(node)
        try:
            if client is None:
                client = self._clients[node] = BirdClient(self.sockets[node], timeout=2.0).connect()
            summary = self.summaries.get(node)
            if summary is not None and network_count(client.command("show route count where net ~ %s"
                                                                    % summary[0])) == summary[1]:
                return self.expected.get(node, set())
            return parse_show_route(client.command(SHOW_ROUTES))
        except BirdError:
            self._close(node)
            raise

    def _close(self, node):
        client = self._clients.pop(node, None)
        if client is not None:
            client.close()

    def sample(self):
        """Take one sample of every node now."""
        for node in self.nodes:
            now = time.monotonic()
            try:
                present = self._routes(node)
            except BirdError as exc:
                self.failures[node].append((now, str(exc)))
                continue
            self.samples[node] += 1
            missing = {prefix: self.owners.get(prefix, "?")
                       for prefix in self.expected.get(node, ()) if prefix not in present}
            gap = self._open.get(node)
            if missing:
                if gap is None:
                    self._open[node] = Gap(node, now, missing)
                else:
                    gap.missing.update(missing)
                    gap.samples += 1
            elif gap is not None:
                gap.end = now
                self.gaps.append(gap)
                del self._open[node]

    def _run(self):
        while not self._stop_event.is_set():
            started = time.monotonic()
            self.sample()
            self._stop_event.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def start(self):
        self.started = time.monotonic()
        self.sample()
        self._thread = threading.Thread(target=self._run, name="route-monitor", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stop_event.set()
        if self._thread is not None:
            self._thread.join(10)
        self.sample()  # one last look after the command finished
        self.stopped = time.monotonic()
        for node in list(self._open):
            self.gaps.append(self._open.pop(node))
        for node in list(self._clients):
            self._close(node)
        self.gaps.sort(key=lambda gap: (gap.node, gap.start))
        return self.report()

    def report(self):
        return ContinuityReport(self.nodes, list(self.gaps), dict(self.samples),
                                {n: list(f) for n, f in self.failures.items()},
                                self.started, self.stopped or time.monotonic(), self.interval)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if self.stopped is None:
            self.stop()
