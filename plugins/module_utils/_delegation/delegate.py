# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Set or remove the CNAME that delegates ``_acme-challenge.<domain>``: the work behind ``challenge_delegation``.

This is a private module_utils file: its API may change without notice.
Input is checked first, then the target's CNAME chain is followed through
DNS (no provider API call) to refuse a loop. The provider is read, a plan
made from what it holds, and only then anything written.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError, InputError, RecordConflict
from ansible_collections.portable.dns01.plugins.module_utils._delegation.names import challenge_name, check_target, loop_through
from ansible_collections.portable.dns01.plugins.module_utils._delegation.wait import CnameWaiter
from ansible_collections.portable.dns01.plugins.module_utils._publish.factory import TYPES, build_provider
from ansible_collections.portable.dns01.plugins.module_utils._publish.lookup import Names
from ansible_collections.portable.dns01.plugins.module_utils._publish.names import in_zone
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context, Provider

# DNSSEC records sit beside a CNAME by design (RFC 4035); anything else may not (RFC 1034 3.6.2).
MAY_COEXIST = ("RRSIG", "NSEC", "NSEC3")
RecordSets = dict[str, list[str]]


@dataclasses.dataclass
class Plan:
    """What to do at the name: record sets to remove first, and whether to write the CNAME."""

    before: RecordSets
    after: RecordSets
    removals: list[tuple[str, list[str]]] = dataclasses.field(default_factory=list)
    write: bool = False
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.write or bool(self.removals)


def plan_present(record: str, target: str, existing: RecordSets, force: bool) -> Plan:
    """Make ``record`` a CNAME to ``target``; other data blocks it unless ``force``."""
    others = {rtype: values for rtype, values in existing.items() if rtype not in ("CNAME",) + MAY_COEXIST}
    kept = {rtype: values for rtype, values in existing.items() if rtype in MAY_COEXIST}
    after = {**kept, "CNAME": [target]}
    if others and not force:
        raise RecordConflict(f"{record} already holds {describe(others)}: a CNAME cannot coexist with other data;"
                             " remove it, or set force_replace=true to have it removed", record=record, existing=others,
                             field="force_replace")
    if existing.get("CNAME") == [target] and not others:
        return Plan(existing, existing)
    return Plan(existing, after, removals=sorted(others.items()), write=True)


def plan_absent(record: str, target: str | None, existing: RecordSets) -> Plan:
    """Remove the CNAME at ``record`` when it points at ``target`` (any CNAME when ``target`` is None)."""
    current = existing.get("CNAME", [])
    if not current:
        return Plan(existing, existing)
    if target is not None and current != [target]:
        return Plan(existing, existing, warnings=[f"{record} is a CNAME to {', '.join(current)}, not {target}: left alone"])
    after = {rtype: values for rtype, values in existing.items() if rtype != "CNAME"}
    return Plan(existing, after, removals=[("CNAME", current)])


def describe(record_sets: RecordSets) -> str:
    return "; ".join(f"{rtype} {', '.join(values)}" for rtype, values in sorted(record_sets.items()))


def zone_text(record: str, record_sets: RecordSets) -> str:
    """Record sets as zone-file lines, for diff mode."""
    return "".join(f"{record}. IN {rtype} {value}\n" for rtype, values in sorted(record_sets.items()) for value in values)


class Delegator:
    """One module call: check, read, plan, write, wait."""

    def __init__(self, params: dict[str, t.Any], check_mode: bool = False, diff: bool = False, clock: Clock | None = None,
                 resolver: t.Any = None, types: dict[str, type[Provider]] | None = None) -> None:
        self.params = params
        self.check_mode = check_mode
        self.diff = diff
        self.clock = clock or Clock()
        self.names = Names(params.get("bootstrap_resolvers") or [], self.clock, float(params.get("query_timeout") or 3), resolver)
        self.types = types or TYPES
        self.warnings: list[str] = []

    @property
    def present(self) -> bool:
        return self.params.get("state", "present") == "present"

    def run(self) -> dict[str, t.Any]:
        record, target = self._names()
        provider = self._provider(record)
        if target is not None:
            self._check_chain(record, target, provider)
        plan = self._plan(provider, record, target)
        if plan.changed and not self.check_mode:
            apply(provider, record, target, plan, int(self.params["ttl"]))
        result = self._result(provider, record, target, plan)
        if self._should_wait(plan):
            expected = target if self.present else None
            result["zone"], result["nameservers"] = self._waiter().wait(record, expected)
        return result

    def _names(self) -> tuple[str, str | None]:
        check_numbers(self.params)
        if self.params.get("state", "present") not in ("present", "absent"):
            raise InputError("state must be present or absent", field="state")
        record = challenge_name(self.params.get("domain"))
        raw = self.params.get("target")
        if self.present and not raw:
            raise InputError("target is required with state=present", field="target")
        return record, check_target(raw, record) if raw else None

    def _provider(self, record: str) -> Provider:
        # The provider's API calls and its DNS lookups (a zone found by SOA walk) share the one timeout.
        deadline = self.names.deadline = Deadline(self.clock, float(self.params["timeout"]))
        ctx = Context(self.clock, deadline, float(self.params["connect_timeout"]), float(self.params["read_timeout"]),
                      resolver=self.names)
        spec = self.params.get("provider")
        if not isinstance(spec, dict):
            raise InputError("provider: one provider definition is required", field="provider")
        try:
            provider = build_provider(spec, ctx, self.types)
        except InputError as exc:
            # The factory speaks of the list option of dns_challenge_publish; this module has one provider.
            field = str(exc.details.get("field") or "provider").replace("providers", "provider", 1)
            raise InputError(exc.msg.replace("providers", "provider", 1), field=field) from None
        provider.require_cname()
        reason = provider.not_applicable(record)
        if reason:
            raise InputError(f"provider {provider.name} cannot write {record}: {reason}", field="provider.zone")
        return provider

    def _check_chain(self, record: str, target: str, provider: Provider) -> None:
        """Follow the target's CNAMEs through DNS: coming back to ``record`` would close a loop."""
        try:
            chain = self.names.follow_cname(target)
        except DnsQueryError as exc:
            # The resolver names the chain only when the chain itself is bad (a loop, or too long).
            if exc.details.get("cname_chain"):
                raise InputError(f"target: {exc.msg}", field="target", cname_chain=exc.details["cname_chain"]) from None
            self.warnings.append(f"cannot follow the CNAMEs of {target}: {exc.msg}")
            return
        loop = loop_through(record, chain)
        if loop:
            raise InputError(f"target: the CNAME would close a loop: {loop}", field="target")
        if provider.zone and in_zone(target, provider.zone):
            self.warnings.append(f"{target} is in zone {provider.zone}, which {provider.name} writes: renewals would"
                                 " still need that provider's API")

    def _plan(self, provider: Provider, record: str, target: str | None) -> Plan:
        existing = provider.rrsets(record)
        if self.present:
            return plan_present(record, t.cast(str, target), existing, bool(self.params.get("force_replace")))
        return plan_absent(record, target, existing)

    def _should_wait(self, plan: Plan) -> bool:
        if self.check_mode or not self.params.get("wait", True):
            return False
        return self.present or plan.changed

    def _waiter(self) -> CnameWaiter:
        return CnameWaiter(self.names.resolver, self.clock, float(self.params["wait_timeout"]))

    def _result(self, provider: Provider, record: str, target: str | None, plan: Plan) -> dict[str, t.Any]:
        self.warnings.extend(plan.warnings)
        result: dict[str, t.Any] = {
            "changed": plan.changed, "record": record, "target": target, "provider": provider.name,
            "state": self.params.get("state", "present"), "before": plan.before, "after": plan.after,
            "removed": [{"type": rtype, "values": values} for rtype, values in plan.removals],
        }
        if self.diff:
            result["diff"] = {"before": zone_text(record, plan.before), "after": zone_text(record, plan.after),
                              "before_header": record, "after_header": record}
        if self.warnings:
            result["warnings"] = self.warnings
        return result


def apply(provider: Provider, record: str, target: str | None, plan: Plan, ttl: int) -> None:
    """Remove what stands in the way, then write the CNAME."""
    for rtype, values in plan.removals:
        provider.delete_rrset(record, rtype, values)
    if plan.write and target is not None:
        provider.set_cname(record, target, ttl)


def check_numbers(params: dict[str, t.Any]) -> None:
    for key in ("ttl", "timeout", "connect_timeout", "read_timeout", "wait_timeout", "query_timeout"):
        if key in params and float(params.get(key) or 0) <= 0:
            raise InputError(f"{key} must be positive", field=key)
