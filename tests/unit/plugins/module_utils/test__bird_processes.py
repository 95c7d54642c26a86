"""calicoctl's process checks, on a made-up /proc tree."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netops.calico.plugins.module_utils._bird_processes import (
    command_lines,
    scan_processes,
)


def make_proc(root, processes):
    for pid, argv in processes.items():
        directory = root / str(pid)
        directory.mkdir()
        (directory / "cmdline").write_bytes(b"\0".join(arg.encode() for arg in argv) + b"\0")
    (root / "self").mkdir()   # not a pid: ignored
    (root / "meminfo").write_text("MemTotal: 1 kB\n")
    return str(root)


def test_calico_node_felix_and_both_birds(tmp_path):
    proc = make_proc(tmp_path, {
        10: ["calico-node", "-felix"],
        11: ["bird", "-R", "-s", "/var/run/calico/bird.ctl", "-d", "-c", "/etc/calico/confd/config/bird.cfg"],
        12: ["/usr/sbin/bird6", "-R", "-s", "/var/run/calico/bird6.ctl"],
    })
    assert scan_processes(proc) == {"calico": True, "bird": True, "bird6": True}


def test_older_calico_felix_process(tmp_path):
    proc = make_proc(tmp_path, {20: ["/usr/bin/calico-felix"]})
    assert scan_processes(proc) == {"calico": True, "bird": False, "bird6": False}


def test_other_calico_node_roles_are_not_felix(tmp_path):
    proc = make_proc(tmp_path, {30: ["calico-node", "-confd"], 31: ["calico-node", "-bird-ready"],
                                32: ["birdc", "show", "protocols"], 33: ["vim", "calico-felix"]})
    assert scan_processes(proc) == {"calico": False, "bird": False, "bird6": False}


def test_processes_without_command_line_and_vanished_ones_are_skipped(tmp_path):
    proc = make_proc(tmp_path, {40: ["bird"]})
    (tmp_path / "41").mkdir()
    (tmp_path / "41" / "cmdline").write_bytes(b"")   # kernel thread or zombie
    (tmp_path / "42").mkdir()                        # exited between listdir and open
    assert sorted(command_lines(proc)) == [["bird"]]


def test_missing_proc_means_nothing_runs(tmp_path):
    assert scan_processes(os.path.join(str(tmp_path), "absent")) == {
        "calico": False, "bird": False, "bird6": False}


def test_this_machine_is_scanned_without_error():
    # The real /proc: this test's own interpreter is there, so at least one command line.
    assert any(argv for argv in command_lines())
