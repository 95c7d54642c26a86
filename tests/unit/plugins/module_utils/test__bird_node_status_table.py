"""The calicoctl `node status` text: the layout of calicoctl's tablewriter tables."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.calico.plugins.module_utils._bird_client import parse_reply
from ansible_collections.netops.calico.plugins.module_utils._bird_protocols import parse_show_protocols
from ansible_collections.netops.calico.plugins.module_utils._bird_node_status_table import (
    render_node_status,
    render_peer_table,
)
from tests.support.fake_bird import recorded


def peer(address, peer_type="node-to-node mesh", state="up", since="09:24:31", info="Established",
         port=None, ip_version=4):
    return {"peer_address": address, "peer_port": port, "peer_type": peer_type, "state": state,
            "since": since, "info": info, "ip_version": ip_version}


def test_same_text_as_calicoctl_for_a_wrapped_info_cell():
    # calicoctl's own output for this peer, from projectcalico/calicoctl issue 1883.
    expected = "\n".join([
        "Calico process is running.",
        "",
        "IPv4 BGP status",
        "+----------------+-------------------+-------+----------+--------------------------------+",
        "|  PEER ADDRESS  |     PEER TYPE     | STATE |  SINCE   |              INFO              |",
        "+----------------+-------------------+-------+----------+--------------------------------+",
        "| 192.168.63.204 | node-to-node mesh | start | 17:19:38 | Active Socket: Connection      |",
        "|                |                   |       |          | refused                        |",
        "+----------------+-------------------+-------+----------+--------------------------------+",
        "",
        "IPv6 BGP status",
        "No IPv6 peers found.",
    ])
    peers = [peer("192.168.63.204", state="start", since="17:19:38", info="Active Socket: Connection refused")]
    assert render_node_status(True, peers, []) == expected


def test_same_text_as_calicoctl_for_an_established_peer():
    # calicoctl's output from projectcalico/calico issue 6285: headings centred, the odd
    # space to the right; cells left-aligned.
    expected = "\n".join([
        "+---------------+-------------------+-------+----------+-------------+",
        "| PEER ADDRESS  |     PEER TYPE     | STATE |  SINCE   |    INFO     |",
        "+---------------+-------------------+-------+----------+-------------+",
        "| 10.128.62.127 | node-to-node mesh | up    | 08:27:26 | Established |",
        "+---------------+-------------------+-------+----------+-------------+",
    ])
    assert render_peer_table([peer("10.128.62.127", since="08:27:26")]) == expected


def test_recorded_ipv4_and_ipv6_replies_render_with_ports():
    ipv4 = parse_show_protocols(parse_reply(recorded("show_protocols_v4_peers_down")), 4)
    ipv6 = parse_show_protocols(parse_reply(recorded("show_protocols_v6")), 6)
    text = render_node_status(False, ipv4, ipv6)
    expected = "\n".join([
        "Calico process is not running.",
        "",
        "IPv4 BGP status",
        "+------------------+-------------------+-------+----------+--------------------------------+",
        "|   PEER ADDRESS   |     PEER TYPE     | STATE |  SINCE   |              INFO              |",
        "+------------------+-------------------+-------+----------+--------------------------------+",
        "| 127.0.0.32       | node-to-node mesh | start | 09:58:32 | Passive Received:              |",
        "|                  |                   |       |          | Administrative shutdown        |",
        "| 127.0.0.33:47599 | global            | up    | 09:58:31 | Established                    |",
        "| 127.0.0.34       | node specific     | start | 09:58:31 | Active Socket: Connection      |",
        "|                  |                   |       |          | refused                        |",
        "| 127.0.0.35       | node specific     | down  | 09:58:29 |                                |",
        "| 127.0.0.36       | global            | down  | 09:58:29 | Error: Invalid next hop        |",
        "+------------------+-------------------+-------+----------+--------------------------------+",
        "",
        "IPv6 BGP status",
        "+--------------------------------+-------------------+-------+----------+--------------------------------+",
        "|          PEER ADDRESS          |     PEER TYPE     | STATE |  SINCE   |              INFO              |",
        "+--------------------------------+-------------------+-------+----------+--------------------------------+",
        "| [::1]:51695                    | global            | up    | 09:58:31 | Established                    |",
        "| [fd80:24e2:f998:72d7::2]:41823 | node specific     | start | 09:58:30 | Active Socket: Connection      |",
        "|                                |                   |       |          | refused                        |",
        "| fd80::2                        | node-to-node mesh | down  | 09:58:30 |                                |",
        "+--------------------------------+-------------------+-------+----------+--------------------------------+",
    ])
    assert text == expected


def test_ipv6_not_in_use_prints_the_reason_instead_of_a_table():
    text = render_node_status(True, [peer("10.0.0.2")], None, "IPv6 BGP is not in use (no BIRDv6 socket).")
    assert text.endswith("+\n\nINFO: IPv6 BGP is not in use (no BIRDv6 socket).")
    assert "IPv6 BGP status" not in text


def test_no_peers_at_all():
    assert render_node_status(True, [], []) == "\n".join([
        "Calico process is running.", "", "IPv4 BGP status", "No IPv4 peers found.", "",
        "IPv6 BGP status", "No IPv6 peers found."])


def test_a_word_longer_than_the_wrap_width_widens_its_column():
    long_word = "x" * 40
    lines = render_peer_table([peer("10.0.0.2", info="Active " + long_word)]).split("\n")
    assert lines[3].endswith("| Active" + " " * 35 + "|")
    assert lines[4].endswith("| " + long_word + " |")
