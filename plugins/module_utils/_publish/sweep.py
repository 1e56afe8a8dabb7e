# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The durable journal of published values, as publishing uses it, and the sweep.

This is a private module_utils file: its API may change without notice.
Under ``run_lock``, every write first checks the lock (fencing) and every
publish is journalled before the provider is called. ``state=swept`` removes
the values that runs which no longer hold the lock left behind, through the
provider that wrote them, found in the catalog by its endpoint identity.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import ProviderError
from ansible_collections.portable.dns01.plugins.module_utils._lock.journal import entry, entry_id
from ansible_collections.portable.dns01.plugins.module_utils._lock.runlock import RunLock
from ansible_collections.portable.dns01.plugins.module_utils._publish.identity import identity
from ansible_collections.portable.dns01.plugins.module_utils._publish.outage import Outages
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Provider

# Outcomes whose journal entries are dropped: the values are gone or cannot be removed by anyone.
SETTLED = ("removed", "absent", "not_removable")


class Ledger:
    """This run's side of the journal: fence, write ahead, forget what was removed."""

    def __init__(self, run_lock: RunLock, clock: Clock) -> None:
        self.run_lock = run_lock
        self.clock = clock

    def before_write(self) -> None:
        self.run_lock.check()

    def before_publish(self, provider: Provider, name: str, values: set[str]) -> None:
        self.run_lock.check()
        now = self.clock.now().timestamp()
        ident = identity(provider)
        self.run_lock.journal.add([entry(self.run_lock.owner, provider.name, provider.type_name, ident, name, value, now)
                                   for value in sorted(values)])

    def removed(self, provider: Provider, name: str, values: set[str]) -> None:
        ident = identity(provider)
        self.run_lock.journal.drop([entry_id(self.run_lock.owner, ident, name, value) for value in sorted(values)])


def _groups(entries: list[dict[str, t.Any]]) -> dict[tuple[str, str], list[dict[str, t.Any]]]:
    groups: dict[tuple[str, str], list[dict[str, t.Any]]] = {}
    for item in entries:
        groups.setdefault((item["identity"], item["name"]), []).append(item)
    return groups


def _match(providers: list[Provider], ident: str, written_by: str) -> Provider | None:
    """The catalog's provider with this identity; the same name first when several share it."""
    matching = [provider for provider in providers if identity(provider) == ident]
    named = [provider for provider in matching if provider.name == written_by]
    return (named or matching or [None])[0]


def _sweep_one(run_lock: RunLock, provider: Provider | None, name: str, items: list[dict[str, t.Any]],
               check_mode: bool, outages: Outages) -> dict[str, t.Any]:
    values = sorted({item["value"] for item in items})
    report: dict[str, t.Any] = {"provider": provider.name if provider else items[0]["provider"], "name": name, "values": values,
                                "outcome": "removed", "message": None}
    if provider is None:
        report.update(outcome="provider_missing", message=f"no provider in the catalog has the endpoint {items[0]['identity']}")
        return report
    if not provider.can_remove:
        report.update(outcome="not_removable", message=f"{provider.type_name} has no delete call: later updates replace the values")
        return report
    skipped = outages.skip_message(provider.name)
    if skipped:
        # The entries stay in the journal for the next sweep.
        report.update(outcome="failed", message=skipped)
        return report
    try:
        present = provider.list(name) & set(values)
        if not present:
            report["outcome"] = "absent"
        elif check_mode:
            report.update(outcome="would_remove", values=sorted(present))
        else:
            run_lock.check()
            provider.remove(name, present)
    except ProviderError as exc:
        outages.note(provider.name, exc)
        report.update(outcome="failed", message=exc.msg)
    return report


def sweep(run_lock: RunLock, providers: list[Provider], check_mode: bool) -> list[dict[str, t.Any]]:
    """Remove what owners other than ``run_lock.owner`` journalled; keep what could not be removed."""
    foreign = [item for item in run_lock.journal.entries() if item["owner"] != run_lock.owner]
    swept = []
    outages = Outages()
    for (ident, name), items in _groups(foreign).items():
        report = _sweep_one(run_lock, _match(providers, ident, items[0]["provider"]), name, items, check_mode, outages)
        if report["outcome"] in SETTLED and not check_mode:
            run_lock.journal.drop([item["id"] for item in items])
        swept.append(report)
    return swept
