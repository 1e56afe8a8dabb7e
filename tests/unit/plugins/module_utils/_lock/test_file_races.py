# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many threads and processes hammering one lock directory: never two holders at once."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
import typing as t

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._lock.file import FileLocks

ROUNDS = 150


def _hammer(directory: str, owner: str, rounds: int) -> tuple[int, int]:
    """Take, hold briefly, release, ``rounds`` times; (times held, times someone else was inside too)."""
    locks = FileLocks(directory, Clock())
    marker = os.path.join(directory, "inside")
    held = overlaps = 0
    for _round in range(rounds):
        if locks.try_acquire("race", owner, 60) is not None:
            continue
        held += 1
        try:
            handle = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            overlaps += 1
        else:
            os.close(handle)
            time.sleep(0.0005)
            os.unlink(marker)
        locks.release("race", owner)
    return held, overlaps


def _hammer_into(queue: t.Any, directory: str, owner: str, rounds: int) -> None:
    queue.put(_hammer(directory, owner, rounds))


def _take_stale_once(queue: t.Any, barrier: t.Any, directory: str, owner: str) -> None:
    locks = FileLocks(directory, Clock())
    barrier.wait()
    got = locks.try_acquire("race", owner, 600) is None
    queue.put((owner, got))


def _stale_lock(directory: str) -> None:
    os.makedirs(directory, mode=0o700, exist_ok=True)
    with open(os.path.join(directory, "race.lock"), "w", encoding="utf-8") as stream:
        json.dump({"owner": "dead", "expires": 1.0}, stream)


def test_threads_never_hold_the_lock_together(tmp_path):
    directory = str(tmp_path / "locks")
    results: list[tuple[int, int]] = []
    threads = [threading.Thread(target=lambda owner=f"t{index}": results.append(_hammer(directory, owner, ROUNDS)))
               for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(overlaps for _held, overlaps in results) == 0
    assert sum(held for held, _overlaps in results) > 0


def test_processes_never_hold_the_lock_together(tmp_path):
    directory = str(tmp_path / "locks")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_hammer_into, args=(queue, directory, f"p{index}", ROUNDS)) for index in range(6)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _worker in workers]
    for worker in workers:
        worker.join()
    assert sum(overlaps for _held, overlaps in results) == 0
    assert sum(held for held, _overlaps in results) > 0


@pytest.mark.parametrize("attempt", range(5))
def test_only_one_process_takes_over_a_stale_lock(tmp_path, attempt):
    directory = str(tmp_path / "locks")
    _stale_lock(directory)
    context = multiprocessing.get_context("fork")
    queue, barrier = context.Queue(), context.Barrier(8)
    workers = [context.Process(target=_take_stale_once, args=(queue, barrier, directory, f"p{index}")) for index in range(8)]
    for worker in workers:
        worker.start()
    results = dict(queue.get(timeout=60) for _worker in workers)
    for worker in workers:
        worker.join()
    winners = [owner for owner, got in results.items() if got]
    assert len(winners) == 1
    assert FileLocks(directory, Clock()).holder("race").owner == winners[0]
