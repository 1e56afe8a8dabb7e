# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Transport against a real socket server on 127.0.0.1: UDP, truncation, TCP fallback, time-outs."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
import typing as t

import dns.flags
import dns.message
import dns.rrset
import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError
from ansible_collections.portable.dns01.plugins.module_utils._dns.query import EDNS_PAYLOAD, Transport, rcode_text

# Enough TXT data that a UDP answer must be truncated.
BIG_VALUES = [f'"{index:02d}{"x" * 200}"' for index in range(10)]


def _answer(wire: bytes, seen: list[dns.message.Message]) -> dns.message.Message:
    query = dns.message.from_wire(wire)
    seen.append(query)
    response = dns.message.make_response(query)
    response.answer.append(dns.rrset.from_text_list(query.question[0].name, 60, "IN", "TXT", BIG_VALUES))
    return response


class _Udp(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        wire, sock = self.request
        response = _answer(wire, self.server.seen)
        # Too big for UDP: send what a server sends, an empty answer with TC set.
        response.answer.clear()
        response.flags |= dns.flags.TC
        sock.sendto(response.to_wire(), self.client_address)


class _Tcp(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        length = struct.unpack("!H", self.request.recv(2))[0]
        response = _answer(self.request.recv(length), self.server.seen).to_wire(max_size=65535)
        self.request.sendall(struct.pack("!H", len(response)) + response)


@pytest.fixture
def server() -> t.Iterator[tuple[int, list[dns.message.Message]]]:
    """A UDP and a TCP server on one port that always answer with a big TXT RRset."""
    seen: list[dns.message.Message] = []
    tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Tcp)
    udp = socketserver.ThreadingUDPServer(("127.0.0.1", tcp.server_address[1]), _Udp)
    for srv in (tcp, udp):
        srv.seen = seen
        threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    yield tcp.server_address[1], seen
    for srv in (tcp, udp):
        srv.shutdown()
        srv.server_close()


def test_truncated_udp_answer_is_retried_over_tcp(server: tuple[int, list[dns.message.Message]]) -> None:
    port, seen = server
    response = Transport().query("big.example.test", "TXT", "127.0.0.1", port=port, timeout=2.0)
    assert rcode_text(response) == "NOERROR"
    assert len(response.answer[0]) == 10
    assert len(seen) == 2  # one UDP try, truncated, then TCP


def test_queries_carry_edns_and_no_recursion_flag_by_default(server: tuple[int, list[dns.message.Message]]) -> None:
    port, seen = server
    Transport().query("a.example.test", "TXT", "127.0.0.1", port=port, timeout=2.0)
    assert seen[0].payload == EDNS_PAYLOAD
    assert not seen[0].flags & dns.flags.RD


def test_recursion_sets_the_rd_flag(server: tuple[int, list[dns.message.Message]]) -> None:
    port, seen = server
    Transport().query("a.example.test", "TXT", "127.0.0.1", port=port, timeout=2.0, recursion=True)
    assert seen[0].flags & dns.flags.RD


def test_silent_server_raises_dns_query_error_with_details() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.bind(("127.0.0.1", 0))
        port = sink.getsockname()[1]
        with pytest.raises(DnsQueryError) as raised:
            Transport().query("quiet.example.test", "TXT", "127.0.0.1", port=port, timeout=0.2)
    assert raised.value.details["reason"] == "timeout"
    assert raised.value.details["qname"] == "quiet.example.test"
    assert raised.value.details["server"] == "127.0.0.1"


class _SlowTruncatingUdp(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        time.sleep(0.6)
        _Udp.handle(self)


class _SilentTcp(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        time.sleep(2.0)


def test_the_tcp_retry_gets_only_what_is_left_of_the_timeout() -> None:
    """A slow truncated UDP answer, then a TCP server that never answers: one query_timeout in all, not two."""
    seen: list[dns.message.Message] = []
    tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SilentTcp)
    udp = socketserver.ThreadingUDPServer(("127.0.0.1", tcp.server_address[1]), _SlowTruncatingUdp)
    for srv in (tcp, udp):
        srv.seen = seen
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(DnsQueryError) as raised:
            Transport().query("big.example.test", "TXT", "127.0.0.1", port=tcp.server_address[1], timeout=1.0)
    finally:
        for srv in (tcp, udp):
            srv.shutdown()
            srv.server_close()
    assert raised.value.details["reason"] == "timeout" and len(seen) == 1
    assert time.monotonic() - started < 1.3
