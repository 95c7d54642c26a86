"""BIRD control-socket client: reply parsing on recorded real replies, and the client against
a stand-in socket for the failures a real BIRD does not produce on demand."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import socket
import time

import pytest

from ansible_collections.netops.calico.plugins.module_utils._bird_client import (
    BirdClient,
    BirdCommandError,
    BirdConnectionRefused,
    BirdError,
    BirdPermissionDenied,
    BirdProtocolError,
    BirdSocketMissing,
    BirdTimeout,
    _connect_error,
    bird_command,
    parse_reply,
)
from tests.support.fake_bird import FakeBird, recorded

# Generous bound for "fails within the timeout": the deadline plus scheduling slack.
SLACK = 3.0


@pytest.fixture
def socket_path(tmp_path_factory):
    # A short path: unix socket paths are limited to 107 bytes.
    directory = tmp_path_factory.mktemp("b", numbered=True)
    path = str(directory / "bird.ctl")
    if len(path) > 100:
        path = "/tmp/ncb-%d-%d.ctl" % (os.getpid(), id(directory))
    yield path
    if os.path.exists(path):
        os.unlink(path)


class TestParseReply:
    def test_rows_keep_their_block_code_across_continuation_lines(self):
        reply = parse_reply(recorded("show_protocols_v4_established"))
        assert reply.code == "0000"
        assert reply.texts("2002") == ["name     proto    table    state  since       info"]
        rows = reply.texts("1002")
        assert rows[0].startswith("device1  Device")
        assert rows[2].startswith("Mesh_127_0_0_32 BGP")
        assert len(rows) == 9

    def test_multi_block_reply_switches_code_at_each_block(self):
        reply = parse_reply(recorded("show_protocols_all_mesh"))
        assert reply.texts("1002") == [
            "Mesh_127_0_0_32 BGP      master   up     09:58:30    Established   "]
        details = reply.texts("1006")
        assert "     Neighbor address: 127.0.0.32" in [" " + line for line in details]
        assert any(line.strip() == "BGP state:          Established" for line in details)

    def test_final_code_other_than_0000_ends_the_reply(self):
        reply = parse_reply(recorded("show_status"))
        assert (reply.code, reply.text) == ("0013", "Daemon is up and running")
        assert reply.texts("1011")[0] == "Router ID is 127.0.0.31"
        assert not reply.failed

    @pytest.mark.parametrize("name, code, text", [
        ("error_syntax", "9001", "syntax error"),
        ("error_not_a_protocol", "9002", "Nope is not a protocol"),
    ])
    def test_error_replies_are_failed_replies(self, name, code, text):
        reply = parse_reply(recorded(name))
        assert (reply.code, reply.text, reply.failed) == (code, text, True)

    def test_asynchronous_notifications_are_not_part_of_the_reply(self):
        reply = parse_reply("+0000 Shutdown requested\n1002-row one\n row two\n0000 \n")
        assert reply.texts("1002") == ["row one", "row two"]

    def test_reply_without_final_line_is_rejected(self):
        with pytest.raises(BirdProtocolError, match="no final line"):
            parse_reply("1002-row one\n row two\n")

    def test_line_that_is_not_bird_protocol_is_rejected(self):
        with pytest.raises(BirdProtocolError, match="unexpected line"):
            parse_reply("HTTP/1.1 400 Bad Request\n0000 \n")


class TestClientAgainstStandIn:
    def test_reads_recorded_reply_and_greeting(self, socket_path):
        with FakeBird(socket_path, {"show protocols": recorded("show_protocols_v6")}) as fake:
            with BirdClient(socket_path) as bird:
                reply = bird.command("show protocols")
                assert bird.greeting == "BIRD 1.6.8 ready."
        assert fake.commands == ["show protocols"]
        assert reply.raw == recorded("show_protocols_v6")
        assert reply.texts("1002")[3].startswith("Node_fd80_24e2_f998_72d7_0_0_0_2_port_41823 BGP")

    def test_bytes_read_past_the_greeting_are_kept_for_the_reply(self, socket_path):
        # Greeting and reply arriving in one chunk must not lose the reply's first lines.
        glued = recorded("greeting") + recorded("show_status")
        with FakeBird(socket_path, {}, greeting=glued):
            with BirdClient(socket_path) as bird:
                reply = bird.command("show status")
        assert bird.greeting == "BIRD 1.6.8 ready."
        assert reply.texts("1000") == ["BIRD 1.6.8"]
        assert (reply.code, reply.text) == ("0013", "Daemon is up and running")

    def test_syntax_error_becomes_one_clear_error(self, socket_path):
        with FakeBird(socket_path, {"show foo": recorded("error_syntax")}):
            with pytest.raises(BirdCommandError) as caught:
                bird_command(socket_path, "show foo")
        assert (caught.value.code, caught.value.text) == ("9001", "syntax error")
        assert str(caught.value) == "BIRD at %s rejected 'show foo' with error 9001: syntax error" % socket_path
        assert "\n" not in str(caught.value)

    def test_missing_socket(self, socket_path):
        with pytest.raises(BirdSocketMissing) as caught:
            bird_command(socket_path, "show protocols")
        assert str(caught.value) == "BIRD control socket %s does not exist" % socket_path

    def test_stale_socket_file_refuses(self, socket_path):
        # What a crashed BIRD leaves behind: the file exists, nobody listens.
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(socket_path)
        stale.close()
        with pytest.raises(BirdConnectionRefused, match="refused the connection"):
            bird_command(socket_path, "show protocols")

    def test_socket_that_never_greets_times_out_within_the_deadline(self, socket_path):
        with FakeBird.silent(socket_path):
            started = time.monotonic()
            with pytest.raises(BirdTimeout) as caught:
                bird_command(socket_path, "show protocols", timeout=0.3)
            elapsed = time.monotonic() - started
        assert str(caught.value) == "BIRD at %s did not send its greeting within 0.3 s" % socket_path
        assert elapsed < 0.3 + SLACK

    def test_failed_greeting_closes_the_connection(self, socket_path):
        client = BirdClient(socket_path, timeout=0.2)
        with FakeBird.silent(socket_path):
            with pytest.raises(BirdTimeout):
                client.connect()
        assert client._sock is None

    def test_bird_that_greets_then_hangs_times_out_within_the_deadline(self, socket_path):
        with FakeBird(socket_path, {}):  # greets, never answers any command
            started = time.monotonic()
            with pytest.raises(BirdTimeout, match="did not send the reply to 'show protocols' within 0.3 s"):
                bird_command(socket_path, "show protocols", timeout=0.3)
            assert time.monotonic() - started < 0.3 + SLACK

    def test_hang_up_mid_reply(self, socket_path):
        partial = "2002-name     proto    table    state  since       info\n1002-device1  Device\n"
        with FakeBird(socket_path, {"show protocols": partial}):
            with pytest.raises(BirdProtocolError, match="closed the connection before sending the reply"):
                bird_command(socket_path, "show protocols")

    def test_something_that_is_not_bird(self, socket_path):
        with FakeBird(socket_path, {}, greeting="SSH-2.0-OpenSSH_9.2\n"):
            with pytest.raises(BirdProtocolError, match="did not greet like BIRD"):
                bird_command(socket_path, "show protocols")


@pytest.mark.parametrize("code, error_class", [
    (errno.ENOENT, BirdSocketMissing),
    (errno.EACCES, BirdPermissionDenied),
    (errno.ECONNREFUSED, BirdConnectionRefused),
    (errno.ENOTSOCK, BirdError),
])
def test_connect_errors_map_to_one_error_class_each(code, error_class):
    error = _connect_error("/run/bird.ctl", OSError(code, os.strerror(code)))
    assert error.__class__ is error_class
    assert "/run/bird.ctl" in str(error)
