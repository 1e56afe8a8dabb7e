# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import random

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Backoff, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    DnsQueryError,
    InputError,
    ProviderAuthError,
    ProviderError,
    ProviderTimeout,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.breaker import Breaker
from ansible_collections.portable.dns01.plugins.module_utils._publish.chain import Chain, Done

from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._publish.fakes import FakeProvider

NAME = "_acme-challenge.example.test"


def publish(provider):
    provider.publish(NAME, {"v1"}, 60)
    return Done(provider, "published", set())


def make_chain(clock, providers, retries=2, seconds=60.0, breaker=None, **kwargs):
    return Chain(providers, clock, Deadline(clock, seconds), breaker or Breaker(clock, threshold=0), retries=retries,
                 backoff=Backoff(base=1.0, cap=30.0, rng=random.Random(7)), **kwargs)


def outcomes(outcome):
    return [(attempt.provider, attempt.outcome) for attempt in outcome.attempts]


def test_failover_uses_providers_in_order(clock, ctx):
    first = FakeProvider("first", ctx, failures=[ProviderAuthError("denied", status=401)])
    second = FakeProvider("second", ctx)
    outcome = make_chain(clock, [first, second]).run(NAME, publish)
    assert outcome.ok
    assert outcomes(outcome) == [("first", "failed"), ("second", "published")]
    assert second.store[NAME] == {"v1"}
    assert outcome.attempts[0].error_class == "ProviderAuthError" and outcome.attempts[0].status == 401


def test_failover_stops_at_first_success(clock, ctx):
    first, second = FakeProvider("first", ctx), FakeProvider("second", ctx)
    make_chain(clock, [first, second]).run(NAME, publish)
    assert second.calls == []


def test_transient_errors_are_retried_with_jittered_backoff(clock, ctx):
    flaky = FakeProvider("flaky", ctx, failures=[ProviderError("500"), ProviderError("500")])
    outcome = make_chain(clock, [flaky], retries=2).run(NAME, publish)
    assert outcomes(outcome) == [("flaky", "failed"), ("flaky", "failed"), ("flaky", "published")]
    # Full jitter: each wait lies between 0 and base * 2**attempt.
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[0] <= 1.0 and 0 <= clock.sleeps[1] <= 2.0


def test_retry_after_is_honoured(clock, ctx):
    limited = FakeProvider("limited", ctx, failures=[ProviderError("429", status=429, retry_after=7.0)])
    outcome = make_chain(clock, [limited]).run(NAME, publish)
    assert outcome.ok
    assert clock.sleeps == [7.0]


def test_non_transient_errors_are_not_retried(clock, ctx):
    denied = FakeProvider("denied", ctx, failures=[ProviderAuthError("401")] * 3)
    outcome = make_chain(clock, [denied], retries=5).run(NAME, publish)
    assert not outcome.ok
    assert len(outcome.attempts) == 1 and clock.sleeps == []


def test_retry_budget_per_provider(clock, ctx):
    down = FakeProvider("down", ctx, retries=0, failures=[ProviderError("503")] * 5)
    outcome = make_chain(clock, [down], retries=4).run(NAME, publish)
    assert len(outcome.attempts) == 1


def test_deadline_stops_retries(clock, ctx):
    slow = FakeProvider("slow", ctx, failures=[ProviderError("HTTP 503", status=503)] * 10, cost=4.0)
    backup = FakeProvider("backup", ctx)
    outcome = make_chain(clock, [slow, backup], retries=10, seconds=10.0).run(NAME, publish)
    assert not outcome.ok
    assert clock.time - 1000.0 <= 10.0 + 4.0
    assert outcomes(outcome)[-1] == ("backup", "failed")
    assert outcome.attempts[-1].error_class == "ProviderTimeout"


def test_retry_after_beyond_deadline_fails_over_at_once(clock, ctx):
    limited = FakeProvider("limited", ctx, failures=[ProviderError("429", status=429, retry_after=3600.0)])
    backup = FakeProvider("backup", ctx)
    outcome = make_chain(clock, [limited, backup], seconds=30.0).run(NAME, publish)
    assert outcomes(outcome) == [("limited", "failed"), ("backup", "published")]
    assert clock.sleeps == []
    assert "overall timeout" in outcome.attempts[0].message


def test_simulated_outage_is_not_called(clock, ctx):
    primary, backup = FakeProvider("primary", ctx), FakeProvider("backup", ctx)
    outcome = make_chain(clock, [primary, backup], simulate_outage=["primary"]).run(NAME, publish)
    assert outcomes(outcome) == [("primary", "simulated_outage"), ("backup", "published")]
    assert primary.calls == []


def test_provider_outside_its_zone_is_skipped(clock, ctx):
    other = FakeProvider("other", ctx, zone="other.test")
    mine = FakeProvider("mine", ctx, zone="example.test")
    outcome = make_chain(clock, [other, mine]).run(NAME, publish)
    assert outcomes(outcome) == [("other", "skipped"), ("mine", "published")]
    assert "not in zone other.test" in outcome.attempts[0].message


def test_unexpected_exception_fails_over(clock, ctx):
    broken = FakeProvider("broken", ctx, failures=[KeyError("id")])
    outcome = make_chain(clock, [broken, FakeProvider("backup", ctx)]).run(NAME, publish)
    assert outcomes(outcome) == [("broken", "failed"), ("backup", "published")]


def test_all_strategy_succeeds_with_min_success(clock, ctx):
    down = FakeProvider("down", ctx, failures=[ProviderError("503")] * 9)
    up = FakeProvider("up", ctx)
    outcome = make_chain(clock, [down, up], retries=1).run(NAME, publish, strategy="all", min_success=1)
    assert outcome.ok
    assert [done.provider.name for done in outcome.done] == ["up"]
    assert [error.msg for error in outcome.errors] == ["503"]


def test_all_strategy_fails_below_min_success(clock, ctx):
    down = FakeProvider("down", ctx, failures=[ProviderAuthError("401")])
    up = FakeProvider("up", ctx)
    outcome = make_chain(clock, [down, up]).run(NAME, publish, strategy="all", min_success=2)
    assert not outcome.ok
    assert up.store[NAME] == {"v1"}


def test_all_strategy_reports_attempts_in_provider_order(clock, ctx):
    providers = [FakeProvider(name, ctx) for name in ("a", "b", "c")]
    outcome = make_chain(clock, providers, simulate_outage=["b"]).run(NAME, publish, strategy="all", min_success=2)
    assert outcomes(outcome) == [("a", "published"), ("b", "simulated_outage"), ("c", "published")]


@pytest.fixture
def state_file(tmp_path):
    return str(tmp_path / "breaker.json")


def test_breaker_opens_and_skips_within_a_call(clock, ctx, state_file):
    down = FakeProvider("down", ctx, retries=0, failures=[ProviderError("503")] * 9)
    backup = FakeProvider("backup", ctx)
    chain = make_chain(clock, [down, backup], breaker=Breaker(clock, threshold=2, cooldown=300, path=state_file))
    chain.run(NAME, publish)
    chain.run(NAME, publish)
    third = chain.run(NAME, publish)
    assert outcomes(third) == [("down", "breaker_open"), ("backup", "published")]
    assert down.calls.count(("list", NAME)) + down.calls.count(("publish", NAME)) == 2


def test_breaker_state_carries_to_the_next_call_and_closes_after_cooldown(clock, ctx, state_file):
    down = FakeProvider("down", ctx, retries=0, failures=[ProviderError("503")] * 2)
    backup = FakeProvider("backup", ctx)
    first = make_chain(clock, [down, backup], breaker=Breaker(clock, threshold=2, cooldown=300, path=state_file))
    first.run(NAME, publish)
    first.run(NAME, publish)

    second = make_chain(clock, [down, backup], breaker=Breaker(clock, threshold=2, cooldown=300, path=state_file))
    assert outcomes(second.run(NAME, publish))[0] == ("down", "breaker_open")

    clock.advance(301)
    third = make_chain(clock, [down, backup], breaker=Breaker(clock, threshold=2, cooldown=300, path=state_file))
    assert outcomes(third.run(NAME, publish)) == [("down", "published")]


def test_half_open_breaker_reopens_on_one_more_failure(clock, ctx, state_file):
    down = FakeProvider("down", ctx, retries=0, failures=[ProviderError("503")] * 3)
    backup = FakeProvider("backup", ctx)
    chain = make_chain(clock, [down, backup], breaker=Breaker(clock, threshold=2, cooldown=300, path=state_file))
    chain.run(NAME, publish)
    chain.run(NAME, publish)
    clock.advance(301)
    assert outcomes(chain.run(NAME, publish))[0] == ("down", "failed")
    assert outcomes(chain.run(NAME, publish))[0] == ("down", "breaker_open")


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_never_open_the_breaker(clock, ctx, state_file, status):
    """docs/runbook.md: refused credentials fail every run with ProviderAuthError; the breaker is for outages."""
    denied = FakeProvider("denied", ctx, failures=[ProviderAuthError("denied", status=status)] * 9)
    backup = FakeProvider("backup", ctx)
    for _run in range(3):
        chain = make_chain(clock, [denied, backup], breaker=Breaker(clock, threshold=1, cooldown=300, path=state_file))
        outcome = chain.run(NAME, publish)
        assert outcomes(outcome) == [("denied", "failed"), ("backup", "published")]
        assert outcome.attempts[0].error_class == "ProviderAuthError" and outcome.attempts[0].status == status


@pytest.mark.parametrize("strategy", ["failover", "all"])
def test_lookup_error_in_one_provider_is_its_failure(clock, ctx, strategy):
    flaky = FakeProvider("flaky", ctx, failures=[DnsQueryError("no bootstrap resolver answered example.test SOA")] * 3)
    backup = FakeProvider("backup", ctx)
    outcome = make_chain(clock, [flaky, backup], retries=0).run(NAME, publish, strategy=strategy, min_success=1)
    assert outcome.ok
    assert outcomes(outcome) == [("flaky", "failed"), ("backup", "published")]
    assert outcome.attempts[0].error_class == "ProviderError" and "no bootstrap resolver" in outcome.attempts[0].message
    assert [error.provider for error in outcome.errors] == ["flaky"]


@pytest.mark.parametrize("strategy", ["failover", "all"])
def test_input_error_in_one_provider_is_its_final_failure(clock, ctx, strategy):
    broken = FakeProvider("broken", ctx, failures=[InputError("zone unknown", field="zone")] * 3)
    outcome = make_chain(clock, [broken, FakeProvider("backup", ctx)], retries=2).run(NAME, publish, strategy=strategy)
    assert outcome.ok
    assert outcomes(outcome) == [("broken", "failed"), ("backup", "published")]


def names(count):
    return [f"_acme-challenge.r{index}.example.test" for index in range(count)]


def publish_at(name):
    def work(provider):
        provider.publish(name, {"v1"}, 60)
        return Done(provider, "published", set())
    return work


@pytest.mark.parametrize("error", [
    ProviderTimeout("connect timed out", reason="unreachable"),
    ProviderTimeout("no answer within 20.0s"),
    ProviderError("Connection refused", transient=False, reason="unreachable"),
])
def test_one_time_out_per_outage_in_a_call(clock, ctx, error):
    down = FakeProvider("down", ctx, failures=[error] * 60, cost=1.0)
    backup = FakeProvider("backup", ctx)
    chain = make_chain(clock, [down, backup], retries=2)
    results = [chain.run(name, publish_at(name)) for name in names(20)]
    assert all(outcome.ok for outcome in results)
    assert len(down.calls) == 1
    assert clock.time - 1000.0 == 1.0
    assert outcomes(results[0]) == [("down", "failed"), ("backup", "published")]
    assert outcomes(results[1]) == [("down", "unreachable"), ("backup", "published")]
    assert "earlier in this call" in results[1].attempts[0].message
    assert [type(error).__name__ for error in results[1].errors] == ["ProviderUnavailable"]


def test_the_verdict_is_shared_by_providers_running_at_once(clock, ctx):
    down = FakeProvider("down", ctx, failures=[ProviderTimeout("connect timed out")] * 60, cost=1.0)
    chain = make_chain(clock, [down, FakeProvider("up", ctx)], retries=2)
    first = chain.run(NAME, publish, strategy="all", min_success=1)
    second = chain.run(NAME, publish, strategy="all", min_success=1)
    assert outcomes(first) == [("down", "failed"), ("up", "published")]
    assert outcomes(second) == [("down", "unreachable"), ("up", "published")]
    assert len(down.calls) == 1


def test_the_verdict_lasts_one_call_only(clock, ctx):
    down = FakeProvider("down", ctx, failures=[ProviderTimeout("connect timed out")])
    make_chain(clock, [down, FakeProvider("backup", ctx)]).run(NAME, publish)
    outcome = make_chain(clock, [down, FakeProvider("backup", ctx)]).run(NAME, publish)
    assert outcomes(outcome) == [("down", "published")]


def test_server_errors_are_still_retried_and_not_shared(clock, ctx):
    busy = FakeProvider("busy", ctx, failures=[ProviderError("HTTP 503", status=503, retry_after=1.0)])
    chain = make_chain(clock, [busy], retries=2)
    assert outcomes(chain.run(NAME, publish)) == [("busy", "failed"), ("busy", "published")]
    assert outcomes(chain.run(NAME, publish)) == [("busy", "published")]
