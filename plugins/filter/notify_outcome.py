# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: notify_outcome
short_description: What one alert of a renewal reached, from a M(portable.dns01.notify) loop result
version_added: 0.2.0
description:
  - Turns one item of a registered M(portable.dns01.notify) loop over the renewal report into an entry for the
    report, with the certificate, how many destinations took the alert and, for each one that did not, its
    name and why.
  - A notify task that failed as a whole (every destination failed, or a destination was wrong) counts as
    delivered to none; destination URLs and keys are not in the result, so they are not in the entry either.
options:
  _input:
    description: One item of the registered loop result (C(results[n])), its loop item a report entry with C(id).
    type: dict
    required: true
  action:
    description: V(trigger) or V(resolve), when the result does not say.
    type: str
    default: trigger
"""

EXAMPLES = r"""
- name: Keep what each alert reached
  ansible.builtin.set_fact:
    notifications: "{{ alerts.results | map('portable.dns01.notify_outcome', 'trigger') | list }}"
"""

RETURN = r"""
_value:
  description: The alert's outcome.
  type: dict
  contains:
    certificate:
      description: The certificate's label.
      type: str
    action:
      description: V(trigger) or V(resolve).
      type: str
    delivered:
      description: How many destinations took the alert.
      type: int
    failed:
      description: The destinations that did not, with C(name) and C(error).
      type: list
      elements: dict
    error:
      description: Why the notify task failed as a whole, or V(null).
      type: str
"""

import typing as t


def notify_outcome(result: dict[str, t.Any], action: str = "trigger") -> dict[str, t.Any]:
    """The report entry of one alert: certificate, action, delivered, failed destinations, error."""
    sent = result.get("sent") or []
    delivered = result.get("delivered")
    if delivered is None:
        delivered = sum(1 for entry in sent if entry.get("ok") and not entry.get("skipped"))
    failed = [{"name": entry.get("name"), "error": entry.get("error")} for entry in sent if not entry.get("ok")]
    # Registered under failed_when: false, a failed task says "failed": false; only a
    # task that ran to the end returns "delivered".
    broke = "delivered" not in result
    return {"certificate": (result.get("item") or {}).get("id"), "action": result.get("event_action") or action,
            "delivered": delivered, "failed": failed, "error": (result.get("msg") or "failed") if broke else None}


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict:
        return {"notify_outcome": notify_outcome}
