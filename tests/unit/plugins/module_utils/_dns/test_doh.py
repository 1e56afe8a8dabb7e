# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DoH client at its HTTP seam: a fake requests session answering from FakeServers."""

from __future__ import annotations

import base64

import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest
import requests
import requests.exceptions

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError, InputError
from ansible_collections.portable.dns01.plugins.module_utils._dns.doh import (
    MEDIA_TYPE,
    DohClient,
    doh_client,
    is_doh_url,
    parse_doh_url,
)
from ansible_collections.portable.dns01.plugins.module_utils._dns.query import Transport
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._dns.fakes import FakeResponse, FakeServer, FakeSession

URL = "https://doh.test/dns-query"
NAME = "_acme-challenge.example.test"


@pytest.fixture
def session() -> FakeSession:
    resolver = FakeServer(["."], recursive=True).txt(NAME, "token")
    return FakeSession({URL: resolver})


def query(name: str = NAME, rdtype: str = "TXT") -> dns.message.Message:
    return dns.message.make_query(name, rdtype, use_edns=0, payload=1232)


def txt(message: dns.message.Message) -> list[str]:
    return [b"".join(rdata.strings).decode() for rrset in message.answer for rdata in rrset]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_wire_format_round_trip(session: FakeSession, method: str) -> None:
    request = query()
    response = DohClient(session, method=method).exchange(request, URL, timeout=2.0)
    assert txt(response) == ["token"]
    sent = dns.message.from_wire(FakeSession.wire(method, session.requests[0]))
    # RFC 8484 4.1: ID 0; the question and the EDNS payload travel unchanged.
    assert sent.id == 0 and sent.question == request.question and sent.payload == 1232
    assert session.requests[0]["headers"]["accept"] == MEDIA_TYPE


def test_get_sends_base64url_without_padding_in_the_dns_parameter(session: FakeSession) -> None:
    DohClient(session, method="GET").exchange(query(), URL, timeout=2.0)
    call = session.requests[0]
    encoded = call["params"]["dns"]
    assert call["method"] == "GET" and "data" not in call
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    assert base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)) == FakeSession.wire("GET", call)


def test_post_sends_the_message_as_the_body(session: FakeSession) -> None:
    DohClient(session).exchange(query(), URL, timeout=2.0)
    call = session.requests[0]
    assert call["method"] == "POST" and "params" not in call
    assert call["headers"]["content-type"] == MEDIA_TYPE and isinstance(call["data"], bytes)


def test_timeout_and_certificate_settings_reach_the_session(session: FakeSession) -> None:
    DohClient(session, verify="/etc/lab/ca.pem").exchange(query(), URL, timeout=1.5)
    call = session.requests[0]
    assert call["timeout"] == 1.5 and call["verify"] == "/etc/lab/ca.pem"
    assert call["allow_redirects"] is False


@pytest.mark.parametrize(("status", "reason"), [(503, "Service Unavailable"), (404, "Not Found")])
def test_http_errors_carry_the_status(session: FakeSession, status: int, reason: str) -> None:
    session.failures[URL] = FakeResponse(status, b"<html/>", "text/html")
    with pytest.raises(DnsQueryError) as raised:
        DohClient(session).exchange(query(), URL, timeout=2.0)
    assert raised.value.details["status"] == status and raised.value.details["reason"] == "http"
    assert f"HTTP {status} {reason}" in raised.value.msg and URL in raised.value.msg


@pytest.mark.parametrize(("failure", "reason"), [
    (requests.exceptions.ReadTimeout("read timed out"), "timeout"),
    (requests.exceptions.ConnectTimeout("connect timed out"), "timeout"),
    (requests.exceptions.SSLError("certificate verify failed"), "tls"),
    (requests.exceptions.ConnectionError("connection refused"), "network"),
])
def test_request_exceptions_become_query_errors(session: FakeSession, failure: Exception, reason: str) -> None:
    session.failures[URL] = failure
    with pytest.raises(DnsQueryError) as raised:
        DohClient(session).exchange(query(), URL, timeout=2.0)
    assert raised.value.details["reason"] == reason and raised.value.details["server"] == URL
    assert raised.value.details["qname"] == NAME and raised.value.details["rdtype"] == "TXT"


def test_an_answer_that_is_not_dns_is_a_bad_response(session: FakeSession) -> None:
    session.failures[URL] = FakeResponse(200, b'{"Status": 0}', "application/dns-json")
    with pytest.raises(DnsQueryError, match="content-type application/dns-json") as raised:
        DohClient(session).exchange(query(), URL, timeout=2.0)
    assert raised.value.details["reason"] == "bad-response"


def test_garbage_and_mismatched_answers_are_bad_responses(session: FakeSession) -> None:
    session.failures[URL] = FakeResponse(200, b"\x00\x01garbage")
    with pytest.raises(DnsQueryError, match="bad-response"):
        DohClient(session).exchange(query(), URL, timeout=2.0)
    other = dns.message.make_response(query("other.example.test"))
    other.id = 0
    session.failures[URL] = FakeResponse(200, other.to_wire())
    with pytest.raises(DnsQueryError, match="not a response to the query"):
        DohClient(session).exchange(query(), URL, timeout=2.0)


def test_rcodes_come_back_as_dns_answers(session: FakeSession) -> None:
    session.servers[URL].rcode = "SERVFAIL"
    response = DohClient(session).exchange(query(), URL, timeout=2.0)
    assert response.rcode() == dns.rcode.SERVFAIL


def test_transport_sends_urls_to_the_doh_client_with_recursion(session: FakeSession) -> None:
    transport = Transport(doh=DohClient(session))
    response = transport.query(NAME, "TXT", URL, timeout=2.0, recursion=True)
    assert txt(response) == ["token"]
    assert dns.message.from_wire(FakeSession.wire("POST", session.requests[0])).flags & dns.flags.RD


def test_transport_without_a_doh_client_fails_for_urls() -> None:
    with pytest.raises(DnsQueryError, match="no-doh-client"):
        Transport().query(NAME, "TXT", URL, timeout=2.0, recursion=True)


def test_a_client_is_built_only_for_doh_resolvers() -> None:
    assert doh_client(["192.0.2.53"], "POST", True) is None
    client = doh_client(["192.0.2.53", URL], "GET", "/ca.pem")
    assert client is not None and (client.method, client.verify) == ("GET", "/ca.pem")
    assert isinstance(client.session, requests.Session)


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


def test_answers_keep_their_records(session: FakeSession) -> None:
    session.servers[URL].add("big.example.test", "TXT", *[f'"{index:02d}{"x" * 200}"' for index in range(10)])
    response = DohClient(session).exchange(query("big.example.test"), URL, timeout=2.0)
    # No UDP size limit over HTTPS: the whole RRset arrives, not a truncated answer.
    assert not response.flags & dns.flags.TC and len(response.answer[0]) == 10
    assert isinstance(response.answer[0], dns.rrset.RRset)
