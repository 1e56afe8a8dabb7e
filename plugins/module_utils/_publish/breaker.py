# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A circuit breaker per provider endpoint, shared by calls through a state file or Redis.

This is a private module_utils file: its API may change without notice.
Closed: failures in a row are counted (a streak older than one cool-down is
forgotten). Open: after ``threshold`` failures the endpoint is skipped until
its cool-down ends. Half-open: then one call claims a trial; the others keep
skipping it. The trial's success closes the breaker; its failure opens it for
a new cool-down; a trial that never reports back is given up after one
cool-down. Every change is one atomic read-modify-write of the shared store,
so concurrent failures all count. Times are wall clock seconds because the
state outlives the process. A store that cannot be used is replaced by memory.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._state.store import JsonFileStore, MemoryStore, Overlay, Record, Store

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


def default_state_file(project: str | None = None) -> str:
    """Per project, under the user's cache directory: ``project`` is the playbook's directory (or this one)."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    digest = hashlib.sha256(os.path.abspath(project or os.getcwd()).encode("utf-8")).hexdigest()[:16]
    return os.path.join(cache, "portable.dns01", "breaker", f"{digest}.json")


class Breaker:
    """Counts consecutive failures per endpoint; ``threshold`` 0 disables it.

    ``aliases`` maps the keys callers use (``type:name``) to what identifies the
    endpoint, so two inventories that both call a provider "primary" stay apart.
    ``read_only`` (check mode) keeps every change in memory.
    """

    def __init__(self, clock: Clock, threshold: int = 3, cooldown: float = 300.0, path: str | None = None,
                 store: Store | None = None, aliases: dict[str, str] | None = None, read_only: bool = False) -> None:
        self.clock = clock
        self.threshold = threshold
        self.cooldown = cooldown
        self.path = path
        base = store or (JsonFileStore(path) if path else MemoryStore())
        self.store: Store = Overlay(base) if read_only else base
        self.aliases = aliases or {}

    def is_open(self, key: str) -> bool:
        """False when a call may go to this endpoint now; claims the one trial of a half-open breaker."""
        if not self.threshold:
            return False
        now = self._now()
        entry = self._get(key)
        if entry is None or entry.get("state", CLOSED) == CLOSED:
            return False
        if entry.get("until", 0) > now:
            return True
        token = secrets.token_hex(8)
        claimed = self._update(key, lambda current: _claim(current, now, self.cooldown, token))
        return (claimed or {}).get("trial") != token

    def open_until(self, key: str) -> float:
        return float((self._get(key) or {}).get("until", 0.0))

    def success(self, key: str) -> None:
        if self.threshold and self._get(key) is not None:
            self._update(key, lambda _current: None)

    def failure(self, key: str) -> None:
        if not self.threshold:
            return
        now = self._now()
        self._update(key, lambda current: _failed(current, now, self.threshold, self.cooldown))

    def _key(self, key: str) -> str:
        return self.aliases.get(key, key)

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def _get(self, key: str) -> Record | None:
        try:
            return self.store.get(self._key(key))
        except Exception:  # pylint: disable=broad-exception-caught
            return self._fall_back().get(self._key(key))

    def _update(self, key: str, change: t.Callable[[Record | None], Record | None]) -> Record | None:
        try:
            return self.store.update(self._key(key), change)
        except Exception:  # pylint: disable=broad-exception-caught
            # The breaker is an optimisation: an unusable store must not fail a publish.
            return self._fall_back().update(self._key(key), change)

    def _fall_back(self) -> Store:
        if not isinstance(self.store, MemoryStore):
            self.store = MemoryStore()
        return self.store


def _failed(current: Record | None, now: float, threshold: int, cooldown: float) -> Record:
    entry = dict(current or {})
    if entry.get("state", CLOSED) == CLOSED and entry.get("updated", now) + cooldown < now:
        entry["failures"] = 0
    entry["failures"] = int(entry.get("failures", 0)) + 1
    entry["updated"] = now
    if entry.get("state") == HALF_OPEN or entry.get("state") == OPEN or entry["failures"] >= threshold:
        entry.update(state=OPEN, until=now + cooldown)
    else:
        entry["state"] = CLOSED
    entry.pop("trial", None)
    return entry


def _claim(current: Record | None, now: float, cooldown: float, token: str) -> Record | None:
    """Open and past its cool-down (or a trial gone silent): become half-open, with this call as the trial."""
    if current is None or current.get("state", CLOSED) == CLOSED or current.get("until", 0) > now:
        return current
    return {**current, "state": HALF_OPEN, "until": now + cooldown, "trial": token}
