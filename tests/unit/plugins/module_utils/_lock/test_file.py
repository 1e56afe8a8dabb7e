# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, LockError
from ansible_collections.portable.dns01.plugins.module_utils._lock.actions import run_lock_action
from ansible_collections.portable.dns01.plugins.module_utils._lock.file import FileLocks
from ansible_collections.portable.dns01.plugins.module_utils._lock.lock import acquire


@pytest.fixture
def locks(tmp_path, fake_clock):
    return FileLocks(str(tmp_path / "locks"), fake_clock)


def params(tmp_path, **extra):
    base = {"name": "renewal", "state": "acquired", "owner": None, "backend": "file",
            "redis_url": None, "directory": str(tmp_path / "locks"), "ttl": 60, "wait": 0,
            "force": False, "heartbeat": False}
    return {**base, **extra}


def test_second_owner_is_refused_while_the_first_holds_it(locks, fake_clock):
    assert locks.try_acquire("renewal", "a", 60) is None
    holder = locks.try_acquire("renewal", "b", 60)
    assert holder.owner == "a"
    assert os.stat(locks._path("renewal")).st_mode & 0o777 == 0o600


def test_expired_lock_is_taken_over(locks, fake_clock):
    locks.try_acquire("renewal", "a", 60)
    fake_clock.advance(61)
    assert locks.try_acquire("renewal", "b", 60) is None
    assert locks.holder("renewal").owner == "b"
    assert sorted(name for name in os.listdir(locks.directory) if not name.startswith(".")) == ["renewal.lock"]


def test_same_owner_renews_its_expiry(locks, fake_clock):
    locks.try_acquire("renewal", "a", 60)
    first = locks.holder("renewal").expires
    fake_clock.advance(30)
    assert locks.try_acquire("renewal", "a", 60) is None
    assert locks.holder("renewal").expires == first + 30


def test_release_only_by_the_owner(locks):
    locks.try_acquire("renewal", "a", 60)
    assert not locks.release("renewal", "b")
    assert locks.holder("renewal").owner == "a"
    assert locks.release("renewal", "a")
    assert locks.holder("renewal") is None
    assert not locks.release("renewal", "a")


def test_unreadable_lock_file_does_not_block_forever(locks):
    os.makedirs(locks.directory)
    with open(locks._path("renewal"), "w", encoding="utf-8") as stream:
        stream.write("{torn")
    assert locks.try_acquire("renewal", "b", 60) is None


def test_acquire_waits_in_bounded_polls_then_names_the_holder(locks, fake_clock):
    locks.try_acquire("renewal", "a" * 32, 600)
    with pytest.raises(LockError, match="held by another run") as caught:
        acquire(locks, "renewal", "b", 60, wait=3, clock=fake_clock)
    assert sum(fake_clock.sleeps) == pytest.approx(3)
    assert max(fake_clock.sleeps) <= 0.5
    assert caught.value.details["waited"] == pytest.approx(3)


def test_acquire_succeeds_once_the_holder_expires(locks, fake_clock):
    locks.try_acquire("renewal", "a", 2)
    result = acquire(locks, "renewal", "b", 60, wait=10, clock=fake_clock)
    assert result["owner"] == "b"
    assert 2 <= result["waited"] <= 2.5


def test_module_action_acquires_with_a_fresh_token_and_releases(tmp_path, fake_clock):
    taken = run_lock_action(params(tmp_path), False, fake_clock)
    assert taken["changed"] and len(taken["owner"]) == 32
    released = run_lock_action(params(tmp_path, state="released", owner=taken["owner"]), False, fake_clock)
    assert released["changed"]


def test_check_mode_reports_and_changes_nothing(tmp_path, fake_clock):
    run_lock_action(params(tmp_path, owner="a"), False, fake_clock)
    report = run_lock_action(params(tmp_path, owner="b"), True, fake_clock)
    assert report["changed"] is True and report["held_by_other"] is True
    assert report["holder"]["owner"] == "a" and report["lock"].endswith("renewal.lock")
    assert FileLocks(str(tmp_path / "locks"), fake_clock).holder("renewal").owner == "a"


@pytest.mark.parametrize("bad", [{"name": "../etc"}, {"name": ""}, {"ttl": 0}, {"wait": -1}])
def test_bad_input_fails_before_touching_the_store(tmp_path, fake_clock, bad):
    with pytest.raises(InputError):
        run_lock_action(params(tmp_path, **bad), False, fake_clock)
    assert not (tmp_path / "locks").exists()
