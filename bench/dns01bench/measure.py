# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run one command and measure it: wall time, and CPU time of its whole process tree.

CPU time comes from ``getrusage(RUSAGE_CHILDREN)`` before and after the
command: it sums user and system time of every descendant that was waited
for, which covers ansible-playbook's workers and module processes. Commands
run one at a time, so the difference belongs to the command alone. Peak
memory is the ``ru_maxrss`` that ``wait4`` reports for the command: the
largest resident set of the command or of any descendant it waited for.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import typing as t


@dataclasses.dataclass
class Run:
    """What one command cost and printed."""

    argv: list[str]
    returncode: int
    wall: float
    cpu_user: float
    cpu_sys: float
    timed_out: bool
    lines: list[tuple[float, str]]
    max_rss_kb: int = 0

    @property
    def cpu(self) -> float:
        return self.cpu_user + self.cpu_sys

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def tail(self, count: int = 15) -> str:
        return "\n".join(line for _stamp, line in self.lines[-count:])


def _children_cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def _collect(stream: t.IO[str], start: float, lines: list[tuple[float, str]]) -> None:
    """Each output line with the seconds since start at which it arrived."""
    for line in stream:
        lines.append((time.monotonic() - start, line.rstrip("\n")))


def _descendants(root: int) -> list[int]:
    """Every process below ``root``, parents before their children, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        children.setdefault(int(stat[stat.rfind(")") + 2:].split()[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(0), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_tree(root: int) -> None:
    """SIGKILL ``root`` and every process below it.

    A process group is not enough: ansible-playbook's workers start sessions
    of their own, and a module they run would go on working (and keep the
    command's output open) after its playbook was killed. The tree is stopped
    first, since a killed parent would orphan its children out of reach, then
    killed from the leaves up.
    """
    frozen: list[int] = []
    while True:
        new = [pid for pid in [root, *_descendants(root)] if pid not in frozen]
        if not new:
            break
        for pid in new:
            _signal(pid, signal.SIGSTOP)
        frozen += new
    for pid in reversed(frozen):
        _signal(pid, signal.SIGKILL)
    try:
        os.killpg(root, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _stop(process: subprocess.Popen) -> None:
    """End the command and everything it started, and reap it."""
    _kill_tree(process.pid)
    process.wait()


def _wait(process: subprocess.Popen, timeout: float) -> tuple[bool, int]:
    """Reap the command with ``wait4``: whether it had to be stopped at ``timeout``, and its peak RSS (KiB)."""
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        _kill_tree(process.pid)

    timer = threading.Timer(timeout, expire)
    timer.daemon = True
    timer.start()
    try:
        _pid, status, usage = os.wait4(process.pid, 0)
    except BaseException:
        # Interrupted (SIGTERM from scripts/bench.sh's timeout): take the command down too.
        _stop(process)
        raise
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    return expired.is_set(), usage.ru_maxrss


# A forked (or vforked) child counts its parent's resident memory as its own
# peak until it execs, so a command started from this process would report
# at least the benchmark's own size. A small launcher starts the command and
# reports the command's own peak, as wait4 sees it, through a file.
LAUNCHER = """
import os, sys
path, argv = sys.argv[1], sys.argv[2:]
pid = os.posix_spawnp(argv[0], argv, os.environ)
_pid, status, usage = os.wait4(pid, 0)
with open(path, "w", encoding="ascii") as handle:
    handle.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _command_peak(path: str, fallback: int) -> int:
    try:
        with open(path, encoding="ascii") as handle:
            return int(handle.read().strip() or fallback)
    except (OSError, ValueError):
        return fallback


def run(argv: list[str], timeout: float, env: dict[str, str] | None = None, cwd: str | None = None,
        log_path: str | None = None) -> Run:
    """Run ``argv`` to completion or ``timeout``; stdout and stderr are merged."""
    before = _children_cpu()
    start = time.monotonic()
    lines: list[tuple[float, str]] = []
    with tempfile.TemporaryDirectory(prefix="dns01bench-rss-") as scratch:
        peak_file = os.path.join(scratch, "peak")
        with subprocess.Popen([sys.executable, "-c", LAUNCHER, peak_file, *argv], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env, cwd=cwd,
                              start_new_session=True) as process:
            reader = threading.Thread(target=_collect, args=(process.stdout, start, lines), daemon=True)
            reader.start()
            timed_out, launcher_rss_kb = _wait(process, timeout)
            max_rss_kb = _command_peak(peak_file, launcher_rss_kb)
            wall = time.monotonic() - start
            reader.join(timeout=5)
    after = _children_cpu()
    result = Run(list(argv), process.returncode, wall, after[0] - before[0], after[1] - before[1], timed_out, lines, max_rss_kb)
    if log_path:
        write_log(log_path, result)
    return result


def write_log(path: str, result: Run) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"$ {' '.join(result.argv)}\n")
        handle.writelines(f"[{stamp:8.3f}] {line}\n" for stamp, line in result.lines)
        handle.write(f"# rc={result.returncode} timed_out={result.timed_out} wall={result.wall:.3f} cpu={result.cpu:.3f}"
                     f" max_rss={result.max_rss_kb} KiB\n\n")
