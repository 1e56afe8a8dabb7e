# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pathlib

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError
from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import (
    Nameserver,
    Resolver,
    Zone,
    read_resolv_conf,
)
from ansible_collections.portable.dns01.tests.unit.fake_clock import FakeClock
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._dns.fakes import World

EXAMPLE_NS = [
    Nameserver("ns1.example.test", ["10.0.1.1"]),
    Nameserver("ns2.example.test", ["10.0.1.2", "fd00::2"]),
]


def test_find_zone_walks_up_to_the_zone_cut(resolver: Resolver) -> None:
    zone = resolver.find_zone("_acme-challenge.www.Example.Test.")
    assert zone == Zone("example.test", EXAMPLE_NS)


def test_find_zone_lists_every_address_of_every_nameserver(resolver: Resolver) -> None:
    zone = resolver.find_zone("_acme-challenge.example.test")
    assert zone.addresses() == [("10.0.1.1", "ns1.example.test"), ("10.0.1.2", "ns2.example.test"), ("fd00::2", "ns2.example.test")]


def test_find_zone_never_sends_the_checked_name_to_the_resolver(resolver: Resolver, world: World) -> None:
    resolver.find_zone("_acme-challenge.example.test")
    asked = [qname for qname, _rdtype in world.transport.queries_to(World.RESOLVER)]
    assert "_acme-challenge.example.test." not in asked
    assert ("_acme-challenge.example.test.", "NS") in world.transport.queries_to("10.0.1.1")


def test_find_zone_of_a_delegated_apex_follows_the_referral(resolver: Resolver, world: World) -> None:
    world.zone("_acme-challenge.example.test", {"ns.delegated.test": ["10.0.2.1"]}, parent="example.test")
    zone = resolver.find_zone("_acme-challenge.example.test")
    assert zone == Zone("_acme-challenge.example.test", [Nameserver("ns.delegated.test", ["10.0.2.1"])])


def test_find_zone_of_a_child_on_the_same_servers(resolver: Resolver, world: World) -> None:
    world.zone("child.example.test", {"ns1.example.test": ["10.0.1.1"]})
    assert resolver.find_zone("child.example.test").name == "child.example.test"


def test_find_zone_keeps_a_nameserver_without_address(resolver: Resolver, world: World) -> None:
    world.recursor.add("example.test", "NS", "ghost.example.test.")
    zone = resolver.find_zone("_acme-challenge.example.test")
    assert Nameserver("ghost.example.test", []) in zone.nameservers


def test_find_zone_asks_the_next_authoritative_server_after_refused(resolver: Resolver, world: World) -> None:
    world.server("10.0.1.1").rcode = "REFUSED"
    assert resolver.find_zone("_acme-challenge.example.test").name == "example.test"


def test_find_zone_fails_when_no_authoritative_server_answers(resolver: Resolver, world: World) -> None:
    for address in ("10.0.1.1", "10.0.1.2", "fd00::2"):
        world.server(address).rcode = "SERVFAIL"
    with pytest.raises(DnsQueryError, match="no nameserver of zone example.test answered") as raised:
        resolver.find_zone("_acme-challenge.example.test")
    assert [failure["rcode"] for failure in raised.value.details["failures"]] == ["SERVFAIL"] * 3


def test_addresses_returns_ipv4_and_ipv6(resolver: Resolver) -> None:
    assert resolver.addresses("ns2.example.test") == ["10.0.1.2", "fd00::2"]


def test_addresses_of_an_unknown_host_fail(resolver: Resolver) -> None:
    with pytest.raises(DnsQueryError, match="nowhere.test has no A or AAAA record"):
        resolver.addresses("nowhere.test")


def test_bootstrap_falls_over_to_the_next_resolver(world: World, clock: FakeClock) -> None:
    resolver = Resolver(world.transport, bootstrap=["10.9.9.9", World.RESOLVER], clock=clock)
    assert resolver.addresses("ns1.example.test") == ["10.0.1.1"]


def test_bootstrap_failure_names_every_resolver(world: World, clock: FakeClock) -> None:
    resolver = Resolver(world.transport, bootstrap=["10.9.9.9"], clock=clock)
    with pytest.raises(DnsQueryError, match="no bootstrap resolver answered") as raised:
        resolver.find_zone("_acme-challenge.example.test")
    assert len(raised.value.details["failures"]) == 2  # the first round and the retry
    assert clock.sleeps == [0.2]


def test_no_bootstrap_resolver_at_all(world: World, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ansible_collections.portable.dns01.plugins.module_utils._dns.resolver.RESOLV_CONF", str(tmp_path / "none"))
    resolver = Resolver(world.transport, bootstrap=None, clock=FakeClock())
    with pytest.raises(DnsQueryError, match="no bootstrap resolvers"):
        resolver.addresses("ns1.example.test")


def test_read_resolv_conf(tmp_path: pathlib.Path) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text("# comment\nsearch lab\nnameserver 127.0.1.53\nnameserver ::1\noptions ndots:1\n", encoding="utf-8")
    assert read_resolv_conf(str(conf)) == ["127.0.1.53", "::1"]
    assert not read_resolv_conf(str(tmp_path / "missing"))


def test_follow_cname_without_cname_is_the_name_alone(resolver: Resolver) -> None:
    assert resolver.follow_cname("_acme-challenge.example.test") == ["_acme-challenge.example.test"]


def test_follow_cname_across_zones(resolver: Resolver, world: World) -> None:
    world.zone("auth.acme-dns.test", {"ns.auth.acme-dns.test": ["10.0.3.1"]}, parent="test")
    world.cname("example.test", "_acme-challenge.example.test", "hop.example.test")
    world.cname("example.test", "hop.example.test", "0b1d.auth.acme-dns.test")
    chain = resolver.follow_cname("_acme-challenge.example.test")
    assert chain == ["_acme-challenge.example.test", "hop.example.test", "0b1d.auth.acme-dns.test"]
    # The never-updated acme-dns name must not reach a resolver that would cache NXDOMAIN.
    assert all("0b1d" not in qname for qname, _rdtype in world.transport.queries_to(World.RESOLVER))


def test_follow_cname_detects_a_loop(resolver: Resolver, world: World) -> None:
    world.cname("example.test", "a.example.test", "b.example.test")
    world.cname("example.test", "b.example.test", "a.example.test")
    with pytest.raises(DnsQueryError, match="CNAME loop: a.example.test -> b.example.test -> a.example.test"):
        resolver.follow_cname("a.example.test")


def test_follow_cname_limits_the_depth(world: World, clock: FakeClock) -> None:
    for hop in range(5):
        world.cname("example.test", f"h{hop}.example.test", f"h{hop + 1}.example.test")
    resolver = Resolver(world.transport, bootstrap=[World.RESOLVER], clock=clock, max_cname_depth=3)
    with pytest.raises(DnsQueryError, match="CNAME chain longer than 3") as raised:
        resolver.follow_cname("h0.example.test")
    assert raised.value.details["cname_chain"][-1] == "h4.example.test"


def test_authoritative_txt_values_and_rcodes(resolver: Resolver, world: World) -> None:
    world.server("10.0.1.1").add("_acme-challenge.example.test", "TXT", '"one"', '"split" "value"')
    assert resolver.authoritative_txt("_acme-challenge.example.test", "10.0.1.1") == ("NOERROR", ["one", "splitvalue"])
    assert resolver.authoritative_txt("_acme-challenge.example.test", "10.0.1.2") == ("NXDOMAIN", [])
    assert resolver.authoritative_txt("example.test", "10.0.1.1") == ("NOERROR", [])  # NODATA


def test_recursive_txt_follows_cnames(resolver: Resolver, world: World) -> None:
    world.recursor.add("_acme-challenge.example.test", "CNAME", "x.auth.acme-dns.test.")
    world.recursor.txt("x.auth.acme-dns.test", "token")
    assert resolver.recursive_txt("_acme-challenge.example.test", World.RESOLVER) == ("NOERROR", ["token"])


def test_with_a_deadline_no_query_waits_past_it_nor_is_sent_after_it(world: World, clock: FakeClock) -> None:
    world.transport.timeouts_take_time = True
    world.recursor.silent = True
    resolver = Resolver(world.transport, bootstrap=[World.RESOLVER], clock=clock, query_timeout=5.0)
    resolver.deadline = Deadline(clock, 7.0)
    with pytest.raises(DnsQueryError, match=r"no bootstrap resolver answered example.test NS: 10.0.0.53 timeout; 10.0.0.53 timeout"):
        resolver.find_zone("_acme-challenge.example.test")
    assert [wait for _sent, wait in world.transport.waits] == [5.0, pytest.approx(1.8)]
    assert clock.monotonic() == pytest.approx(1007.0)
    with pytest.raises(DnsQueryError, match="not asked 10.0.1.1 for example.test TXT: the call.s timeout passed"):
        resolver.authoritative_txt("example.test", "10.0.1.1")
    assert len(world.transport.waits) == 2
