# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures shared by the unit tests."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.portable.dns01.tests.unit.fake_clock import FakeClock


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(epoch=datetime.datetime(2026, 11, 28, tzinfo=datetime.timezone.utc))
