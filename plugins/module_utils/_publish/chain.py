# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Failover and multi-publish over providers, written once above them.

This is a private module_utils file: its API may change without notice.
``failover`` tries providers in order until one succeeds; ``all`` runs every
eligible provider at once and succeeds when ``min_success`` did. Each
provider gets a retry budget (exponential backoff with full jitter, or the
server's Retry-After), all of it inside one overall deadline, and a circuit
breaker skips providers that keep failing.

A provider that timed out or could not be reached is down for the rest of
the call: the other records skip it at once instead of each paying the
full time-out again (one time-out per outage, not one per record).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Backoff, Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.breaker import Breaker
from ansible_collections.portable.dns01.plugins.module_utils._publish.outage import Outages, is_outage
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Provider

STRATEGIES = ("failover", "all")


@dataclasses.dataclass
class Attempt:
    """One try of one provider, or the reason it was not tried."""

    provider: str
    outcome: str
    elapsed_ms: int = 0
    error_class: str | None = None
    message: str | None = None
    status: t.Any = None

    def as_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Done:
    """What a provider did for one name: outcome and the values it held before."""

    provider: Provider
    outcome: str
    before: set[str]


@dataclasses.dataclass
class Outcome:
    """The chain's answer for one name."""

    done: list[Done] = dataclasses.field(default_factory=list)
    attempts: list[Attempt] = dataclasses.field(default_factory=list)
    errors: list[ProviderError] = dataclasses.field(default_factory=list)
    needed: int = 1

    @property
    def ok(self) -> bool:
        return len(self.done) >= self.needed


Work = t.Callable[[Provider], Done]
Gate = t.Callable[[Provider], t.Optional[str]]


class Chain:
    """Providers in order, with retries, deadline, simulated outages and a breaker."""

    def __init__(self, providers: list[Provider], clock: Clock, deadline: Deadline, breaker: Breaker,
                 retries: int = 2, backoff: Backoff | None = None, simulate_outage: t.Iterable[str] = ()) -> None:
        self.providers = providers
        self.clock = clock
        self.deadline = deadline
        self.breaker = breaker
        self.retries = retries
        self.backoff = backoff or Backoff()
        self.simulate_outage = set(simulate_outage)
        # This call's verdicts: records share them at once.
        self.outages = Outages()

    def run(self, name: str, work: Work, strategy: str = "failover", min_success: int = 1,
            gate: Gate | None = None) -> Outcome:
        """Do ``work`` for ``name`` on the providers as ``strategy`` says."""
        outcome = Outcome(needed=1 if strategy == "failover" else min_success)
        if strategy == "failover":
            self._failover(name, work, gate, outcome)
        else:
            self._all(name, work, gate, outcome)
        return outcome

    def _failover(self, name: str, work: Work, gate: Gate | None, outcome: Outcome) -> None:
        for provider in self.providers:
            skipped = self._gate(provider, name, gate)
            if skipped:
                _skip(outcome, skipped)
                continue
            self._merge(outcome, self._with_retries(provider, work))
            if outcome.done:
                return

    def _all(self, name: str, work: Work, gate: Gate | None, outcome: Outcome) -> None:
        gated = [(provider, self._gate(provider, name, gate)) for provider in self.providers]
        eligible = [provider for provider, skipped in gated if skipped is None]
        results = {}
        if eligible:
            with concurrent.futures.ThreadPoolExecutor(max_workers=len(eligible)) as pool:
                futures = {provider.name: pool.submit(self._with_retries, provider, work) for provider in eligible}
                results = {key: future.result() for key, future in futures.items()}
        for provider, skipped in gated:
            if skipped:
                _skip(outcome, skipped)
            else:
                self._merge(outcome, results[provider.name])

    @staticmethod
    def _merge(outcome: Outcome, result: tuple[Done | None, list[Attempt], ProviderError | None]) -> None:
        done, attempts, error = result
        outcome.attempts.extend(attempts)
        if done:
            outcome.done.append(done)
        if error:
            outcome.errors.append(error)

    def _gate(self, provider: Provider, name: str, gate: Gate | None) -> Attempt | None:
        """An attempt that says why ``provider`` is not tried, or None to try it."""
        reason = provider.not_applicable(name) or (gate(provider) if gate else None)
        if reason:
            return Attempt(provider.name, "skipped", message=reason)
        if provider.name in self.simulate_outage:
            return Attempt(provider.name, "simulated_outage", error_class=ProviderUnavailable.__name__,
                           message="treated as down: listed in simulate_outage")
        skipped = self.outages.skip_message(provider.name)
        if skipped:
            return Attempt(provider.name, "unreachable", error_class=ProviderUnavailable.__name__, message=skipped)
        if self.breaker.is_open(breaker_key(provider)):
            until = datetime.datetime.fromtimestamp(self.breaker.open_until(breaker_key(provider)), datetime.timezone.utc)
            return Attempt(provider.name, "breaker_open", error_class=ProviderUnavailable.__name__,
                           message=f"circuit breaker open after repeated failures, until {until.isoformat()}")
        return None

    def _with_retries(self, provider: Provider, work: Work) -> tuple[Done | None, list[Attempt], ProviderError | None]:
        attempts: list[Attempt] = []
        budget = self.retries if provider.retries is None else provider.retries
        error: ProviderError | None = None
        for number in range(budget + 1):
            done, error = self._try(provider, work, attempts)
            if done:
                self.breaker.success(breaker_key(provider))
                return done, attempts, None
            if error is None or not self._wait_to_retry(error, number, budget, attempts[-1]):
                break
        if error is not None:
            self.outages.note(provider.name, error)
        # A refused credential is the user's to fix, not an outage to count.
        if error is None or error.outage:
            self.breaker.failure(breaker_key(provider))
        return None, attempts, error

    def _try(self, provider: Provider, work: Work, attempts: list[Attempt]) -> tuple[Done | None, ProviderError | None]:
        if self.deadline.expired():
            error: ProviderError = ProviderTimeout("the overall timeout passed before this provider was tried",
                                                   provider=provider.name, reason="deadline")
            attempts.append(_failed(provider, error, 0.0))
            return None, error
        start = self.clock.monotonic()
        try:
            done = work(provider)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # Whatever fails inside one provider's attempt (a lookup, a bug, an
            # unmapped library error) is that provider's failure: failover goes on.
            error = provider.failure(exc)
        else:
            attempts.append(Attempt(provider.name, done.outcome, _ms(self.clock.monotonic() - start)))
            return done, None
        attempts.append(_failed(provider, error, self.clock.monotonic() - start))
        return None, error

    def _wait_to_retry(self, error: ProviderError, number: int, budget: int, last: Attempt) -> bool:
        """Sleep before the next try; False when there is none (budget, error kind, deadline)."""
        if not error.transient or number >= budget or is_outage(error):
            return False
        delay = self.backoff.delay(number, error.retry_after)
        if delay >= self.deadline.remaining():
            last.message = f"{last.message} (next try in {delay:.1f}s would pass the overall timeout)"
            return False
        self.clock.sleep(delay)
        return True


def _skip(outcome: Outcome, attempt: Attempt) -> None:
    """Record a provider not tried; one found down earlier in the call counts as its failure."""
    outcome.attempts.append(attempt)
    if attempt.outcome == "unreachable":
        outcome.errors.append(ProviderUnavailable(attempt.message or "", provider=attempt.provider))


def breaker_key(provider: Provider) -> str:
    return f"{provider.type_name}:{provider.name}"


def _failed(provider: Provider, error: ProviderError, seconds: float) -> Attempt:
    return Attempt(provider.name, "failed", _ms(seconds), type(error).__name__, error.msg, error.status)


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))
