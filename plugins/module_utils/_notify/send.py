# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tell every destination; one failing never hides the others.

This is a private module_utils file: its API may change without notice.
The destinations are told side by side under one deadline, so one that
never answers neither holds the call past it nor takes the others' time.
"""

from __future__ import annotations

import threading
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, NotificationError
from ansible_collections.portable.dns01.plugins.module_utils._notify.channel import Channel
from ansible_collections.portable.dns01.plugins.module_utils._notify.event import Event
from ansible_collections.portable.dns01.plugins.module_utils._notify.transport import Outcome, Poster, redact

FAIL_WHEN = ("all_failed", "any_failed", "never")


def verify(channel: Channel) -> t.Any:
    dest = channel.destination
    return (dest.ca_path or True) if dest.validate_certs else False


def deliver(event: Event, channels: list[Channel], make_poster: t.Callable[[], Poster], check_mode: bool,
            deadline: Deadline) -> list[dict[str, t.Any]]:
    """One entry per destination: name, type, ok, status, attempts, error (secrets taken out).

    Each destination gets a poster (and so a session) of its own and its own
    thread; the call returns by ``deadline``, reporting those still sending as failed.
    """
    if check_mode:
        return [{**channel.destination.public(), "ok": True, "skipped": True, "status": None, "attempts": 0,
                 "error": None} for channel in channels]
    posters = [make_poster() for _channel in channels]
    outcomes = [Outcome(ok=False) for _channel in channels]
    done: list[Outcome | None] = [None] * len(channels)

    def send(number: int) -> None:
        channel = channels[number]
        try:
            done[number] = posters[number].post(channel.request(event), channel.destination.hidden(),
                                                verify(channel), deadline, outcomes[number])
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # Not the destination's answer but our own failure: said, never raised past the others.
            done[number] = Outcome(ok=False, attempts=outcomes[number].attempts, error=type(exc).__name__)

    workers = [threading.Thread(target=send, args=(number,), name="dns01-notify", daemon=True)
               for number in range(len(channels))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(deadline.remaining())
    results = []
    for number, channel in enumerate(channels):
        late = outcomes[number]
        outcome = done[number] or Outcome(ok=False, status=late.status, attempts=late.attempts,
                                          error=f"Timeout: no answer within the {deadline.seconds:g} s deadline",
                                          elapsed=round(deadline.elapsed(), 3))
        results.append({**channel.destination.public(), "ok": outcome.ok, "skipped": False, "status": outcome.status,
                        "attempts": outcome.attempts, "error": redact(outcome.error, channel.destination.hidden())
                        if outcome.error else None, "elapsed": outcome.elapsed})
    for poster in posters:
        poster.close()
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
