# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Locks in Redis, for runs on many hosts (AWX/Tower nodes, several controllers).

This is a private module_utils file: its API may change without notice.
A Lua script takes (or renews) a lock with its expiry in one step; release compares the owner
and deletes in one Lua script, so a run never drops a lock another run took
after its own expired.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DependencyError, LockError
from ansible_collections.portable.dns01.plugins.module_utils._lock.lock import Holder, LockBackend

try:
    import redis
except ImportError:
    redis = None

KEY_PREFIX = "portable.dns01:lock:"
# Take the lock, or renew it for the owner that holds it already.
ACQUIRE_SCRIPT = """
local current = redis.call('get', KEYS[1])
if current == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
if current then
    return 0
end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class RedisLocks(LockBackend):
    def __init__(self, url: str, clock: Clock, timeout: float = 5.0, client: t.Any = None) -> None:
        if client is None:
            if redis is None:
                raise DependencyError("redis")
            client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True)
        self.client = client
        self.clock = clock

    def _call(self, what: str, function: t.Callable[[], t.Any]) -> t.Any:
        try:
            return function()
        except Exception as exc:  # redis raises many types; all mean the lock store is unusable
            raise LockError(f"Redis {what} failed: {type(exc).__name__}: {exc}") from exc

    def try_acquire(self, name: str, owner: str, ttl: float) -> Holder | None:
        key = KEY_PREFIX + name
        taken = self._call("EVAL", lambda: self.client.eval(ACQUIRE_SCRIPT, 1, key, owner, max(1, int(ttl * 1000))))
        return None if taken else (self.holder(name) or Holder("unknown", self.clock.now().timestamp()))

    def holder(self, name: str) -> Holder | None:
        key = KEY_PREFIX + name
        owner = self._call("GET", lambda: self.client.get(key))
        if owner is None:
            return None
        left_ms = self._call("PTTL", lambda: self.client.pttl(key))
        return Holder(str(owner), self.clock.now().timestamp() + max(0, left_ms) / 1000)

    def release(self, name: str, owner: str) -> bool:
        deleted = self._call("EVAL", lambda: self.client.eval(RELEASE_SCRIPT, 1, KEY_PREFIX + name, owner))
        return bool(deleted)
