# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Destinations from options, and the channel of each type.

This is a private module_utils file: its API may change without notice.
Secrets left out of the options are read from the environment, one
variable per type, so AWX credentials can inject them.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._notify.channel import Channel, Destination
from ansible_collections.portable.dns01.plugins.module_utils._notify.pagerduty import PagerDutyChannel
from ansible_collections.portable.dns01.plugins.module_utils._notify.slack import SlackChannel
from ansible_collections.portable.dns01.plugins.module_utils._notify.webhook import WebhookChannel

CHANNELS: dict[str, type[Channel]] = {cls.type_name: cls for cls in (WebhookChannel, SlackChannel, PagerDutyChannel)}
# (option, environment variable) read when the option is empty.
ENV_FALLBACKS = {
    "webhook": ("url", "DNS01_NOTIFY_WEBHOOK_URL"),
    "slack": ("url", "DNS01_NOTIFY_SLACK_URL"),
    "pagerduty": ("routing_key", "DNS01_NOTIFY_PAGERDUTY_ROUTING_KEY"),
}


def destination(spec: dict[str, t.Any], environ: t.Mapping[str, str]) -> Destination:
    kind = spec.get("type")
    if kind not in CHANNELS:
        raise InputError(f"destination type must be one of {', '.join(sorted(CHANNELS))}", field="destinations.type")
    values = {key: spec.get(key) for key in ("url", "routing_key")}
    option, variable = ENV_FALLBACKS[kind]
    if not values[option]:
        values[option] = environ.get(variable, "")
    return Destination(name=spec.get("name") or kind, type=kind, url=values["url"] or "",
                       routing_key=values["routing_key"] or "",
                       headers={str(k): str(v) for k, v in (spec.get("headers") or {}).items()},
                       validate_certs=spec.get("validate_certs", True) is not False, ca_path=spec.get("ca_path") or "")


def channels(specs: list[dict[str, t.Any]], environ: t.Mapping[str, str]) -> list[Channel]:
    """One checked channel per destination; InputError names the first bad one."""
    if not specs:
        raise InputError("destinations must list at least one destination", field="destinations")
    built = [CHANNELS[dest.type](dest) for dest in (destination(spec, environ) for spec in specs)]
    names = [channel.destination.name for channel in built]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError(f"destination names must be unique: {', '.join(duplicates)}", field="destinations.name")
    return built
