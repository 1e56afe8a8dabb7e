# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/dns01bench/measure.py and progress.py: what one command cost, and what a run prints meanwhile."""

from __future__ import annotations

import pathlib
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "bench"))

# pylint: disable=wrong-import-position
from dns01bench import measure, progress  # noqa: E402

ALLOCATE = "import time; block = bytearray({size}); block[::4096] = b'x' * len(block[::4096]); time.sleep(0.1)"


def test_peak_memory_is_the_commands_own():
    small = measure.run([sys.executable, "-c", ALLOCATE.format(size=1)], timeout=30)
    large = measure.run([sys.executable, "-c", ALLOCATE.format(size=150 * 1024 * 1024)], timeout=30)
    assert small.ok and large.ok
    assert large.max_rss_kb >= 150 * 1024
    assert small.max_rss_kb < 100 * 1024


def test_peak_memory_is_not_the_benchmarks_own():
    # The benchmark process may be large; a command it starts must not report that size as its peak.
    ballast = bytearray(150 * 1024 * 1024)
    for offset in range(0, len(ballast), 4096):
        ballast[offset] = 1
    small = measure.run([sys.executable, "-c", ALLOCATE.format(size=1)], timeout=30)
    assert small.ok
    assert small.max_rss_kb < 100 * 1024
    del ballast


def test_peak_memory_covers_the_commands_children():
    child = ALLOCATE.format(size=120 * 1024 * 1024)
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}], check=True)"
    result = measure.run([sys.executable, "-c", parent], timeout=30)
    assert result.ok
    assert result.max_rss_kb >= 120 * 1024


def test_a_command_past_its_timeout_is_stopped():
    result = measure.run([sys.executable, "-c", "import time; print('started', flush=True); time.sleep(30)"], timeout=1)
    assert result.timed_out and not result.ok
    assert result.wall < 10
    assert result.lines[0][1] == "started"


def _alive(pid: int) -> bool:
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return False
    return state[state.rfind(")") + 2] not in "ZX"


# Like ansible-playbook's workers: a child that starts a session of its own, out of the command's process group.
ESCAPE = ("import os, subprocess, sys, time; "
          "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], start_new_session=True); "
          "print(child.pid, flush=True); time.sleep(60)")


def test_a_command_past_its_timeout_takes_its_whole_process_tree_down():
    start = time.monotonic()
    result = measure.run([sys.executable, "-c", ESCAPE], timeout=1)
    assert time.monotonic() - start < 15, "the benchmark waited on a process of the timed-out command"
    assert result.timed_out
    child = int(result.lines[0][1])
    for _attempt in range(50):
        if not _alive(child):
            break
        time.sleep(0.1)
    assert not _alive(child), "a process of the timed-out command still runs"


def test_exit_status_is_kept():
    result = measure.run([sys.executable, "-c", "raise SystemExit(3)"], timeout=30)
    assert result.returncode == 3 and not result.timed_out


def test_progress_lines_say_where_the_run_is():
    clock = iter([100.0, 165.5])
    lines: list[str] = []
    report = progress.Progress(lines.append, clock=lambda: next(clock))
    report.step("issuance", "lego N=20", 2, 3)
    assert lines == ["[  1:05] issuance: lego N=20, sample 2 of 3"]


@pytest.mark.parametrize(("seconds", "text"), [(0, "0:00"), (59.9, "0:59"), (3600, "60:00")])
def test_elapsed_is_minutes_and_seconds(seconds, text):
    assert progress.elapsed_text(seconds) == text
