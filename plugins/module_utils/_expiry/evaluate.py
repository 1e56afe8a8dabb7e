# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How close each certificate is to expiry, and which alerts that calls for.

This is a private module_utils file: its API may change without notice.
Three kinds of alert per certificate, each under its own stable key
``dns01/<host>/<id>/<kind>``:
- ``expiry``: the days left crossed a threshold (or it expired); sent once per
  threshold and serial, resolved when a certificate with time left replaces it;
- ``missing``: the file is missing or unreadable; resolved when it is back;
- ``served@<host:port>``: the endpoint serves another certificate than the
  file (a deploy that never reloaded) or cannot be reached; resolved when it
  serves the file's certificate.
"""

from __future__ import annotations

import dataclasses
import datetime
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._expiry.ari import AriLookup
from ansible_collections.portable.dns01.plugins.module_utils._expiry.certificate import (
    Facts,
    Unavailable,
    from_der,
    read_installed,
)
from ansible_collections.portable.dns01.plugins.module_utils._expiry.served import (
    Endpoint,
    TlsFetcher,
    describe_failure,
)

KEY_PREFIX = "dns01"
SEVERITY_ORDER = ("ok", "warning", "error", "critical")


@dataclasses.dataclass(frozen=True)
class Policy:
    thresholds: tuple[int, ...]
    critical_days: int
    timeout: float


@dataclasses.dataclass(frozen=True)
class Target:
    """One certificate to watch."""

    id: str
    cert_path: str
    endpoints: tuple[Endpoint, ...] = ()


def level_of(days: float, thresholds: t.Sequence[int]) -> int | None:
    """The smallest threshold ``days`` is at or below: 0 once expired, None while above them all."""
    if days <= 0:
        return 0
    crossed = [threshold for threshold in thresholds if days <= threshold]
    return min(crossed) if crossed else None


def worst(*severities: str) -> str:
    return max(severities, key=SEVERITY_ORDER.index)


def describe_days(days: float) -> str:
    if days <= 0:
        return f"expired {abs(days):.1f} days ago"
    return f"expires in {days:.1f} days"


class Evaluator:
    """Looks at every target against the open alerts of earlier runs."""

    def __init__(self, source: str, policy: Policy, alerts: dict[str, dict[str, t.Any]], now: datetime.datetime,
                 fetcher: TlsFetcher | None = None, ari: AriLookup | None = None) -> None:
        self.source = source
        self.ari = ari
        self.policy = policy
        self.alerts = alerts
        self.now = now
        self.fetcher = fetcher or TlsFetcher()
        self.events: list[dict[str, t.Any]] = []

    def key(self, target: Target, kind: str) -> str:
        return "/".join((KEY_PREFIX, self.source, target.id, kind))

    def run(self, targets: t.Sequence[Target]) -> list[dict[str, t.Any]]:
        return [self.check(target) for target in targets]

    def check(self, target: Target) -> dict[str, t.Any]:
        result: dict[str, t.Any] = {"id": target.id, "cert_path": target.cert_path, "alerts": []}
        try:
            installed = read_installed(target.cert_path, self.now)
        except Unavailable as gone:
            result.update(status=gone.status, severity="critical", reason=gone.reason, days_left=None,
                          worst_days_left=None, level=None, endpoints=[])
            self.trigger(target, "missing", "critical", f"{target.id} on {self.source}: certificate {gone.reason}",
                         {"cert_path": target.cert_path}, result)
            return result
        self.resolve(target, "missing", f"{target.id} on {self.source}: certificate file is back", result)
        served = [self.check_served(target, endpoint, installed, result) for endpoint in target.endpoints]
        result.update(installed.as_dict(), endpoints=served)
        if self.ari is not None:
            result["ari"] = self.ari.window(installed.ari_id, self.now)
        self.check_expiry(target, installed, served, result)
        return result

    def check_expiry(self, target: Target, installed: Facts, served: list[dict[str, t.Any]],
                     result: dict[str, t.Any]) -> None:
        # What clients see counts too: a stale certificate still served expires on its own date.
        candidates = [(installed.days_left, installed.serial, "file")]
        candidates += [(entry["days_left"], entry["serial"], entry["endpoint"]) for entry in served if entry["serial"]]
        days, serial, where = min(candidates)
        level = level_of(days, self.policy.thresholds)
        critical = level is not None and level <= self.policy.critical_days
        status = "ok" if level is None else ("expired" if level == 0 else ("critical" if critical else "warning"))
        severity = "critical" if critical else ("warning" if level is not None else "ok")
        if any(entry["status"] != "match" for entry in served):
            severity = worst(severity, "error")
        result.update(status=status, severity=severity, level=level, worst_days_left=round(days, 2), worst_in=where)
        key = self.key(target, "expiry")
        if level is None:
            self.resolve(target, "expiry", f"{target.id} on {self.source}: renewed, {describe_days(days)}", result)
            return
        previous = self.alerts.get(key)
        if previous and previous.get("serial") == serial and level >= int(previous.get("level", level)):
            return
        threshold = "expired" if level == 0 else f"{level}-day threshold"
        where_text = "" if where == "file" else f" (served at {where})"
        summary = f"{target.id} on {self.source}: certificate {describe_days(days)}{where_text} - {threshold}"
        details = {"not_after": installed.not_after if where == "file" else self.served_not_after(served, where),
                   "days_left": round(days, 2), "threshold": level, "serial": serial, "issuer": installed.issuer,
                   "names": installed.names, "cert_path": target.cert_path}
        self.trigger(target, "expiry", "critical" if critical else "warning", summary, details, result,
                     level=level, serial=serial)

    @staticmethod
    def served_not_after(served: list[dict[str, t.Any]], where: str) -> str | None:
        return next((entry["not_after"] for entry in served if entry["endpoint"] == where), None)

    def check_served(self, target: Target, endpoint: Endpoint, installed: Facts,
                     result: dict[str, t.Any]) -> dict[str, t.Any]:
        kind = f"served@{endpoint.label}"
        entry: dict[str, t.Any] = {"endpoint": endpoint.label, "server_name": endpoint.server_name, "serial": None,
                                   "not_after": None, "days_left": None, "error": None}
        try:
            facts = from_der(self.fetcher.fetch(endpoint, self.policy.timeout), self.now)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            entry.update(status="unreachable", error=describe_failure(exc, self.policy.timeout))
            self.trigger(target, kind, "error", f"{target.id} on {self.source}: {endpoint.label} "
                         f"could not be checked: {entry['error']}", {"endpoint": endpoint.label}, result,
                         serial="unreachable")
            return entry
        entry.update(serial=facts.serial, not_after=facts.not_after, days_left=round(facts.days_left, 2))
        if facts.serial == installed.serial:
            entry["status"] = "match"
            self.resolve(target, kind, f"{target.id} on {self.source}: {endpoint.label} serves the installed "
                         "certificate", result)
            return entry
        entry["status"] = "mismatch"
        self.trigger(target, kind, "error",
                     f"{target.id} on {self.source}: {endpoint.label} serves serial {facts.serial} "
                     f"({describe_days(facts.days_left)}), not the installed {installed.serial}: reload the service",
                     {"endpoint": endpoint.label, "served_serial": facts.serial, "served_not_after": facts.not_after,
                      "installed_serial": installed.serial, "installed_not_after": installed.not_after}, result,
                     serial=facts.serial)
        return entry

    def trigger(self, target: Target, kind: str, severity: str, summary: str, details: dict[str, t.Any],
                result: dict[str, t.Any], level: int | None = None, serial: str | None = None) -> None:
        key = self.key(target, kind)
        previous = self.alerts.get(key)
        if kind != "expiry" and previous and previous.get("serial") == serial:
            return
        self.add(target, kind, "trigger", severity, summary, details, result,
                 record={"key": key, "open": True, "level": level, "serial": serial})

    def resolve(self, target: Target, kind: str, summary: str, result: dict[str, t.Any]) -> None:
        key = self.key(target, kind)
        if key in self.alerts:
            self.add(target, kind, "resolve", "info", summary, {}, result, record={"key": key, "open": False})

    def add(self, target: Target, kind: str, action: str, severity: str, summary: str, details: dict[str, t.Any],
            result: dict[str, t.Any], record: dict[str, t.Any]) -> None:
        event = {"action": action, "severity": severity, "summary": summary, "source": self.source,
                 "subject": target.id, "kind": kind, "dedup_key": record["key"], "details": details, "record": record}
        self.events.append(event)
        result["alerts"].append(f"{action} {kind}")
