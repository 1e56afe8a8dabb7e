# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which process a lock belongs to, and whether it still lives.

This is a private module_utils file: its API may change without notice.
A module lives for one task; the run it belongs to is the ansible-playbook
process above it. A process is named by host, boot id, pid and start time
(in clock ticks since boot), so a reused pid or a reboot reads as dead.
"""

from __future__ import annotations

import dataclasses
import os
import socket

CONTROLLERS = ("ansible-playbook", "ansible")


@dataclasses.dataclass(frozen=True)
class Process:
    host: str
    pid: int
    started: str
    boot_id: str


def boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as stream:
            return stream.read().strip()
    except OSError:
        return ""


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (which may hold spaces)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as stream:
            text = stream.read()
    except OSError:
        return None
    return text[text.rfind(")") + 2:].split()


def start_time(pid: int) -> str | None:
    """When ``pid`` started; None when there is no such process or it died and only waits to be reaped."""
    fields = _stat(pid)
    if not fields or len(fields) <= 19 or fields[0] in ("Z", "X"):
        return None
    # Field 22 of stat(5); the list starts at field 3 (state).
    return fields[19]


def parent(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[1]) if fields else 0


def _is_controller(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            argv = [os.path.basename(arg.decode("utf-8", "replace")) for arg in stream.read().split(b"\0")[:3]]
    except OSError:
        return False
    return any(arg in CONTROLLERS for arg in argv)


def describe(pid: int) -> Process | None:
    started = start_time(pid)
    if started is None:
        return None
    return Process(socket.gethostname(), pid, started, boot_id())


def controller(start: int | None = None) -> Process | None:
    """The outermost ansible-playbook (or ansible) process above ``start``; None when there is none on this host.

    Outermost: the task's worker is a fork of ansible-playbook with the same command line, and it exits with the task.
    """
    pid, found = start or os.getpid(), 0
    while pid > 1:
        if _is_controller(pid):
            found = pid
        pid = parent(pid)
    return describe(found) if found else None


def working_directory(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return None


def alive(process: Process) -> bool | None:
    """True or False for a process of this host; None when it ran elsewhere and cannot be checked."""
    if not process.host or process.host != socket.gethostname() or not process.pid:
        return None
    if process.boot_id and process.boot_id != boot_id():
        return False
    return start_time(process.pid) == process.started
