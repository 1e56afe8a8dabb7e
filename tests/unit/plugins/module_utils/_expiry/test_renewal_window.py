# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The CA's renewal window at the HTTP seam: found once through the directory, failures reported."""

from __future__ import annotations

import requests

from ansible_collections.portable.dns01.plugins.module_utils._expiry.ari import AriLookup
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._expiry.fakes import (
    DIRECTORY,
    INFO,
    WINDOW,
    Answer,
    Session,
)


def test_window_through_the_directory(fake_clock):
    session = Session({DIRECTORY: Answer(200, {"renewalInfo": INFO}), f"{INFO}/abc.01": Answer(200, WINDOW),
                       f"{INFO}/def.02": Answer(200, {"suggestedWindow": {"start": "2026-12-20T00:00:00Z",
                                                                          "end": "2026-12-21T00:00:00Z"}})})
    lookup = AriLookup(session, DIRECTORY, True, 5.0)
    first = lookup.window("abc.01", fake_clock.now())
    assert first == {"start": "2026-11-20T00:00:00+00:00", "end": "2026-11-25T00:00:00+00:00", "due": True, "error": None}
    assert lookup.window("def.02", fake_clock.now())["due"] is False
    assert session.asked.count(DIRECTORY) == 1


def test_failures_are_reported_not_raised(fake_clock):
    session = Session({DIRECTORY: Answer(200, {"renewalInfo": INFO}), f"{INFO}/abc.01": Answer(404, "{}"),
                       f"{INFO}/bad.01": Answer(200, {"suggestedWindow": {"start": "x"}}),
                       f"{INFO}/down.01": requests.ConnectionError("refused")})
    lookup = AriLookup(session, DIRECTORY, True, 5.0)
    assert lookup.window("abc.01", fake_clock.now()) == {"error": f"HTTP 404 from {INFO}/abc.01"}
    assert lookup.window("bad.01", fake_clock.now()) == {"error": "the CA's answer has no valid suggestedWindow"}
    assert lookup.window("down.01", fake_clock.now()) == {"error": "ConnectionError: no answer"}
    assert lookup.window(None, fake_clock.now())["error"] == "the certificate has no authority key identifier"


def test_a_directory_without_ari(fake_clock):
    lookup = AriLookup(Session({DIRECTORY: Answer(200, {"newOrder": "x"})}), DIRECTORY, True, 5.0)
    assert lookup.window("abc.01", fake_clock.now()) == {"error": "the CA's directory offers no renewalInfo"}
