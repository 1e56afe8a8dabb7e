# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What each channel sends, the event key, and destinations checked before anything is sent."""

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._notify.channels import channels
from ansible_collections.portable.dns01.plugins.module_utils._notify.event import build_event

SLACK_URL = "https://hooks.slack.com/services/T000/B000/XXXX"


def one(spec, environ=None):
    return channels([spec], environ or {})[0]


def test_key_is_derived_from_what_the_event_is_about(event):
    assert event.dedup_key == "dns01/web1/www/renewal"
    assert event.timestamp == "2026-11-28T00:16:40+00:00"


def test_webhook_sends_the_event(event):
    request = one({"type": "webhook", "url": "http://hooks.example/x", "headers": {"X-Token": "t"}}).request(event)
    assert request.url == "http://hooks.example/x" and request.headers == {"X-Token": "t"}
    assert request.body["dedup_key"] == "dns01/web1/www/renewal" and request.body["action"] == "trigger"
    assert request.body["title"] == "[ERROR] www: renewal failed - HTTP 503 from primary"
    assert request.body["details"]["names"] == ["www.example.com"]


def test_slack_sends_text_and_blocks(params, fake_clock):
    params["summary"] = "www: <b> & co"
    request = one({"type": "slack", "url": SLACK_URL}).request(build_event(params, fake_clock.now()))
    assert request.body["text"] == "[ERROR] www: <b> & co"
    types = [block["type"] for block in request.body["blocks"]]
    assert types == ["header", "section", "section", "section", "context"]
    assert "www: &lt;b&gt; &amp; co" in request.body["blocks"][1]["text"]["text"]
    assert "*names*: www.example.com" in request.body["blocks"][3]["text"]["text"]
    assert "dns01/web1/www/renewal" in request.body["blocks"][4]["elements"][0]["text"]


def test_slack_header_is_cut_to_slack_limit(params, fake_clock):
    params["summary"] = "x" * 400
    request = one({"type": "slack", "url": SLACK_URL}).request(build_event(params, fake_clock.now()))
    assert len(request.body["blocks"][0]["text"]["text"]) == 150


def test_pagerduty_trigger_and_resolve_share_the_key(params, fake_clock):
    channel = one({"type": "pagerduty", "routing_key": "R0UT1NG"})
    trigger = channel.request(build_event(params, fake_clock.now()))
    assert trigger.url == "https://events.pagerduty.com/v2/enqueue"
    assert trigger.body["event_action"] == "trigger" and trigger.body["routing_key"] == "R0UT1NG"
    payload = trigger.body["payload"]
    assert payload["severity"] == "error" and payload["source"] == "web1" and payload["component"] == "www"
    assert payload["class"] == "renewal" and payload["custom_details"]["names"] == ["www.example.com"]
    resolve = channel.request(build_event({**params, "action": "resolve"}, fake_clock.now()))
    assert resolve.body == {"routing_key": "R0UT1NG", "event_action": "resolve", "dedup_key": trigger.body["dedup_key"]}


def test_secrets_come_from_the_environment_when_not_given():
    environ = {"DNS01_NOTIFY_PAGERDUTY_ROUTING_KEY": "ENVKEY", "DNS01_NOTIFY_SLACK_URL": SLACK_URL,
               "DNS01_NOTIFY_WEBHOOK_URL": "https://hook.example/env"}
    assert one({"type": "pagerduty"}, environ).destination.routing_key == "ENVKEY"
    assert one({"type": "slack"}, environ).destination.url == SLACK_URL
    assert one({"type": "webhook"}, environ).destination.url == "https://hook.example/env"
    assert one({"type": "webhook", "url": "https://given.example/"}, environ).destination.url == "https://given.example/"


@pytest.mark.parametrize("specs, field", [
    ([{"type": "pagerduty"}], "destinations.routing_key"),
    ([{"type": "slack"}], "destinations.url"),
    ([{"type": "webhook", "url": "ftp://secret@host/"}], "destinations.url"),
    ([{"type": "sms", "url": "https://x/"}], "destinations.type"),
    ([{"type": "webhook", "url": "https://a/"}, {"type": "webhook", "url": "https://b/"}], "destinations.name"),
    ([], "destinations"),
])
def test_bad_destinations_fail_before_sending(specs, field):
    with pytest.raises(InputError) as caught:
        channels(specs, {})
    assert caught.value.details["field"] == field
    assert "secret@host" not in caught.value.msg


@pytest.mark.parametrize("change, field", [
    ({"summary": " "}, "summary"), ({"subject": ""}, "subject"), ({"dedup_key": "k" * 256}, "dedup_key"),
])
def test_bad_events_fail_before_sending(params, fake_clock, change, field):
    with pytest.raises(InputError) as caught:
        build_event({**params, **change}, fake_clock.now())
    assert caught.value.details["field"] == field
