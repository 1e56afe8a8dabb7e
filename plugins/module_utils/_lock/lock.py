# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run locks: one renewal at a time for the same work.

This is a private module_utils file: its API may change without notice.
A lock has a name, an owner token, an expiry and the process that holds it
(host, pid, start time, boot id). A lock whose expiry passed, or whose
holder process on this host is gone, is taken over. Backends store the lock
and make every change atomic; acquiring with a bounded wait is written once here.
"""

from __future__ import annotations

import abc
import dataclasses
import datetime
import secrets
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, LockError
from ansible_collections.portable.dns01.plugins.module_utils._lock.journal import Journal
from ansible_collections.portable.dns01.plugins.module_utils._lock.process import Process, alive

# Poll every half second while another run holds the lock.
POLL_SECONDS = 0.5


@dataclasses.dataclass
class Holder:
    """Who holds a lock, until when (epoch seconds), since when, and from which process."""

    owner: str
    expires: float
    since: float = 0.0
    host: str = ""
    pid: int = 0
    started: str = ""
    boot_id: str = ""

    @classmethod
    def of(cls, owner: str, expires: float, since: float, process: Process | None) -> Holder:
        if process is None:
            return cls(owner, expires, since)
        return cls(owner, expires, since, process.host, process.pid, process.started, process.boot_id)

    @classmethod
    def load(cls, data: t.Any) -> Holder:
        """From a stored record; ValueError when it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("owner"), str):
            raise ValueError("not a lock record")
        try:
            return cls(data["owner"], float(data["expires"]), float(data.get("since") or 0), str(data.get("host") or ""),
                       int(data.get("pid") or 0), str(data.get("started") or ""), str(data.get("boot_id") or ""))
        except (KeyError, TypeError) as exc:
            raise ValueError("not a lock record") from exc

    def record(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)

    def process(self) -> Process:
        return Process(self.host, self.pid, self.started, self.boot_id)

    def alive(self) -> bool | None:
        """Whether the holding process lives: None when it is on another host or unknown."""
        return alive(self.process())

    def stale(self, now: float) -> bool:
        """Expired, or held by a process of this host that is gone."""
        return self.expires <= now or self.alive() is False

    def describe(self) -> str:
        where = f" by pid {self.pid} on {self.host}" if self.host else ""
        since = f" since {_iso(self.since)}" if self.since else ""
        return f"owner {self.owner[:8]}…{where}{since}, until {_iso(self.expires)}"

    def report(self) -> dict[str, t.Any]:
        """What results show: never the whole owner token (it lets a run release the lock)."""
        return {"owner": self.owner[:8], "host": self.host or None, "pid": self.pid or None,
                "since": _iso(self.since) if self.since else None, "expires": _iso(self.expires), "alive": self.alive()}


class LockBackend(abc.ABC):
    """Where locks live. Every method is atomic against other runs."""

    @abc.abstractmethod
    def where(self, name: str) -> str:
        """The lock file path or Redis key, for messages."""

    @abc.abstractmethod
    def try_acquire(self, name: str, owner: str, ttl: float, process: Process | None = None) -> Holder | None:
        """Take the lock (or renew it when ``owner`` holds it already) and return None, or return the current holder."""

    @abc.abstractmethod
    def extend(self, name: str, owner: str, ttl: float) -> bool:
        """Push the expiry of a lock ``owner`` holds and that has not expired; False otherwise."""

    @abc.abstractmethod
    def release(self, name: str, owner: str) -> bool:
        """Drop the lock if ``owner`` holds it; False when someone else (or no one) does."""

    @abc.abstractmethod
    def holder(self, name: str) -> Holder | None:
        """The current holder, if any."""

    @abc.abstractmethod
    def remove(self, name: str, observed: Holder) -> bool:
        """Drop the lock only while ``observed`` still holds it (clearing a lock by hand)."""

    @abc.abstractmethod
    def journal(self, name: str) -> Journal:
        """The journal of values published under lock ``name``, stored beside it."""


def new_owner() -> str:
    return secrets.token_hex(16)


def check_name(name: str) -> str:
    if not name or len(name) > 200 or any(char in name for char in "/\\\0") or name.startswith("."):
        raise InputError(f"name: {name!r} is not a usable lock name (1-200 characters, no slashes, not starting with a dot)", field="name")
    return name


def acquire(backend: LockBackend, name: str, owner: str, ttl: float, wait: float, clock: Clock,
            process: Process | None = None) -> dict:
    """Take the lock, waiting up to ``wait`` seconds for another holder to let go."""
    deadline = Deadline(clock, wait)
    while True:
        holder = backend.try_acquire(name, owner, ttl, process)
        if holder is None:
            return {"name": name, "owner": owner, "waited": round(deadline.elapsed(), 3)}
        if deadline.expired():
            left = int(max(0, holder.expires - clock_time(clock)))
            raise LockError(f"lock {name!r} ({backend.where(name)}) is held by another run: {holder.describe()},"
                            f" for up to {left} more seconds", name=name, lock=backend.where(name),
                            holder=holder.report(), waited=round(deadline.elapsed(), 3))
        clock.sleep(deadline.cap(POLL_SECONDS))


def clock_time(clock: Clock) -> float:
    return clock.now().timestamp()


def _iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).isoformat(timespec="seconds")
