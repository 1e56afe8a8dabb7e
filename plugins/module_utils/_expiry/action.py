# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the certificate_expiry module does: look, or record the alerts that were sent.

This is a private module_utils file: its API may change without notice.
Looking changes nothing. The state file changes only when the caller
acknowledges the events it delivered, so an alert that reached nobody is
raised again on the next run.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._acme.directory import resolve
from ansible_collections.portable.dns01.plugins.module_utils._expiry.ari import AriLookup
from ansible_collections.portable.dns01.plugins.module_utils._expiry.evaluate import (
    SEVERITY_ORDER,
    Evaluator,
    Policy,
    Target,
)
from ansible_collections.portable.dns01.plugins.module_utils._expiry.served import TlsFetcher, parse_endpoint
from ansible_collections.portable.dns01.plugins.module_utils._expiry.state import StateFile


def targets(certificates: list[dict[str, t.Any]]) -> list[Target]:
    """Targets from certificate definitions (the renewal role's work as they are)."""
    out = []
    for index, cert in enumerate(certificates):
        field = f"certificates[{index}]"
        names = cert.get("names") or []
        label = str(cert.get("id") or (names[0] if names else ""))
        if not label:
            raise InputError(f"{field} needs an id or names", field=field)
        if not cert.get("cert_path"):
            raise InputError(f"{field} ({label}) needs a cert_path", field=f"{field}.cert_path")
        default_name = names[0] if names else ""
        endpoints = tuple(parse_endpoint(raw, default_name, f"{field}.endpoints[{number}]")
                          for number, raw in enumerate(cert.get("endpoints") or []))
        out.append(Target(id=label, cert_path=str(cert["cert_path"]), endpoints=endpoints))
    ids = [target.id for target in out]
    duplicates = sorted({label for label in ids if ids.count(label) > 1})
    if duplicates:
        raise InputError(f"certificate ids must be unique: {', '.join(duplicates)}", field="certificates")
    return out


def policy(params: dict[str, t.Any]) -> Policy:
    thresholds = tuple(sorted({int(days) for days in params["thresholds"]}, reverse=True))
    if not thresholds or min(thresholds) < 1:
        raise InputError("thresholds must be whole numbers of days, 1 or more", field="thresholds")
    if params["critical_days"] < 0:
        raise InputError("critical_days must not be negative", field="critical_days")
    if not params["timeout"] > 0:
        raise InputError("timeout must be more than 0 seconds", field="timeout")
    return Policy(thresholds=thresholds, critical_days=int(params["critical_days"]), timeout=float(params["timeout"]))


def ari_lookup(params: dict[str, t.Any], session: t.Any) -> AriLookup | None:
    """The CA's renewal windows, when a directory is given (a URL or a shorthand such as letsencrypt)."""
    if not params.get("ari_directory"):
        return None
    if session is None:
        raise InputError("ari_directory needs the requests library", field="ari_directory")
    return AriLookup(session, resolve(params["ari_directory"]), params.get("ari_ca_path") or True,
                     float(params["timeout"]))


def look(params: dict[str, t.Any], clock: Clock, fetcher: TlsFetcher | None = None,
         session: t.Any = None) -> dict[str, t.Any]:
    checked_policy = policy(params)
    checked = targets(params.get("certificates") or [])
    evaluator = Evaluator(params["source"], checked_policy, StateFile(params.get("state_path")).load(), clock.now(),
                          fetcher, ari_lookup(params, session))
    results = evaluator.run(checked)
    counts = {severity: sum(1 for r in results if r["severity"] == severity) for severity in SEVERITY_ORDER}
    return {"changed": False, "certificates": results, "events": evaluator.events, "counts": counts,
            "critical": counts["critical"] > 0, "checked_at": clock.now().isoformat(timespec="seconds"),
            "thresholds": list(checked_policy.thresholds), "critical_days": checked_policy.critical_days}


def _essence(alerts: dict[str, dict[str, t.Any]]) -> dict[str, tuple[t.Any, t.Any]]:
    return {key: (value.get("level"), value.get("serial")) for key, value in alerts.items()}


def acknowledge(params: dict[str, t.Any], check_mode: bool, clock: Clock) -> dict[str, t.Any]:
    """Record delivered events: triggers open their alert, resolves close it."""
    state = StateFile(params.get("state_path"))
    if not state.path:
        raise InputError("acknowledge needs a state_path to record the alerts in", field="state_path")
    alerts = state.load()
    before = dict(alerts)
    for index, event in enumerate(params["acknowledge"]):
        record = event.get("record") if isinstance(event, dict) else None
        if not isinstance(record, dict) or not record.get("key"):
            raise InputError(f"acknowledge[{index}] is not an event of this module (no record)",
                             field=f"acknowledge[{index}]")
        if record.get("open"):
            alerts[record["key"]] = {"level": record.get("level"), "serial": record.get("serial"),
                                     "since": clock.now().isoformat(timespec="seconds")}
        else:
            alerts.pop(record["key"], None)
    changed = _essence(alerts) != _essence(before)
    if changed and not check_mode:
        state.save(alerts)
    return {"changed": changed, "open_alerts": sorted(alerts)}


def expiry_action(params: dict[str, t.Any], check_mode: bool, clock: Clock,
                  fetcher: TlsFetcher | None = None, session: t.Any = None) -> dict[str, t.Any]:
    if params.get("acknowledge") is not None:
        return acknowledge(params, check_mode, clock)
    if not params.get("source"):
        raise InputError("source must name the host the certificates belong to", field="source")
    return look(params, clock, fetcher, session)
