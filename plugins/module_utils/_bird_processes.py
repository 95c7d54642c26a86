# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The process checks `calicoctl node status` makes, read from /proc (Linux only).

For internal use by this collection; standard library only. Calico counts as running when a
process's command line is ``calico-felix`` (older calico/node) or ``calico-node -felix``
(newer). calicoctl compares argv[0] exactly; we compare its base name so that a daemon started
by full path (``/usr/sbin/bird``) counts too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os


def command_lines(proc_root="/proc"):
    """argv of every process we may read; processes that vanish mid-scan are skipped."""
    try:
        entries = os.listdir(proc_root)
    except OSError:
        return
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(os.path.join(proc_root, entry, "cmdline"), "rb") as handle:
                raw = handle.read()
        except (IOError, OSError):
            continue
        argv = [arg.decode("utf-8", "replace") for arg in raw.split(b"\0") if arg]
        if argv:  # kernel threads and zombies have an empty command line
            yield argv


def is_calico(argv):
    program = os.path.basename(argv[0])
    return program == "calico-felix" or (program == "calico-node" and argv[1:2] == ["-felix"])


def is_program(argv, name):
    return os.path.basename(argv[0]) == name


def scan_processes(proc_root="/proc"):
    """{"calico": bool, "bird": bool, "bird6": bool} for the processes running now."""
    found = {"calico": False, "bird": False, "bird6": False}
    for argv in command_lines(proc_root):
        found["calico"] = found["calico"] or is_calico(argv)
        found["bird"] = found["bird"] or is_program(argv, "bird")
        found["bird6"] = found["bird6"] or is_program(argv, "bird6")
    return found
