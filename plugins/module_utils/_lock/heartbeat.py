# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Keep a run lock alive while the run lives, and not a moment longer.

This is a private module_utils file: its API may change without notice.
The module that takes the lock exits after one task; a detached process it
forks extends the lock every ttl/3 seconds while the controlling
ansible-playbook process lives and the lock is still this owner's, and
exits otherwise. A killed run therefore holds its lock for one ttl at most,
and a long run never loses it to the expiry.
"""

from __future__ import annotations

import os
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._lock.lock import LockBackend
from ansible_collections.portable.dns01.plugins.module_utils._lock.process import Process, alive


def keep_alive(backend: LockBackend, name: str, owner: str, ttl: float, controller: Process, clock: Clock) -> str:
    """Extend the lock every ttl/3 until the controller is gone or the lock is not ours; why it stopped."""
    interval = max(ttl / 3.0, 0.2)
    while True:
        clock.sleep(interval)
        if alive(controller) is not True:
            return "controller gone"
        try:
            if not backend.extend(name, owner, ttl):
                return "lock lost"
        except Exception:  # pylint: disable=broad-exception-caught
            # A store that fails once (Redis restart) gets another chance before the lock expires.
            continue


def spawn(make_backend: t.Callable[[], LockBackend], name: str, owner: str, ttl: float, controller: Process) -> int:
    """Fork a detached keep-alive process; its pid."""
    reader, writer = os.pipe()
    first = os.fork()
    if first:
        os.close(writer)
        with os.fdopen(reader, "rb") as stream:
            data = stream.read()
        os.waitpid(first, 0)
        return int(data or 0)
    try:
        os.close(reader)
        os.setsid()
        if os.fork():
            os._exit(0)
        os.write(writer, str(os.getpid()).encode("ascii"))
        os.close(writer)
        _detach()
        keep_alive(make_backend(), name, owner, ttl, controller, Clock())
    finally:
        os._exit(0)


def _detach() -> None:
    """Let go of the module's stdin, stdout and stderr: Ansible waits until they close."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    os.closerange(3, 1024)
    os.chdir("/")
