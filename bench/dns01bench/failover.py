# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark 2: what failover costs while the primary's API is black-holed.

dns_challenge_publish publishes 20 records through the chain [PowerDNS via
lexicon, PowerDNS via RFC 2136] with ``lab.sh fault pdns blackhole`` on,
once with the circuit breaker (default threshold) and once without it
(``breaker_threshold: 0``), each with a fresh private breaker state file.
A third run, with the API refusing connections instead (``fault pdns
refused``), is the reference: a black-holed primary should cost about one
connect time-out more than that.
The lab lock is held exclusively for each measurement and the fault is
switched back to ``none`` however the measurement ends.
"""

from __future__ import annotations

import collections
import os
import typing as t

from dns01bench.lab import Zone, challenge_value
from dns01bench.modules import run_module
from dns01bench.progress import Progress
from dns01bench.tools import Context

# (variant, breaker_threshold, fault mode of the PowerDNS API)
VARIANTS = (("breaker", 3, "blackhole"), ("no_breaker", 0, "blackhole"), ("refused", 3, "refused"))
# scripts/bench.sh restores the fault if this file outlives a killed run.
FAULT_MARKER = ".fault-active"


def _providers(ctx: Context) -> list[dict[str, t.Any]]:
    lab = ctx.lab
    return [
        {"name": "pdns-api", "type": "lexicon", "zone": lab["LAB_PDNS_ZONE"],
         "lexicon": {"provider": "powerdns", "options": {"auth_token": lab["LAB_PDNS_API_KEY"],
                                                         "pdns_server": lab["LAB_PDNS_API_URL"], "pdns_server_id": "localhost"}}},
        {"name": "pdns-rfc2136", "type": "rfc2136", "zone": lab["LAB_PDNS_ZONE"],
         "rfc2136": {"server": lab["LAB_PDNS_DNS"], "key_name": lab["LAB_PDNS_TSIG_NAME"],
                     "key_secret": lab["LAB_PDNS_TSIG_SECRET"], "key_algorithm": lab["LAB_PDNS_TSIG_ALGORITHM"]}},
    ]


def _records(names: list[str]) -> list[dict[str, t.Any]]:
    return [{"name": name, "values": [challenge_value(name)]} for name in names]


def _outcomes(result: dict[str, t.Any]) -> dict[str, int]:
    """How often each (provider, outcome) occurs over all records' attempts."""
    counts: collections.Counter[str] = collections.Counter()
    for record in result.get("records") or []:
        counts.update(f"{attempt['provider']}:{attempt['outcome']}" for attempt in record.get("attempts", []))
    return dict(sorted(counts.items()))


def measure_variant(ctx: Context, variant: str, threshold: int, mode: str, names: list[str], settings: dict[str, float],
                    log_path: str) -> dict[str, t.Any]:
    """Publish ``names`` with the API faulted as ``mode`` says; the wall time and what the module reported."""
    args = {"records": _records(names), "providers": _providers(ctx), "strategy": "failover",
            "bootstrap_resolvers": [ctx.lab["LAB_RESOLVER"]], "breaker_threshold": threshold,
            "breaker_state_file": ctx.path(f"breaker-{variant}.json"), **settings}
    marker = os.path.join(ctx.root, "bench", "results", FAULT_MARKER)
    with ctx.lab.locked(exclusive=True), ctx.lab.fault("pdns", mode, marker):
        run, result = run_module("dns_challenge_publish", args, ctx.path(f"failover-{variant}.json"),
                                 settings["timeout"] + 60, log_path)
    published = sum(1 for record in result.get("records") or [] if record.get("providers"))
    return {"variant": variant, "breaker_threshold": threshold, "fault": mode, "wall": run.wall, "cpu": run.cpu, "max_rss_kb": run.max_rss_kb,
            "ok": run.ok and not result.get("failed"),
            "published": published, "records": len(names), "attempts": _outcomes(result), "msg": result.get("msg")}


def run_all(ctx: Context, run_id: str, count: int, settings: dict[str, float], log_path: str,
            progress: Progress) -> dict[str, t.Any]:
    lab = ctx.lab
    zone = Zone(lab, lab["LAB_PDNS_ZONE"], lab["LAB_PDNS_DNS"], "PDNS")
    results = []
    for index, (variant, threshold, mode) in enumerate(VARIANTS, 1):
        progress.step("failover", f"dns_challenge_publish, {variant} ({count} records)", index, len(VARIANTS))
        names = [f"_acme-challenge.b-{run_id}-f{variant[0]}{number}.{lab['LAB_PDNS_ZONE']}" for number in range(1, count + 1)]
        try:
            results.append(measure_variant(ctx, variant, threshold, mode, names, settings, log_path))
        finally:
            with lab.locked():
                zone.delete_txt(names)
        row = results[-1]
        progress.line(f"  {variant:10} {row['wall']:7.2f} s  published {row['published']}/{row['records']}  attempts {row['attempts']}")
    summary: dict[str, t.Any] = {"variants": results, "settings": settings, "records": count}
    walls = {row["variant"]: row["wall"] for row in results}
    if walls.get("breaker", 0) > 0:
        summary["ratio_no_breaker_over_breaker"] = walls["no_breaker"] / walls["breaker"]
    if walls.get("refused", 0) > 0:
        summary["ratio_breaker_over_refused"] = walls["breaker"] / walls["refused"]
    return summary
