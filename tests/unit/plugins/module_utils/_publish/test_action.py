# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import http.server
import time
import typing as t

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    DnsQueryError,
    InputError,
    ProviderAuthError,
    ProviderError,
    ProviderTimeout,
    PublishError,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.action import Publisher
from ansible_collections.portable.dns01.plugins.module_utils._publish.argspec import publish_spec
from ansible_collections.portable.dns01.plugins.module_utils._publish.factory import TYPES
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._publish.fakes import FakeProvider, FakeResolver, blackholed_port, serve

NAME = "_acme-challenge.example.test"
TYPES_WITH_FAKE = {**TYPES, "fake": FakeProvider}


def params(records: list[dict[str, t.Any]] | None = None, providers: list[dict[str, t.Any]] | None = None, **extra: t.Any) -> dict[str, t.Any]:
    values = {key: spec.get("default") for key, spec in publish_spec().items()}
    values.update(records=records or [{"name": NAME, "values": ["a", "b"]}], providers=providers or [fake("one")],
                  follow_cnames=False, breaker_threshold=0, timeout=30.0)
    values.update(extra)
    return values


def fake(name: str, zone: str | None = None, **options: t.Any) -> dict[str, t.Any]:
    return {"name": name, "type": "fake", "zone": zone, "retries": 0, "fake": {"store": {}, **options}}


def publisher(clock, parameters, check_mode=False, diff=False, resolver=None) -> Publisher:
    return Publisher(parameters, check_mode=check_mode, diff=diff, clock=clock, resolver=resolver or FakeResolver(),
                     types=TYPES_WITH_FAKE)


def test_present_publishes_and_reports(clock):
    store: dict[str, set[str]] = {}
    result = publisher(clock, params(providers=[fake("one", store=store)])).run()
    assert result["changed"] is True
    record = result["records"][0]
    assert record["target"] == NAME and record["providers"] == ["one"]
    assert [attempt["outcome"] for attempt in record["attempts"]] == ["published"]
    assert store[NAME] == {"a", "b"}


def test_present_keeps_foreign_values_and_is_idempotent(clock):
    store = {NAME: {"other-order"}}
    parameters = params(providers=[fake("one", store=store)])
    assert publisher(clock, parameters).run()["changed"] is True
    again = publisher(clock, parameters).run()
    assert again["changed"] is False
    assert again["records"][0]["attempts"][0]["outcome"] == "unchanged"
    assert store[NAME] == {"a", "b", "other-order"}


def test_absent_removes_only_given_values_on_every_provider(clock):
    first, second = {NAME: {"a", "keep"}}, {NAME: {"a", "b"}}
    parameters = params(providers=[fake("one", store=first), fake("two", store=second)], state="absent")
    result = publisher(clock, parameters).run()
    assert result["changed"] is True
    assert first[NAME] == {"keep"} and second[NAME] == set()
    assert result["records"][0]["providers"] == ["one", "two"]


def test_absent_skips_providers_that_cannot_delete(clock):
    parameters = params(providers=[fake("nodelete", can_remove=False)], state="absent")
    result = publisher(clock, parameters).run()
    assert result["changed"] is False
    assert result["records"][0]["attempts"][0]["outcome"] == "skipped"
    assert result["warnings"]


def test_check_mode_and_diff_change_nothing(clock):
    store = {NAME: {"a"}}
    result = publisher(clock, params(providers=[fake("one", store=store)]), check_mode=True, diff=True).run()
    assert result["changed"] is True
    assert result["diff"] == {"before": {NAME: ["a"]}, "after": {NAME: ["a", "b"]}}
    assert store[NAME] == {"a"}


def test_failover_reports_every_attempt_and_warns(clock):
    down = fake("down", failures=[ProviderAuthError("HTTP 401", status=401)])
    result = publisher(clock, params(providers=[down, fake("backup")])).run()
    attempts = result["records"][0]["attempts"]
    assert [(a["provider"], a["outcome"], a["status"]) for a in attempts] == [("down", "failed", 401), ("backup", "published", None)]
    assert attempts[0]["error_class"] == "ProviderAuthError"
    assert "down" in result["warnings"][0]


def test_failure_rolls_back_what_the_call_published(clock):
    other = "_acme-challenge.b.example.test"
    store: dict[str, set[str]] = {other: {"foreign"}}
    records = [{"name": NAME, "values": ["a"]}, {"name": other, "values": ["b"]}]
    provider = fake("one", store=store, fail_on=[other])
    with pytest.raises(PublishError) as caught:
        publisher(clock, params(records=records, providers=[provider])).run()
    result = caught.value.result()
    assert store == {NAME: set(), other: {"foreign"}}
    assert result["rolled_back"] == [{"provider": "one", "name": NAME, "values": ["a"], "outcome": "removed", "message": None}]
    assert [record["name"] for record in result["records"]] == [NAME, other]
    assert result["changed"] is False


def test_failed_rollback_is_reported(clock):
    other = "_acme-challenge.b.example.test"
    records = [{"name": NAME, "values": ["a"]}, {"name": other, "values": ["b"]}]
    provider = fake("one", fail_on=[other], fail_remove=True)
    with pytest.raises(PublishError) as caught:
        publisher(clock, params(records=records, providers=[provider])).run()
    result = caught.value.result()
    assert result["rolled_back"][0]["outcome"] == "failed"
    assert result["changed"] is True


def test_all_failing_lists_each_provider(clock):
    providers = [fake("a", failures=[ProviderError("HTTP 500", status=500)]), fake("b", failures=[ProviderAuthError("TSIG")])]
    with pytest.raises(PublishError) as caught:
        publisher(clock, params(providers=providers)).run()
    assert "a: failed (HTTP 500)" in caught.value.msg and "b: failed (TSIG)" in caught.value.msg


def test_all_strategy_partial_failure_is_a_warning(clock):
    providers = [fake("a", failures=[ProviderError("HTTP 503", status=503)]), fake("b")]
    result = publisher(clock, params(providers=providers, strategy="all", min_success=1)).run()
    assert result["records"][0]["providers"] == ["b"]
    assert "HTTP 503" in result["warnings"][0]


def test_simulated_outage_fails_over(clock):
    result = publisher(clock, params(providers=[fake("a"), fake("b")], simulate_outage=["a"])).run()
    assert [a["outcome"] for a in result["records"][0]["attempts"]] == ["simulated_outage", "published"]


def test_cname_is_followed_and_zone_selects_the_provider(clock):
    resolver = FakeResolver(cnames={NAME: "example-test.acme.fallback.test"})
    primary, fallback = fake("primary", zone="example.test"), fake("fallback", zone="fallback.test")
    result = publisher(clock, params(providers=[primary, fallback], follow_cnames=True), resolver=resolver).run()
    record = result["records"][0]
    assert record["target"] == "example-test.acme.fallback.test"
    assert record["cname_chain"] == [NAME, "example-test.acme.fallback.test"]
    assert [(a["provider"], a["outcome"]) for a in record["attempts"]] == [("primary", "skipped"), ("fallback", "published")]


def test_no_applicable_provider_is_a_clear_failure(clock):
    with pytest.raises(PublishError, match="no provider can publish"):
        publisher(clock, params(providers=[fake("other", zone="other.test")])).run()


@pytest.mark.parametrize("change, field", [
    ({"providers": [{"name": "x", "type": "nope"}]}, "providers.type"),
    ({"providers": [{"name": "x", "type": "rfc2136", "rfc2136": None}]}, "providers.rfc2136"),
    ({"providers": [{"name": "x", "type": "rfc2136", "rfc2136": {"port": 53}}]}, "providers[x].rfc2136.server"),
    ({"records": [{"name": "bad..name", "values": ["a"]}]}, "records[0].name"),
    ({"records": [{"name": NAME, "values": ["x" * 256]}]}, "records[0].values"),
    ({"records": [{"name": NAME, "values": []}]}, "records[0].values"),
    ({"records": [{"name": NAME, "values": ["a"]}, {"name": NAME.upper() + ".", "values": ["b"]}]}, "records.name"),
    ({"providers": [fake("same"), fake("same")]}, "providers.name"),
    ({"simulate_outage": ["ghost"]}, "simulate_outage"),
    ({"min_success": 3}, "min_success"),
])
def test_bad_input_fails_before_any_call(clock, change, field):
    store: dict[str, set[str]] = {}
    parameters = params(**change) if "providers" in change else params(providers=[fake("one", store=store)], **change)
    with pytest.raises(InputError) as caught:
        publisher(clock, parameters).run()
    assert caught.value.details["field"] == field
    assert store == {}


def test_acme_dns_third_value_is_an_input_error(clock):
    resolver = FakeResolver(cnames={NAME: "sub-1.auth.acme-dns.test"})
    provider = {"name": "acmedns", "type": "acme_dns", "acme_dns": {"api_url": "http://127.0.0.1:9", "username": "u",
                                                                    "password": "p" * 40, "subdomain": "sub-1"}}
    values = ["A" * 43, "B" * 43, "C" * 43]
    with pytest.raises(InputError, match="holds 2 values"):
        publisher(clock, params(records=[{"name": NAME, "values": values}], providers=[provider], follow_cnames=True),
                  resolver=resolver).run()


def test_lookup_error_fails_over_to_the_next_provider(clock):
    flaky = fake("flaky", failures=[DnsQueryError("no bootstrap resolver answered example.test SOA")])
    store: dict[str, set[str]] = {}
    result = publisher(clock, params(providers=[flaky, fake("backup", store=store)])).run()
    assert [(a["provider"], a["outcome"]) for a in result["records"][0]["attempts"]] == [("flaky", "failed"), ("backup", "published")]
    assert store[NAME] == {"a", "b"}


def test_lookup_error_on_every_provider_rolls_back_and_reports_records(clock):
    other = "_acme-challenge.b.example.test"
    store: dict[str, set[str]] = {}
    records = [{"name": NAME, "values": ["a"]}, {"name": other, "values": ["b"]}]
    lookup = DnsQueryError("no bootstrap resolver answered b.example.test SOA")
    provider = fake("one", store=store, failures=[None, None, lookup])
    with pytest.raises(PublishError) as caught:
        publisher(clock, params(records=records, providers=[provider])).run()
    result = caught.value.result()
    assert store == {NAME: set()}
    assert result["rolled_back"][0]["outcome"] == "removed"
    assert [record["name"] for record in result["records"]] == [NAME, other]
    assert result["records"][1]["attempts"][0]["outcome"] == "failed"


def test_rollback_goes_on_past_an_unexpected_error(clock):
    other, third = "_acme-challenge.b.example.test", "_acme-challenge.c.example.test"
    records = [{"name": NAME, "values": ["a"]}, {"name": other, "values": ["b"]}, {"name": third, "values": ["c"]}]
    first, second = {}, {}  # type: ignore[var-annotated]
    providers = [fake("one", zone=NAME, store=first, remove_failures=[DnsQueryError("lookup failed")]),
                 fake("two", store=second, fail_on=[third])]
    with pytest.raises(PublishError) as caught:
        publisher(clock, params(records=records, providers=providers)).run()
    result = caught.value.result()
    assert [entry["outcome"] for entry in result["rolled_back"]] == ["failed", "removed"]
    assert "lookup failed" in result["rolled_back"][0]["message"]
    assert second[other] == set()


def test_error_outside_the_chain_still_rolls_back(clock):
    other = "_acme-challenge.b.example.test"
    store: dict[str, set[str]] = {}
    records = [{"name": NAME, "values": ["a"]}, {"name": other, "values": ["b"]}]
    provider = fake("one", store=store, broken_gate=[other])
    with pytest.raises(PublishError) as caught:
        publisher(clock, params(records=records, providers=[provider])).run()
    result = caught.value.result()
    assert store == {NAME: set()}
    assert result["rolled_back"][0]["outcome"] == "removed"
    assert [record["name"] for record in result["records"]] == [NAME]
    assert "RuntimeError" in result["msg"]


class Busy(http.server.BaseHTTPRequestHandler):
    """An API that answers every request with 503 and counts them."""

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        self.server.hits += 1  # type: ignore[attr-defined]
        self.send_response(503)
        self.send_header("Retry-After", "1")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: t.Any) -> None:
        pass


@pytest.fixture
def busy_api():
    with serve(Busy, hits=0) as httpd:
        yield httpd


def powerdns(url: str) -> dict[str, t.Any]:
    return {"name": "pdns-api", "type": "lexicon", "zone": "example.test",
            "lexicon": {"provider": "powerdns", "options": {"auth_token": "token-1234", "pdns_server": url, "pdns_server_id": "localhost"}}}


def many(count: int) -> list[dict[str, t.Any]]:
    return [{"name": f"_acme-challenge.r{index}.example.test", "values": [f"v{index}"]} for index in range(count)]


def tried(record: dict[str, t.Any]) -> list[tuple[str, str]]:
    return [(attempt["provider"], attempt["outcome"]) for attempt in record["attempts"]]


def test_a_black_holed_primary_is_tried_once_per_call_not_per_record(clock):
    """A connect time-out is a verdict for the endpoint: no retry, and the other records skip it at once."""
    store: dict[str, set[str]] = {}
    with blackholed_port() as port:
        parameters = params(records=many(20), providers=[powerdns(f"http://127.0.0.1:{port}"), fake("backup", store=store)],
                            connect_timeout=0.3, retries=2)
        started = time.monotonic()
        result = publisher(clock, parameters).run()
        elapsed = time.monotonic() - started
    first, *others = result["records"]
    assert tried(first) == [("pdns-api", "failed"), ("backup", "published")]
    assert first["attempts"][0]["error_class"] == "ProviderTimeout"
    assert all(tried(record) == [("pdns-api", "unreachable"), ("backup", "published")] for record in others)
    assert len(store) == 20 and clock.sleeps == []
    # Three tries of one record would take 0.9 s, one per record 6 s: one connect time-out is all it may cost.
    assert elapsed < 0.9


def test_a_busy_primary_is_still_retried_for_every_record(clock, busy_api):
    """503 is transient: each record gets the whole retry budget, and no verdict is shared."""
    store: dict[str, set[str]] = {}
    url = f"http://127.0.0.1:{busy_api.server_address[1]}"
    parameters = params(records=many(3), providers=[powerdns(url), fake("backup", store=store)], retries=2)
    result = publisher(clock, parameters).run()
    for record in result["records"]:
        assert tried(record) == [("pdns-api", "failed")] * 3 + [("backup", "published")]
    assert busy_api.hits == 9
    assert clock.sleeps == [1.0, 1.0] * 3


def test_a_black_holed_primary_in_all_fails_every_record_of_the_call(clock):
    """With ``all``, a timed-out provider is that provider's failure for each record: the call rolls back."""
    store: dict[str, set[str]] = {}
    with blackholed_port() as port:
        parameters = params(records=many(3), providers=[powerdns(f"http://127.0.0.1:{port}"), fake("backup", store=store)],
                            connect_timeout=0.3, strategy="all", min_success=2)
        with pytest.raises(PublishError) as caught:
            publisher(clock, parameters).run()
    result = caught.value.result()
    assert tried(result["records"][0]) == [("pdns-api", "failed"), ("backup", "published")]
    assert [entry["outcome"] for entry in result["rolled_back"]] == ["removed"]
    assert store == {"_acme-challenge.r0.example.test": set()}


def test_a_rollback_stops_calling_a_provider_that_timed_out(clock):
    """The values are reported as not removed at once, instead of one time-out each."""
    calls: list[tuple[str, str]] = []
    outage = ProviderTimeout("connect timed out", reason="unreachable")
    provider = fake("one", calls=calls, fail_on=["_acme-challenge.r4.example.test"], remove_failures=[outage] * 4)
    with pytest.raises(PublishError) as caught:
        publisher(clock, params(records=many(5), providers=[provider])).run()
    rolled_back = caught.value.result()["rolled_back"]
    assert [what for what, _name in calls].count("remove") == 1
    assert [entry["outcome"] for entry in rolled_back] == ["failed"] * 4
    assert "connect timed out" in rolled_back[0]["message"]
    assert all("not tried again" in entry["message"] for entry in rolled_back[1:])


def test_a_rollback_still_tries_each_value_after_a_server_error(clock):
    calls: list[tuple[str, str]] = []
    provider = fake("one", calls=calls, fail_on=["_acme-challenge.r2.example.test"], remove_failures=[ProviderError("HTTP 503", status=503)])
    with pytest.raises(PublishError) as caught:
        publisher(clock, params(records=many(3), providers=[provider])).run()
    assert [entry["outcome"] for entry in caught.value.result()["rolled_back"]] == ["failed", "removed"]
    assert [what for what, _name in calls].count("remove") == 2
