# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render node status as the text `calicoctl node status` prints.

For internal use by this collection; standard library only. calicoctl draws its tables with
Go's olekukonko/tablewriter defaults, reproduced here: upper-case headings centred (extra space
goes right), cells left-aligned, one space of padding, and cells wider than 30 characters
wrapped onto several lines with tablewriter's minimum-raggedness word wrap (the familiar
"Active Socket: Connection / refused"). Unlike calicoctl, the peer address column shows the
port of a ``_port_N`` peer as ``10.0.0.1:1790`` or ``[fd80::2]:1790``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.calico.plugins.module_utils._model_values import format_peer_ip

HEADINGS = ("PEER ADDRESS", "PEER TYPE", "STATE", "SINCE", "INFO")
WRAP_WIDTH = 30  # tablewriter's default MaxColWidth
_TOO_LONG_PENALTY = 100000  # tablewriter's defaultPenalty


def render_node_status(calico_running, ipv4_peers, ipv6_peers, ipv6_note=None):
    """The whole `calicoctl node status` text. `ipv6_peers` is None when IPv6 is not in use;
    `ipv6_note` then says why (printed instead of the IPv6 table)."""
    lines = ["Calico process is running." if calico_running else "Calico process is not running."]
    lines += [""] + _section(4, ipv4_peers)
    if ipv6_peers is None:
        lines += ["", "INFO: %s" % (ipv6_note or "IPv6 BGP is not in use.")]
    else:
        lines += [""] + _section(6, ipv6_peers)
    return "\n".join(lines)


def _section(ip_version, peers):
    lines = ["IPv%d BGP status" % ip_version]
    if not peers:
        return lines + ["No IPv%d peers found." % ip_version]
    return lines + render_peer_table(peers).split("\n")


def render_peer_table(peers):
    """One calicoctl table (no trailing newline) for peer dicts from _bird_protocols."""
    rows = [
        (format_peer_ip(p["peer_address"], p["peer_port"]),
         p["peer_type"], p["state"], p["since"], p["info"])
        for p in peers
    ]
    heading_cells = [_wrap_cell(h) for h in HEADINGS]
    row_cells = [[_wrap_cell(value) for value in row] for row in rows]
    widths = [max(cells[column][1] for cells in [heading_cells] + row_cells)
              for column in range(len(HEADINGS))]

    border = "+" + "+".join("-" * (width + 2) for width in widths) + "+"
    out = [border]
    out += _draw_row(heading_cells, widths, _centre)
    out.append(border)
    for cells in row_cells:
        out += _draw_row(cells, widths, _left)
    out.append(border)
    return "\n".join(out)


def _draw_row(cells, widths, align):
    height = max(len(lines) for lines, _width in cells)
    out = []
    for index in range(height):
        parts = []
        for (lines, _width), column_width in zip(cells, widths):
            text = lines[index] if index < len(lines) else ""
            parts.append(" %s " % align(text, column_width))
        out.append("|" + "|".join(parts) + "|")
    return out


def _centre(text, width):
    gap = width - len(text)
    left = gap // 2  # tablewriter's Pad: the odd space goes right
    return " " * left + text + " " * (gap - left)


def _left(text, width):
    return text + " " * (width - len(text))


def _wrap_cell(value):
    """(lines, width) of one cell. tablewriter caps a column at 30 characters (or its longest
    word); wider text is wrapped and the column stays at the cap even if every wrapped line
    is shorter, as parseDimension does."""
    value = value or ""
    if len(value) <= WRAP_WIDTH:
        return [value], len(value)
    words = value.split(" ")
    limit = max([WRAP_WIDTH] + [len(word) for word in words])
    lines = [" ".join(line) for line in _wrap_words(words, limit)]
    return lines, max([WRAP_WIDTH] + [len(line) for line in lines])


def _wrap_words(words, limit):
    """tablewriter's WrapWords: split `words` into lines of at most `limit` characters,
    minimising the sum of squared leftover space (a line over the limit costs a penalty)."""
    count = len(words)
    length = [[0] * count for _row in range(count)]
    for i in range(count):
        length[i][i] = len(words[i])
        for j in range(i + 1, count):
            length[i][j] = length[i][j - 1] + 1 + len(words[j])
    next_break = [0] * count
    cost = [2 ** 31 - 1] * count
    for i in range(count - 1, -1, -1):
        if length[i][count - 1] <= limit:
            cost[i] = 0
            next_break[i] = count
            continue
        for j in range(i + 1, count):
            leftover = limit - length[i][j - 1]
            candidate = leftover * leftover + cost[j]
            if length[i][j - 1] > limit:
                candidate += _TOO_LONG_PENALTY
            if candidate < cost[i]:
                cost[i] = candidate
                next_break[i] = j
    lines = []
    i = 0
    while i < count:
        lines.append(words[i:next_break[i]])
        i = next_break[i]
    return lines
