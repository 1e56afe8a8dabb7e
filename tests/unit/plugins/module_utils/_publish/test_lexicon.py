# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lexicon backend against a tiny local HTTP server: lexicon owns its HTTP calls."""

from __future__ import annotations

import http.server
import time
import typing as t

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    InputError,
    ProviderAuthError,
    ProviderError,
    ProviderTimeout,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.outage import is_outage
from ansible_collections.portable.dns01.plugins.module_utils._publish.lexicon import LexiconProvider, _absolute_cnames, _replace_cname
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._publish.fakes import blackholed_port, serve, workers

TOKEN = "api-token-that-must-not-leak"


class Scripted(http.server.BaseHTTPRequestHandler):
    """Answers every request with the server's (status, headers, delay)."""

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        status, headers, delay = self.server.answer  # type: ignore[attr-defined]
        time.sleep(delay)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: t.Any) -> None:
        pass


@pytest.fixture
def server():
    with serve(Scripted, answer=(200, {}, 0.0)) as httpd:
        yield httpd


def powerdns(url: str, seconds: float = 10.0, zone: str | None = "example.test") -> LexiconProvider:
    clock = Clock()
    ctx = Context(clock, Deadline(clock, seconds), connect_timeout=1.0, read_timeout=5.0)
    options = {"provider": "powerdns", "options": {"auth_token": TOKEN, "pdns_server": url, "pdns_server_id": "localhost"}}
    return LexiconProvider("pdns", ctx, options, zone=zone)


def url(server: t.Any) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.mark.parametrize("status, headers, error, transient, retry_after", [
    (401, {}, ProviderAuthError, False, None),
    (403, {}, ProviderAuthError, False, None),
    (429, {"Retry-After": "5"}, ProviderError, True, 5.0),
    (503, {"Retry-After": "Fri, 01 Jan 2100 00:00:00 GMT"}, ProviderError, True, None),
    (500, {}, ProviderError, True, None),
    (404, {}, ProviderError, False, None),
])
def test_http_status_is_mapped(server, status, headers, error, transient, retry_after):
    server.answer = (status, headers, 0.0)
    with pytest.raises(error) as caught:
        powerdns(url(server)).list("_acme-challenge.example.test")
    assert caught.value.status == status and caught.value.transient is transient
    assert caught.value.provider == "pdns"
    if status == 429:
        assert caught.value.retry_after == retry_after
    if status == 503:
        assert caught.value.retry_after > 1e6  # an HTTP date far ahead


def test_a_hung_api_is_bounded_by_our_deadline(server):
    server.answer = (200, {}, 5.0)
    start = time.monotonic()
    with pytest.raises(ProviderTimeout):
        powerdns(url(server), seconds=0.5).list("_acme-challenge.example.test")
    assert time.monotonic() - start < 2.0


def test_refused_connection_is_an_outage_not_retried():
    with pytest.raises(ProviderError) as caught:
        powerdns("http://127.0.0.1:9").check_health()
    assert caught.value.transient is False and is_outage(caught.value)
    assert TOKEN not in caught.value.msg


def test_unknown_lexicon_provider_is_an_input_error():
    clock = Clock()
    ctx = Context(clock, Deadline(clock, 1.0))
    with pytest.raises(InputError, match="unknown lexicon provider"):
        LexiconProvider("x", ctx, {"provider": "no-such-provider", "options": {}})


def test_zone_comes_from_the_resolver_when_not_given(server):
    class Resolver:
        asked: list[str] = []

        def find_zone(self, name: str) -> t.Any:
            self.asked.append(name)
            return type("Zone", (), {"name": "example.test."})()

    server.answer = (401, {}, 0.0)
    provider = powerdns(url(server), zone=None)
    provider.ctx.resolver = Resolver()
    with pytest.raises(ProviderAuthError):
        provider.list("_acme-challenge.www.example.test")
    assert Resolver.asked == ["_acme-challenge.www.example.test"]


class FakeLexiconApi:
    """The slice of a lexicon provider that CNAME handling uses, with powerdns's rewriting of CNAME content."""

    domain = "example.test"

    def __init__(self) -> None:
        self.rrsets: dict[tuple[str, str], list[str]] = {}

    def _clean_content(self, rtype: str, content: str) -> str:
        return content if rtype != "CNAME" or content.rstrip(".").endswith(self.domain) else f"{content.rstrip('.')}.{self.domain}."

    def _unclean_content(self, rtype: str, content: str) -> str:
        return self._clean_content(rtype, content).rstrip(".")

    def list_records(self, rtype: str | None = None, name: str | None = None) -> list[dict[str, t.Any]]:
        return [{"type": kind, "name": owner, "content": self._unclean_content(kind, value)}
                for (owner, kind), values in self.rrsets.items() for value in values
                if owner == name and rtype in (None, kind)]

    def create_record(self, rtype: str, name: str, content: str) -> None:
        self.rrsets.setdefault((name, rtype), []).append(self._clean_content(rtype, content))

    def delete_record(self, rtype: str, name: str, content: str) -> None:
        values = self.rrsets.get((name, rtype), [])
        values.remove(self._clean_content(rtype, content))


def test_out_of_zone_cname_targets_stay_absolute():
    api = _absolute_cnames(FakeLexiconApi())
    assert _replace_cname(api, "_acme-challenge.example.test", "x.fallback.test") == ["x.fallback.test"]
    assert api.rrsets[("_acme-challenge.example.test", "CNAME")] == ["x.fallback.test."]


def test_replacing_a_cname_deletes_the_old_one_first():
    api = _absolute_cnames(FakeLexiconApi())
    _replace_cname(api, "_acme-challenge.example.test", "old.fallback.test")
    assert _replace_cname(api, "_acme-challenge.example.test", "new.fallback.test") == ["new.fallback.test"]
    assert _replace_cname(api, "_acme-challenge.example.test", "new.fallback.test") == ["new.fallback.test"]


def test_without_the_fix_the_target_is_rewritten():
    # What the read-back in set_cname guards against for providers we do not know.
    assert _replace_cname(FakeLexiconApi(), "_acme-challenge.example.test", "x.fallback.test") == ["x.fallback.test.example.test"]


class SlowPowerDns(http.server.BaseHTTPRequestHandler):
    """A PowerDNS API that answers each request after ``server.delay`` and logs when each arrived."""

    def _answer(self, status: int, body: bytes) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.arrived.append((time.monotonic(), self.command))  # type: ignore[attr-defined]
        time.sleep(self.server.delay)  # type: ignore[attr-defined]
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up first: that is what these tests provoke

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        self._answer(200, b'{"kind": "Native", "rrsets": []}')

    def do_PATCH(self) -> None:  # pylint: disable=invalid-name
        self._answer(204, b"")

    def log_message(self, *args: t.Any) -> None:
        pass


@pytest.fixture
def slow_pdns():
    with serve(SlowPowerDns, arrived=[], delay=0.4) as httpd:
        yield httpd


def test_no_request_leaves_after_the_call_gave_up(slow_pdns):
    """Each request takes 0.4 s; the call has 1 s: nothing may reach the API once it returned."""
    provider = powerdns(url(slow_pdns), seconds=1.0)
    with pytest.raises(ProviderTimeout):
        provider.publish("_acme-challenge.example.test", {"one", "two"}, 60)
    returned = time.monotonic()
    time.sleep(1.5)
    assert [method for at, method in slow_pdns.arrived if at > returned] == []
    assert workers() == []


def test_a_black_holed_api_leaves_no_thread_behind():
    with blackholed_port() as port:
        clock = Clock()
        ctx = Context(clock, Deadline(clock, 0.5), connect_timeout=5.0, read_timeout=5.0)
        provider = LexiconProvider("pdns", ctx, {"provider": "powerdns", "options": {
            "auth_token": TOKEN, "pdns_server": f"http://127.0.0.1:{port}", "pdns_server_id": "localhost"}}, zone="example.test")
        with pytest.raises(ProviderTimeout):
            provider.list("_acme-challenge.example.test")
        assert workers() == []
