# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one fake of the Clock seam that every unit test uses."""

from __future__ import annotations

import datetime
import threading

UNIX_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


class FakeClock:
    """Time that moves only when code sleeps or a test advances it.

    ``now()`` is ``epoch`` plus the monotonic time. Thread-safe: the chain
    and the propagation waiter sleep from worker threads.
    """

    def __init__(self, start: float = 1000.0, epoch: datetime.datetime = UNIX_EPOCH) -> None:
        self.time = start
        self.epoch = epoch
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.time += max(0.0, seconds)

    def now(self) -> datetime.datetime:
        return self.epoch + datetime.timedelta(seconds=self.time)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.time += seconds
