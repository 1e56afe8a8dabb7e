# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_common/bounded.py: a blocking call ends for its caller when its time is up."""

from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.bounded import Overrun, within


def test_the_result_comes_back_from_the_worker():
    assert within(lambda: threading.current_thread().name, 5, "dns01-test") == "dns01-test"


def test_the_call_s_own_error_is_raised_as_it_is():
    def fail() -> None:
        raise ValueError("bad answer")

    with pytest.raises(ValueError, match="bad answer"):
        within(fail, 5, "dns01-test")


def test_a_call_still_running_when_its_time_is_up_is_left_behind():
    release = threading.Event()
    start = time.monotonic()
    with pytest.raises(Overrun) as caught:
        within(lambda: release.wait(30), 0.2, "dns01-test")
    assert time.monotonic() - start < 2
    assert caught.value.seconds == 0.2 and str(caught.value) == "no answer within 0.2 s"
    release.set()
