"""The route-continuity monitor (tests/lab/monitor.py), fed with stand-in samples."""
from tests.lab import monitor as monitor_module
from tests.lab.monitor import RouteMonitor, parse_show_route
from ansible_collections.netops.calico.plugins.module_utils._bird_client import BirdSocketMissing, parse_reply

# `show route` from a lab node (BIRD 1.6.8): the second route of a prefix starts with spaces.
SHOW_ROUTE = (
    "1007-10.244.2.128/26    unreachable [Node_127_65_1_254_port_1179 10:02:12 from 127.65.1.254] * (100/-) [AS65002i]\n"
    " 10.244.1.64/26     unreachable [Node_127_65_1_254_port_1179 10:02:12 from 127.65.1.254] * (100/-) [i]\n"
    "                    unreachable [Mesh_127_65_1_12 10:02:10 from 127.65.1.12] (100/-) [i]\n"
    " 10.244.1.0/26      blackhole [static1 10:02:10] * (200)\n"
    "0000 \n")


def test_parse_show_route_lists_each_prefix_once():
    assert parse_show_route(parse_reply(SHOW_ROUTE)) == {"10.244.2.128/26", "10.244.1.64/26", "10.244.1.0/26"}


class FakeClock(object):
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _monitor(monkeypatch, tables):
    """A monitor whose BIRD reads come from `tables` (node -> iterator of sets or exceptions)."""
    clock = FakeClock()
    monkeypatch.setattr(monitor_module.time, "monotonic", clock)
    monitor = RouteMonitor({"a": "/a.ctl", "b": "/b.ctl"}, {"a": ["B"], "b": ["A"]},
                           owners={"A": "a", "B": "b"})

    def routes(node):
        value = next(tables[node])
        if isinstance(value, Exception):
            raise value
        return value
    monitor._routes = routes
    return monitor, clock


def test_a_gap_spans_from_the_first_sample_without_the_route_to_the_first_with_it(monkeypatch):
    tables = {"a": iter([{"A", "B"}, {"A"}, {"A"}, {"A", "B"}]), "b": iter([{"A", "B"}] * 4)}
    monitor, clock = _monitor(monkeypatch, tables)
    monitor.started = clock.now
    for _sample in range(4):
        monitor.sample()
        clock.now += 0.2
    monitor.stopped = clock.now
    report = monitor.report()
    assert [(g.node, round(g.start, 1), round(g.end, 1), g.missing) for g in report.gaps] == \
        [("a", 100.2, 100.6, {"B": "b"})]
    assert not report.ok
    assert "a            GAP from +0.2 s to +0.6 s (0.4 s): no route to B (b)" in report.text()
    assert "b            no gap" in report.text()


def test_a_gap_still_open_at_the_end_is_reported_as_such(monkeypatch):
    tables = {"a": iter([{"A"}, {"A"}]), "b": iter([{"A"}, {"A"}])}
    monitor, clock = _monitor(monkeypatch, tables)
    monitor.started = clock.now
    monitor.sample()
    clock.now += 0.2
    monitor._stop_event.set()
    report = monitor.stop()
    assert [(g.node, g.end) for g in report.gaps] == [("a", None)]
    assert "until the end (still missing)" in report.text()


def test_unreadable_bird_is_reported_not_counted_as_a_route(monkeypatch):
    tables = {"a": iter([BirdSocketMissing("BIRD control socket /a.ctl does not exist")] * 2),
              "b": iter([{"A"}] * 2)}
    monitor, clock = _monitor(monkeypatch, tables)
    monitor.started = clock.now
    monitor.sample()
    monitor.stopped = clock.now + 0.2
    report = monitor.report()
    assert report.gaps == [] and not report.ok
    assert "could not read BIRD 1 time(s), first: BIRD control socket /a.ctl does not exist" in report.text()


def test_network_count_reads_show_route_counts_last_line():
    from tests.lab.monitor import network_count
    assert network_count(parse_reply("0014 96 of 190 routes for 96 networks\n")) == 96
    assert network_count(parse_reply("0000 \n")) is None
