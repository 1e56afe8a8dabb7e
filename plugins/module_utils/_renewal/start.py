# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Everything a renewal does before its first order, in one module run.

This is a private module_utils file: its API may change without notice.
The inventory is checked, then CAA and DNSSEC (the preflight module's
checks), then the directories are settled and the run lock is taken (the
run_lock module's acquire). Each step runs only when the one before it
passed, so a bad inventory or a CA that may not issue leaves nothing
created and no lock held. A module start costs a renewal more than these
steps do: one run instead of three is the point.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import Dns01Error
from ansible_collections.portable.dns01.plugins.module_utils._lock.actions import NO_CONTROLLER, run_lock_action
from ansible_collections.portable.dns01.plugins.module_utils._renewal.plan import checked, settle


def start(options: dict[str, t.Any], check_mode: bool, clock: Clock | None = None, resolver: t.Any = None,
          lock_backend: t.Any = None, controller: t.Any = NO_CONTROLLER) -> dict[str, t.Any]:
    """Check, preflight (with ``options['preflight']``), settle, lock (with ``options['lock']``).

    A failing step raises its own error with ``step`` and that step's result added, so the report
    can say where the run stopped; ``resolver``, ``lock_backend`` and ``controller`` are the seams.
    """
    clock = clock or Clock()
    plan = checked(options)
    due = bool(options["certificates"])
    preflight = _preflight(options, clock, resolver) if due and options.get("preflight") else None
    result = settle(options, check_mode, plan)
    if preflight is not None:
        result["preflight"] = preflight
    if due and options.get("lock"):
        params = {**options["lock"], "state": "acquired", "owner": None, "force": False}
        lock = _step("lock", clock, lambda: run_lock_action(params, check_mode, clock, lock_backend, controller),
                     dry_run_dir=result["dry_run_dir"], created_directories=result["created_directories"])
        result["warnings"] = lock.pop("warnings", None) or []
        result["lock"] = lock
    return result


def _preflight(options: dict[str, t.Any], clock: Clock, resolver: t.Any) -> dict[str, t.Any]:
    # Imported here: a renewal that skips the checks loads no DNS library for them.
    from ansible_collections.portable.dns01.plugins.module_utils._preflight.run import check

    names = list(dict.fromkeys(name for cert in options["certificates"] for name in cert.get("names") or []))
    return _step("preflight", clock, lambda: check({**options["preflight"], "names": names}, clock, resolver))


def _step(name: str, clock: Clock, action: t.Callable[[], dict[str, t.Any]], **on_failure: t.Any) -> dict[str, t.Any]:
    """The step's result with its ``duration``; a failure carries ``step`` and the step's failed result."""
    started = clock.monotonic()
    try:
        result = action()
    except Dns01Error as exc:
        failed = {"failed": True, "duration": round(clock.monotonic() - started, 3), **exc.result()}
        exc.details.update(step=name, **{name: failed}, **on_failure)
        raise
    result["duration"] = round(clock.monotonic() - started, 3)
    return result
