# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""PagerDuty Events API v2: trigger and resolve alerts by their dedup key.

This is a private module_utils file: its API may change without notice.
The dedup key is the event's key, so every trigger about one thing
updates one alert, and the resolve sent when it is fixed closes it.
"""

from __future__ import annotations

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._notify.channel import Channel, Request
from ansible_collections.portable.dns01.plugins.module_utils._notify.event import Event

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
CLIENT = "portable.dns01"
# The Events API's limit on payload.summary.
SUMMARY_LIMIT = 1024


class PagerDutyChannel(Channel):
    """The routing (integration) key is the secret; the URL defaults to PagerDuty's."""

    type_name = "pagerduty"

    @property
    def url(self) -> str:
        return self.destination.url or EVENTS_URL

    def check(self) -> None:
        if not self.destination.routing_key:
            raise InputError(f"destination {self.destination.name}: a routing_key is needed for type pagerduty",
                             field="destinations.routing_key", destination=self.destination.name)
        self.require_url(self.url)

    def request(self, event: Event) -> Request:
        body = {"routing_key": self.destination.routing_key, "event_action": event.action,
                "dedup_key": event.dedup_key}
        if event.action == "trigger":
            body["client"] = CLIENT
            body["payload"] = {
                "summary": event.summary[:SUMMARY_LIMIT], "source": event.source, "severity": event.severity,
                "timestamp": event.timestamp, "component": event.subject, "class": event.kind,
                "group": CLIENT, "custom_details": event.details,
            }
        return Request(self.url, body)
