# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the run_lock module does with its parameters.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._lock.file import FileLocks
from ansible_collections.portable.dns01.plugins.module_utils._lock.lock import LockBackend, acquire, check_name, new_owner
from ansible_collections.portable.dns01.plugins.module_utils._lock.redis import RedisLocks


def backend_for(params: dict[str, t.Any], clock: Clock) -> LockBackend:
    if params["backend"] == "redis":
        return RedisLocks(params["redis_url"], clock)
    return FileLocks(params["directory"], clock)


def _check(params: dict[str, t.Any]) -> None:
    check_name(params["name"])
    if params["ttl"] < 1:
        raise InputError("ttl must be at least 1 second", field="ttl")
    if params["wait"] < 0:
        raise InputError("wait cannot be negative", field="wait")


def run_lock_action(params: dict[str, t.Any], check_mode: bool, clock: Clock, backend: LockBackend | None = None) -> dict[str, t.Any]:
    _check(params)
    backend = backend or backend_for(params, clock)
    name = params["name"]
    if check_mode:
        holder = backend.holder(name)
        mine = holder is not None and holder.owner == params.get("owner")
        return {"changed": holder is None or not mine, "name": name, "held_by_other": holder is not None and not mine}
    if params["state"] == "released":
        return {"changed": backend.release(name, params["owner"]), "name": name}
    owner = params.get("owner") or new_owner()
    result = acquire(backend, name, owner, params["ttl"], params["wait"], clock)
    return {"changed": True, **result}
