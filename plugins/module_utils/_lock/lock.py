# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run locks: one renewal at a time for the same work.

This is a private module_utils file: its API may change without notice.
A lock has a name, an owner token and an expiry, so a run that dies without
releasing it blocks the next run for at most ``ttl`` seconds. Backends store
the lock; acquiring (with a bounded wait) is written once here.
"""

from __future__ import annotations

import abc
import dataclasses
import secrets

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, LockError

# Poll every half second while another run holds the lock.
POLL_SECONDS = 0.5


@dataclasses.dataclass
class Holder:
    """Who holds a lock, and until when (epoch seconds)."""

    owner: str
    expires: float


class LockBackend(abc.ABC):
    """Where locks live. Every method is atomic against other runs."""

    @abc.abstractmethod
    def try_acquire(self, name: str, owner: str, ttl: float) -> Holder | None:
        """Take the lock (or renew it when ``owner`` holds it already) and return None, or return the current holder."""

    @abc.abstractmethod
    def release(self, name: str, owner: str) -> bool:
        """Drop the lock if ``owner`` holds it; False when someone else (or no one) does."""

    @abc.abstractmethod
    def holder(self, name: str) -> Holder | None:
        """The current holder, if any."""


def new_owner() -> str:
    return secrets.token_hex(16)


def check_name(name: str) -> str:
    if not name or len(name) > 200 or any(char in name for char in "/\\\0") or name.startswith("."):
        raise InputError(f"name: {name!r} is not a usable lock name (1-200 characters, no slashes, not starting with a dot)", field="name")
    return name


def acquire(backend: LockBackend, name: str, owner: str, ttl: float, wait: float, clock: Clock) -> dict:
    """Take the lock, waiting up to ``wait`` seconds for another holder to let go."""
    deadline = Deadline(clock, wait)
    while True:
        holder = backend.try_acquire(name, owner, ttl)
        if holder is None:
            return {"name": name, "owner": owner, "waited": round(deadline.elapsed(), 3)}
        if deadline.expired():
            left = int(max(0, holder.expires - clock_time(clock)))
            raise LockError(f"lock {name!r} is held by another run (owner {holder.owner[:8]}…) for up to {left} more seconds",
                            name=name, waited=round(deadline.elapsed(), 3))
        clock.sleep(deadline.cap(POLL_SECONDS))


def clock_time(clock: Clock) -> float:
    return clock.now().timestamp()
