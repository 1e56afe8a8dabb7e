# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: expiry_summary
short_description: One fleet summary from the certificate_expiry results of every host
version_added: 0.2.0
description:
  - Combines the results of M(portable.dns01.certificate_expiry) of each host into one summary, worst first,
    with counts by severity and the hosts that returned nothing (unreachable or failed), which count as critical.
options:
  _input:
    description: The hosts of the play, for example C(ansible_play_hosts_all).
    type: list
    elements: str
    required: true
  results:
    description: The C(certificate_expiry) result of each host, by host name; a host without one has no data.
    type: dict
    required: true
  undelivered:
    description: Events that no notification destination took, by host name.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Build the fleet summary
  ansible.builtin.set_fact:
    summary: "{{ ansible_play_hosts_all | portable.dns01.expiry_summary(expiry_by_host) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: The fleet summary.
  type: dict
  contains:
    counts:
      description: Certificates by severity (V(ok), V(warning), V(error), V(critical)).
      type: dict
    critical:
      description: Whether anything is critical, hosts without data included.
      type: bool
    certificates:
      description: Every certificate with its C(host) and a one-line C(line), worst first (severity, then days left).
      type: list
      elements: dict
    hosts_without_data:
      description: Hosts that returned no result.
      type: list
      elements: str
    undelivered:
      description: Alerts no destination took, one line each, the host first.
      type: list
      elements: str
    thresholds:
      description: The thresholds used.
      type: list
      elements: int
    critical_days:
      description: The critical threshold used.
      type: int
"""

import typing as t

SEVERITIES = ("ok", "warning", "error", "critical")


def _sort_key(entry: dict[str, t.Any]) -> tuple[int, float, str, str]:
    days = entry.get("worst_days_left")
    return (-SEVERITIES.index(entry.get("severity", "critical")), days if days is not None else float("-inf"),
            entry["host"], str(entry.get("id")))


def _days(days: float) -> str:
    return f"expired {abs(days):.1f} days ago" if days <= 0 else f"{days:.1f} days left"


def line(entry: dict[str, t.Any]) -> str:
    """One line a person reads: what, how bad, why."""
    text = f"{entry['host']}/{entry.get('id')}: {entry.get('status')} ({entry.get('severity')})"
    if entry.get("reason"):
        return f"{text} - {entry['reason']}"
    if entry.get("worst_days_left") is not None:
        text += f" - {_days(entry['worst_days_left'])}"
        if entry.get("worst_in") not in (None, "file"):
            text += f" at {entry['worst_in']}"
    ari = entry.get("ari") or {}
    if ari.get("due"):
        text += f"; the CA suggests renewing since {ari['start']}"
    problems = [f"{e['endpoint']} {e['status']}" + (f" ({e['error']})" if e.get("error") else "")
                for e in entry.get("endpoints") or [] if e.get("status") != "match"]
    return f"{text}; " + "; ".join(problems) if problems else text


def expiry_summary(hosts: list[str], results: dict[str, t.Any],
                   undelivered: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
    """The fleet summary: every certificate of every host, worst first."""
    certificates, without, settings = [], [], {}
    for host in hosts:
        result = results.get(host) if isinstance(results, t.Mapping) else None
        if not isinstance(result, t.Mapping) or "certificates" not in result:
            without.append(host)
            continue
        settings = settings or {"thresholds": result.get("thresholds"), "critical_days": result.get("critical_days")}
        for entry in result["certificates"]:
            entry = {"host": host, **entry}
            certificates.append({**entry, "line": line(entry)})
    certificates.sort(key=_sort_key)
    counts = {severity: sum(1 for entry in certificates if entry.get("severity") == severity) for severity in SEVERITIES}
    lost = [f"{host}: {event.get('summary')}" for host, events in sorted((undelivered or {}).items())
            for event in events or []]
    return {"counts": counts, "critical": counts["critical"] > 0 or bool(without), "certificates": certificates,
            "hosts_without_data": without, "undelivered": lost, **settings}


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict[str, t.Any]:
        return {"expiry_summary": expiry_summary}
