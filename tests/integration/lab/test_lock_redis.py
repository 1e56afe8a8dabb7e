# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run locks against the lab's Redis."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import typing as t
import uuid

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import LockError, LockLostError
from ansible_collections.portable.dns01.plugins.module_utils._lock import process
from ansible_collections.portable.dns01.plugins.module_utils._lock.journal import entry
from ansible_collections.portable.dns01.plugins.module_utils._lock.lock import acquire
from ansible_collections.portable.dns01.plugins.module_utils._lock.redis import RedisLocks
from ansible_collections.portable.dns01.plugins.module_utils._lock.runlock import RunLock


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


def test_holder_record_names_the_process_and_errors_name_the_key(locks, name):
    me = process.describe(os.getpid())
    assert locks.try_acquire(name, "a" * 32, 30, me) is None
    holder = locks.holder(name)
    assert (holder.host, holder.pid, holder.started) == (me.host, me.pid, me.started)
    with pytest.raises(LockError, match=f"Redis key portable.dns01:lock:{name}.*by pid {me.pid}"):
        acquire(locks, name, "b", 30, wait=0, clock=Clock())
    locks.release(name, "a" * 32)


def test_dead_holder_on_this_host_is_taken_over_at_once(locks, name):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    locks.try_acquire(name, "a", 3600, process.describe(child.pid))
    assert locks.try_acquire(name, "b", 30).owner == "a"
    child.kill()
    child.wait()
    assert locks.try_acquire(name, "b", 30) is None
    assert locks.holder(name).owner == "b"
    locks.release(name, "b")


def test_extend_and_remove_compare_before_they_write(locks, name):
    locks.try_acquire(name, "a", 2)
    assert not locks.extend(name, "b", 60)
    assert locks.extend(name, "a", 60)
    assert locks.holder(name).expires - Clock().now().timestamp() > 30
    stale = locks.holder(name)
    locks.release(name, "a")
    locks.try_acquire(name, "c", 30)
    # Clearing what was observed earlier must not drop the lock another run took since.
    assert not locks.remove(name, stale)
    assert locks.remove(name, locks.holder(name))
    assert locks.holder(name) is None


def test_fence_journal_and_sweep_in_redis(locks, name):
    run_lock = RunLock(locks, name, "dead", Clock())
    locks.try_acquire(name, "dead", 30)
    run_lock.journal.add([entry("dead", "primary", "fake", "fake|x", "_acme-challenge.a.test", "v1", 1.0)])
    # docs/runbook.md: the hash portable.dns01:journal:<name>.
    assert locks.client.type(f"portable.dns01:journal:{name}") in (b"hash", "hash")
    locks.remove(name, locks.holder(name))
    locks.try_acquire(name, "next", 30)
    with pytest.raises(LockLostError, match=f"Redis key portable.dns01:lock:{name}.*owner next"):
        run_lock.check()
    mine = RunLock(locks, name, "next", Clock())
    assert [item["value"] for item in mine.journal.entries()] == ["v1"]
    mine.journal.drop([item["id"] for item in mine.journal.entries()])
    assert mine.journal.entries() == []
    locks.release(name, "next")


def _hammer(url: str, name: str, owner: str, marker: str, rounds: int, queue: t.Any) -> None:
    locks = RedisLocks(url, Clock())
    held = overlaps = 0
    for _round in range(rounds):
        if locks.try_acquire(name, owner, 60) is not None:
            continue
        held += 1
        if not locks.client.set(marker, owner, nx=True):
            overlaps += 1
        locks.client.delete(marker)
        locks.release(name, owner)
    queue.put((held, overlaps))


def test_processes_and_threads_never_hold_a_redis_lock_together(lab_config, name):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    marker = f"{name}:inside"
    args = [(lab_config["LAB_REDIS_URL"], name, f"owner{index}", marker, 100, queue) for index in range(8)]
    workers = [context.Process(target=_hammer, args=item) for item in args[:4]]
    workers += [threading.Thread(target=_hammer, args=item) for item in args[4:]]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _worker in workers]
    for worker in workers:
        worker.join()
    assert sum(overlaps for _held, overlaps in results) == 0
    assert sum(held for held, _overlaps in results) > 0
