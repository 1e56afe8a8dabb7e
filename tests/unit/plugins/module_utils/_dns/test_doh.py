# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DoH client at its HTTP seam (an httpx2.MockTransport answering from FakeServers), then against real local servers."""

from __future__ import annotations

import base64
import concurrent.futures
import socket
import ssl
import time
import typing as t

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rrset
import httpx2
import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DependencyError, DnsQueryError, InputError
from ansible_collections.portable.dns01.plugins.module_utils._dns.doh import (
    MEDIA_TYPE,
    DohClient,
    doh_client,
    is_doh_url,
    parse_doh_url,
)
from ansible_collections.portable.dns01.plugins.module_utils._dns.query import Transport
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._dns.fakes import FakeHttp, FakeResponse, FakeServer
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._dns.tls_server import H2DohServer, Http11DohServer, make_cert

URL = "https://doh.test/dns-query"
NAME = "_acme-challenge.example.test"


@pytest.fixture
def http() -> FakeHttp:
    resolver = FakeServer(["."], recursive=True).txt(NAME, "token")
    return FakeHttp({URL: resolver})


def query(name: str = NAME, rdtype: str = "TXT") -> dns.message.Message:
    return dns.message.make_query(name, rdtype, use_edns=0, payload=1232)


def txt(message: dns.message.Message) -> list[str]:
    return [b"".join(rdata.strings).decode() for rrset in message.answer for rdata in rrset]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_wire_format_round_trip(http: FakeHttp, method: str) -> None:
    request = query()
    response = DohClient(http.transport, method=method).exchange(request, URL, timeout=2.0)
    assert txt(response) == ["token"]
    sent = dns.message.from_wire(FakeHttp.wire(method, http.requests[0]))
    # RFC 8484 4.1: ID 0; the question and the EDNS payload travel unchanged.
    assert sent.id == 0 and sent.question == request.question and sent.payload == 1232
    assert http.requests[0]["headers"]["accept"] == MEDIA_TYPE


def test_get_sends_base64url_without_padding_in_the_dns_parameter(http: FakeHttp) -> None:
    DohClient(http.transport, method="GET").exchange(query(), URL, timeout=2.0)
    call = http.requests[0]
    encoded = call["params"]["dns"]
    assert call["method"] == "GET" and "data" not in call
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    assert base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)) == FakeHttp.wire("GET", call)


def test_post_sends_the_message_as_the_body(http: FakeHttp) -> None:
    DohClient(http.transport).exchange(query(), URL, timeout=2.0)
    call = http.requests[0]
    assert call["method"] == "POST" and "params" not in call
    assert call["headers"]["content-type"] == MEDIA_TYPE and isinstance(call["data"], bytes)


def test_the_timeout_bounds_every_step_of_the_request(http: FakeHttp) -> None:
    DohClient(http.transport).exchange(query(), URL, timeout=1.5)
    assert http.requests[0]["timeout"] == {"connect": 1.5, "read": 1.5, "write": 1.5, "pool": 1.5}


def test_redirects_are_not_followed(http: FakeHttp) -> None:
    http.failures[URL] = FakeResponse(301, b"", None)
    http.failures[URL].headers["location"] = "https://elsewhere.test/dns-query"
    with pytest.raises(DnsQueryError, match="HTTP 301 Moved Permanently") as raised:
        DohClient(http.transport).exchange(query(), URL, timeout=2.0)
    assert raised.value.details["status"] == 301 and len(http.requests) == 1


@pytest.mark.parametrize(("status", "reason"), [(503, "Service Unavailable"), (404, "Not Found")])
def test_http_errors_carry_the_status(http: FakeHttp, status: int, reason: str) -> None:
    http.failures[URL] = FakeResponse(status, b"<html/>", "text/html")
    with pytest.raises(DnsQueryError) as raised:
        DohClient(http.transport).exchange(query(), URL, timeout=2.0)
    assert raised.value.details["status"] == status and raised.value.details["reason"] == "http"
    assert f"HTTP {status} {reason}" in raised.value.msg and URL in raised.value.msg


def _tls_failure() -> Exception:
    """A ConnectError as httpx2 raises it for a failed handshake: the ssl error is its cause."""
    try:
        raise httpx2.ConnectError("certificate verify failed") from ssl.SSLCertVerificationError("unable to get local issuer")
    except httpx2.ConnectError as exc:
        return exc


@pytest.mark.parametrize(("failure", "reason"), [
    (httpx2.ReadTimeout("read timed out"), "timeout"),
    (httpx2.ConnectTimeout("connect timed out"), "timeout"),
    (_tls_failure(), "tls"),
    (httpx2.ConnectError("connection refused"), "network"),
    (httpx2.RemoteProtocolError("server disconnected"), "network"),
])
def test_request_exceptions_become_query_errors(http: FakeHttp, failure: Exception, reason: str) -> None:
    http.failures[URL] = failure
    with pytest.raises(DnsQueryError) as raised:
        DohClient(http.transport).exchange(query(), URL, timeout=2.0)
    assert raised.value.details["reason"] == reason and raised.value.details["server"] == URL
    assert raised.value.details["qname"] == NAME and raised.value.details["rdtype"] == "TXT"


def test_an_answer_that_is_not_dns_is_a_bad_response(http: FakeHttp) -> None:
    http.failures[URL] = FakeResponse(200, b'{"Status": 0}', "application/dns-json")
    with pytest.raises(DnsQueryError, match="content-type application/dns-json") as raised:
        DohClient(http.transport).exchange(query(), URL, timeout=2.0)
    assert raised.value.details["reason"] == "bad-response"


def test_garbage_and_mismatched_answers_are_bad_responses(http: FakeHttp) -> None:
    http.failures[URL] = FakeResponse(200, b"\x00\x01garbage")
    with pytest.raises(DnsQueryError, match="bad-response"):
        DohClient(http.transport).exchange(query(), URL, timeout=2.0)
    other = dns.message.make_response(query("other.example.test"))
    other.id = 0
    http.failures[URL] = FakeResponse(200, other.to_wire())
    with pytest.raises(DnsQueryError, match="not a response to the query"):
        DohClient(http.transport).exchange(query(), URL, timeout=2.0)


def test_rcodes_come_back_as_dns_answers(http: FakeHttp) -> None:
    http.servers[URL].rcode = "SERVFAIL"
    response = DohClient(http.transport).exchange(query(), URL, timeout=2.0)
    assert response.rcode() == dns.rcode.SERVFAIL


def test_transport_sends_urls_to_the_doh_client_with_recursion(http: FakeHttp) -> None:
    transport = Transport(doh=DohClient(http.transport))
    response = transport.query(NAME, "TXT", URL, timeout=2.0, recursion=True)
    assert txt(response) == ["token"]
    assert dns.message.from_wire(FakeHttp.wire("POST", http.requests[0])).flags & dns.flags.RD


def test_transport_without_a_doh_client_fails_for_urls() -> None:
    with pytest.raises(DnsQueryError, match="no-doh-client"):
        Transport().query(NAME, "TXT", URL, timeout=2.0, recursion=True)


def test_a_client_is_built_only_for_doh_resolvers() -> None:
    assert doh_client(["192.0.2.53"], "POST", True) is None
    client = doh_client(["192.0.2.53", URL], "GET", "/ca.pem")
    assert client is not None and (client.method, client.verify) == ("GET", "/ca.pem")
    assert client.transport is None  # the real HTTP/2 transport


def test_without_the_doh_extra_the_client_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dns.query, "have_doh", False)
    with pytest.raises(DependencyError, match=r"dnspython\[doh\]"):
        DohClient()


@pytest.mark.parametrize(("text", "url"), [
    (URL, URL),
    ("HTTPS://Doh.Test:8443/dns-query{?dns}", "https://Doh.Test:8443/dns-query"),
    ("https://[2001:db8::53]/dns-query", "https://[2001:db8::53]/dns-query"),
    (" https://doh.test/q?ct=1 ", "https://doh.test/q?ct=1"),
])
def test_doh_urls_are_normalised(text: str, url: str) -> None:
    assert parse_doh_url(text, "resolvers[0]") == url and is_doh_url(url)


@pytest.mark.parametrize("text", ["http://doh.test/dns-query", "https:///dns-query", "https://doh.test:0/",
                                  "https://doh.test:99999/", "https://doh.test/q{?dns,ct}", "https://doh.test/#x"])
def test_bad_doh_urls_name_the_field(text: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_doh_url(text, "resolvers[2]")
    assert raised.value.details["field"] == "resolvers[2]" and raised.value.msg.startswith("resolvers[2]: ")


def test_answers_keep_their_records(http: FakeHttp) -> None:
    http.servers[URL].add("big.example.test", "TXT", *[f'"{index:02d}{"x" * 200}"' for index in range(10)])
    response = DohClient(http.transport).exchange(query("big.example.test"), URL, timeout=2.0)
    # No UDP size limit over HTTPS: the whole RRset arrives, not a truncated answer.
    assert not response.flags & dns.flags.TC and len(response.answer[0]) == 10
    assert isinstance(response.answer[0], dns.rrset.RRset)


# Against real DoH servers on 127.0.0.1: TLS, HTTP/2 and HTTP/1.1, time-outs, verification.

@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    return make_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def resolver() -> FakeServer:
    return FakeServer(["."], recursive=True).txt(NAME, "token")


@pytest.fixture
def h2_server(cert: tuple[str, str], resolver: FakeServer) -> t.Iterator[H2DohServer]:
    server = H2DohServer(cert, resolver)
    yield server
    server.close()


def test_an_answer_followed_by_goaway_in_the_same_write_is_returned(cert: tuple[str, str], resolver: FakeServer) -> None:
    server = H2DohServer(cert, resolver, mode="goaway")
    try:
        response = DohClient(verify=cert[0]).exchange(query(), server.url, timeout=2.0)
    finally:
        server.close()
    assert txt(response) == ["token"] and len(server.seen) == 1


def test_threads_polling_at_once_each_get_their_own_answer(h2_server: H2DohServer, cert: tuple[str, str],
                                                           resolver: FakeServer) -> None:
    names = [f"_acme-challenge.n{index}.example.test" for index in range(12)]
    for name in names:
        resolver.txt(name, name)
    client = DohClient(verify=cert[0])
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda name: txt(client.exchange(query(name), h2_server.url, timeout=5.0)), names))
    assert answers == [[name] for name in names]
    # One HTTP client and connection per exchange: no two threads share one.
    assert len(h2_server.seen) == h2_server.connections == len(names)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_http2_round_trip(h2_server: H2DohServer, cert: tuple[str, str], method: str) -> None:
    response = DohClient(method=method, verify=cert[0]).exchange(query(), h2_server.url + "?ct=1", timeout=2.0)
    assert txt(response) == ["token"]
    headers, _body = h2_server.seen[0]
    assert headers[":method"] == method and headers[":path"].startswith("/dns-query?ct=1")
    assert headers[":authority"] == f"127.0.0.1:{h2_server.port}" and headers["accept"] == MEDIA_TYPE
    assert "connection" not in headers and "host" not in headers


def test_an_http11_server_is_reached_too(cert: tuple[str, str], resolver: FakeServer) -> None:
    server = Http11DohServer(cert, resolver)
    try:
        response = DohClient(verify=cert[0]).exchange(query(), server.url, timeout=2.0)
    finally:
        server.close()
    assert txt(response) == ["token"]


def test_a_silent_server_times_out_within_the_timeout(cert: tuple[str, str], resolver: FakeServer) -> None:
    server = H2DohServer(cert, resolver, mode="silent")
    started = time.monotonic()
    try:
        with pytest.raises(DnsQueryError) as raised:
            DohClient(verify=cert[0]).exchange(query(), server.url, timeout=0.5)
    finally:
        server.close()
    assert raised.value.details["reason"] == "timeout" and time.monotonic() - started < 2.0


def test_a_slow_handshake_then_silence_still_ends_within_the_timeout(cert: tuple[str, str], resolver: FakeServer) -> None:
    """The time-out bounds the whole exchange, not each of its steps: connecting plus waiting stay within it."""
    server = H2DohServer(cert, resolver, mode="silent", handshake_delay=0.7)
    started = time.monotonic()
    try:
        with pytest.raises(DnsQueryError) as raised:
            DohClient(verify=cert[0]).exchange(query(), server.url, timeout=1.0)
    finally:
        server.close()
    assert raised.value.details["reason"] == "timeout" and time.monotonic() - started < 1.3


def test_an_untrusted_certificate_is_refused(h2_server: H2DohServer) -> None:
    with pytest.raises(DnsQueryError, match="CERTIFICATE_VERIFY_FAILED") as raised:
        DohClient().exchange(query(), h2_server.url, timeout=2.0)
    assert raised.value.details["reason"] == "tls" and not h2_server.seen


def test_verification_can_be_turned_off(h2_server: H2DohServer) -> None:
    assert txt(DohClient(verify=False).exchange(query(), h2_server.url, timeout=2.0)) == ["token"]


def test_an_unreadable_ca_bundle_is_a_tls_error(h2_server: H2DohServer, tmp_path: t.Any) -> None:
    with pytest.raises(DnsQueryError, match=r"\(tls\): CA bundle") as raised:
        DohClient(verify=str(tmp_path / "missing.pem")).exchange(query(), h2_server.url, timeout=2.0)
    assert raised.value.details["reason"] == "tls" and not h2_server.seen


def test_nobody_listening_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DnsQueryError) as raised:
        DohClient(verify=False).exchange(query(), f"https://127.0.0.1:{port}/dns-query", timeout=2.0)
    assert raised.value.details["reason"] == "network"
