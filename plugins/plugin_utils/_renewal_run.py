# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What became of each certificate in a renewal run, from the registered results of its tasks.

This is a private plugin_utils file: its API may change without notice.
Each certificate goes its own way: an order that failed, a provider chain that
could not publish or a record that was not served fails that certificate only.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._renewal.certificates import label

Result = t.Dict[str, t.Any]


def norm(name: str) -> str:
    return str(name or "").rstrip(".").lower()


def failed(result: Result | None) -> bool:
    return bool((result or {}).get("failed"))


def ran(result: Result | None) -> bool:
    """A registered result of a task that ran (not skipped, not undefined)."""
    return bool(result) and not result.get("skipped")


def loop_results(registered: Result | None) -> list[Result]:
    """The results of a registered loop's items that ran (the per-chain results of the publishing loop)."""
    return [result for result in (registered or {}).get("results") or [] if not result.get("skipped")]


def published_ok(published: Result | None) -> dict[str, Result]:
    """Record name -> the group result that published it."""
    records = {}
    for result in loop_results(published):
        if not failed(result):
            for record in (result.get("item") or {}).get("records") or []:
                records[norm(record["name"])] = result
    return records


NOT_CALLED = ("skipped", "simulated_outage", "breaker_open")


def published_chains(published: Result | None) -> list[Result]:
    """Every chain that published: its records, and the providers that were called."""
    chains = []
    for result in loop_results(published):
        if failed(result):
            continue
        group = result.get("item") or {}
        called = {attempt.get("provider") for record in result.get("records") or []
                  for attempt in record.get("attempts") or [] if attempt.get("outcome") not in NOT_CALLED}
        chain = list(group.get("chain") or [])
        chains.append({"chain": chain, "records": group.get("records") or [],
                       "tried": [name for name in chain if name in called]})
    return chains


def served(propagated: Result | None) -> set[str]:
    """Names every server served. A failed wait still says per record which were done."""
    if not ran(propagated):
        return set()
    return {norm(record.get("name")) for record in propagated.get("records") or [] if record.get("done")}


def orders(created: Result | None) -> dict[str, Result]:
    return {str(cert.get("id")): cert for cert in (created or {}).get("certificates") or []}


def ready(order: Result, carried: dict[str, Result], seen: set[str]) -> bool:
    """An open order whose every record was published and served everywhere.

    ``carried`` is ``published_ok(published)`` and ``seen`` is ``served(propagated)``,
    computed once per run by the caller: a run holds up to thousands of orders.
    """
    if failed(order) or not order.get("order_url") or not order.get("needs_order", True):
        return False
    names = [norm(record["name"]) for record in order.get("records") or []]
    return all(name in carried and name in seen for name in names)


def ready_definitions(definitions: list[Result], created: Result | None, published: Result | None,
                      propagated: Result | None) -> list[Result]:
    """The acme_order definitions (with ``order_url``) of the certificates ready to complete."""
    opened = orders(created)
    carried, seen = published_ok(published), served(propagated)
    result = []
    for definition in definitions or []:
        order = opened.get(label(definition))
        if order and ready(order, carried, seen):
            result.append({**definition, "order_url": order["order_url"]})
    return result
