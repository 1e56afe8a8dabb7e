# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import itertools
import json
import socketserver
import threading
import time
import typing as t

import pytest
import requests

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    InputError,
    ProviderAuthError,
    ProviderError,
    ProviderTimeout,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.acme_dns import AcmeDnsProvider
from ansible_collections.portable.dns01.plugins.module_utils._publish.action import Publisher
from ansible_collections.portable.dns01.plugins.module_utils._publish.argspec import publish_spec
from ansible_collections.portable.dns01.plugins.module_utils._publish.outage import is_outage
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._publish.fakes import ScriptedAdapter, scripted_session

PASSWORD = "s3cr3t-password-0123456789abcdefghijklmn"
VALUE_A, VALUE_B = "A" * 43, "b-_" + "B" * 40
VALUE_C = "c" * 43
NAME = "sub-1.auth.acme-dns.test"


class AcmeDnsRows:
    """acme-dns's two rows at the HTTP seam: an update overwrites the row whose
    whole-second LastUpdate is oldest, the lower row id winning a tie."""

    def __init__(self, clock: t.Any) -> None:
        self.clock = clock
        self.rows = [["", 0], ["", 0]]
        self.sent: list[str] = []

    def set_rows(self, *rows: tuple[str, float]) -> None:
        self.rows = [[value, int(second)] for value, second in rows]

    def served(self) -> set[str]:
        return {value for value, _second in self.rows if value}

    def lookup(self, name: str) -> set[str]:
        assert name == NAME
        return self.served()

    def send(self, request: t.Any, **_kwargs: t.Any) -> t.Any:
        txt = json.loads(request.body)["txt"]
        self.sent.append(txt)
        oldest = min(range(len(self.rows)), key=lambda index: (self.rows[index][1], index))
        self.rows[oldest] = [txt, int(self.clock.monotonic())]
        response = requests.Response()
        response.status_code, response.url, response.request = 200, request.url, request
        response._content = json.dumps({"txt": txt}).encode()  # pylint: disable=protected-access
        return response

    def close(self) -> None:
        pass


def rows_provider(clock, rows: AcmeDnsRows, lookup: bool = True) -> AcmeDnsProvider:
    def factory() -> requests.Session:
        session = requests.Session()
        session.mount("http://", rows)  # type: ignore[arg-type]
        return session
    ctx = Context(clock, Deadline(clock, 30.0), session_factory=factory, txt_lookup=rows.lookup if lookup else None)
    options = {"api_url": "http://acme-dns.test:8080/", "username": "user-1", "password": PASSWORD, "subdomain": "sub-1"}
    return AcmeDnsProvider("acmedns", ctx, options)


def provider(clock, script, lookup=None) -> AcmeDnsProvider:
    return provider_and_adapter(clock, script, lookup)[0]


def provider_and_adapter(clock, script, lookup=None) -> tuple[AcmeDnsProvider, ScriptedAdapter]:
    adapter = ScriptedAdapter(script)
    ctx = Context(clock, Deadline(clock, 30.0), connect_timeout=2.0, read_timeout=3.0,
                  session_factory=scripted_session(adapter), txt_lookup=lookup)
    options = {"api_url": "http://acme-dns.test:8080/", "username": "user-1", "password": PASSWORD, "subdomain": "sub-1"}
    return AcmeDnsProvider("acmedns", ctx, options), adapter


def test_publish_sends_one_update_per_value(clock):
    acme, adapter = provider_and_adapter(clock, [(200, {}, '{"txt": "x"}'), (200, {}, '{"txt": "y"}')],
                                         lookup=lambda name: {VALUE_A, VALUE_B})
    acme.publish(NAME, {VALUE_A, VALUE_B}, 60)
    bodies = [json.loads(request.body) for request in adapter.requests]
    assert bodies == [{"subdomain": "sub-1", "txt": VALUE_A}, {"subdomain": "sub-1", "txt": VALUE_B}]
    assert adapter.requests[0].url == "http://acme-dns.test:8080/update"
    assert adapter.requests[0].headers["X-Api-User"] == "user-1"
    assert adapter.timeouts[0] == (2.0, 3.0)


def test_replacing_one_value_when_both_rows_carry_this_second(clock):
    """The bug seen on acme-dns: B sits in the first row, A in the second, both stamped this second.

    Sending C alone overwrites B (the tie goes to the first row). Every value is
    sent instead, and since no write can reach the second row before the next
    second, the provider waits out the second and sends them again.
    """
    rows = AcmeDnsRows(clock)
    rows.set_rows((VALUE_B, clock.monotonic()), (VALUE_A, clock.monotonic()))
    acme = rows_provider(clock, rows)
    acme.list(NAME)
    acme.publish(NAME, {VALUE_B, VALUE_C}, 60)
    assert rows.served() == {VALUE_B, VALUE_C}
    assert clock.sleeps == [1.0]
    assert rows.sent[-2:] == [VALUE_B, VALUE_C]


def test_no_wait_when_the_rows_are_older_than_this_second(clock):
    rows = AcmeDnsRows(clock)
    rows.set_rows((VALUE_B, clock.monotonic() - 1), (VALUE_A, clock.monotonic() - 1))
    acme = rows_provider(clock, rows)
    acme.list(NAME)
    acme.publish(NAME, {VALUE_B, VALUE_C}, 60)
    assert rows.served() == {VALUE_B, VALUE_C} and clock.sleeps == []
    assert rows.sent == [VALUE_B, VALUE_C]


def test_one_value_fills_both_rows(clock):
    rows = AcmeDnsRows(clock)
    rows.set_rows((VALUE_A, clock.monotonic() - 5), (VALUE_B, clock.monotonic() - 5))
    acme = rows_provider(clock, rows)
    acme.publish(NAME, {VALUE_C}, 60)
    assert rows.served() == {VALUE_C} and rows.sent == [VALUE_C, VALUE_C]


STAMPS = (-2, -1, 0)
PLACES = ((VALUE_A, VALUE_B), (VALUE_B, VALUE_A), ("", ""), (VALUE_C, VALUE_A), (VALUE_B, ""))


@pytest.mark.parametrize("first_age, second_age, place, wanted", [
    (first_age, second_age, place, wanted)
    for first_age, second_age in itertools.product(STAMPS, STAMPS)
    for place in PLACES
    for wanted in ({VALUE_B, VALUE_C}, {VALUE_A, VALUE_B}, {VALUE_C}, {VALUE_A})
])
@pytest.mark.parametrize("lookup", [True, False])
def test_the_wanted_set_is_served_whatever_the_rows_held(clock, first_age, second_age, place, wanted, lookup):
    """Every starting pair of rows and stamps ends with exactly the wanted values served."""
    rows = AcmeDnsRows(clock)
    now = clock.monotonic()
    rows.set_rows((place[0], now + first_age), (place[1], now + second_age))
    acme = rows_provider(clock, rows, lookup=lookup)
    acme.list(NAME)
    acme.publish(NAME, wanted, 60)
    assert rows.served() == wanted
    assert clock.sleeps in ([], [1.0])


def test_a_pair_still_wrong_after_waiting_is_a_transient_error(clock):
    """Another client writing the same subdomain meanwhile: say so, and let the chain retry."""
    acme = provider(clock, [(200, {}, "{}")] * 4, lookup=lambda name: {VALUE_A, VALUE_C})
    with pytest.raises(ProviderError, match="instead of") as caught:
        acme.publish(NAME, {VALUE_A, VALUE_B}, 60)
    assert caught.value.transient is True and clock.sleeps == [1.0]


class AuthoritativeRows:
    """The resolver seam of Publisher: the acme-dns zone's one server answers from the rows."""

    def __init__(self, rows: AcmeDnsRows) -> None:
        self.rows = rows

    def follow_cname(self, name: str) -> list[str]:
        return [name]

    def find_zone(self, name: str) -> t.Any:
        return type("Zone", (), {"name": "auth.acme-dns.test", "addresses": lambda self: [("127.0.0.1", "ns.auth.acme-dns.test")]})()

    def authoritative_txt(self, name: str, server: str) -> tuple[str, list[str]]:
        return "NOERROR", sorted(self.rows.served())


def test_publisher_sends_the_whole_record_to_acme_dns(clock):
    """{B, A} then {B, C} through the module's code: acme-dns serves what the result reports."""
    rows = AcmeDnsRows(clock)

    def run(values: list[str]) -> dict[str, t.Any]:
        parameters = {key: spec.get("default") for key, spec in publish_spec().items()}
        account = {"api_url": "http://acme-dns.test:8080", "username": "user-1", "password": PASSWORD, "subdomain": "sub-1",
                   "ca_bundle": None}
        parameters.update(records=[{"name": NAME, "values": values}], breaker_threshold=0, timeout=30.0, follow_cnames=False,
                          providers=[{"name": "acmedns", "type": "acme_dns", "zone": None, "retries": 0, "acme_dns": account}])

        def factory() -> requests.Session:
            session = requests.Session()
            session.mount("http://", rows)  # type: ignore[arg-type]
            return session
        return Publisher(parameters, clock=clock, resolver=AuthoritativeRows(rows), session_factory=factory).run()

    run([VALUE_B, VALUE_A])
    result = run([VALUE_B, VALUE_C])
    assert result["changed"] is True and result["records"][0]["values"] == [VALUE_B, VALUE_C]
    assert rows.served() == {VALUE_B, VALUE_C}


def test_wrong_credentials_are_an_auth_error_without_the_password(clock):
    acme = provider(clock, [(401, {}, '{"error": "forbidden"}')])
    with pytest.raises(ProviderAuthError) as caught:
        acme.publish(NAME, {VALUE_A}, 60)
    assert caught.value.status == 401 and caught.value.transient is False
    assert PASSWORD not in caught.value.msg and caught.value.provider == "acmedns"


def test_rate_limit_carries_retry_after(clock):
    acme = provider(clock, [(429, {"Retry-After": "12"}, "slow down")])
    with pytest.raises(ProviderError) as caught:
        acme.publish(NAME, {VALUE_A}, 60)
    assert caught.value.transient and caught.value.retry_after == 12.0


def test_timeouts_are_provider_timeouts(clock):
    acme = provider(clock, [requests.ConnectTimeout("connect timed out")])
    with pytest.raises(ProviderTimeout):
        acme.check_health()


@pytest.mark.parametrize("exc", [requests.ConnectTimeout("connect timed out"), requests.ConnectionError("connection refused")])
def test_an_unreachable_api_is_an_outage_the_chain_can_share(clock, exc):
    acme = provider(clock, [exc])
    with pytest.raises(ProviderError) as caught:
        acme.publish(NAME, {VALUE_A}, 60)
    assert is_outage(caught.value)
    assert caught.value.provider == acme.name


def test_server_errors_are_transient(clock):
    acme = provider(clock, [(500, {}, "boom")])
    with pytest.raises(ProviderError) as caught:
        acme.check_health()
    assert caught.value.transient and caught.value.status == 500


@pytest.mark.parametrize("values, message", [
    ({"short"}, "43-character"),
    ({VALUE_A, VALUE_B, "C" * 43}, "holds 2 values"),
])
def test_values_are_checked_first(clock, values, message):
    acme, adapter = provider_and_adapter(clock, [])
    with pytest.raises(InputError, match=message):
        acme.publish(NAME, values, 60)
    assert adapter.requests == []


def test_applies_only_to_its_subdomain(clock):
    acme = provider(clock, [])
    assert acme.not_applicable(NAME) is None
    assert "not acme-dns subdomain" in acme.not_applicable("_acme-challenge.example.test")


def test_list_asks_the_authoritative_servers(clock):
    acme = provider(clock, [], lookup=lambda name: [VALUE_A])
    assert acme.list(NAME) == {VALUE_A}


def test_remove_is_a_no_op(clock):
    acme, adapter = provider_and_adapter(clock, [])
    acme.remove(NAME, {VALUE_A})
    assert adapter.requests == [] and acme.can_remove is False


class _Trickle(socketserver.BaseRequestHandler):
    """An API that answers one header byte at a time: no single read waits long, the answer never ends in time."""

    def handle(self) -> None:
        self.request.recv(65536)
        self.request.sendall(b"HTTP/1.1 200 OK\r\n")
        for _byte in range(15):
            time.sleep(0.2)
            try:
                self.request.sendall(b"X")
            except OSError:
                return


def test_an_api_answering_byte_by_byte_is_cut_at_the_overall_timeout():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    clock = Clock()
    ctx = Context(clock, Deadline(clock, 1.0), connect_timeout=1.0, read_timeout=1.0)
    options = {"api_url": f"http://127.0.0.1:{server.server_address[1]}/", "username": "user-1", "password": PASSWORD,
               "subdomain": "sub-1"}
    started = time.monotonic()
    try:
        with pytest.raises(ProviderTimeout):
            AcmeDnsProvider("acmedns", ctx, options).check_health()
    finally:
        server.shutdown()
        server.server_close()
    assert time.monotonic() - started < 1.5
