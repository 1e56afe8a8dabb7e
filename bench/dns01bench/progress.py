# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a run prints while it works: the benchmark, the client, the sample and the time so far."""

from __future__ import annotations

import time
import typing as t


def elapsed_text(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


class Progress:
    """Lines prefixed with the time since the run started."""

    def __init__(self, say: t.Callable[[str], None], clock: t.Callable[[], float] = time.monotonic) -> None:
        self.say = say
        self.clock = clock
        self.start = clock()

    def line(self, text: str) -> None:
        self.say(f"[{elapsed_text(self.clock() - self.start):>6}] {text}")

    def step(self, benchmark: str, what: str, index: int, total: int) -> None:
        """Before sample ``index`` (from 1) of ``total``."""
        self.line(f"{benchmark}: {what}, sample {index} of {total}")
