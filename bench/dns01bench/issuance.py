# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark 1: issuance cost per certificate, the collection against its peers.

A sample issues N certificates (``b-<run>-<tag>-<i>.fallback.test`` and its
wildcard) with one client, from a fresh state directory, so every client
registers one account per sample. Clients take turns within each
repetition. A command that fails is counted, its records are swept, and it
is tried once more under new names (a resolver may still cache the failed
values); the failed attempt's time stays in the totals.
"""

from __future__ import annotations

import dataclasses
import os
import re
import statistics
import typing as t

from dns01bench import measure
from dns01bench.lab import Zone
from dns01bench.progress import Progress
from dns01bench.tools import Context, Tool

LEGO_TRY = re.compile(r"\[([^\]]+)\] acme: Trying to solve DNS-01")
LEGO_WAIT = re.compile(r"Wait for propagation \[")
TASK_HEADER = re.compile(r"^(?:TASK \[(?P<task>.+?)\]|PLAY RECAP)")
START_UP = "(ansible-playbook start-up, before the first task)"
# Clients with one process per certificate report every this many certificates.
PROGRESS_EVERY = 10


@dataclasses.dataclass
class Sample:
    """One client issuing N certificates."""

    tool: str
    count: int
    wall: float = 0.0
    cpu: float = 0.0
    processes: int = 0
    failures: int = 0
    issued: int = 0
    max_rss_kb: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)
    lego_waits: list[float] = dataclasses.field(default_factory=list)
    tasks: dict[str, float] = dataclasses.field(default_factory=dict)

    def add(self, run: measure.Run) -> None:
        self.wall += run.wall
        self.cpu += run.cpu
        self.processes += 1
        self.max_rss_kb = max(self.max_rss_kb, run.max_rss_kb)
        for task, seconds in task_times(run.lines).items():
            self.tasks[task] = self.tasks.get(task, 0.0) + seconds

    def as_dict(self) -> dict[str, t.Any]:
        data = dataclasses.asdict(self)
        data.update(wall_per_cert=self.wall / self.count, cpu_per_cert=self.cpu / self.count)
        return data


class Issuance:
    """Runs the samples of benchmark 1 and keeps the lab clean behind them."""

    def __init__(self, ctx: Context, run_id: str, log_path: str) -> None:
        self.ctx = ctx
        self.run_id = run_id
        self.log_path = log_path
        lab = ctx.lab
        self.zone = Zone(lab, lab["LAB_BIND_ZONE"], lab["LAB_BIND_SERVER"], "BIND")

    @property
    def prefix(self) -> str:
        return f"b-{self.run_id}-"

    def names(self, tag: str, count: int) -> list[str]:
        return [f"{self.prefix}{tag}-{index}.{self.ctx.lab['LAB_BIND_ZONE']}" for index in range(1, count + 1)]

    def sample(self, tool: Tool, count: int, tag: str, progress: Progress | None = None) -> Sample:
        sample = Sample(tool.name, count)
        sample_dir = self.ctx.path(tag)
        os.makedirs(sample_dir, exist_ok=True)
        groups = tool.groups(self.names(tag, count))
        for index, group in enumerate(groups, 1):
            self._group(tool, group, sample_dir, sample)
            if progress and len(groups) > 1 and (index % PROGRESS_EVERY == 0 or index == len(groups)):
                progress.line(f"  {tool.name}: {index} of {len(groups)} certificates, {sample.failures} failed")
        return sample

    def _group(self, tool: Tool, names: list[str], sample_dir: str, sample: Sample) -> None:
        for attempt in range(2):
            current = names if attempt == 0 else [name.replace(self.prefix, f"{self.prefix}r", 1) for name in names]
            command = tool.command(current, sample_dir)
            with self.ctx.lab.locked():
                run = measure.run(command.argv, command.timeout, env=command.env, log_path=self.log_path)
                self.sweep()
            sample.add(run)
            sample.lego_waits.extend(lego_waits(run))
            if run.ok:
                sample.issued += len(names)
                return
            sample.failures += 1
            sample.errors.append(" ".join(filter(None, (_error_line(run), tool.failure_detail(sample_dir)))))

    def sweep(self) -> int:
        """Remove what a client left in the zone (all of this run's names)."""
        return self.zone.sweep(self.prefix)


def _error_line(run: measure.Run) -> str:
    if run.timed_out:
        return f"timed out after {run.wall:.0f} s"
    lines = [line.strip() for _stamp, line in run.lines if line.strip()]
    errors = [line for line in lines if "error" in line.lower() and "logfile" not in line]
    return f"exit {run.returncode}: {(errors or lines or [''])[-1][:200]}"


def lego_waits(run: measure.Run) -> list[float]:
    """Per authorization, seconds from lego's 'Trying to solve' (its TXT update done) to 'Wait for propagation'.

    lego sleeps one polling interval before its first propagation check; on the
    instant lab that check passes at once, so this is its propagation step.
    """
    waits, started = [], None
    for stamp, line in run.lines:
        if LEGO_TRY.search(line):
            started = stamp
        elif LEGO_WAIT.search(line) and started is not None:
            waits.append(stamp - started)
            started = None
    return waits


def task_times(lines: list[tuple[float, str]]) -> dict[str, float]:
    """Wall seconds per task of an ansible-playbook run: from its header to the next one (or PLAY RECAP).

    Empty for output without task headers (lego, certbot). Loops and repeated names add up.
    """
    marks = [(stamp, match.group("task")) for stamp, line in lines if (match := TASK_HEADER.match(line))]
    if not marks:
        return {}
    times = {START_UP: marks[0][0]}
    for (start, task), (end, _next) in zip(marks, marks[1:]):
        if task is not None:
            times[task] = times.get(task, 0.0) + end - start
    return times


def _task_profile(chosen: list[Sample]) -> dict[str, float]:
    """Median seconds per certificate of each task over the samples that ran it."""
    names = dict.fromkeys(name for sample in chosen for name in sample.tasks)
    return {name: statistics.median(sample.tasks[name] / sample.count for sample in chosen if name in sample.tasks)
            for name in names}


def summarize(samples: list[Sample]) -> dict[str, dict[str, t.Any]]:
    """Median per-certificate cost per (tool, N), and peer / collection ratios."""
    table: dict[str, dict[str, t.Any]] = {}
    order = list(dict.fromkeys(sample.tool for sample in samples))
    for key in sorted({(sample.tool, sample.count) for sample in samples}, key=lambda key: (key[1], order.index(key[0]))):
        chosen = [sample for sample in samples if (sample.tool, sample.count) == key]
        table[f"{key[0]}@{key[1]}"] = {
            "tool": key[0], "count": key[1], "samples": len(chosen),
            "wall_per_cert": statistics.median(sample.wall / sample.count for sample in chosen),
            "cpu_per_cert": statistics.median(sample.cpu / sample.count for sample in chosen),
            "failures": sum(sample.failures for sample in chosen),
            "processes": sum(sample.processes for sample in chosen),
            "max_rss_kb": max(sample.max_rss_kb for sample in chosen),
            "tasks": _task_profile(chosen),
        }
    for row in table.values():
        base = table.get(f"collection@{row['count']}")
        if base:
            row["wall_ratio"] = row["wall_per_cert"] / base["wall_per_cert"]
            row["cpu_ratio"] = row["cpu_per_cert"] / base["cpu_per_cert"]
    return table


def run_all(ctx: Context, run_id: str, tools: list[Tool], counts: list[int], repeats: dict[int, int],
            log_path: str, progress: Progress) -> dict[str, t.Any]:
    """Every (N, repetition, tool) sample, tools taking turns; then the summary."""
    bench = Issuance(ctx, run_id, log_path)
    samples: list[Sample] = []
    total = sum(repeats.get(count, 1) for count in counts) * len(tools)
    try:
        for count in counts:
            for repetition in range(repeats.get(count, 1)):
                for letter, tool in enumerate(tools):
                    progress.step("issuance", f"{tool.name} N={count} (repetition {repetition + 1})", len(samples) + 1, total)
                    sample = bench.sample(tool, count, f"{chr(97 + letter)}{count}x{repetition}", progress)
                    progress.line(f"  {tool.name:17} N={count:<4} wall/cert {sample.wall / count:7.2f} s  cpu/cert {sample.cpu / count:6.2f} s"
                                  f"  peak RSS {sample.max_rss_kb / 1024:6.0f} MiB  failures {sample.failures}")
                    samples.append(sample)
    finally:
        with ctx.lab.locked():
            left = bench.sweep()
        if left:
            progress.line(f"  swept {left} leftover challenge names")
    return {"samples": [sample.as_dict() for sample in samples], "summary": summarize(samples)}
