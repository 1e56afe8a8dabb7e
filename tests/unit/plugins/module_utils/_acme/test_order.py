# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Polling an order: soon at first, slower later, and as the CA asks."""

from __future__ import annotations

import types

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._acme import order
from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError


def responses(statuses, retry_after=None):
    """A fetch that answers the statuses in turn, with an optional Retry-After header."""
    headers = {"Retry-After": retry_after} if retry_after else {}
    answers = iter(statuses)
    return lambda: ({"status": next(answers)}, types.SimpleNamespace(headers=headers))


def test_without_retry_after_the_first_polls_come_soon_then_slow_to_the_interval(fake_clock):
    fetch = responses(["processing"] * 6 + ["valid"])
    document = order.wait_for(fetch, lambda doc: doc["status"] == "valid", Deadline(fake_clock, 60), fake_clock, "order")
    assert document["status"] == "valid"
    assert fake_clock.sleeps == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]


def test_retry_after_is_what_the_ca_asks(fake_clock):
    fetch = responses(["processing", "processing", "valid"], retry_after="7")
    order.wait_for(fetch, lambda doc: doc["status"] == "valid", Deadline(fake_clock, 60), fake_clock, "order")
    assert fake_clock.sleeps == [7, 7]


def test_polling_stops_at_the_deadline(fake_clock):
    fetch = responses(["processing"] * 100)
    with pytest.raises(AcmeError, match="still processing after 5 s"):
        order.wait_for(fetch, lambda doc: doc["status"] == "valid", Deadline(fake_clock, 5), fake_clock, "order")
    assert sum(fake_clock.sleeps) <= 5
