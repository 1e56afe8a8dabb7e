# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run locks against the lab's Redis."""

from __future__ import annotations

import uuid

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import LockError
from ansible_collections.portable.dns01.plugins.module_utils._lock.lock import acquire
from ansible_collections.portable.dns01.plugins.module_utils._lock.redis import RedisLocks


@pytest.fixture
def locks(lab_config):
    return RedisLocks(lab_config["LAB_REDIS_URL"], Clock())


@pytest.fixture
def name():
    return f"test-{uuid.uuid4().hex}"


def test_one_owner_at_a_time_and_release_by_owner_only(locks, name):
    assert locks.try_acquire(name, "a", 30) is None
    assert locks.try_acquire(name, "b", 30).owner == "a"
    assert not locks.release(name, "b")
    assert locks.release(name, "a")
    assert locks.try_acquire(name, "b", 30) is None
    locks.release(name, "b")


def test_lock_expires_in_redis(locks, name):
    assert locks.try_acquire(name, "a", 0.2) is None
    result = acquire(locks, name, "b", 30, wait=3, clock=Clock())
    assert result["owner"] == "b"
    locks.release(name, "b")


def test_same_owner_renews(locks, name):
    locks.try_acquire(name, "a", 1)
    assert locks.try_acquire(name, "a", 60) is None
    assert locks.holder(name).expires - Clock().now().timestamp() > 30
    locks.release(name, "a")


def test_unreachable_redis_is_a_lock_error():
    locks = RedisLocks("redis://127.0.0.1:1/0", Clock(), timeout=0.5)
    with pytest.raises(LockError, match="Redis"):
        locks.try_acquire("x", "a", 10)
