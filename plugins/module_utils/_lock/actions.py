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
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, LockError
from ansible_collections.portable.dns01.plugins.module_utils._lock import heartbeat, process
from ansible_collections.portable.dns01.plugins.module_utils._lock.lock import LockBackend, acquire, check_name, new_owner
from ansible_collections.portable.dns01.plugins.module_utils._lock.runlock import backend_for

NO_CONTROLLER = object()


def _check(params: dict[str, t.Any]) -> None:
    check_name(params["name"])
    if params["ttl"] < 3:
        raise InputError("ttl must be at least 3 seconds", field="ttl")
    if params["wait"] < 0:
        raise InputError("wait cannot be negative", field="wait")


def _report(backend: LockBackend, name: str) -> dict[str, t.Any]:
    holder = backend.holder(name)
    return {"name": name, "lock": backend.where(name), "holder": holder.report() if holder else None}


def _break(backend: LockBackend, params: dict[str, t.Any], check_mode: bool, clock: Clock) -> dict[str, t.Any]:
    name = params["name"]
    holder = backend.holder(name)
    result = {"changed": False, **_report(backend, name)}
    if holder is None:
        return result
    live = holder.alive()
    now = clock.now().timestamp()
    if not params["force"] and holder.expires > now and live is not False:
        why = "its process runs on this host" if live else "its process runs on another host and cannot be checked from here"
        raise LockError(f"lock {name!r} ({backend.where(name)}) is held by {holder.describe()}; {why}."
                        " Stop that run first, or clear the lock with force=true", name=name, lock=backend.where(name),
                        holder=holder.report())
    result["changed"] = True
    if not check_mode and not backend.remove(name, holder):
        raise LockError(f"lock {name!r} ({backend.where(name)}) changed hands while it was being cleared; look again",
                        name=name, lock=backend.where(name))
    return result


def _acquire(backend: LockBackend, params: dict[str, t.Any], clock: Clock, controller: t.Any) -> dict[str, t.Any]:
    name, ttl = params["name"], params["ttl"]
    owner = params.get("owner") or new_owner()
    run = process.controller() if controller is NO_CONTROLLER else controller
    result = {"changed": True, **acquire(backend, name, owner, ttl, params["wait"], clock, run)}
    # What runs that held this lock before journalled and never removed: the
    # holder sweeps them (dns_challenge_publish state=swept) only when there are some.
    left = [item for item in backend.journal(name).entries() if item["owner"] != owner]
    result.update(lock=backend.where(name), heartbeat=None, left_behind=len(left))
    if params["heartbeat"] and run is not None:
        result["heartbeat"] = heartbeat.spawn(lambda: backend_for(params, Clock()), name, owner, ttl, run)
    elif params["heartbeat"]:
        result["warnings"] = [f"no ansible-playbook process above this module on this host: lock {name!r} is not renewed"
                              f" and expires {ttl} seconds after it was taken (run run_lock on the controller to renew it)"]
    return result


def run_lock_action(params: dict[str, t.Any], check_mode: bool, clock: Clock, backend: LockBackend | None = None,
                    controller: t.Any = NO_CONTROLLER) -> dict[str, t.Any]:
    """``controller`` is the run's process (a test passes one); by default the ansible-playbook above this module."""
    _check(params)
    backend = backend or backend_for(params, clock)
    name, state = params["name"], params["state"]
    if state == "broken":
        return _break(backend, params, check_mode, clock)
    if check_mode:
        holder = backend.holder(name)
        mine = holder is not None and holder.owner == params.get("owner")
        return {"changed": holder is None or not mine, "held_by_other": holder is not None and not mine, **_report(backend, name)}
    if state == "released":
        return {"changed": backend.release(name, params["owner"]), "name": name, "lock": backend.where(name)}
    return _acquire(backend, params, clock, controller)
