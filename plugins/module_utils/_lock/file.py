# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Locks as files in a directory, for runs on one host.

This is a private module_utils file: its API may change without notice.
A lock is a file created with O_EXCL; an expired one is taken over through an
atomic rename, so two runs racing for a stale lock cannot both win.
"""

from __future__ import annotations

import json
import os

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import LockError
from ansible_collections.portable.dns01.plugins.module_utils._lock.lock import Holder, LockBackend


class FileLocks(LockBackend):
    def __init__(self, directory: str, clock: Clock) -> None:
        self.directory = directory
        self.clock = clock

    def _path(self, name: str) -> str:
        return os.path.join(self.directory, f"{name}.lock")

    def _create(self, path: str, holder: Holder) -> bool:
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        except OSError as exc:
            raise LockError(f"cannot create lock file {path}: {exc.strerror}", path=path) from exc
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(dataclass_dict(holder), stream)
        return True

    def holder(self, name: str) -> Holder | None:
        try:
            with open(self._path(name), encoding="utf-8") as stream:
                data = json.load(stream)
            return Holder(str(data["owner"]), float(data["expires"]))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            # A torn or foreign file: treat it as expired so it cannot block forever.
            return Holder("unreadable", 0.0)

    def try_acquire(self, name: str, owner: str, ttl: float) -> Holder | None:
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        path = self._path(name)
        mine = Holder(owner, self.clock.now().timestamp() + ttl)
        if self._create(path, mine):
            return None
        current = self.holder(name)
        if current is not None and current.owner == owner:
            return self._renew(path, mine)
        if current is not None and current.expires > self.clock.now().timestamp():
            return current
        return self._take_over(name, mine)

    def _renew(self, path: str, mine: Holder) -> None:
        temporary = f"{path}.renew.{mine.owner}"
        with open(temporary, "w", encoding="utf-8") as stream:
            json.dump(dataclass_dict(mine), stream)
        os.replace(temporary, path)

    def _take_over(self, name: str, mine: Holder) -> Holder | None:
        """Move the stale file aside under a unique name; only one racer's rename succeeds."""
        path = self._path(name)
        stale = f"{path}.stale.{mine.owner}"
        try:
            os.rename(path, stale)
        except FileNotFoundError:
            pass
        else:
            os.unlink(stale)
        return None if self._create(path, mine) else self.holder(name)

    def release(self, name: str, owner: str) -> bool:
        current = self.holder(name)
        if current is None or current.owner != owner:
            return False
        os.unlink(self._path(name))
        return True


def dataclass_dict(holder: Holder) -> dict:
    return {"owner": holder.owner, "expires": holder.expires}
