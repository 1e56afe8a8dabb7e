# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark 3: from the TSIG update to propagation_wait returning.

The clock starts before the update is sent and stops when the module
process exits, so the module's start-up counts. Zones: fallback.test (one
server) and multi.test (a primary and a secondary that follows by NOTIFY and
zone transfer). The references are a fixed 60 s sleep and lego's own
propagation step, read from its output in benchmark 1.
"""

from __future__ import annotations

import statistics
import time
import typing as t

from dns01bench.lab import Zone, challenge_value
from dns01bench.modules import run_module
from dns01bench.progress import Progress
from dns01bench.tools import Context

FIXED_SLEEP = 60.0
TIMEOUT = 30.0


def _zones(ctx: Context) -> list[Zone]:
    lab = ctx.lab
    return [Zone(lab, lab["LAB_BIND_ZONE"], lab["LAB_BIND_SERVER"], "BIND"),
            Zone(lab, lab["LAB_MULTI_ZONE"], lab["LAB_MULTI_PRIMARY"], "BIND")]


def measure_once(ctx: Context, zone: Zone, name: str, log_path: str) -> dict[str, t.Any]:
    values = [challenge_value(name), challenge_value(name + "*")]
    args = {"records": [{"name": name, "values": values}], "bootstrap_resolvers": [ctx.lab["LAB_RESOLVER"]],
            "timeout": TIMEOUT}
    with ctx.lab.locked():
        try:
            start = time.monotonic()
            zone.add_txt(name, values)
            run, result = run_module("propagation_wait", args, ctx.path("propagation.json"), TIMEOUT + 30, log_path)
            latency = time.monotonic() - start
        finally:
            zone.delete_txt([name])
    servers = [server["address"] for record in result.get("records") or [] for server in record.get("nameservers", [])]
    return {"zone": zone.zone, "latency": latency, "module_elapsed": result.get("elapsed"), "cpu": run.cpu,
            "ok": run.ok and not result.get("failed"), "servers": servers}


def run_all(ctx: Context, run_id: str, repeats: int, lego_waits: list[float], log_path: str,
            progress: Progress) -> dict[str, t.Any]:
    rows = []
    zones = _zones(ctx)
    for number, zone in enumerate(zones):
        samples = []
        for index in range(repeats):
            progress.step("propagation", f"propagation_wait, {zone.zone}", number * repeats + index + 1, len(zones) * repeats)
            samples.append(measure_once(ctx, zone, f"_acme-challenge.b-{run_id}-p{index}.{zone.zone}", log_path))
        ok = [sample["latency"] for sample in samples if sample["ok"]]
        row = {"zone": zone.zone, "servers": samples[0]["servers"], "samples": samples,
               "failures": len(samples) - len(ok), "latency": statistics.median(ok) if ok else None}
        if ok:
            row["fixed_sleep_ratio"] = FIXED_SLEEP / row["latency"]
            if lego_waits:
                row["lego_ratio"] = statistics.median(lego_waits) / row["latency"]
            progress.line(f"  {zone.zone:14} {row['latency']:6.2f} s on {len(row['servers'])} server(s)"
                          f"  (60 s sleep: x{row['fixed_sleep_ratio']:.0f})")
        rows.append(row)
    return {"zones": rows, "fixed_sleep": FIXED_SLEEP,
            "lego_wait": statistics.median(lego_waits) if lego_waits else None, "lego_wait_samples": len(lego_waits)}
