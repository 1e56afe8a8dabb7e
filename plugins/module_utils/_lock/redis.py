# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Locks in Redis, for runs on many hosts (AWX/Tower nodes, several controllers).

This is a private module_utils file: its API may change without notice.
The lock key holds the holder record (JSON) with a Redis expiry. Every change
is a Lua script that compares before it writes: take only a free key, extend
and release only when the owner matches, take over or clear only the record
that was observed. A run never drops or extends a lock another run took.
"""

from __future__ import annotations

import json
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import LockError
from ansible_collections.portable.dns01.plugins.module_utils._lock.journal import RedisJournal
from ansible_collections.portable.dns01.plugins.module_utils._lock.lock import Holder, LockBackend
from ansible_collections.portable.dns01.plugins.module_utils._lock.process import Process
from ansible_collections.portable.dns01.plugins.module_utils._state import redis as state_redis

KEY_PREFIX = state_redis.PREFIX + "lock:"
JOURNAL_PREFIX = state_redis.PREFIX + "journal:"
_OWNER = "local ok, held = pcall(cjson.decode, current) if ok and type(held) == 'table' and held.owner == ARGV[1] then"
# ARGV: owner, ttl ms, new record. Take a free key, or renew for the owner that holds it.
ACQUIRE_SCRIPT = f"""
local current = redis.call('get', KEYS[1])
if not current then
    redis.call('set', KEYS[1], ARGV[3], 'PX', ARGV[2])
    return 1
end
{_OWNER}
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
# ARGV: owner, ttl ms.
EXTEND_SCRIPT = f"""
local current = redis.call('get', KEYS[1])
if not current then return 0 end
{_OWNER}
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
# ARGV: owner.
RELEASE_SCRIPT = f"""
local current = redis.call('get', KEYS[1])
if not current then return 0 end
{_OWNER}
    return redis.call('del', KEYS[1])
end
return 0
"""
# ARGV: the record observed, ttl ms, new record ('' to clear).
REPLACE_SCRIPT = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '' then return redis.call('del', KEYS[1]) end
redis.call('set', KEYS[1], ARGV[3], 'PX', ARGV[2])
return 1
"""


class RedisLocks(LockBackend):
    def __init__(self, url: str, clock: Clock, timeout: float = 5.0, client: t.Any = None) -> None:
        self.client = client if client is not None else state_redis.connect(url, timeout)
        self.clock = clock

    def _call(self, what: str, function: t.Callable[[], t.Any]) -> t.Any:
        return state_redis.call(what, function, LockError)

    def where(self, name: str) -> str:
        return f"Redis key {KEY_PREFIX + name}"

    def journal(self, name: str) -> RedisJournal:
        return RedisJournal(self.client, JOURNAL_PREFIX + name)

    def _read(self, name: str) -> tuple[str | None, Holder | None]:
        key = KEY_PREFIX + name
        raw = self._call("GET", lambda: self.client.get(key))
        if raw is None:
            return None, None
        left_ms = self._call("PTTL", lambda: self.client.pttl(key))
        try:
            holder = Holder.load(json.loads(raw))
        except ValueError:
            holder = Holder(str(raw), 0.0)
        holder.expires = self.clock.now().timestamp() + max(0, left_ms) / 1000
        return raw, holder

    def holder(self, name: str) -> Holder | None:
        return self._read(name)[1]

    def _eval(self, script: str, name: str, *args: t.Any) -> int:
        return int(self._call("EVAL", lambda: self.client.eval(script, 1, KEY_PREFIX + name, *args)) or 0)

    def try_acquire(self, name: str, owner: str, ttl: float, process: Process | None = None) -> Holder | None:
        now = self.clock.now().timestamp()
        mine = json.dumps(Holder.of(owner, now + ttl, now, process).record(), sort_keys=True)
        if self._eval(ACQUIRE_SCRIPT, name, owner, _ms(ttl), mine):
            return None
        raw, current = self._read(name)
        if current is None:
            # Released between the two calls: one more try, then let the caller poll.
            return None if self._eval(ACQUIRE_SCRIPT, name, owner, _ms(ttl), mine) else Holder("unknown", now)
        if current.alive() is False and self._eval(REPLACE_SCRIPT, name, raw, _ms(ttl), mine):
            # The holder's process on this host is gone: take over without waiting for the expiry.
            return None
        return current

    def extend(self, name: str, owner: str, ttl: float) -> bool:
        return bool(self._eval(EXTEND_SCRIPT, name, owner, _ms(ttl)))

    def release(self, name: str, owner: str) -> bool:
        return bool(self._eval(RELEASE_SCRIPT, name, owner))

    def remove(self, name: str, observed: Holder) -> bool:
        raw, current = self._read(name)
        if current is None or current.owner != observed.owner:
            return False
        return bool(self._eval(REPLACE_SCRIPT, name, raw, 1, ""))


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))
