# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Clock, deadline and backoff: the time seam.

This is a private module_utils file: its API may change without notice.
Code that waits takes a ``Clock`` so tests can replace time with a fake
and check retry, backoff and deadline logic in milliseconds.
"""

from __future__ import annotations

import datetime
import random
import time


class Clock:
    """Real time. Tests pass a fake with the same three methods."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def now(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.timezone.utc)


class Deadline:
    """A point in monotonic time that work must not pass."""

    def __init__(self, clock: Clock, seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.start = clock.monotonic()
        self.end = self.start + seconds

    def remaining(self) -> float:
        return max(0.0, self.end - self.clock.monotonic())

    def expired(self) -> bool:
        return self.remaining() <= 0

    def elapsed(self) -> float:
        return self.clock.monotonic() - self.start

    def cap(self, seconds: float) -> float:
        """``seconds`` or what is left, whichever is smaller."""
        return min(seconds, self.remaining())


class Backoff:
    """Exponential backoff with full jitter, capped; honours a server's Retry-After.

    Full jitter spreads retries of many clients over the whole window instead
    of letting them return in lock-step after an outage.
    """

    def __init__(self, base: float = 0.5, cap: float = 30.0, rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self.rng = rng or random.Random()

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0 for the first retry)."""
        if retry_after is not None and retry_after >= 0:
            return float(retry_after)
        window = min(self.cap, self.base * (2 ** attempt))
        return self.rng.uniform(0, window)
