# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Small records by key, changed atomically: in memory, in a JSON file, in Redis.

This is a private module_utils file: its API may change without notice.
``update(key, change)`` reads a record, lets ``change`` compute the next one
(None deletes it) and writes it, with no other process changing the record
in between: ``flock`` for the file, WATCH/MULTI for Redis.
"""

from __future__ import annotations

import abc
import json
import os
import threading
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._state.files import mutex, read_json, replace_json

Record = t.Dict[str, t.Any]
Change = t.Callable[[t.Optional[Record]], t.Optional[Record]]


class Store(abc.ABC):
    @abc.abstractmethod
    def get(self, key: str) -> Record | None:
        """The record at ``key``."""

    @abc.abstractmethod
    def update(self, key: str, change: Change) -> Record | None:
        """Apply ``change`` atomically; the record written (None when deleted)."""


class MemoryStore(Store):
    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self.lock = threading.Lock()

    def get(self, key: str) -> Record | None:
        with self.lock:
            record = self.records.get(key)
            return dict(record) if record else None

    def update(self, key: str, change: Change) -> Record | None:
        with self.lock:
            current = self.records.get(key)
            new = change(dict(current) if current else None)
            if new is None:
                self.records.pop(key, None)
            else:
                self.records[key] = dict(new)
            return new


class Overlay(Store):
    """Reads through to ``base``; changes stay in memory (check mode writes nothing)."""

    def __init__(self, base: Store) -> None:
        self.base = base
        self.local = MemoryStore()
        self.seen: set[str] = set()

    def _load(self, key: str) -> None:
        if key not in self.seen:
            record = self.base.get(key)
            self.seen.add(key)
            if record is not None:
                self.local.update(key, lambda _old: record)

    def get(self, key: str) -> Record | None:
        self._load(key)
        return self.local.get(key)

    def update(self, key: str, change: Change) -> Record | None:
        self._load(key)
        return self.local.update(key, change)


class JsonFileStore(Store):
    """Every record in one JSON file (``{"version": 2, "providers": {key: record}}``), changed under flock."""

    def __init__(self, path: str) -> None:
        self.path = path

    def _read(self) -> dict[str, Record]:
        try:
            data = read_json(self.path)
        except (OSError, ValueError):
            # A broken file means nothing is known: the breaker is an optimisation, not a gate.
            return {}
        records = data.get("providers") if isinstance(data, dict) else None
        return {key: value for key, value in (records or {}).items() if isinstance(value, dict)}

    def get(self, key: str) -> Record | None:
        return self._read().get(key)

    def update(self, key: str, change: Change) -> Record | None:
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), mode=0o700, exist_ok=True)
        with mutex(f"{self.path}.lock"):
            records = self._read()
            new = change(records.get(key))
            if new is None and key not in records:
                return None
            if new is None:
                records.pop(key)
            else:
                records[key] = new
            replace_json(self.path, {"version": 2, "providers": records})
            return new


class RedisStore(Store):
    """One key per record, changed in a WATCH/MULTI transaction; records expire after ``expire`` seconds."""

    def __init__(self, client: t.Any, prefix: str, expire: int = 86400) -> None:
        self.client = client
        self.prefix = prefix
        self.expire = expire

    def get(self, key: str) -> Record | None:
        raw = self.client.get(self.prefix + key)
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def update(self, key: str, change: Change) -> Record | None:
        name = self.prefix + key
        written: list[Record | None] = [None]

        def transaction(pipe: t.Any) -> None:
            raw = pipe.get(name)
            try:
                current = json.loads(raw) if raw else None
            except ValueError:
                current = None
            new = change(current)
            written[0] = new
            pipe.multi()
            if new is None:
                pipe.delete(name)
            else:
                pipe.set(name, json.dumps(new, sort_keys=True), ex=self.expire)

        self.client.transaction(transaction, name)
        return written[0]
