# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run the benchmarks on the local lab and write bench/results/.

Usually started by scripts/bench.sh (``make bench``), which prepares the lab,
the peers and the environment. See bench/README.md for the method.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import sys
import traceback
import typing as t

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable=wrong-import-position
from dns01bench import failover, floor, issuance, propagation, report  # noqa: E402
from dns01bench.lab import Lab  # noqa: E402
from dns01bench.progress import Progress  # noqa: E402
from dns01bench.tools import TOOLS, Context, Tool  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCHMARKS = ("issuance", "failover", "propagation", "floor")


def parse_repeats(text: str) -> dict[int, int]:
    """``1:3,20:1``: three samples at N=1, one at N=20."""
    pairs = (item.split(":", 1) for item in text.split(",") if item)
    return {int(count): int(times) for count, times in pairs}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--benchmarks", default=",".join(BENCHMARKS), help="comma-separated, from: " + ", ".join(BENCHMARKS))
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated clients for benchmark 1")
    parser.add_argument("--counts", default="1,20,100", help="certificates per sample (N), comma-separated; 1000 is an option")
    parser.add_argument("--repeats", default="1:3,20:1,100:1", help="samples per N, as N:SAMPLES pairs (default one)")
    parser.add_argument("--failover-records", type=int, default=20)
    parser.add_argument("--connect-timeout", type=float, default=1.0, help="dns_challenge_publish connect_timeout in benchmark 2")
    parser.add_argument("--propagation-repeats", type=int, default=3)
    parser.add_argument("--floor-repeats", type=int, default=3)
    parser.add_argument("--results", default=os.path.join(ROOT, "bench", "results"))
    parser.add_argument("--peers-venv", default=os.path.join(ROOT, "bench", "results", ".venv-peers"))
    parser.add_argument("--keep-work", action="store_true", help="keep certificates and keys of the run")
    return parser.parse_args(argv)


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _on_signal(signum: int, _frame: t.Any) -> None:
    # Turn SIGTERM (a timeout) into an exception so faults are restored on the way out.
    raise SystemExit(128 + signum)


def _say(text: str) -> None:
    print(text, flush=True)


def choose_tools(ctx: Context, names: list[str], left_out: dict[str, str]) -> list[Tool]:
    tools = []
    for name in names:
        tool = TOOLS[name](ctx)
        reason = tool.available()
        if reason:
            left_out[name] = reason
        else:
            tools.append(tool)
    return tools


def guarded(results: dict[str, t.Any], name: str, step: t.Callable[[], t.Any], progress: Progress, log_path: str) -> None:
    """Run one benchmark into ``results[name]``; one that fails is reported under "left out", and the others still run."""
    try:
        results[name] = step()
    except Exception as exc:  # pylint: disable=broad-exception-caught
        results["left_out"][name] = f"failed: {type(exc).__name__}: {exc}"
        with open(log_path, "a", encoding="utf-8") as handle:
            handle.write(f"# benchmark {name} failed:\n{traceback.format_exc()}\n")
        progress.line(f"  {name} failed ({type(exc).__name__}: {exc}); the traceback is in {log_path}")


def run(args: argparse.Namespace, ctx: Context, run_dir: str) -> dict[str, t.Any]:
    run_id = secrets.token_hex(2)
    log_path = os.path.join(run_dir, "commands.log")
    chosen = _split(args.benchmarks)
    results: dict[str, t.Any] = {"machine": report.machine(args.peers_venv), "run_id": run_id, "left_out": {}, "arguments": vars(args)}
    progress = Progress(_say)
    ctx.lab.say = progress.line
    progress.line(f"run {run_id}: {', '.join(chosen)}; every command's output goes to {log_path}")

    def issue() -> dict[str, t.Any]:
        tools = choose_tools(ctx, _split(args.tools), results["left_out"])
        for name, reason in results["left_out"].items():
            progress.line(f"  left out: {name}: {reason}")
        counts = [int(count) for count in _split(args.counts)]
        return issuance.run_all(ctx, run_id, tools, counts, parse_repeats(args.repeats), log_path, progress)

    def lego_waits() -> list[float]:
        return [wait for sample in results.get("issuance", {}).get("samples", []) for wait in sample["lego_waits"]]

    settings = {"connect_timeout": args.connect_timeout, "read_timeout": 20.0, "retries": 2, "timeout": 300.0}
    steps = {
        "issuance": ("1. issuance", issue),
        "failover": ("2. failover", lambda: failover.run_all(ctx, run_id, args.failover_records, settings, log_path, progress)),
        "propagation": ("3. propagation",
                        lambda: propagation.run_all(ctx, run_id, args.propagation_repeats, lego_waits(), log_path, progress)),
        "floor": ("4. floor", lambda: floor.run_all(ctx, args.floor_repeats, results.get("issuance"), log_path, progress)),
    }
    for name, (title, step) in steps.items():
        if name in chosen:
            progress.line(title)
            guarded(results, name, step, progress, log_path)
    results["machine"]["load_end"] = os.getloadavg()[0]
    return results


def write_results(results: dict[str, t.Any], run_dir: str, results_dir: str) -> str:
    text = report.table(results)
    for directory in (run_dir, results_dir):
        prefix = "" if directory == run_dir else "latest."
        with open(os.path.join(directory, f"{prefix}results.json"), "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1, sort_keys=True)
        with open(os.path.join(directory, f"{prefix}table.txt"), "w", encoding="utf-8") as handle:
            handle.write(text)
    return text


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    lab = Lab(ROOT)
    stamp = report.machine_stamp()
    run_dir = os.path.join(args.results, stamp)
    work = os.path.join(run_dir, "work")
    os.makedirs(work, mode=0o700)
    ctx = Context(lab, ROOT, work, args.peers_venv)
    try:
        results = run(args, ctx, run_dir)
    finally:
        if not args.keep_work:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(write_results(results, run_dir, args.results), end="")
    print(f"results: {run_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
