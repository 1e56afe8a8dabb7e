# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Publish or remove challenge records: the work behind ``dns_challenge_publish``.

This is a private module_utils file: its API may change without notice.
Everything that can be checked without a remote call is checked first;
then each record is resolved to its effective name (the end of its CNAME
chain) and handed to the chain. When a record fails, the values this call
already published are removed again (rollback) before the error is raised.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    InputError,
    PublishError,
)
from ansible_collections.portable.dns01.plugins.module_utils._lock import process
from ansible_collections.portable.dns01.plugins.module_utils._lock.runlock import RunLock
from ansible_collections.portable.dns01.plugins.module_utils._publish.breaker import Breaker, default_state_file
from ansible_collections.portable.dns01.plugins.module_utils._publish.chain import STRATEGIES, Chain, Done, Outcome, breaker_key
from ansible_collections.portable.dns01.plugins.module_utils._publish.factory import build_providers
from ansible_collections.portable.dns01.plugins.module_utils._publish.identity import identity
from ansible_collections.portable.dns01.plugins.module_utils._publish.lookup import Names
from ansible_collections.portable.dns01.plugins.module_utils._publish.names import check_name, check_values, normalize
from ansible_collections.portable.dns01.plugins.module_utils._publish.outage import Outages
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context, Provider
from ansible_collections.portable.dns01.plugins.module_utils._publish.sweep import Ledger, sweep
from ansible_collections.portable.dns01.plugins.module_utils._state.redis import PREFIX, connect
from ansible_collections.portable.dns01.plugins.module_utils._state.store import RedisStore

# A rollback runs after the deadline may have passed: it gets its own short budget.
ROLLBACK_SECONDS = 30.0
CHANGING = ("published", "removed")
BREAKER_PREFIX = PREFIX + "breaker:"


@dataclasses.dataclass
class Target:
    """A record as given, and the name its values are written at."""

    name: str
    values: list[str]
    target: str
    cname_chain: list[str]


class Journal:
    """What this call wrote, so a failed call can take it back."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], tuple[Provider, set[str]]] = {}
        self.lock = threading.Lock()

    def add(self, provider: Provider, name: str, values: set[str]) -> None:
        with self.lock:
            entry = self.entries.setdefault((provider.name, name), (provider, set()))
            entry[1].update(values)

    def rollback(self) -> list[dict[str, t.Any]]:
        outages = Outages()
        return [_undo(provider, name, values, outages) for (_provider_name, name), (provider, values) in self.entries.items()]


def _undo(provider: Provider, name: str, values: set[str], outages: Outages) -> dict[str, t.Any]:
    report = {"provider": provider.name, "name": name, "values": sorted(values), "outcome": "removed", "message": None}
    if not provider.can_remove:
        report.update(outcome="not_removable", message=f"{provider.type_name} has no delete call")
        return report
    skipped = outages.skip_message(provider.name)
    if skipped:
        # A provider that timed out once would time out for every value: say so at once.
        report.update(outcome="failed", message=skipped)
        return report
    try:
        provider.remove(name, values)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        # One failed removal (a lookup, a bug) must not keep the others from running.
        error = provider.failure(exc)
        outages.note(provider.name, error)
        report.update(outcome="failed", message=error.msg)
    return report


class Publisher:
    """One module call: check the input, resolve names, run the chain per record."""

    def __init__(self, params: dict[str, t.Any], check_mode: bool = False, diff: bool = False, clock: Clock | None = None,
                 resolver: t.Any = None, session_factory: t.Callable[[], t.Any] | None = None,
                 types: dict[str, type[Provider]] | None = None) -> None:
        self.params = params
        self.check_mode = check_mode
        self.diff = diff
        self.clock = clock or Clock()
        self.names = Names(params.get("bootstrap_resolvers") or [], self.clock, float(params.get("read_timeout") or 5), resolver)
        self.session_factory = session_factory
        self.types = types
        self.journal = Journal()
        self.run_lock: RunLock | None = None
        self.ledger: Ledger | None = None
        self.ctx: Context | None = None
        self.warnings: list[str] = []

    def run(self) -> dict[str, t.Any]:
        check_chain_options(self.params)
        self.run_lock = RunLock.from_params(self.params.get("run_lock"), self.clock)
        self.ledger = Ledger(self.run_lock, self.clock) if self.run_lock else None
        if self.params.get("state") == "swept":
            return self._sweep()
        records = check_records(self.params.get("records"))
        deadline = self.names.deadline = Deadline(self.clock, float(self.params["timeout"]))
        self.ctx = Context(self.clock, deadline, float(self.params["connect_timeout"]), float(self.params["read_timeout"]),
                           resolver=self.names, session_factory=self.session_factory, txt_lookup=self.names.txt_lookup)
        providers = build_providers(self.params.get("providers") or [], self.ctx, self.types)
        check_outages(self.params.get("simulate_outage") or [], providers)
        targets = [self._target(name, values) for name, values in records]
        _check_backend_values(targets, providers)
        chain = Chain(providers, self.clock, deadline, self._breaker(providers), retries=int(self.params["retries"]),
                      simulate_outage=self.params.get("simulate_outage") or ())
        return self._result(self._records(chain, targets))

    def _records(self, chain: Chain, targets: list[Target]) -> list[dict[str, t.Any]]:
        """Each target through the chain; on any failure, what this call wrote is taken back first."""
        records: list[dict[str, t.Any]] = []
        try:
            for target in targets:
                records.append(self._record(chain, target, records))
        except BaseException as exc:
            rolled_back = [] if self.check_mode else self._rollback()
            if not isinstance(exc, Exception):
                raise
            raise _publish_error(exc, records, targets[len(records)], rolled_back) from None
        return records

    def _sweep(self) -> dict[str, t.Any]:
        if self.run_lock is None:
            raise InputError("state=swept needs run_lock: the journal lives beside the lock, and sweeping needs to hold it",
                             field="run_lock")
        deadline = self.names.deadline = Deadline(self.clock, float(self.params["timeout"]))
        self.ctx = Context(self.clock, deadline, float(self.params["connect_timeout"]),
                           float(self.params["read_timeout"]), resolver=self.names, session_factory=self.session_factory,
                           txt_lookup=self.names.txt_lookup)
        providers = build_providers(self.params.get("providers") or [], self.ctx, self.types)
        self.run_lock.check()
        swept = sweep(self.run_lock, providers, self.check_mode)
        changed = any(item["outcome"] in ("removed", "would_remove") for item in swept)
        return {"changed": changed, "swept": swept, "records": []}

    def _target(self, name: str, values: list[str]) -> Target:
        chain = self.names.follow_cname(name) if self.params.get("follow_cnames", True) else []
        target = normalize(chain[-1]) if chain else name
        links = [normalize(link) for link in chain]
        return Target(name, values, target, links if len(links) > 1 else [])

    def _breaker(self, providers: list[Provider]) -> Breaker:
        return breaker_for(self.params, providers, self.clock, self.check_mode)

    def _record(self, chain: Chain, target: Target, previous: list[dict[str, t.Any]]) -> dict[str, t.Any]:
        outcome = self._run_chain(chain, target)
        result = self._record_result(target, outcome)
        nothing_to_remove = self._removing and not outcome.done and not outcome.errors
        if not outcome.ok and not nothing_to_remove:
            raise PublishError(_failure_message(target, outcome, self._removing), records=previous + [result])
        self._warn(target, outcome)
        return result

    @property
    def _removing(self) -> bool:
        return self.params.get("state") == "absent"

    def _run_chain(self, chain: Chain, target: Target) -> Outcome:
        strategy, min_success = self.params["strategy"], int(self.params["min_success"])
        if self._removing:
            # Cleanup visits every provider: after a failover the values may sit on any of them.
            min_success = min_success if strategy == "all" else 1
            return chain.run(target.target, self._absent(target), "all", min_success, gate=_can_remove)
        return chain.run(target.target, self._present(target), strategy, min_success)

    def _present(self, target: Target) -> t.Callable[[Provider], Done]:
        def work(provider: Provider) -> Done:
            before = provider.list(target.target)
            missing = set(target.values) - before
            if not missing:
                return Done(provider, "unchanged", before)
            if not self.check_mode:
                # Journal first: a write that fails halfway is rolled back too, or swept by a later run.
                if self.ledger:
                    self.ledger.before_publish(provider, target.target, missing)
                self.journal.add(provider, target.target, missing)
                provider.publish(target.target, set(target.values) if provider.publishes_whole_record else missing, int(self.params["ttl"]))
            return Done(provider, "published", before)
        return work

    def _absent(self, target: Target) -> t.Callable[[Provider], Done]:
        def work(provider: Provider) -> Done:
            before = provider.list(target.target)
            present = set(target.values) & before
            if not present:
                if self.ledger and not self.check_mode:
                    self.ledger.removed(provider, target.target, set(target.values))
                return Done(provider, "unchanged", before)
            if not self.check_mode:
                if self.ledger:
                    self.ledger.before_write()
                provider.remove(target.target, present)
                if self.ledger:
                    self.ledger.removed(provider, target.target, set(target.values))
            return Done(provider, "removed", before)
        return work

    def _record_result(self, target: Target, outcome: Outcome) -> dict[str, t.Any]:
        result = {"name": target.name, "target": target.target, "cname_chain": target.cname_chain, "values": target.values,
                  "state": self.params.get("state", "present"), "changed": any(done.outcome in CHANGING for done in outcome.done),
                  "providers": [done.provider.name for done in outcome.done],
                  "attempts": [attempt.as_dict() for attempt in outcome.attempts]}
        if outcome.done:
            before = outcome.done[0].before
            after = before - set(target.values) if self._removing else before | set(target.values)
            result["before"], result["after"] = sorted(before), sorted(after)
        return result

    def _rollback(self) -> list[dict[str, t.Any]]:
        self.ctx.deadline = self.names.deadline = Deadline(self.clock, min(ROLLBACK_SECONDS, float(self.params["timeout"])))
        if self.ledger:
            # A run that lost its lock writes nothing more; its journal entries wait for the sweep.
            self.ledger.before_write()
        rolled_back = self.journal.rollback()
        for report in rolled_back:
            if self.ledger and report["outcome"] == "removed":
                provider, values = self.journal.entries[(report["provider"], report["name"])]
                self.ledger.removed(provider, report["name"], values)
        return rolled_back

    def _warn(self, target: Target, outcome: Outcome) -> None:
        for error in outcome.errors:
            self.warnings.append(f"{target.target}: provider {error.provider} failed ({type(error).__name__}: {error.msg})")
        if self._removing and not outcome.done:
            self.warnings.append(f"{target.target}: no provider could remove values here")

    def _result(self, records: list[dict[str, t.Any]]) -> dict[str, t.Any]:
        result: dict[str, t.Any] = {"changed": any(record["changed"] for record in records), "records": records}
        if self.diff:
            result["diff"] = {"before": _value_map(records, "before"), "after": _value_map(records, "after")}
        if self.warnings:
            result["warnings"] = self.warnings
        return result


def breaker_for(params: dict[str, t.Any], providers: list[Provider], clock: Clock, read_only: bool) -> Breaker:
    """The circuit breaker the options name: in Redis, in a state file, or in the project's default file."""
    aliases = {breaker_key(provider): identity(provider) for provider in providers}
    threshold, cooldown = int(params["breaker_threshold"]), float(params["breaker_cooldown"])
    if params.get("breaker_redis_url"):
        store = RedisStore(connect(params["breaker_redis_url"]), BREAKER_PREFIX)
        return Breaker(clock, threshold, cooldown, store=store, aliases=aliases, read_only=read_only)
    path = params.get("breaker_state_file") or default_state_file(_project_directory())
    return Breaker(clock, threshold, cooldown, path, aliases=aliases, read_only=read_only)


def _project_directory() -> str | None:
    """Where ansible-playbook was started: the project whose runs share a breaker by default."""
    run = process.controller()
    return process.working_directory(run.pid) if run else None


def _value_map(records: list[dict[str, t.Any]], key: str) -> dict[str, list[str]]:
    return {record["target"]: record.get(key, []) for record in records}


def _publish_error(exc: Exception, records: list[dict[str, t.Any]], target: Target,
                   rolled_back: list[dict[str, t.Any]]) -> PublishError:
    """The call's failure, with the records handled so far and what the rollback did."""
    error = exc if isinstance(exc, PublishError) else PublishError(
        f"could not handle {target.target}: unexpected {type(exc).__name__}: {exc}", records=records)
    error.details.setdefault("records", records)
    error.details.update(rolled_back=rolled_back, changed=any(entry["outcome"] != "removed" for entry in rolled_back))
    return error


def _can_remove(provider: Provider) -> str | None:
    if provider.can_remove:
        return None
    return f"{provider.type_name} has no delete call: its values are replaced by later updates"


def _failure_message(target: Target, outcome: Outcome, removing: bool) -> str:
    verb = "remove" if removing else "publish"
    if not outcome.errors and not outcome.done:
        reasons = "; ".join(f"{attempt.provider}: {attempt.message}" for attempt in outcome.attempts)
        return f"no provider can {verb} {target.target}: {reasons}"
    reasons = "; ".join(f"{attempt.provider}: {attempt.outcome}" + (f" ({attempt.message})" if attempt.message else "")
                        for attempt in _last_per_provider(outcome))
    return f"could not {verb} {target.target} ({len(outcome.done)} of {outcome.needed} needed providers succeeded): {reasons}"


def _last_per_provider(outcome: Outcome) -> list[t.Any]:
    last = {attempt.provider: attempt for attempt in outcome.attempts}
    return list(last.values())


def check_records(records: t.Any) -> list[tuple[str, list[str]]]:
    """(name, values) per record, names normalised; InputError names the bad field."""
    if not records:
        raise InputError("records: at least one record is required", field="records")
    checked = [(check_name(record.get("name"), f"records[{index}].name"), check_values(record.get("values"), f"records[{index}].values"))
               for index, record in enumerate(records)]
    # Counted once: a call may carry thousands of records.
    duplicates = sorted(name for name, count in collections.Counter(name for name, _values in checked).items() if count > 1)
    if duplicates:
        raise InputError(f"records: duplicate names {', '.join(duplicates)}: give all values of a name in one record",
                         field="records.name")
    return checked


def check_chain_options(params: dict[str, t.Any]) -> None:
    if params.get("strategy") not in STRATEGIES:
        raise InputError(f"strategy must be one of {', '.join(STRATEGIES)}", field="strategy")
    if params.get("state", "present") not in ("present", "absent", "swept"):
        raise InputError("state must be present, absent or swept", field="state")
    count = len(params.get("providers") or [])
    if not 1 <= int(params.get("min_success") or 0) <= max(count, 1):
        raise InputError(f"min_success must be between 1 and the number of providers ({count})", field="min_success")
    for key in ("ttl", "timeout", "connect_timeout", "read_timeout"):
        if float(params.get(key) or 0) <= 0:
            raise InputError(f"{key} must be positive", field=key)
    if int(params.get("retries") or 0) < 0:
        raise InputError("retries must not be negative", field="retries")


def check_outages(names: list[str], providers: list[Provider]) -> None:
    unknown = sorted(set(names) - {provider.name for provider in providers})
    if unknown:
        raise InputError(f"simulate_outage: no provider named {', '.join(unknown)}", field="simulate_outage")


def _check_backend_values(targets: list[Target], providers: list[Provider]) -> None:
    """Limits of a backend (acme-dns: two 43-character values), checked before any write."""
    for target in targets:
        for provider in providers:
            if provider.not_applicable(target.target) is None:
                provider.check_values(set(target.values))
