# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderTimeout,
)
from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Resolver
from ansible_collections.portable.dns01.plugins.module_utils._health.probe import Prober, Settings
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context, Provider
from ansible_collections.portable.dns01.tests.unit.fake_clock import FakeClock
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._dns.fakes import World

CANARY = "c" * 43


class DnsProvider(Provider):
    """Writes TXT values straight into the fake DNS servers of its zone, or fails from a script."""

    type_name = "fake"

    def __init__(self, name: str, ctx: Context, world: World, zone: str, lagging: t.Iterable[str] = (),
                 failures: list[Exception] | None = None, can_remove: bool = True, cost: float = 0.0) -> None:
        super().__init__(name, ctx, {}, zone)
        self.world, self.lagging, self.failures = world, set(lagging), list(failures or [])
        self.can_remove, self.cost = can_remove, cost
        self.calls: list[str] = []

    def _step(self, what: str) -> None:
        self.calls.append(what)
        self.ctx.clock.sleep(self.cost)
        if self.failures:
            raise self.failures.pop(0)

    def _servers(self):
        return [server for server in self.world.zones[self.zone]
                if not any(address in self.lagging for address, fake in self.world.transport.servers.items() if fake is server)]

    def publish(self, name: str, values: set[str], ttl: int) -> None:
        self._step("publish")
        for server in self._servers():
            server.txt(name, *values)

    def remove(self, name: str, values: set[str]) -> None:
        self._step("remove")
        for server in self._servers():
            key = next((key for key in server.records if key[0].to_text().rstrip(".") == name and key[1] == 16), None)
            if key:
                server.records[key] = [value for value in server.records[key] if value.strip('"') not in values]

    def list(self, name: str) -> set[str]:
        return set()

    def check_health(self) -> None:
        self._step("health")


@pytest.fixture
def world(clock: FakeClock) -> World:
    dns_world = World.example(clock)
    dns_world.zone("fallback.test", {"ns.fallback.test": ["10.0.2.1"]}, parent="test")
    return dns_world


@pytest.fixture
def ctx(clock: FakeClock) -> Context:
    return Context(clock, Deadline(clock, 60.0))


@pytest.fixture
def prober(ctx: Context, resolver: Resolver, clock: FakeClock) -> Prober:
    return Prober(ctx, resolver, Settings(api_timeout=30.0, propagation_timeout=10.0), clock, token=lambda: CANARY)


def served_anywhere(world: World, name: str) -> bool:
    return any(CANARY in " ".join(values) for server in world.zones["example.test"]
               for (owner, _rdtype), values in server.records.items() if owner.to_text().rstrip(".") == name)


def test_a_healthy_provider_passes_every_step_and_leaves_nothing(prober, ctx, world):
    provider = DnsProvider("primary", ctx, world, "example.test", cost=0.25)
    result = prober.provider(provider)
    assert result["healthy"], result
    assert [step["step"] for step in result["steps"]] == ["publish", "visible", "remove", "gone"]
    assert result["steps"][0]["elapsed_ms"] == 250
    assert result["name"] == "_dns01-canary.example.test" and result["left_behind"] is None
    assert not served_anywhere(world, "_dns01-canary.example.test")


@pytest.mark.parametrize("error, expected", [
    (ProviderError("connection refused", status=None), "ProviderError"),
    (ProviderAuthError("401 Unauthorized", status=401), "ProviderAuthError"),
    (ProviderTimeout("read timed out"), "ProviderTimeout"),
    (KeyError("rrsets"), "ProviderError"),
])
def test_api_errors_are_classified_as_the_chain_does(prober, ctx, world, error, expected):
    provider = DnsProvider("primary", ctx, world, "example.test", failures=[error, error])
    result = prober.provider(provider)
    assert not result["healthy"]
    publish = result["steps"][0]
    assert publish["step"] == "publish" and publish["error_class"] == expected
    assert result["error"].startswith(f"publish: {expected}")
    # Cleanup is still tried: a write that timed out may have landed.
    assert provider.calls == ["publish", "remove"]
    assert (result["left_behind"] is not None) == (expected == "ProviderTimeout")


def test_a_server_that_never_serves_the_canary_fails_visible(prober, ctx, world):
    provider = DnsProvider("primary", ctx, world, "example.test", lagging=["10.0.1.2"])
    result = prober.provider(provider)
    visible = result["steps"][1]
    assert visible["step"] == "visible" and not visible["ok"]
    assert visible["error_class"] == "PropagationTimeout" and "10.0.1.2" in visible["message"]
    assert [step["step"] for step in result["steps"]] == ["publish", "visible", "remove", "gone"]
    assert result["steps"][3]["ok"] and result["left_behind"] is None


def test_a_server_that_falls_silent_cannot_stretch_the_gone_step_past_propagation_timeout(ctx, world, clock):
    world.transport.timeouts_take_time = True
    resolver = Resolver(world.transport, bootstrap=[World.RESOLVER], clock=clock, query_timeout=5.0)
    prober = Prober(ctx, resolver, Settings(api_timeout=30.0, propagation_timeout=7.0), clock, token=lambda: CANARY)
    provider = DnsProvider("primary", ctx, world, "example.test")
    remove = provider.remove

    def remove_then_fall_silent(name, values):
        remove(name, values)
        world.server("10.0.1.2").silent = True

    provider.remove = remove_then_fall_silent
    result = prober.provider(provider)
    gone = result["steps"][3]
    assert gone["step"] == "gone" and gone["error_class"] == "PropagationTimeout" and "10.0.1.2" in gone["message"]
    assert gone["elapsed_ms"] <= 7000


def test_a_canary_that_stays_is_reported_left_behind(prober, ctx, world):
    provider = DnsProvider("primary", ctx, world, "example.test", failures=[])
    provider.remove = lambda name, values: None  # the API says yes and does nothing
    result = prober.provider(provider)
    assert result["steps"][3] == {**result["steps"][3], "step": "gone", "ok": False, "error_class": "PropagationTimeout"}
    assert result["left_behind"] == {"name": "_dns01-canary.example.test", "value": CANARY}


def test_a_backend_without_delete_gets_only_its_health_call(prober, ctx, world):
    provider = DnsProvider("acme", ctx, world, "example.test", can_remove=False)
    result = prober.provider(provider)
    assert result["healthy"] and provider.calls == ["health"] and "cannot remove" in result["note"]


def test_a_delegation_that_points_where_the_inventory_says_is_healthy(prober, world):
    world.cname("example.test", "_acme-challenge.example.test", "example.test.fallback.test")
    result = prober.delegation("*.example.test", "example.test.fallback.test")
    assert result["healthy"], result
    assert [step["step"] for step in result["steps"]] == ["cname", "target_zone"]


def test_a_cname_missing_on_one_server_is_named(prober, world):
    world.server("10.0.1.1").add("_acme-challenge.example.test", "CNAME", "example.test.fallback.test.")
    world.server("10.0.1.2").add("_acme-challenge.example.test", "CNAME", "elsewhere.test.")
    result = prober.delegation("example.test", "example.test.fallback.test")
    cname = result["steps"][0]
    assert not cname["ok"] and "10.0.1.2 (ns2.example.test): elsewhere.test" in cname["message"]
    assert "10.0.1.1" not in cname["message"]


def test_a_target_zone_that_does_not_answer_fails(prober, world):
    world.cname("example.test", "_acme-challenge.example.test", "example.test.fallback.test")
    world.server("10.0.2.1").rcode = "SERVFAIL"
    result = prober.delegation("example.test", "example.test.fallback.test")
    assert [step["ok"] for step in result["steps"]] == [True, False]


def test_an_acme_dns_account_must_accept_an_update(prober, ctx, world):
    world.cname("example.test", "_acme-challenge.example.test", "sub.fallback.test")
    account = DnsProvider("acme-dns:example.test", ctx, world, "fallback.test", failures=[ProviderAuthError("forbidden", status=401)])
    result = prober.delegation("example.test", "sub.fallback.test", account)
    update = result["steps"][2]
    assert update["step"] == "update" and update["error_class"] == "ProviderAuthError" and update["status"] == 401
    good = DnsProvider("acme-dns:example.test", ctx, world, "fallback.test")
    assert prober.delegation("example.test", "sub.fallback.test", good)["healthy"]
