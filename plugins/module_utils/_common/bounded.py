# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a blocking call for at most so many seconds.

This is a private module_utils file: its API may change without notice.
For calls whose libraries cannot be bounded from outside as a whole:
requests' time-outs count seconds without a byte, so a server answering a
byte at a time never trips them, and some libraries set no time-out at all.
"""

from __future__ import annotations

import threading
import typing as t


class Overrun(Exception):
    """The call was still running when its time was up."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no answer within {seconds:.1f} s")
        self.seconds = seconds


def within(action: t.Callable[[], t.Any], seconds: float, name: str) -> t.Any:
    """``action()`` in a worker thread named ``name``; ``Overrun`` once ``seconds`` passed.

    The worker is not stopped (Python cannot): the caller makes sure it can
    do no harm afterwards, and it dies with the process at the latest.
    """
    box: dict[str, t.Any] = {}

    def work() -> None:
        try:
            box["result"] = action()
        except Exception as exc:  # pylint: disable=broad-exception-caught
            box["error"] = exc

    worker = threading.Thread(target=work, name=name, daemon=True)
    worker.start()
    worker.join(max(seconds, 0.0))
    if worker.is_alive():
        raise Overrun(seconds)
    if "error" in box:
        raise box["error"]
    return box.get("result")
