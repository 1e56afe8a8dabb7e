# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat): text and blocks.

This is a private module_utils file: its API may change without notice.
``text`` is what notifications and clients without blocks show; the
blocks lay out the same facts for a person reading the channel.
"""

from __future__ import annotations

import json
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._notify.channel import Channel, Request
from ansible_collections.portable.dns01.plugins.module_utils._notify.event import Event

# Slack's limits: header text 150 characters, section text 3000.
HEADER_LIMIT = 150
SECTION_LIMIT = 3000
ICONS = {"critical": ":red_circle:", "error": ":large_orange_circle:", "warning": ":large_yellow_circle:",
         "info": ":large_blue_circle:"}


def escape(text: str) -> str:
    """mrkdwn treats &, < and > as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def detail_line(key: str, value: t.Any) -> str:
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value) or "-"
    elif isinstance(value, dict):
        value = json.dumps(value, sort_keys=True)
    return f"*{escape(str(key))}*: {escape(str(value))}"


class SlackChannel(Channel):
    """An incoming-webhook URL; the token is in the URL, so the URL is a secret."""

    type_name = "slack"

    def request(self, event: Event) -> Request:
        icon = ":white_check_mark:" if event.action == "resolve" else ICONS[event.severity]
        blocks: list[dict[str, t.Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": clip(event.title, HEADER_LIMIT)}},
            {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"{icon} {escape(event.summary)}", SECTION_LIMIT)}},
            {"type": "section", "fields": [
                {"type": "mrkdwn", "text": f"*Host*\n{escape(event.source)}"},
                {"type": "mrkdwn", "text": f"*About*\n{escape(event.subject)}"},
                {"type": "mrkdwn", "text": f"*Kind*\n{escape(event.kind)}"},
                {"type": "mrkdwn", "text": f"*Severity*\n{event.severity}"},
            ]},
        ]
        if event.details:
            lines = "\n".join(detail_line(key, value) for key, value in event.details.items())
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": clip(lines, SECTION_LIMIT)}})
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"`{escape(event.dedup_key)}` · {event.timestamp}"}]})
        return Request(self.destination.url, {"text": event.title, "blocks": blocks})
