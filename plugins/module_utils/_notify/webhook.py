# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Generic webhook: the event as one JSON document.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

from ansible_collections.portable.dns01.plugins.module_utils._notify.channel import Channel, Request
from ansible_collections.portable.dns01.plugins.module_utils._notify.event import Event

SENDER = "portable.dns01"


class WebhookChannel(Channel):
    """POSTs ``{"sender": ..., "title": ..., **event}`` with the destination's extra headers."""

    type_name = "webhook"

    def request(self, event: Event) -> Request:
        body = {"sender": SENDER, "title": event.title, **event.as_dict()}
        return Request(self.destination.url, body, dict(self.destination.headers))
