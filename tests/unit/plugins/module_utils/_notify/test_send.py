# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Several destinations: one failing never hides another's success; the module fails only as configured."""

from __future__ import annotations

import json

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import NotificationError
from ansible_collections.portable.dns01.plugins.module_utils._notify.action import notify_action, prepare
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._notify.fakes import ScriptedSession

DESTINATIONS = [
    {"name": "team", "type": "slack", "url": "https://hooks.slack.com/services/T/B/SLACKTOKEN"},
    {"name": "oncall", "type": "pagerduty", "routing_key": "PDKEY", "url": "https://pd.example/v2/enqueue"},
]


def send(params, fake_clock, script, check_mode=False, **change):
    """``script``: the answer of each destination, in the order of DESTINATIONS."""
    params = {**params, "destinations": DESTINATIONS, "retries": 0, **change}
    session = ScriptedSession({dest["url"]: [step] for dest, step in zip(DESTINATIONS, script)})
    return notify_action(params, prepare(params, {}), check_mode, fake_clock, lambda: session), session


def test_a_failed_destination_does_not_hide_the_others(params, fake_clock):
    result, session = send(params, fake_clock, [(500, {}, "down"), (202, {}, '{"status":"success"}')])
    assert [(e["name"], e["ok"], e["status"]) for e in result["sent"]] == [("team", False, 500), ("oncall", True, 202)]
    assert result["delivered"] == 1 and result["failed_destinations"] == 1 and result["changed"] is True
    assert len(session.sent) == 2


def test_fails_when_every_destination_failed(params, fake_clock):
    with pytest.raises(NotificationError) as caught:
        send(params, fake_clock, [(500, {}, "down"), (400, {}, "invalid event")])
    error = caught.value.result()
    assert [entry["ok"] for entry in error["sent"]] == [False, False]
    assert "2 of 2 destinations failed" in error["msg"]
    assert "SLACKTOKEN" not in json.dumps(error) and "PDKEY" not in json.dumps(error)


def test_any_failed_fails_on_one(params, fake_clock):
    with pytest.raises(NotificationError):
        send(params, fake_clock, [(500, {}, "down"), (202, {}, "")], fail_when="any_failed")


def test_never_reports_only(params, fake_clock):
    result, _session = send(params, fake_clock, [(500, {}, ""), (500, {}, "")], fail_when="never")
    assert result["delivered"] == 0 and result["failed_destinations"] == 2


def test_check_mode_sends_nothing(params, fake_clock):
    result, session = send(params, fake_clock, [], check_mode=True)
    assert session.sent == [] and result["changed"] is True
    assert all(entry["skipped"] and entry["ok"] for entry in result["sent"])


def test_results_carry_no_secret(params, fake_clock):
    result, _session = send(params, fake_clock, [(200, {}, "ok"), (202, {}, "")])
    assert "SLACKTOKEN" not in json.dumps(result) and "PDKEY" not in json.dumps(result)
    assert result["dedup_key"] == "dns01/web1/www/renewal"


def test_an_answer_that_echoes_the_token_or_the_credential_does_not_leak_them(params, fake_clock):
    destinations = [
        {"name": "team", "type": "slack", "url": "https://hooks.slack.com/services/T/B/SLACKTOKEN?key=QUERYKEY"},
        {"name": "hook", "type": "webhook", "url": "https://alice:PASSWORD@hooks.example/in",
         "headers": {"Authorization": "Bearer BEARERTOKEN"}},
    ]
    params = {**params, "destinations": destinations, "retries": 0, "fail_when": "never"}
    session = ScriptedSession({
        destinations[0]["url"]: [(404, {}, "no hook at /services/T/B/SLACKTOKEN for key=QUERYKEY")],
        destinations[1]["url"]: [(401, {}, "user alice:PASSWORD, token BEARERTOKEN refused")],
    })
    result = notify_action(params, prepare(params, {}), False, fake_clock, lambda: session)
    text = json.dumps(result)
    assert [entry["status"] for entry in result["sent"]] == [404, 401]
    for secret in ("SLACKTOKEN", "QUERYKEY", "PASSWORD", "BEARERTOKEN"):
        assert secret not in text
