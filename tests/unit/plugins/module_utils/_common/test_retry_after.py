# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Retry-After as delta-seconds or an HTTP date."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.retry_after import retry_after_seconds

NOW = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("header, seconds", [
    ("120", 120.0),
    (" 7 ", 7.0),
    ("Sun, 01 Nov 2026 12:01:30 GMT", 90.0),
    ("Sun, 01 Nov 2026 11:00:00 GMT", 0.0),
    ("-5", None),
    ("soon", None),
    ("", None),
    (None, None),
])
def test_retry_after_seconds(header, seconds):
    assert retry_after_seconds(header, NOW) == seconds


def test_retry_after_forms():
    now = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.timezone.utc)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Sat, 28 Nov 2026 12:01:00 GMT", now) == 60
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None
