# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a notification is about, independent of where it goes.

This is a private module_utils file: its API may change without notice.
An event has a stable key derived from what it is about
(``dns01/<host>/<subject>/<kind>``), so a later ``resolve`` closes the
alert that a ``trigger`` opened, and repeated triggers update one alert.
"""

from __future__ import annotations

import dataclasses
import datetime
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError

ACTIONS = ("trigger", "resolve")
SEVERITIES = ("critical", "error", "warning", "info")
KEY_PREFIX = "dns01"
# PagerDuty's limit on dedup_key; the other channels take any length.
MAX_KEY_LENGTH = 255


@dataclasses.dataclass(frozen=True)
class Event:
    """One thing to tell people: opened (trigger) or closed (resolve)."""

    action: str
    summary: str
    source: str
    subject: str
    kind: str
    severity: str
    dedup_key: str
    timestamp: str
    details: dict[str, t.Any] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)

    @property
    def title(self) -> str:
        """The one line a person reads first."""
        state = "RESOLVED" if self.action == "resolve" else self.severity.upper()
        return f"[{state}] {self.summary}"


def dedup_key(source: str, subject: str, kind: str) -> str:
    """The key of everything said about ``kind`` of ``subject`` on ``source``."""
    return "/".join((KEY_PREFIX, source, subject, kind))


def build_event(params: dict[str, t.Any], now: datetime.datetime) -> Event:
    """The event the module's options describe; InputError before anything is sent."""
    for field in ("summary", "source", "subject", "kind"):
        if not str(params.get(field) or "").strip():
            raise InputError(f"{field} must not be empty", field=field)
    if params["action"] not in ACTIONS:
        raise InputError(f"action must be one of {', '.join(ACTIONS)}", field="action")
    if params["severity"] not in SEVERITIES:
        raise InputError(f"severity must be one of {', '.join(SEVERITIES)}", field="severity")
    key = params.get("dedup_key") or dedup_key(params["source"], params["subject"], params["kind"])
    if len(key) > MAX_KEY_LENGTH:
        raise InputError(f"dedup_key is {len(key)} characters long, at most {MAX_KEY_LENGTH} are allowed",
                         field="dedup_key")
    return Event(action=params["action"], summary=params["summary"].strip(), source=params["source"],
                 subject=params["subject"], kind=params["kind"], severity=params["severity"], dedup_key=key,
                 timestamp=now.astimezone(datetime.timezone.utc).isoformat(timespec="seconds"),
                 details=dict(params.get("details") or {}))
