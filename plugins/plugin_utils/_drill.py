# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The failover drill's scenarios and report, built as data for the templates.

This is a private plugin_utils file: its API may change without notice.
A scenario takes some providers down (simulated) and issues every
certificate against the staging CA. It passes when every certificate was
issued and none through a provider that was down.
"""

from __future__ import annotations

import datetime
import re
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._renewal.certificates import label

_ATTEMPT = re.compile(r"^(?P<provider>[^:]+): (?P<outcome>[a-z_]+)(?: \((?P<message>.*)\))?$", re.S)
# How a provider fared in one scenario, most telling first.
STATES = ("carried", "simulated_outage", "breaker_open", "failed", "skipped", "standby", "unknown", "unused")


def chains(certificates: list[dict]) -> list[list[str]]:
    """Each certificate's provider chain, in order, without repeats."""
    out: list[list[str]] = []
    for cert in certificates or []:
        chain = [str(name) for name in cert.get("providers") or []]
        if chain and chain not in out:
            out.append(chain)
    return out


def scenarios(certificates: list[dict], chosen: list[t.Any] | None = None, baseline: bool = True) -> list[dict]:
    """The drill's scenarios: the chosen ones, else a baseline and one per provider of every chain."""
    if chosen:
        return [_scenario(item, index) for index, item in enumerate(chosen)]
    providers = list(dict.fromkeys(name for chain in chains(certificates) for name in chain))
    out = [{"name": "baseline: every provider up", "outage": []}] if baseline else []
    return out + [{"name": f"{name} down", "outage": [name]} for name in providers]


def _scenario(item: t.Any, index: int) -> dict:
    if isinstance(item, dict):
        outage = [str(name) for name in item.get("outage") or []]
        return {"name": str(item.get("name") or _outage_name(outage)), "outage": outage}
    if isinstance(item, str):
        return {"name": f"{item} down", "outage": [item]}
    if isinstance(item, (list, tuple)):
        return {"name": _outage_name(list(item)), "outage": [str(name) for name in item]}
    raise ValueError(f"dns01_drill_outages[{index}]: a provider name, a list of names, or a dict with name and outage")


def _outage_name(outage: list[str]) -> str:
    return f"{' + '.join(outage)} down" if outage else "every provider up"


def parse_attempt(line: str) -> dict:
    """``provider: outcome (message)`` as the renewal report writes it, back into parts."""
    match = _ATTEMPT.match(str(line))
    if not match:
        return {"provider": None, "outcome": "unknown", "message": str(line)}
    return match.groupdict()


def report(results: list[dict], certificates: list[dict], providers: list[dict] | None = None) -> dict:
    """The drill report: per scenario and certificate what carried the challenge, and a per-provider timeline."""
    wanted = {label(cert): [str(name) for name in cert.get("providers") or []] for cert in certificates or []}
    done = [_scenario_result(result, wanted) for result in results or []]
    start = min((item["started"] for item in done), default=0.0)
    end = max((item["started"] + item["duration_s"] for item in done), default=start)
    catalog = [str(p.get("name")) for p in providers or []] or list(dict.fromkeys(n for chain in wanted.values() for n in chain))
    for item in done:
        item["offset_s"] = round(item["started"] - start, 3)
    failures = [f"{item['name']}: {failure}" for item in done for failure in item["failures"]]
    passed = bool(done) and not failures
    return {
        "passed": passed, "started_at": _iso(start), "duration_s": round(end - start, 3),
        "summary": f"{sum(item['passed'] for item in done)} of {len(done)} scenarios passed",
        "providers": catalog, "chains": chains(certificates), "scenarios": done, "failures": failures,
        "timeline": _timeline(done, catalog, max(end - start, 0.001)),
    }


def _scenario_result(result: dict, wanted: dict[str, list[str]]) -> dict:
    scenario = result.get("scenario") or {}
    outage = [str(name) for name in scenario.get("outage") or []]
    started, finished = float(result.get("started") or 0), float(result.get("finished") or 0)
    certs = [_certificate(entry, outage, wanted) for entry in result.get("report") or []]
    reported = list(certs)
    failures = [f"{cert['id']}: {cert['problem']}" for cert in certs if cert["problem"]]
    if result.get("error"):
        failures.append(f"the run failed: {result['error']}")
    missing = sorted(set(wanted) - {cert["id"] for cert in certs})
    if missing and not result.get("error"):
        failures.append(f"no result for {', '.join(missing)}")
    # Listed still, so the report shows every certificate of the scenario.
    certs += [{"id": cert_id, "status": "not issued", "chain": wanted[cert_id], "carried_by": [], "attempts": [],
               "msg": None, "problem": None, "fallback": False, "publish_ms": {}, "timings": None, "cert_path": None}
              for cert_id in missing]
    return {"name": str(scenario.get("name") or _outage_name(outage)), "outage": outage, "passed": not failures,
            "started": started, "started_at": _iso(started), "duration_s": round(max(finished - started, 0.0), 3),
            "error": result.get("error"), "failures": failures, "certificates": certs,
            "provider_states": _states(reported, outage, wanted, bool(result.get("error")))}


def _certificate(entry: dict, outage: list[str], wanted: dict[str, list[str]]) -> dict:
    cert_id = str(entry.get("id"))
    carried = [str(name) for name in entry.get("carried_by") or []]
    attempts = _entry_attempts(entry)
    problem = None
    if entry.get("status") != "renewed":
        problem = f"{entry.get('status')}{(' - ' + str(entry['msg'])) if entry.get('msg') else ''}"
    elif set(carried) & set(outage):
        problem = f"carried by {', '.join(sorted(set(carried) & set(outage)))}, which was down"
    elif not carried:
        # Issued without any challenge: the CA reused a valid authorization, so no path was exercised.
        problem = "issued without a challenge (the CA reused an authorization): this scenario proved nothing for it"
    return {"id": cert_id, "status": entry.get("status"), "chain": wanted.get(cert_id, []), "carried_by": carried,
            "attempts": attempts, "msg": entry.get("msg"), "problem": problem,
            "fallback": bool(carried) and carried[0] != (wanted.get(cert_id) or [None])[0],
            "publish_ms": dict(entry.get("publish_ms") or _publish_ms(entry)), "timings": entry.get("timings"),
            "cert_path": entry.get("cert_path")}


def _entry_attempts(entry: dict) -> list[dict]:
    """The report's provider attempts: structured (``providers``) or as ``provider: outcome (message)`` lines."""
    structured = [item for item in entry.get("providers") or [] if isinstance(item, dict)]
    if structured:
        return [{"provider": item.get("provider"), "outcome": item.get("outcome") or "unknown",
                 "message": item.get("message")} for item in structured]
    return [parse_attempt(line) for line in entry.get("attempts") or []]


def _publish_ms(entry: dict) -> dict:
    """Per provider, the milliseconds its attempts took, from the structured attempts."""
    spent: dict = {}
    for item in entry.get("providers") or []:
        if isinstance(item, dict) and item.get("provider"):
            spent[item["provider"]] = spent.get(item["provider"], 0) + int(item.get("elapsed_ms") or 0)
    return spent


def _states(certs: list[dict], outage: list[str], wanted: dict[str, list[str]], broken: bool) -> dict[str, dict]:
    """Per provider: its state in this scenario and the attempts that show it.

    ``skipped``: not applicable to the names (another zone); ``standby``: not
    needed because an earlier provider carried; ``unknown``: the run failed
    before it reported.
    """
    used = {name for cert in certs for name in cert["chain"]} or {name for chain in wanted.values() for name in chain}
    states: dict[str, dict] = {}
    for name in used:
        lines = [f"{cert['id']}: {a['outcome']}" + (f" ({a['message']})" if a["message"] else "")
                 for cert in certs for a in cert["attempts"] if a["provider"] == name]
        outcomes = {a["outcome"] for cert in certs for a in cert["attempts"] if a["provider"] == name}
        if any(name in cert["carried_by"] for cert in certs):
            state = "carried"
        elif name in outage or "simulated_outage" in outcomes:
            state = "simulated_outage"
        elif "breaker_open" in outcomes:
            state = "breaker_open"
        elif "failed" in outcomes:
            state = "failed"
        elif "skipped" in outcomes:
            state = "skipped"
        else:
            state = "unknown" if broken and not certs else "standby"
        spent = sum(int(cert["publish_ms"].get(name) or 0) for cert in certs)
        states[name] = {"state": state, "detail": lines, "publish_ms": spent}
    return states


def _timeline(done: list[dict], catalog: list[str], span: float) -> list[dict]:
    lanes = []
    for name in catalog:
        segments = []
        for item in done:
            state = item["provider_states"].get(name, {"state": "unused", "detail": [], "publish_ms": 0})
            segments.append({"scenario": item["name"], "state": state["state"], "detail": state["detail"],
                             "publish_ms": state["publish_ms"],
                             "offset_s": item["offset_s"], "duration_s": item["duration_s"],
                             "left_pct": round(100 * item["offset_s"] / span, 2),
                             "width_pct": round(max(100 * item["duration_s"] / span, 0.5), 2)})
        lanes.append({"provider": name, "segments": segments})
    return lanes


def _iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).isoformat(timespec="seconds")
