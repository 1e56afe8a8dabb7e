# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/run.py: one benchmark that fails does not take the others' figures with it."""

from __future__ import annotations

import importlib.util
import pathlib

BENCH = pathlib.Path(__file__).resolve().parents[3] / "bench"
SPEC = importlib.util.spec_from_file_location("dns01bench_run", BENCH / "run.py")
assert SPEC and SPEC.loader
bench_run = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench_run)


class Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, text: str) -> None:
        self.lines.append(text)


def failing() -> dict:
    raise FileNotFoundError("no such file: bench/results/.fault-active")


def test_a_failed_benchmark_is_left_out_with_its_error_and_the_next_still_runs(tmp_path):
    log = tmp_path / "commands.log"
    results: dict = {"left_out": {}, "issuance": {"summary": {}}}
    progress = Lines()
    bench_run.guarded(results, "failover", failing, progress, str(log))
    bench_run.guarded(results, "floor", lambda: {"rows": {}}, progress, str(log))
    assert results["left_out"]["failover"] == "failed: FileNotFoundError: no such file: bench/results/.fault-active"
    assert "failover" not in results
    assert results["floor"] == {"rows": {}} and results["issuance"] == {"summary": {}}
    assert "Traceback" in log.read_text() and "failover" in progress.lines[0]


def test_an_interruption_is_not_swallowed(tmp_path):
    def interrupted() -> dict:
        raise KeyboardInterrupt

    try:
        bench_run.guarded({"left_out": {}}, "issuance", interrupted, Lines(), str(tmp_path / "log"))
    except KeyboardInterrupt:
        return
    raise AssertionError("a Ctrl-C or a time-out must stop the run")
