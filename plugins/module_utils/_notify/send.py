# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tell every destination; one failing never hides the others.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, NotificationError
from ansible_collections.portable.dns01.plugins.module_utils._notify.channel import Channel
from ansible_collections.portable.dns01.plugins.module_utils._notify.event import Event
from ansible_collections.portable.dns01.plugins.module_utils._notify.transport import Poster

FAIL_WHEN = ("all_failed", "any_failed", "never")


def verify(channel: Channel) -> t.Any:
    dest = channel.destination
    return (dest.ca_path or True) if dest.validate_certs else False


def deliver(event: Event, channels: list[Channel], poster: Poster, check_mode: bool) -> list[dict[str, t.Any]]:
    """One entry per destination: name, type, ok, status, attempts, error (secrets taken out)."""
    results = []
    for channel in channels:
        entry: dict[str, t.Any] = channel.destination.public()
        if check_mode:
            entry.update(ok=True, skipped=True, status=None, attempts=0, error=None)
        else:
            outcome = poster.post(channel.request(event), channel.destination.secrets(), verify(channel))
            entry.update(ok=outcome.ok, skipped=False, status=outcome.status, attempts=outcome.attempts,
                         error=outcome.error, elapsed=outcome.elapsed)
        results.append(entry)
    return results


def judge(results: list[dict[str, t.Any]], fail_when: str) -> None:
    """NotificationError when the outcome is worse than ``fail_when`` allows."""
    if fail_when not in FAIL_WHEN:
        raise InputError(f"fail_when must be one of {', '.join(FAIL_WHEN)}", field="fail_when")
    failed = [entry for entry in results if not entry["ok"]]
    if not failed or fail_when == "never":
        return
    if fail_when == "any_failed" or len(failed) == len(results):
        lines = "; ".join(f"{entry['name']}: {entry['error']}" for entry in failed)
        raise NotificationError(f"{len(failed)} of {len(results)} destinations failed: {lines}", sent=results)
