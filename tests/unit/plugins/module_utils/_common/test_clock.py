# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import random

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Backoff, Clock, Deadline


def test_deadline_counts_down_with_the_clock(fake_clock):
    deadline = Deadline(fake_clock, 10)
    fake_clock.advance(4)
    assert deadline.remaining() == 6
    assert deadline.elapsed() == 4
    assert deadline.cap(30) == 6
    assert deadline.cap(2) == 2
    assert not deadline.expired()


def test_deadline_never_goes_negative(fake_clock):
    deadline = Deadline(fake_clock, 1)
    fake_clock.advance(5)
    assert deadline.remaining() == 0
    assert deadline.expired()


def test_backoff_window_doubles_up_to_the_cap():
    backoff = Backoff(base=1, cap=8, rng=random.Random(7))
    for attempt, window in [(0, 1), (1, 2), (2, 4), (3, 8), (6, 8)]:
        delays = [backoff.delay(attempt) for _round in range(200)]
        assert 0 <= min(delays) and max(delays) <= window
        # Full jitter spreads over the window rather than clustering at its end.
        assert min(delays) < window / 4 < window * 3 / 4 < max(delays)


def test_backoff_honours_retry_after():
    backoff = Backoff(base=1, cap=8)
    assert backoff.delay(5, retry_after=2.5) == 2.5
    assert backoff.delay(0, retry_after=0) == 0


def test_real_clock_moves_forward():
    clock = Clock()
    first = clock.monotonic()
    clock.sleep(0.01)
    assert clock.monotonic() > first
    assert clock.now().tzinfo is not None
