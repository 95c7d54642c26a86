# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain text tables in the layout of calicoctl's `get` output (columns padded, 3 spaces apart).

For internal use by this collection. No Ansible imports.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


def text_table(headers, rows):
    widths = [len(header) for header in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
    lines = []
    for row in [headers] + list(rows):
        cells = [cell.ljust(widths[index]) for index, cell in enumerate(row)]
        lines.append("   ".join(cells).rstrip())
    return "\n".join(lines)
