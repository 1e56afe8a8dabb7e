# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: renewal_report
short_description: Summarise a renewal run, one entry per certificate
version_added: 0.1.0
description:
  - Combines the results of M(portable.dns01.acme_order) (steps C(create) and C(complete)) and of the
    M(portable.dns01.dns_challenge_publish) loop into one entry per certificate with what happened, which
    provider carried its challenges (and what the others did), the names, the issuer and the expiry.
options:
  _input:
    description: The C(certificates) list of the C(acme_order) step C(create) result.
    type: list
    elements: dict
    required: true
  published:
    description: The C(results) list of the registered C(dns_challenge_publish) loop.
    type: list
    elements: dict
    default: []
  completed:
    description: The C(certificates) list of the C(acme_order) step C(complete) result.
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Show what the renewal did
  ansible.builtin.debug:
    msg: "{{ created.certificates | portable.dns01.renewal_report(published.results, completed.certificates) }}"
"""

RETURN = r"""
_value:
  description: One entry per certificate.
  type: list
  elements: dict
  contains:
    id:
      description: The certificate's label.
      type: str
    status:
      description: V(renewed), V(not due), V(pending) (ordered, not completed) or V(failed).
      type: str
    carried_by:
      description: The providers that published its challenge values.
      type: list
      elements: str
    attempts:
      description: 'One line per provider attempt, in the form C(provider: outcome (message)).'
      type: list
      elements: str
    publish_ms:
      description: Per provider, the milliseconds its publish attempts took (retries included).
      type: dict
    names:
      description: The names on the certificate.
      type: list
      elements: str
    issuer:
      description: The issuer of the new certificate.
      type: str
    not_after:
      description: When the new certificate expires.
      type: str
"""


def _records_by_name(published: list[dict]) -> dict[str, dict]:
    records = {}
    for result in published or []:
        for record in result.get("records") or []:
            records[record["name"]] = record
    return records


def _attempt_line(attempt: dict) -> str:
    line = f"{attempt.get('provider')}: {attempt.get('outcome')}"
    return f"{line} ({attempt['message']})" if attempt.get("message") else line


def _publishing(order: dict, records: dict[str, dict]) -> tuple[list[str], list[str], dict[str, int]]:
    carried, attempts, spent = [], [], {}
    for wanted in order.get("records") or []:
        record = records.get(wanted["name"].rstrip(".").lower(), {})
        carried.extend(name for name in record.get("providers") or [] if name not in carried)
        attempts.extend(_attempt_line(attempt) for attempt in record.get("attempts") or [])
        for attempt in record.get("attempts") or []:
            spent[attempt.get("provider")] = spent.get(attempt.get("provider"), 0) + int(attempt.get("elapsed_ms") or 0)
    return carried, attempts, spent


def _status(order: dict, done: dict | None) -> str:
    if order.get("failed") or (done or {}).get("failed"):
        return "failed"
    if done and (done.get("certificate") or {}).get("serial"):
        return "renewed"
    return "pending" if order.get("needs_order") else "not due"


def _entry(order: dict, done: dict | None, records: dict[str, dict]) -> dict:
    carried, attempts, spent = _publishing(order, records)
    source = done or order
    certificate = source.get("certificate") or {}
    status = _status(order, done)
    return {
        "id": order.get("id"), "status": status, "carried_by": carried, "attempts": attempts, "publish_ms": spent,
        "names": certificate.get("names") or order.get("names") or [], "issuer": certificate.get("issuer"),
        "not_after": certificate.get("not_after"), "cert_path": source.get("cert_path"),
        "msg": _message(status, order, done),
    }


def _message(status: str, order: dict, done: dict | None) -> str | None:
    """Why it failed, or why it was (not) ordered."""
    failure = (done or {}).get("msg") or order.get("msg")
    if status == "failed" or failure:
        return failure
    reason = order.get("reason")
    return f"ordered because {reason}" if reason and status == "renewed" else reason


def renewal_report(created: list[dict], published: list[dict] | None = None, completed: list[dict] | None = None) -> list[dict]:
    """One summary per certificate of the run."""
    records = _records_by_name(published or [])
    done = {str(cert.get("id")): cert for cert in completed or []}
    return [_entry(order, done.get(str(order.get("id"))), records) for order in created]


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict:
        return {"renewal_report": renewal_report}
