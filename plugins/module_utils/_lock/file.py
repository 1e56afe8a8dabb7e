# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Locks as files in a directory, for runs on one host.

This is a private module_utils file: its API may change without notice.
Every change of a lock (take, renew, take over, release, clear) runs under
``flock`` on a side file, so two runs never both decide the lock is theirs;
the lock file itself is written whole to a temporary file and linked or
renamed into place, so a reader never finds it empty or torn.
"""

from __future__ import annotations

import os
import secrets

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import LockError, StateError
from ansible_collections.portable.dns01.plugins.module_utils._lock.journal import FileJournal
from ansible_collections.portable.dns01.plugins.module_utils._lock.lock import Holder, LockBackend
from ansible_collections.portable.dns01.plugins.module_utils._lock.process import Process
from ansible_collections.portable.dns01.plugins.module_utils._state.files import (
    create_json,
    mutex,
    read_json,
    replace_json,
    secure_directory,
)

# Root-owned and kept across reboots, unlike /var/lock (a tmpfs every user can write).
DEFAULT_DIRECTORY = "/var/lib/portable-dns01/locks"


class FileLocks(LockBackend):
    def __init__(self, directory: str, clock: Clock) -> None:
        self.directory = directory
        self.clock = clock

    def _path(self, name: str) -> str:
        return os.path.join(self.directory, f"{name}.lock")

    def _mutex(self, name: str) -> str:
        return os.path.join(self.directory, f".{name}.mutex")

    def _ready(self) -> None:
        try:
            secure_directory(self.directory)
        except StateError as exc:
            raise LockError(exc.msg, **exc.details) from exc

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def where(self, name: str) -> str:
        return f"lock file {self._path(name)}"

    def journal(self, name: str) -> FileJournal:
        self._ready()
        return FileJournal(os.path.join(self.directory, f"{name}.journal"))

    def holder(self, name: str) -> Holder | None:
        try:
            data = read_json(self._path(name))
            return None if data is None else Holder.load(data)
        except ValueError:
            # Written whole, so only a foreign file reads badly: treat it as expired so it cannot block forever.
            return Holder("unreadable", 0.0)
        except OSError as exc:
            raise LockError(f"cannot read {self.where(name)}: {exc.strerror}", lock=self._path(name)) from exc

    def try_acquire(self, name: str, owner: str, ttl: float, process: Process | None = None) -> Holder | None:
        self._ready()
        now = self._now()
        with mutex(self._mutex(name)):
            current = self.holder(name)
            if current is not None and current.owner == owner:
                replace_json(self._path(name), {**current.record(), "expires": now + ttl})
                return None
            if current is not None and not current.stale(now):
                return current
            mine = Holder.of(owner, now + ttl, now, process)
            if current is not None and not self._discard(name, current):
                return self.holder(name)
            return None if create_json(self._path(name), mine.record()) else self.holder(name)

    def _discard(self, name: str, observed: Holder) -> bool:
        """Move the observed lock file aside under a unique name, and keep it out only if it is the one observed."""
        path = self._path(name)
        aside = f"{path}.stale.{secrets.token_hex(8)}"
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            return True
        try:
            moved = Holder.load(read_json(aside))
        except ValueError:
            moved = Holder("unreadable", 0.0)
        if moved != observed:
            # Another run's fresh lock: put it back (link never overwrites) and let it stand.
            try:
                os.link(aside, path)
            except FileExistsError:
                pass
            os.unlink(aside)
            return False
        os.unlink(aside)
        return True

    def extend(self, name: str, owner: str, ttl: float) -> bool:
        self._ready()
        now = self._now()
        with mutex(self._mutex(name)):
            current = self.holder(name)
            if current is None or current.owner != owner or current.expires <= now:
                return False
            replace_json(self._path(name), {**current.record(), "expires": now + ttl})
            return True

    def release(self, name: str, owner: str) -> bool:
        self._ready()
        with mutex(self._mutex(name)):
            current = self.holder(name)
            if current is None or current.owner != owner:
                return False
            return self._discard(name, current)

    def remove(self, name: str, observed: Holder) -> bool:
        self._ready()
        with mutex(self._mutex(name)):
            if self.holder(name) != observed:
                return False
            return self._discard(name, observed)
