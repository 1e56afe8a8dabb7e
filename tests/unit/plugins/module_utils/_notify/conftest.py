# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the notification tests."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._notify.event import build_event

PARAMS: dict[str, t.Any] = {
    "action": "trigger", "summary": "www: renewal failed - HTTP 503 from primary", "severity": "error",
    "source": "web1", "subject": "www", "kind": "renewal", "dedup_key": None,
    "details": {"names": ["www.example.com"], "attempts": ["primary: failed (HTTP 503)"]},
    "timeout": 10.0, "deadline": 60.0, "retries": 3, "fail_when": "all_failed",
}


@pytest.fixture
def params() -> dict[str, t.Any]:
    return {**PARAMS, "details": dict(PARAMS["details"])}


@pytest.fixture
def event(params, fake_clock):
    return build_event(params, fake_clock.now())
