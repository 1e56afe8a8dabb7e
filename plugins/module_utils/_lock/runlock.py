# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ``run_lock`` option of the modules that write: fence and journal.

This is a private module_utils file: its API may change without notice.
Paired with the doc fragment ``portable.dns01.run_lock``. A module given
``run_lock`` checks, before each write, that the lock is still held by
``owner`` (fencing); a run whose lock expired or was taken stops there.
"""

from __future__ import annotations

import typing as t

from ansible.module_utils.basic import env_fallback

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, LockLostError
from ansible_collections.portable.dns01.plugins.module_utils._lock.file import DEFAULT_DIRECTORY, FileLocks
from ansible_collections.portable.dns01.plugins.module_utils._lock.journal import Journal
from ansible_collections.portable.dns01.plugins.module_utils._lock.lock import LockBackend, check_name
from ansible_collections.portable.dns01.plugins.module_utils._lock.redis import RedisLocks

REDIS_URL_ENV = ["DNS01_LOCK_REDIS_URL", "DNS01_REDIS_URL"]


def acquire_options() -> dict[str, t.Any]:
    """The options that take a run lock: the run_lock module's, and renewal_plan's ``lock``."""
    return {
        "name": {"type": "str", "required": True},
        "heartbeat": {"type": "bool", "default": True},
        "backend": {"type": "str", "choices": ["redis", "file"], "default": "file"},
        "redis_url": {"type": "str", "no_log": True, "fallback": (env_fallback, REDIS_URL_ENV)},
        "directory": {"type": "path", "default": DEFAULT_DIRECTORY},
        "ttl": {"type": "int", "default": 300},
        "wait": {"type": "int", "default": 0},
    }


def run_lock_spec() -> dict[str, t.Any]:
    """The ``run_lock`` option, shared by every module that writes under the run lock."""
    return {"run_lock": {"type": "dict", "options": {
        "backend": {"type": "str", "choices": ["file", "redis"], "default": "file"},
        "name": {"type": "str", "required": True},
        "owner": {"type": "str", "required": True, "no_log": False},
        "directory": {"type": "path", "default": DEFAULT_DIRECTORY},
        "redis_url": {"type": "str", "no_log": True, "fallback": (env_fallback, REDIS_URL_ENV)},
    }}}


def backend_for(params: dict[str, t.Any], clock: Clock) -> LockBackend:
    if params.get("backend") == "redis":
        if not params.get("redis_url"):
            raise InputError("redis_url is required for backend=redis (or set DNS01_LOCK_REDIS_URL)", field="redis_url")
        return RedisLocks(params["redis_url"], clock)
    return FileLocks(params.get("directory") or DEFAULT_DIRECTORY, clock)


class RunLock:
    """The lock a call writes under: who must hold it, and the journal beside it."""

    def __init__(self, backend: LockBackend, name: str, owner: str, clock: Clock) -> None:
        self.backend = backend
        self.name = check_name(name)
        self.owner = owner
        self.clock = clock
        self._journal: Journal | None = None

    @classmethod
    def from_params(cls, params: dict[str, t.Any] | None, clock: Clock, backend: LockBackend | None = None) -> RunLock | None:
        if not params:
            return None
        if not params.get("owner"):
            raise InputError("run_lock.owner is required: pass the owner that run_lock returned", field="run_lock.owner")
        return cls(backend or backend_for(params, clock), params["name"], params["owner"], clock)

    @property
    def journal(self) -> Journal:
        if self._journal is None:
            self._journal = self.backend.journal(self.name)
        return self._journal

    def check(self) -> None:
        """Raise LockLostError unless ``owner`` holds the lock and it has not expired."""
        holder = self.backend.holder(self.name)
        now = self.clock.now().timestamp()
        if holder is not None and holder.owner == self.owner and holder.expires > now:
            return
        where = self.backend.where(self.name)
        if holder is None:
            state = "nobody holds it now (it expired or was released)"
        elif holder.owner == self.owner:
            state = "it expired"
        else:
            state = f"another run holds it: {holder.describe()}"
        raise LockLostError(f"run lock {self.name!r} ({where}) is no longer held by this run (owner {self.owner[:8]}…): {state};"
                            " stopped before writing anything more", name=self.name, lock=where,
                            holder=holder.report() if holder else None)


def fence_for(params: dict[str, t.Any] | None, clock: Clock | None = None) -> t.Callable[[], None] | None:
    """The check a module runs before each write, or None without ``run_lock``."""
    run_lock = RunLock.from_params(params, clock or Clock())
    return run_lock.check if run_lock else None
