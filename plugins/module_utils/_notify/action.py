# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the notify module does: build the event, check every destination, send, judge.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._notify.channel import Channel
from ansible_collections.portable.dns01.plugins.module_utils._notify.channels import channels as build_channels
from ansible_collections.portable.dns01.plugins.module_utils._notify.event import build_event
from ansible_collections.portable.dns01.plugins.module_utils._notify.transport import Policy, Poster
from ansible_collections.portable.dns01.plugins.module_utils._notify.send import FAIL_WHEN, deliver, judge


def prepare(params: dict[str, t.Any], environ: t.Mapping[str, str]) -> list[Channel]:
    """Checked channels; the module registers their secrets as no_log values before sending."""
    if params["fail_when"] not in FAIL_WHEN:
        raise InputError(f"fail_when must be one of {', '.join(FAIL_WHEN)}", field="fail_when")
    for option in ("timeout", "deadline"):
        if not params[option] > 0:
            raise InputError(f"{option} must be more than 0 seconds", field=option)
    if params["retries"] < 0:
        raise InputError("retries must not be negative", field="retries")
    return build_channels(params.get("destinations") or [], environ)


def notify_action(params: dict[str, t.Any], channels: list[Channel], check_mode: bool, clock: Clock,
                  session_factory: t.Callable[[], t.Any]) -> dict[str, t.Any]:
    """Send the event to every destination, each through a session of its own, all within ``deadline``."""
    event = build_event(params, clock.now())
    policy = Policy(timeout=float(params["timeout"]), deadline=float(params["deadline"]), retries=int(params["retries"]))
    deadline = Deadline(clock, policy.deadline)
    results = deliver(event, channels, lambda: Poster(session_factory(), clock, policy), check_mode, deadline)
    judge(results, params["fail_when"])
    delivered = sum(1 for entry in results if entry["ok"] and not entry["skipped"])
    return {"changed": check_mode or delivered > 0, "dedup_key": event.dedup_key, "event_action": event.action,
            "sent": results, "delivered": delivered, "failed_destinations": sum(1 for e in results if not e["ok"])}
