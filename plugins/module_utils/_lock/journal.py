# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The journal of published values, kept next to the run lock.

This is a private module_utils file: its API may change without notice.
Before a provider is asked to publish a value, an entry is written durably:
owner, provider name, a non-secret identity of the endpoint, the effective
name and the value. A run that removes its values drops its entries; a run
killed before it could is swept by the next holder of the lock. One entry
per value, so adding and dropping never read-modify-write a shared record.
"""

from __future__ import annotations

import abc
import hashlib
import json
import os
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import StateError
from ansible_collections.portable.dns01.plugins.module_utils._state.files import read_json, replace_json, secure_directory
from ansible_collections.portable.dns01.plugins.module_utils._state.redis import call

FIELDS = ("owner", "provider", "type", "identity", "name", "value", "time")


def entry(owner: str, provider: str, kind: str, identity: str, name: str, value: str, time: float) -> dict[str, t.Any]:
    return {"id": entry_id(owner, identity, name, value), "owner": owner, "provider": provider, "type": kind,
            "identity": identity, "name": name, "value": value, "time": time}


def entry_id(owner: str, identity: str, name: str, value: str) -> str:
    return hashlib.sha256(json.dumps([owner, identity, name, value]).encode("utf-8")).hexdigest()[:40]


def _valid(data: t.Any) -> bool:
    return isinstance(data, dict) and all(isinstance(data.get(key), str) for key in FIELDS if key != "time")


class Journal(abc.ABC):
    """Entries of values published under a lock."""

    @abc.abstractmethod
    def add(self, entries: list[dict[str, t.Any]]) -> None:
        """Store ``entries`` durably before the values are published."""

    @abc.abstractmethod
    def drop(self, ids: list[str]) -> None:
        """Forget entries whose values are gone."""

    @abc.abstractmethod
    def entries(self) -> list[dict[str, t.Any]]:
        """Every entry, oldest first."""


class FileJournal(Journal):
    """One file per entry in a directory next to the lock file."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def _path(self, ident: str) -> str:
        return os.path.join(self.directory, f"{ident}.json")

    def add(self, entries: list[dict[str, t.Any]]) -> None:
        try:
            secure_directory(self.directory)
            for item in entries:
                replace_json(self._path(item["id"]), item)
            # The new names must survive a crash too, not only the contents.
            handle = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(handle)
            finally:
                os.close(handle)
        except OSError as exc:
            raise StateError(f"cannot write the journal in {self.directory}: {exc.strerror}", path=self.directory) from exc

    def drop(self, ids: list[str]) -> None:
        for ident in ids:
            try:
                os.unlink(self._path(ident))
            except FileNotFoundError:
                pass

    def entries(self) -> list[dict[str, t.Any]]:
        try:
            names = sorted(name for name in os.listdir(self.directory) if name.endswith(".json"))
        except FileNotFoundError:
            return []
        found = []
        for name in names:
            try:
                data = read_json(os.path.join(self.directory, name))
            except (OSError, ValueError):
                continue
            if _valid(data):
                found.append(data)
        return sorted(found, key=lambda item: (item.get("time") or 0, item["id"]))


class RedisJournal(Journal):
    """One hash field per entry, in a key next to the lock key."""

    def __init__(self, client: t.Any, key: str) -> None:
        self.client = client
        self.key = key

    def add(self, entries: list[dict[str, t.Any]]) -> None:
        if entries:
            mapping = {item["id"]: json.dumps(item, sort_keys=True) for item in entries}
            call("HSET", lambda: self.client.hset(self.key, mapping=mapping))

    def drop(self, ids: list[str]) -> None:
        if ids:
            call("HDEL", lambda: self.client.hdel(self.key, *ids))

    def entries(self) -> list[dict[str, t.Any]]:
        raw = call("HGETALL", lambda: self.client.hgetall(self.key)) or {}
        found = []
        for text in raw.values():
            try:
                data = json.loads(text)
            except ValueError:
                continue
            if _valid(data):
                found.append(data)
        return sorted(found, key=lambda item: (item.get("time") or 0, item["id"]))
