# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A circuit breaker per provider, shared by the calls of one run through a state file.

This is a private module_utils file: its API may change without notice.
A provider that failed ``threshold`` times in a row is skipped until its
cool-down ends; then one call may try it again (half-open): success closes
the breaker, another failure opens it for a new cool-down. Times are wall
clock seconds because the file outlives the process.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock


def default_state_file() -> str:
    """Under the user's cache directory, which outlives Ansible's per-task temp dirs."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "portable.dns01", "breaker.json")


class Breaker:
    """Counts consecutive failures per provider key; ``threshold`` 0 disables it."""

    def __init__(self, clock: Clock, threshold: int = 3, cooldown: float = 300.0, path: str | None = None) -> None:
        self.clock = clock
        self.threshold = threshold
        self.cooldown = cooldown
        self.path = path
        self.lock = threading.Lock()
        self.state: dict[str, dict[str, float]] = self._load()

    def is_open(self, key: str) -> bool:
        entry = self.state.get(key)
        return bool(self.threshold and entry and entry.get("open_until", 0) > self._now())

    def open_until(self, key: str) -> float:
        return self.state.get(key, {}).get("open_until", 0.0)

    def success(self, key: str) -> None:
        with self.lock:
            if self.state.pop(key, None) is not None:
                self._save(key)

    def failure(self, key: str) -> None:
        if not self.threshold:
            return
        with self.lock:
            entry = self.state.setdefault(key, {"failures": 0, "open_until": 0.0})
            entry["failures"] += 1
            entry["updated"] = self._now()
            if entry["failures"] >= self.threshold:
                entry["open_until"] = self._now() + self.cooldown
            self._save(key)

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def _load(self) -> dict[str, dict[str, float]]:
        if not self.path:
            return {}
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            # A missing or broken state file means no provider is known to be down.
            return {}
        return self._fresh(data.get("providers", {}) if isinstance(data, dict) else {})

    def _fresh(self, entries: dict[str, t.Any]) -> dict[str, dict[str, float]]:
        """Entries not yet expired: an old failure streak is forgotten after one cool-down."""
        now = self._now()
        return {key: entry for key, entry in entries.items()
                if isinstance(entry, dict) and max(entry.get("open_until", 0), entry.get("updated", 0) + self.cooldown) > now}

    def _save(self, key: str) -> None:
        """Write this key's entry into the file, keeping other runs' entries (atomic replace)."""
        if not self.path:
            return
        merged = self._load()
        if key in self.state:
            merged[key] = self.state[key]
        else:
            merged.pop(key, None)
        _write_atomic(self.path, {"version": 1, "providers": merged})


def _write_atomic(path: str, data: dict[str, t.Any]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".breaker-", dir=directory)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=1, sort_keys=True)
        os.replace(temp, path)
    except OSError:
        # The breaker is an optimisation: a read-only cache must not fail a publish.
        pass
