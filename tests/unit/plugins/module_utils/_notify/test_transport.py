# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Retries, Retry-After, deadlines and secret-free errors at the HTTP seam, in fake time."""

from __future__ import annotations

import random

import requests

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Backoff
from ansible_collections.portable.dns01.plugins.module_utils._notify.channel import Request
from ansible_collections.portable.dns01.plugins.module_utils._notify.transport import Policy, Poster
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._notify.fakes import ScriptedSession

URL = "https://hooks.example.com/services/T000/B000/s3cr3t-token"
REQUEST = Request(URL, {"text": "hello"})


def poster(session, clock, **policy):
    return Poster(session, clock, Policy(**policy), Backoff(base=1.0, cap=8.0, rng=random.Random(7)))


def test_retries_5xx_then_succeeds(fake_clock):
    session = ScriptedSession([(500, {}, "oops"), (502, {}, ""), (200, {}, "ok")])
    outcome = poster(session, fake_clock).post(REQUEST)
    assert outcome.ok and outcome.status == 200 and outcome.attempts == 3 and outcome.error is None
    assert len(fake_clock.sleeps) == 2 and all(0 <= delay <= 2.0 for delay in fake_clock.sleeps)


def test_429_waits_as_long_as_retry_after_says(fake_clock):
    session = ScriptedSession([(429, {"Retry-After": "7"}, "rate limited"), (202, {}, "")])
    outcome = poster(session, fake_clock).post(REQUEST)
    assert outcome.ok and outcome.attempts == 2
    assert fake_clock.sleeps == [7.0]


def test_4xx_other_than_429_is_not_retried(fake_clock):
    session = ScriptedSession([(400, {}, "invalid_payload")])
    outcome = poster(session, fake_clock).post(REQUEST)
    assert not outcome.ok and outcome.attempts == 1 and fake_clock.sleeps == []
    assert outcome.error == "HTTP 400 Bad Request: invalid_payload"


def test_gives_up_when_retry_after_passes_the_deadline(fake_clock):
    session = ScriptedSession([(503, {"Retry-After": "120"}, "maintenance"), (200, {}, "")])
    outcome = poster(session, fake_clock, deadline=60.0).post(REQUEST)
    assert not outcome.ok and outcome.attempts == 1 and fake_clock.sleeps == []
    assert "would pass the 60 s deadline" in outcome.error and outcome.status == 503


def test_retries_stop_after_the_limit(fake_clock):
    session = ScriptedSession([(500, {}, "")] * 3 + [(200, {}, "")])
    outcome = poster(session, fake_clock, retries=2).post(REQUEST)
    assert not outcome.ok and outcome.attempts == 3 and len(session.sent) == 3


def test_request_time_out_never_passes_the_deadline(fake_clock):
    timeout = requests.ConnectTimeout(f"HTTPSConnectionPool(host='hooks.example.com'): Max retries exceeded with url: {URL}")
    session = ScriptedSession([timeout] * 10, clock=fake_clock, cost=10.0)
    outcome = poster(session, fake_clock, timeout=10.0, deadline=25.0, retries=9).post(REQUEST)
    assert not outcome.ok and outcome.status is None
    assert all(request["timeout"] <= 10.0 for request in session.sent)
    assert sum(request["timeout"] for request in session.sent) <= 25.0
    assert outcome.elapsed <= 25.0


def test_errors_never_carry_the_url_or_secrets(fake_clock):
    refused = requests.ConnectionError(f"HTTPSConnectionPool(host='hooks.example.com', port=443): url: {URL}")
    session = ScriptedSession([refused, (500, {}, "bad token s3cr3t-token")])
    outcome = poster(session, fake_clock, retries=1).post(REQUEST, secrets=[URL, "s3cr3t-token"])
    assert not outcome.ok and "s3cr3t-token" not in outcome.error and "hooks.example.com" not in outcome.error
    assert outcome.error.startswith("HTTP 500")


def test_connection_failure_message_names_the_class(fake_clock):
    session = ScriptedSession([requests.ConnectionError(f"url: {URL}")])
    outcome = poster(session, fake_clock, retries=0).post(REQUEST)
    assert outcome.error == "ConnectionError: could not connect"


def test_sends_json_with_the_destination_headers(fake_clock):
    session = ScriptedSession([(200, {}, "ok")])
    poster(session, fake_clock).post(Request(URL, {"a": 1}, {"Authorization": "Bearer x"}), verify="/ca.pem")
    sent = session.sent[0]
    assert sent["body"] == {"a": 1} and sent["verify"] == "/ca.pem"
    assert sent["headers"]["Content-Type"] == "application/json" and sent["headers"]["Authorization"] == "Bearer x"
