# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The work behind ``provider_health``: input checked first, then every probe.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._health.probe import Prober, Settings
from ansible_collections.portable.dns01.plugins.module_utils._publish.action import breaker_for
from ansible_collections.portable.dns01.plugins.module_utils._publish.chain import breaker_key
from ansible_collections.portable.dns01.plugins.module_utils._publish.factory import build_provider, build_providers
from ansible_collections.portable.dns01.plugins.module_utils._publish.factory import TYPES as PROVIDER_TYPES
from ansible_collections.portable.dns01.plugins.module_utils._publish.lookup import Names
from ansible_collections.portable.dns01.plugins.module_utils._publish.names import check_name, normalize
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context, Provider


def domain_key(domain: str) -> str:
    """The account key and target label of a delegated domain: no wildcard label, lower case."""
    return normalize(domain[2:] if domain.startswith("*.") else domain)


class Delegation(t.NamedTuple):
    domain: str
    target: str
    account: dict[str, t.Any] | None


def parse_delegations(entries: list[dict[str, t.Any]], accounts: dict[str, t.Any]) -> list[Delegation]:
    """Where each ``_acme-challenge`` CNAME must point, as the delegation inventory says."""
    out = []
    for index, entry in enumerate(entries or []):
        field = f"delegations[{index}]"
        raw = str(entry.get("domain") or "").strip()
        wildcard = raw.startswith("*.")
        key = check_name(raw[2:] if wildcard else raw, f"{field}.domain")
        domain = f"*.{key}" if wildcard else key
        account = accounts.get(key) if entry.get("acme_dns") is not None else None
        target = entry.get("target") or (f"{key}.{entry['target_zone']}" if entry.get("target_zone") else None)
        target = target or (account or {}).get("fulldomain")
        if not target:
            raise InputError(f"{field}: no target, target_zone, or acme-dns account with a fulldomain for {key}",
                             field=f"{field}.target")
        out.append(Delegation(domain, check_name(target, f"{field}.target"), account))
    return out


# A refused credential or bad input is the user's to fix, not an outage.
NOT_OUTAGES = ("ProviderAuthError", "InputError")


def feed_breaker(breaker: t.Any, providers: list[Provider], results: list[dict[str, t.Any]]) -> None:
    """A healthy probe closes the provider's breaker; a probe that found it down counts as a failure."""
    for provider, result in zip(providers, results):
        failed = [step for step in result.get("steps") or [] if not step.get("ok")]
        if result["healthy"]:
            breaker.success(breaker_key(provider))
        elif failed and failed[0].get("error_class") not in NOT_OUTAGES:
            breaker.failure(breaker_key(provider))


class HealthCheck:
    """Every chosen provider, then every delegation; the result says which are unhealthy."""

    def __init__(self, params: dict[str, t.Any], check_mode: bool = False, clock: Clock | None = None,
                 resolver: t.Any = None, session_factory: t.Callable[[], t.Any] | None = None,
                 types: dict[str, type[Provider]] | None = None) -> None:
        self.params = params
        self.check_mode = check_mode
        self.clock = clock or Clock()
        self.names = Names(params.get("bootstrap_resolvers") or [], self.clock, float(params.get("query_timeout") or 3), resolver)
        self.ctx = Context(self.clock, Deadline(self.clock, float(params["timeout"])), float(params["connect_timeout"]),
                           float(params["read_timeout"]), resolver=self.names, session_factory=session_factory,
                           txt_lookup=self.names.txt_lookup)
        self.types = types or PROVIDER_TYPES

    def run(self) -> dict[str, t.Any]:
        label = self.params.get("canary_label") or "_dns01-canary"
        if "." in label or check_name(f"{label}.invalid", "canary_label") != f"{label.lower()}.invalid":
            raise InputError(f"canary_label: {label!r} must be one DNS label", field="canary_label")
        providers = self._providers()
        delegations = parse_delegations(self.params.get("delegations") or [], self.params.get("acme_dns_accounts") or {})
        if self.check_mode:
            return self._plan(providers, delegations)
        prober = Prober(self.ctx, self.names.resolver, self._settings(), self.clock)
        provider_results = [prober.provider(provider) for provider in providers]
        if self.params.get("feed_breaker"):
            feed_breaker(breaker_for(self.params, providers, self.clock, False), providers, provider_results)
        delegation_results = [prober.delegation(item.domain, item.target, self._account(item)) for item in delegations]
        problems = [f"provider {item['provider']}: {item['error']}" for item in provider_results if not item["healthy"]]
        problems += [f"delegation {item['domain']}: {item['error']}" for item in delegation_results if not item["healthy"]]
        left = [item["left_behind"] for item in provider_results if item["left_behind"]]
        return {"changed": bool(provider_results or any(item.account for item in delegations)), "healthy": not problems,
                "problems": problems, "providers": provider_results, "delegations": delegation_results, "left_behind": left}

    def _providers(self) -> list[Provider]:
        specs = self.params.get("providers") or []
        only = self.params.get("only") or []
        unknown = sorted(set(only) - {spec.get("name") for spec in specs})
        if unknown:
            raise InputError(f"only: no provider named {', '.join(unknown)}", field="only")
        if not specs:
            return []
        providers = build_providers(specs, self.ctx, self.types)
        return [provider for provider in providers if not only or provider.name in only]

    def _account(self, item: Delegation) -> Provider | None:
        if item.account is None:
            return None
        options = {key: item.account.get(key) for key in ("api_url", "username", "password", "subdomain", "ca_bundle")}
        spec = {"name": f"acme-dns:{domain_key(item.domain)}", "type": "acme_dns", "acme_dns": options}
        return build_provider(spec, self.ctx, self.types)

    def _settings(self) -> Settings:
        return Settings(api_timeout=float(self.params["timeout"]), propagation_timeout=float(self.params["propagation_timeout"]),
                        ttl=int(self.params["ttl"]), label=self.params.get("canary_label") or "_dns01-canary")

    def _plan(self, providers: list[Provider], delegations: list[Delegation]) -> dict[str, t.Any]:
        label = self.params.get("canary_label") or "_dns01-canary"
        return {"changed": bool(providers), "healthy": None, "problems": [], "left_behind": [],
                "providers": [{"provider": p.name, "type": p.type_name, "zone": p.zone,
                               "name": f"{label}.{p.zone}" if p.zone and p.can_remove else None} for p in providers],
                "delegations": [{"domain": d.domain, "name": f"_acme-challenge.{domain_key(d.domain)}", "target": d.target,
                                 "account": f"acme-dns:{domain_key(d.domain)}" if d.account else None} for d in delegations]}
