# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The circuit breaker shared through the lab's Redis, as AWX nodes share it."""

from __future__ import annotations

import threading
import uuid

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._publish.breaker import Breaker
from ansible_collections.portable.dns01.plugins.module_utils._state.redis import connect
from ansible_collections.portable.dns01.plugins.module_utils._state.store import RedisStore


@pytest.fixture
def store(lab_config):
    return RedisStore(connect(lab_config["LAB_REDIS_URL"]), f"test-breaker-{uuid.uuid4().hex}:")


def test_an_open_breaker_is_seen_by_every_node_and_one_trial_closes_it(store):
    clock = Clock()
    node_a, node_b = Breaker(clock, 2, 0.5, store=store), Breaker(clock, 2, 0.5, store=store)
    node_a.failure("pdns")
    node_b.failure("pdns")
    assert node_a.is_open("pdns") and node_b.is_open("pdns")
    clock.sleep(0.6)
    assert not node_a.is_open("pdns")
    assert node_b.is_open("pdns")
    node_a.success("pdns")
    assert not node_b.is_open("pdns")


def test_concurrent_failures_all_count(store):
    breakers = [Breaker(Clock(), 1000, 600, store=store) for _attempt in range(8)]
    threads = [threading.Thread(target=lambda one=one: [one.failure("pdns") for _attempt in range(25)]) for one in breakers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get("pdns")["failures"] == 200


def test_check_mode_writes_nothing_to_redis(store):
    dry = Breaker(Clock(), 1, 600, store=store, read_only=True)
    dry.failure("pdns")
    assert dry.is_open("pdns")
    assert store.get("pdns") is None
