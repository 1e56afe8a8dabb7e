# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError, PropagationTimeout
from ansible_collections.portable.dns01.plugins.module_utils._dns.doh import DohClient
from ansible_collections.portable.dns01.plugins.module_utils._dns.propagation import PropagationWaiter, poll_delay
from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Resolver
from ansible_collections.portable.dns01.plugins.module_utils._dns.spec import RecordSpec, WaitSettings
from ansible_collections.portable.dns01.tests.unit.fake_clock import FakeClock
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._dns.fakes import FakeHttp, FakeResponse, World

NAME = "_acme-challenge.example.test"
ADDRESSES = ["10.0.1.1", "10.0.1.2", "fd00::2"]
DOH_URL = "https://doh.test/dns-query"


def spec(name: str = NAME, *values: str, mode: str = "subset") -> RecordSpec:
    return RecordSpec(name, values or ("token",), mode)


def waiter(resolver: Resolver, clock: FakeClock, **settings: t.Any) -> PropagationWaiter:
    settings.setdefault("timeout", 30.0)
    return PropagationWaiter(resolver, WaitSettings(**settings), clock)


def by_address(record: dict[str, t.Any]) -> dict[str, dict[str, t.Any]]:
    return {row["address"]: row for row in record["nameservers"]}


def test_every_address_of_every_nameserver_is_asked(resolver: Resolver, world: World, clock: FakeClock) -> None:
    world.txt("example.test", NAME, "token")
    result = waiter(resolver, clock).wait([spec()])
    record = result["records"][0]
    assert record["done"] and record["zone"] == "example.test"
    assert sorted(by_address(record)) == sorted(ADDRESSES)
    for address in ADDRESSES:
        assert (f"{NAME}.", "TXT") in world.transport.queries_to(address)
    assert clock.sleeps == []  # served at the first poll: no waiting at all


def test_lagging_server_then_success_returns_within_one_poll(resolver: Resolver, world: World, clock: FakeClock) -> None:
    for address in ("10.0.1.1", "fd00::2"):
        world.server(address).txt(NAME, "token")
    world.transport.at(3.0, lambda: world.server("10.0.1.2").txt(NAME, "token"))
    record = waiter(resolver, clock).wait([spec()])["records"][0]
    assert record["done"]
    assert 3.0 <= record["elapsed"] <= 3.0 + clock.sleeps[-1]
    assert by_address(record)["10.0.1.1"]["served_at"] == 0.0
    assert by_address(record)["10.0.1.2"]["served_at"] == record["elapsed"]


def test_timeout_names_the_lagging_server_and_split_brain(resolver: Resolver, world: World, clock: FakeClock) -> None:
    for address in ("10.0.1.1", "fd00::2"):
        world.server(address).txt(NAME, "token")
    with pytest.raises(PropagationTimeout) as raised:
        waiter(resolver, clock, timeout=20.0).wait([spec()])
    error = raised.value
    assert "10.0.1.2 (ns2.example.test): NXDOMAIN" in error.msg
    assert [(row["address"], row["rcode"]) for row in error.details["lagging"]] == [("10.0.1.2", "NXDOMAIN")]
    assert error.details["split_brain"] == [NAME]
    assert error.details["records"][0]["split_brain"] is True
    assert clock.monotonic() - 1000.0 == pytest.approx(20.0)  # polled until the deadline, not past it


def test_nothing_served_anywhere_is_not_split_brain(resolver: Resolver, clock: FakeClock) -> None:
    with pytest.raises(PropagationTimeout) as raised:
        waiter(resolver, clock, timeout=5.0).wait([spec()])
    assert raised.value.details["split_brain"] == []
    assert len(raised.value.details["lagging"]) == 3


def test_nxdomain_first_then_present(resolver: Resolver, world: World, clock: FakeClock) -> None:
    world.transport.at(2.0, lambda: world.txt("example.test", NAME, "token"))
    record = waiter(resolver, clock).wait([spec()])["records"][0]
    assert record["done"] and record["elapsed"] >= 2.0
    assert {row["rcode"] for row in record["nameservers"]} == {"NOERROR"}
    assert ("10.0.1.1", f"{NAME}.", "NXDOMAIN") in world.transport.rcodes


@pytest.mark.parametrize(("rcode", "hint"), [("SERVFAIL", "DNSSEC signing failed"), ("REFUSED", "lame delegation")])
def test_persistent_error_rcode_fails_early_with_a_hint(resolver: Resolver, world: World, clock: FakeClock, rcode: str, hint: str) -> None:
    world.txt("example.test", NAME, "token")
    world.server("10.0.1.2").rcode = rcode
    with pytest.raises(DnsQueryError, match=hint) as raised:
        waiter(resolver, clock, timeout=300.0, servfail_retries=2).wait([spec()])
    assert raised.value.details["broken"][0]["address"] == "10.0.1.2"
    assert raised.value.details["broken"][0]["hint"]
    assert len(clock.sleeps) == 2  # three answers: the first and two retries
    assert clock.monotonic() - 1000.0 < 5.0


def test_a_transient_servfail_is_forgiven(resolver: Resolver, world: World, clock: FakeClock) -> None:
    world.txt("example.test", NAME, "token")
    world.server("10.0.1.2").rcode = "SERVFAIL"
    world.transport.at(1.0, lambda: setattr(world.server("10.0.1.2"), "rcode", None))
    assert waiter(resolver, clock, servfail_retries=3).wait([spec()])["records"][0]["done"]


def test_silent_server_is_waited_for_not_failed(resolver: Resolver, world: World, clock: FakeClock) -> None:
    world.txt("example.test", NAME, "token")
    world.server("fd00::2").silent = True
    world.transport.at(10.0, lambda: setattr(world.server("fd00::2"), "silent", False))
    record = waiter(resolver, clock, servfail_retries=1).wait([spec()])["records"][0]
    assert record["done"] and record["elapsed"] >= 10.0


def test_silent_server_at_the_deadline_gets_a_hint(resolver: Resolver, world: World, clock: FakeClock) -> None:
    world.txt("example.test", NAME, "token")
    world.server("fd00::2").silent = True
    with pytest.raises(PropagationTimeout) as raised:
        waiter(resolver, clock, timeout=3.0).wait([spec()])
    row = raised.value.details["lagging"][0]
    assert (row["address"], row["rcode"]) == ("fd00::2", "TIMEOUT")
    assert "unreachable" in row["hint"]


def test_subset_accepts_extra_values(resolver: Resolver, world: World, clock: FakeClock) -> None:
    world.txt("example.test", NAME, "apex", "wildcard", "stale")
    result = waiter(resolver, clock).wait([spec(NAME, "apex", "wildcard")])
    assert result["records"][0]["done"]


def test_equal_waits_until_stale_values_are_gone(resolver: Resolver, world: World, clock: FakeClock) -> None:
    world.txt("example.test", NAME, "apex", "wildcard", "stale")

    def remove_stale() -> None:
        for server in world.zones["example.test"]:
            server.remove(NAME, "TXT")
            server.txt(NAME, "apex", "wildcard")

    world.transport.at(4.0, remove_stale)
    record = waiter(resolver, clock).wait([spec(NAME, "apex", "wildcard", mode="equal")])["records"][0]
    assert record["done"] and record["elapsed"] >= 4.0
    assert by_address(record)["10.0.1.1"]["served"] == ["apex", "wildcard"]


def test_equal_times_out_with_a_stale_value(resolver: Resolver, world: World, clock: FakeClock) -> None:
    world.txt("example.test", NAME, "apex", "stale")
    with pytest.raises(PropagationTimeout, match=r"NOERROR \['apex', 'stale'\]"):
        waiter(resolver, clock, timeout=2.0).wait([spec(NAME, "apex", mode="equal")])


def test_a_hundred_records_in_one_call(resolver: Resolver, world: World, clock: FakeClock) -> None:
    names = [f"_acme-challenge.host{index}.example.test" for index in range(100)]
    for index, name in enumerate(names):
        world.txt("example.test", name, f"value{index}")
    world.transport.at(1.0, lambda: [world.server("10.0.1.2").txt(name, "late") for name in names[50:]])
    specs = [spec(name, f"value{index}") for index, name in enumerate(names[:50])]
    specs += [spec(name, "late") for name in names[50:]]
    for server in world.zones["example.test"][:1] + world.zones["example.test"][2:]:
        for name in names[50:]:
            server.txt(name, "late")
    result = waiter(resolver, clock).wait(specs)
    assert len(result["records"]) == 100 and all(record["done"] for record in result["records"])
    assert result["records"][0]["elapsed"] == 0.0 and result["records"][99]["elapsed"] >= 1.0
    # Once a server serves a record it is not asked again.
    assert _txt_queries(world, "10.0.1.1") == 100
    assert 150 <= _txt_queries(world, "10.0.1.2") <= 200


def _txt_queries(world: World, address: str) -> int:
    return sum(rdtype == "TXT" for _qname, rdtype in world.transport.queries_to(address))


def test_poll_delays_grow_to_the_cap() -> None:
    delays = [poll_delay(poll, 0.5, 5.0) for poll in range(8)]
    assert delays[:3] == [0.5, 0.75, 1.125]
    assert delays[-1] == 5.0 and delays == sorted(delays)


def test_poll_backoff_timing_until_the_deadline(resolver: Resolver, clock: FakeClock) -> None:
    with pytest.raises(PropagationTimeout):
        waiter(resolver, clock, timeout=12.0, interval=0.25, max_interval=2.0).wait([spec()])
    assert clock.sleeps[:4] == [0.25, 0.375, 0.5625, 0.84375]
    assert max(clock.sleeps) == 2.0
    assert sum(clock.sleeps) == pytest.approx(12.0)  # the last sleep is cut to end at the deadline


def test_cname_into_another_zone_is_checked_on_its_servers(resolver: Resolver, world: World, clock: FakeClock) -> None:
    world.zone("auth.acme-dns.test", {"ns.auth.acme-dns.test": ["10.0.3.1"]}, parent="test")
    world.cname("example.test", NAME, "d420.auth.acme-dns.test")
    world.txt("auth.acme-dns.test", "d420.auth.acme-dns.test", "token")
    record = waiter(resolver, clock).wait([spec()])["records"][0]
    assert record["cname_chain"] == [NAME, "d420.auth.acme-dns.test"]
    assert record["zone"] == "auth.acme-dns.test" and list(by_address(record)) == ["10.0.3.1"]


def test_follow_cnames_off_checks_the_name_itself(resolver: Resolver, world: World, clock: FakeClock) -> None:
    world.txt("example.test", NAME, "token")
    record = waiter(resolver, clock, follow_cnames=False).wait([spec()])["records"][0]
    assert record["cname_chain"] == [NAME]


def test_explicit_nameservers_replace_discovery(resolver: Resolver, world: World, clock: FakeClock) -> None:
    world.server("10.0.1.1").txt(NAME, "token")
    record = waiter(resolver, clock, nameservers=["10.0.1.1"], follow_cnames=False).wait([spec()])["records"][0]
    assert record["zone"] is None and list(by_address(record)) == ["10.0.1.1"]
    assert not world.transport.queries_to(World.RESOLVER)


def test_resolvers_are_asked_only_after_the_authoritative_servers(resolver: Resolver, world: World, clock: FakeClock) -> None:
    public = world.add_resolver("10.0.9.9")
    world.transport.at(2.0, lambda: world.txt("example.test", NAME, "token"))
    world.transport.at(2.0, lambda: public.txt(NAME, "token"))
    record = waiter(resolver, clock, resolvers=["10.0.9.9"]).wait([spec()])["records"][0]
    assert record["done"] and record["resolvers"][0]["served_at"] >= 2.0
    assert len(world.transport.queries_to("10.0.9.9")) == 1


def test_resolver_quorum(resolver: Resolver, world: World, clock: FakeClock) -> None:
    world.txt("example.test", NAME, "token")
    world.add_resolver("10.0.9.1").txt(NAME, "token")
    world.add_resolver("10.0.9.2").txt(NAME, "cached-old-value")
    settings = {"resolvers": ["10.0.9.1", "10.0.9.2"]}
    assert waiter(resolver, clock, resolver_quorum=1, **settings).wait([spec()])["records"][0]["done"]
    with pytest.raises(PropagationTimeout, match="on 10.0.9.2: NOERROR"):
        waiter(resolver, clock, timeout=3.0, **settings).wait([spec()])


def test_preview_reports_servers_without_polling(resolver: Resolver, world: World, clock: FakeClock) -> None:
    preview = waiter(resolver, clock).preview([spec(), spec("_acme-challenge.nowhere.invalid")])
    assert sorted(row["address"] for row in preview[0]["nameservers"]) == sorted(ADDRESSES)
    assert "error" in preview[1]
    assert not [query for query in world.transport.log if query[2] == "TXT"]


@pytest.fixture
def doh_http(world: World) -> FakeHttp:
    """DoH resolvers at the HTTP seam: the world's transport hands URLs to a DohClient over this mock transport."""
    http = FakeHttp(world.transport.servers)
    world.transport.doh = DohClient(http.transport)
    return http


def test_mixed_address_and_doh_resolvers_all_see_the_value(resolver: Resolver, world: World, clock: FakeClock,
                                                           doh_http: FakeHttp) -> None:
    world.txt("example.test", NAME, "token")
    world.add_resolver("10.0.9.1").txt(NAME, "token")
    doh = world.add_resolver(DOH_URL)
    world.transport.at(2.0, lambda: doh.txt(NAME, "token"))
    record = waiter(resolver, clock, resolvers=["10.0.9.1", DOH_URL]).wait([spec()])["records"][0]
    rows = {row["address"]: row for row in record["resolvers"]}
    assert record["done"] and rows[DOH_URL]["served_at"] >= 2.0 and rows["10.0.9.1"]["served_at"] < 1.0
    assert len(world.transport.queries_to("10.0.9.1")) == 1  # served once: not asked again
    assert {call["url"] for call in doh_http.requests} == {DOH_URL}


def test_quorum_met_by_a_doh_resolver_while_an_address_lags(resolver: Resolver, world: World, clock: FakeClock,
                                                            doh_http: FakeHttp) -> None:
    world.txt("example.test", NAME, "token")
    world.add_resolver("10.0.9.1").txt(NAME, "cached-old-value")
    world.add_resolver(DOH_URL).txt(NAME, "token")
    settings = {"resolvers": ["10.0.9.1", DOH_URL]}
    assert waiter(resolver, clock, resolver_quorum=1, **settings).wait([spec()])["records"][0]["done"]
    with pytest.raises(PropagationTimeout, match="on 10.0.9.1: NOERROR"):
        waiter(resolver, clock, timeout=3.0, **settings).wait([spec()])
    assert doh_http.requests


def test_a_failing_doh_resolver_is_waited_for_and_its_error_reported(resolver: Resolver, world: World, clock: FakeClock,
                                                                     doh_http: FakeHttp) -> None:
    world.txt("example.test", NAME, "token")
    world.add_resolver(DOH_URL).txt(NAME, "token")
    doh_http.failures[DOH_URL] = FakeResponse(503, b"", "text/plain")
    world.transport.at(2.0, doh_http.failures.clear)
    record = waiter(resolver, clock, resolvers=[DOH_URL]).wait([spec()])["records"][0]
    assert record["done"] and record["resolvers"][0]["served_at"] >= 2.0
    doh_http.failures[DOH_URL] = FakeResponse(503, b"", "text/plain")
    with pytest.raises(PropagationTimeout) as raised:
        waiter(resolver, clock, timeout=2.0, resolvers=[DOH_URL]).wait([spec()])
    row = raised.value.details["lagging"][0]
    assert (row["address"], row["rcode"]) == (DOH_URL, "TIMEOUT") and "HTTP 503 Service Unavailable" in row["hint"]


def test_a_servfailing_doh_resolver_fails_the_quorum_early(resolver: Resolver, world: World, clock: FakeClock,
                                                           doh_http: FakeHttp) -> None:
    world.txt("example.test", NAME, "token")
    world.add_resolver(DOH_URL).rcode = "SERVFAIL"
    with pytest.raises(DnsQueryError, match="DNSSEC validation failure") as raised:
        waiter(resolver, clock, timeout=300.0, servfail_retries=1, resolvers=[DOH_URL]).wait([spec()])
    assert raised.value.details["broken"][0]["address"] == DOH_URL
    assert len(doh_http.requests) == 2


def test_a_broken_record_does_not_stop_the_wait_for_the_others(resolver: Resolver, world: World, clock: FakeClock) -> None:
    """One zone's lame server fails its record; a record of another zone served a little later is still seen."""
    world.zone("broken.test", {"ns1.broken.test": ["10.0.2.1"], "ns2.broken.test": ["10.0.2.2"]}, parent="test")
    world.server("10.0.2.2").rcode = "REFUSED"
    other = "_acme-challenge.broken.test"
    world.transport.at(4.0, lambda: world.txt("example.test", NAME, "token"))
    with pytest.raises(DnsQueryError, match="lame delegation") as raised:
        waiter(resolver, clock, timeout=60.0, servfail_retries=1).wait([spec(), spec(other)])
    records = {record["name"]: record for record in raised.value.details["records"]}
    assert records[NAME]["done"] is True
    assert records[other]["done"] is False
    assert clock.monotonic() - 1000.0 < 10.0  # stopped once every record was settled, not at the deadline


# The worst day: servers that never answer. The whole call, discovery included, ends by ``timeout``.

def slow_world(world: World, clock: FakeClock, query_timeout: float = 5.0) -> Resolver:
    """A resolver whose queries to silent servers take their whole time-out on the clock."""
    world.transport.timeouts_take_time = True
    return Resolver(world.transport, bootstrap=[World.RESOLVER], clock=clock, query_timeout=query_timeout)


def assert_within(world: World, clock: FakeClock, start: float, timeout: float) -> None:
    assert clock.monotonic() - start <= timeout
    # No query was sent at or after the deadline, nor allowed to wait past it.
    assert all(sent + wait <= start + timeout for sent, wait in world.transport.waits)


def test_discovery_against_silent_nameservers_ends_at_the_timeout(world: World, clock: FakeClock) -> None:
    for address in ADDRESSES:
        world.server(address).silent = True
    start = clock.monotonic()
    with pytest.raises(PropagationTimeout, match="discovery") as raised:
        waiter(slow_world(world, clock), clock, timeout=10.0).wait([spec()])
    assert_within(world, clock, start, 10.0)
    assert "10.0.1.1 (ns1.example.test)" in raised.value.msg and "10.0.1.2 (ns2.example.test)" in raised.value.msg
    assert "after 10s" in raised.value.msg


def test_a_silent_bootstrap_resolver_ends_discovery_at_the_timeout(world: World, clock: FakeClock) -> None:
    world.recursor.silent = True
    start = clock.monotonic()
    with pytest.raises(PropagationTimeout, match=f"no bootstrap resolver answered .*{World.RESOLVER}"):
        waiter(slow_world(world, clock), clock, timeout=10.0).wait([spec()])
    assert_within(world, clock, start, 10.0)


def test_polls_of_a_silent_nameserver_end_at_the_timeout(world: World, clock: FakeClock) -> None:
    world.server("10.0.1.1").silent = True
    start = clock.monotonic()
    with pytest.raises(PropagationTimeout, match=r"10\.0\.1\.1: TIMEOUT") as raised:
        waiter(slow_world(world, clock), clock, timeout=10.0, nameservers=["10.0.1.1"], follow_cnames=False).wait([spec()])
    assert_within(world, clock, start, 10.0)
    assert "(timeout)" in raised.value.details["lagging"][0]["hint"]  # the last real answer, not the deadline


def test_a_query_waits_the_full_query_timeout_while_time_is_left(world: World, clock: FakeClock) -> None:
    world.txt("example.test", NAME, "token")
    waiter(slow_world(world, clock, query_timeout=5.0), clock, timeout=300.0).wait([spec()])
    assert {wait for _sent, wait in world.transport.waits} == {5.0}


def test_check_mode_discovery_ends_at_the_timeout_too(world: World, clock: FakeClock) -> None:
    for address in ADDRESSES:
        world.server(address).silent = True
    start = clock.monotonic()
    preview = waiter(slow_world(world, clock), clock, timeout=10.0).preview([spec()])
    assert "10.0.1.1 (ns1.example.test)" in preview[0]["error"]
    assert_within(world, clock, start, 10.0)
