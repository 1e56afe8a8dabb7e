# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Health probes: prove today that every provider and delegation would carry a challenge.

This is a private module_utils file: its API may change without notice.
A provider is probed with a reversible synthetic edit: a canary TXT record
with a random value is published under its zone, seen on every authoritative
server, removed, and seen gone. A delegation is probed where the CA looks:
the ``_acme-challenge`` CNAME on every authoritative server, the zone it
points into, and for acme-dns the account's update call.
"""

from __future__ import annotations

import secrets
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError, PropagationTimeout
from ansible_collections.portable.dns01.plugins.module_utils._dns.propagation import PropagationWaiter, poll_delay
from ansible_collections.portable.dns01.plugins.module_utils._dns.spec import RecordSpec, WaitSettings
from ansible_collections.portable.dns01.plugins.module_utils._health.steps import Step, timed
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context, Provider

CANARY_LABEL = "_dns01-canary"


def canary_value() -> str:
    """43 characters of base64url, the shape of a key authorization digest (acme-dns takes only that)."""
    return secrets.token_urlsafe(32)[:43]


class Settings:
    """Budgets in seconds and the canary's label and TTL."""

    def __init__(self, api_timeout: float = 60.0, propagation_timeout: float = 60.0, ttl: int = 60,
                 label: str = CANARY_LABEL, interval: float = 0.5, max_interval: float = 5.0) -> None:
        self.api_timeout = api_timeout
        self.propagation_timeout = propagation_timeout
        self.ttl = ttl
        self.label = label
        self.interval = interval
        self.max_interval = max_interval


class Prober:
    """Runs the probes; every probe runs even when an earlier one failed."""

    def __init__(self, ctx: Context, resolver: t.Any, settings: Settings, clock: Clock | None = None,
                 token: t.Callable[[], str] = canary_value) -> None:
        self.ctx = ctx
        self.resolver = resolver
        self.settings = settings
        self.clock = clock or Clock()
        self.token = token

    def provider(self, provider: Provider) -> dict[str, t.Any]:
        """Canary: publish, visible everywhere, remove, gone everywhere."""
        self.ctx.deadline = Deadline(self.clock, self.settings.api_timeout)
        result: dict[str, t.Any] = {"provider": provider.name, "type": provider.type_name, "zone": provider.zone}
        if not provider.can_remove:
            # No delete call: a canary would stay, and could push out a live challenge value.
            step = timed(self.clock, "health", provider.check_health, provider)
            return self._done(result, [step], None, "API health call only: this backend cannot remove a canary;"
                              " its accounts are probed with the delegations")
        if not provider.zone:
            step = Step("publish", False, 0, "InputError", None, "the provider has no zone: the canary needs one")
            return self._done(result, [step], None)
        name, value = f"{self.settings.label}.{provider.zone}", self.token()
        result["name"] = name
        steps = self._canary(provider, name, value)
        # A publish that timed out may have landed; one refused or rejected did not.
        written = steps[0].ok or steps[0].error_class == "ProviderTimeout"
        gone = any(step.step == "gone" and step.ok for step in steps)
        return self._done(result, steps, {"name": name, "value": value} if written and not gone else None)

    def _canary(self, provider: Provider, name: str, value: str) -> list[Step]:
        published = timed(self.clock, "publish", lambda: provider.publish(name, {value}, self.settings.ttl), provider)
        steps = [published]
        if published.ok:
            steps.append(self._visible(name, value))
        # Removed even after a failed publish: a write that timed out may still have landed.
        removed = timed(self.clock, "remove", lambda: provider.remove(name, {value}), provider)
        steps.append(removed)
        if removed.ok:
            steps.append(self._gone(name, value))
        return steps

    def _visible(self, name: str, value: str) -> Step:
        settings = WaitSettings(timeout=self.settings.propagation_timeout, interval=self.settings.interval,
                                max_interval=self.settings.max_interval, follow_cnames=False)
        waiter = PropagationWaiter(self.resolver, settings, self.clock)
        return timed(self.clock, "visible", lambda: waiter.wait([RecordSpec(name, (value,))]))

    def _gone(self, name: str, value: str) -> Step:
        return timed(self.clock, "gone", lambda: self._wait_gone(name, value))

    def _wait_gone(self, name: str, value: str) -> None:
        """Poll every authoritative server until none serves ``value``."""
        deadline = Deadline(self.clock, self.settings.propagation_timeout)
        # Every query of the step, finding the zone included, ends by the deadline.
        resolver = self.resolver.within(deadline)
        zone = resolver.find_zone(name)
        pending = zone.addresses()
        poll = 0
        while True:
            pending = [(address, ns) for address, ns in pending if self._serves(resolver, name, value, address)]
            if not pending:
                return
            if deadline.expired():
                where = ", ".join(f"{address} ({ns})" for address, ns in pending)
                raise PropagationTimeout(f"{name} still serves the canary after {self.settings.propagation_timeout:g}s"
                                         f" on {where}", name=name)
            self.clock.sleep(deadline.cap(poll_delay(poll, self.settings.interval, self.settings.max_interval)))
            poll += 1

    @staticmethod
    def _serves(resolver: t.Any, name: str, value: str, address: str) -> bool:
        try:
            values = resolver.authoritative_txt(name, address)[1]
        except DnsQueryError:
            return True  # no answer proves nothing
        return value in values

    @staticmethod
    def _done(result: dict[str, t.Any], steps: list[Step], left: dict[str, str] | None, note: str | None = None) -> dict[str, t.Any]:
        result.update(healthy=all(step.ok for step in steps), steps=[step.as_dict() for step in steps],
                      left_behind=left, note=note)
        failed = next((step for step in steps if not step.ok), None)
        result["error"] = f"{failed.step}: {failed.error_class}: {failed.message}" if failed else None
        return result

    def delegation(self, domain: str, target: str, account: Provider | None = None) -> dict[str, t.Any]:
        """The CNAME on every server, the target zone answering, and (acme-dns) the account taking an update."""
        self.ctx.deadline = Deadline(self.clock, self.settings.api_timeout)
        name = f"_acme-challenge.{domain[2:] if domain.startswith('*.') else domain}"
        result: dict[str, t.Any] = {"domain": domain, "name": name, "target": target,
                                    "account": account.name if account else None}
        steps = [timed(self.clock, "cname", lambda: self._check_cname(name, target)),
                 timed(self.clock, "target_zone", lambda: self._check_target(target))]
        note = None
        if account is not None:
            value = self.token()
            updated = timed(self.clock, "update", lambda: account.publish(target, {value}, self.settings.ttl), account)
            steps.append(updated)
            if updated.ok:
                steps.append(self._visible(target, value))
            note = "acme-dns keeps the two newest values: the probe's value takes the older slot and ages out"
        return self._done(result, steps, None, note)

    def _check_cname(self, name: str, target: str) -> None:
        zone = self.resolver.find_zone(name)
        wrong = []
        for address, ns_name in zone.addresses():
            try:
                rcode, found = self.resolver.authoritative_cname(name, address)
            except DnsQueryError as exc:
                wrong.append(f"{address} ({ns_name}): {exc.msg}")
                continue
            if found != target:
                wrong.append(f"{address} ({ns_name}): {found or 'no CNAME, ' + rcode}")
        if wrong:
            raise DnsQueryError(f"{name} does not point at {target} on every server: {'; '.join(wrong)}", name=name)

    def _check_target(self, target: str) -> None:
        zone = self.resolver.find_zone(target)
        wrong = []
        for address, ns_name in zone.addresses():
            try:
                rcode = self.resolver.authoritative_txt(target, address)[0]
            except DnsQueryError as exc:
                wrong.append(f"{address} ({ns_name}): {exc.msg}")
                continue
            if rcode not in ("NOERROR", "NXDOMAIN"):
                wrong.append(f"{address} ({ns_name}): {rcode}")
        if wrong:
            raise DnsQueryError(f"zone {zone.name} of {target} does not answer on every server: {'; '.join(wrong)}",
                                zone=zone.name)
