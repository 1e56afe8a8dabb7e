# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Wait until every authoritative nameserver serves the TXT values of every record.

This is a private module_utils file: its API may change without notice.
Let's Encrypt validates from several vantage points, each through its own
resolver that may ask any authoritative server of the zone, so one server
serving the value is not enough: all of them must.
"""

from __future__ import annotations

import concurrent.futures
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError, PropagationTimeout
from ansible_collections.portable.dns01.plugins.module_utils._dns.checks import NO_ANSWER, RecordCheck, ServerCheck
from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Resolver
from ansible_collections.portable.dns01.plugins.module_utils._dns.spec import RecordSpec, WaitSettings

# Each poll waits this much longer than the one before, up to max_interval.
GROWTH = 1.5
MAX_WORKERS = 16
# How many lagging servers the failure message names; the details list them all.
NAMED_IN_MESSAGE = 5


def poll_delay(poll: int, interval: float, max_interval: float) -> float:
    """Seconds to sleep after poll number ``poll`` (0 first). No jitter: a few servers, no herd."""
    return min(max_interval, interval * GROWTH ** poll)


class PropagationWaiter:
    """Polls authoritative servers (and optional resolvers) until the values are everywhere."""

    def __init__(self, resolver: Resolver, settings: WaitSettings, clock: Clock | None = None,
                 max_workers: int = MAX_WORKERS) -> None:
        self.resolver = resolver
        # The resolver bounded by the running call's deadline; set when the call starts.
        self.bounded = resolver
        self.settings = settings
        self.clock = clock or Clock()
        self.max_workers = max_workers

    def wait(self, specs: list[RecordSpec]) -> dict[str, t.Any]:
        """Discover where each record is served, then poll until all serve it.

        Returns ``{"records": [...], "elapsed": seconds}``. Raises
        ``PropagationTimeout`` at the deadline (discovery included: no query
        waits past it) and ``DnsQueryError`` when a server keeps answering
        SERVFAIL or REFUSED.
        """
        deadline = self._start()
        with self._pool(len(specs)) as pool:
            records = self._discover(pool, specs, deadline)
            self._poll_until_done(pool, records, deadline)
        return {"records": [record.result() for record in records], "elapsed": round(deadline.elapsed(), 3)}

    def preview(self, specs: list[RecordSpec]) -> list[dict[str, t.Any]]:
        """What ``wait`` would check, without polling (check mode). Discovery errors are reported, not raised."""
        self._start()
        with self._pool(len(specs)) as pool:
            return list(pool.map(self._preview_one, specs))

    def _start(self) -> Deadline:
        """The call's deadline, which also bounds every query the resolver sends for it."""
        deadline = Deadline(self.clock, self.settings.timeout)
        self.bounded = self.resolver.within(deadline)
        return deadline

    def _discover(self, pool: concurrent.futures.Executor, specs: list[RecordSpec], deadline: Deadline) -> list[RecordCheck]:
        try:
            return list(pool.map(self._plan, specs))
        except DnsQueryError as exc:
            if not deadline.expired():
                raise
            raise PropagationTimeout(f"finding where the records are served did not finish after {self.settings.timeout:g}s"
                                     f" (discovery): {exc.msg}", discovery=exc.details) from exc

    def _preview_one(self, spec: RecordSpec) -> dict[str, t.Any]:
        try:
            result = self._plan(spec).result()
        except DnsQueryError as exc:
            return {"name": spec.name, "expected": list(spec.values), "mode": spec.mode, "error": exc.msg}
        return {key: result[key] for key in ("name", "checked_name", "cname_chain", "zone", "expected", "mode", "nameservers")}

    def _pool(self, tasks: int) -> concurrent.futures.ThreadPoolExecutor:
        return concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(self.max_workers, tasks)))

    def _plan(self, spec: RecordSpec) -> RecordCheck:
        """Follow CNAMEs and find the servers that must serve ``spec``."""
        chain = self.bounded.follow_cname(spec.name) if self.settings.follow_cnames else [spec.name]
        resolvers = [ServerCheck(address, recursive=True) for address in self.settings.resolvers]
        if self.settings.nameservers:
            servers = [ServerCheck(address) for address in self.settings.nameservers]
            return RecordCheck(spec, chain, None, servers, resolvers)
        zone = self.bounded.find_zone(chain[-1])
        servers = [ServerCheck(address, nameserver) for address, nameserver in zone.addresses()]
        unresolved = [ns.name for ns in zone.nameservers if not ns.addresses]
        return RecordCheck(spec, chain, zone.name, servers, resolvers, unresolved)

    def _poll_until_done(self, pool: concurrent.futures.Executor, records: list[RecordCheck], deadline: Deadline) -> None:
        poll = 0
        while True:
            self._poll(pool, records, deadline.elapsed)
            broken = self._broken(records)
            # A record with a broken server is settled (failed); the others are still waited for,
            # so the failure says per record which ones every server served.
            failing = {id(record) for record, _check in broken}
            if all(record.done or id(record) in failing for record in records):
                if broken:
                    raise self._broken_error(records, broken)
                return
            if deadline.expired():
                raise self._timeout(records)
            # Capped by the deadline so the last poll happens right at it.
            self.clock.sleep(deadline.cap(poll_delay(poll, self.settings.interval, self.settings.max_interval)))
            poll += 1

    def _poll(self, pool: concurrent.futures.Executor, records: list[RecordCheck], elapsed: t.Callable[[], float]) -> None:
        """Ask every pending server once, all records at the same time, then update the state."""
        retries = self.settings.servfail_retries
        jobs = [(record, check) for record in records for check in record.pending(retries)]
        answers = list(pool.map(self._ask, jobs))
        now = elapsed()
        for (record, check), answer in zip(jobs, answers):
            if answer is not None:
                check.update(*answer[:2], now, record.spec, answer[2])
        for record in records:
            record.settle(now, self.settings.quorum())

    def _ask(self, job: tuple[RecordCheck, ServerCheck]) -> tuple[str, list[str], str | None] | None:
        """(rcode, values, None), (TIMEOUT, [], why) when the server gave no usable answer, None when not asked."""
        record, check = job
        try:
            if check.recursive:
                # Resolvers (addresses or DoH URLs) get the original name, as the CA's resolvers do:
                # that exercises the CNAMEs too.
                return (*self.bounded.recursive_txt(record.spec.name, check.address), None)
            return (*self.bounded.authoritative_txt(record.checked_name, check.address), None)
        except DnsQueryError as exc:
            if exc.details.get("reason") == "deadline":
                return None  # no time left to ask: the last real answer stays on record
            return NO_ANSWER, [], exc.msg

    def _broken(self, records: list[RecordCheck]) -> list[tuple[RecordCheck, ServerCheck]]:
        """Servers that keep failing, and resolvers of records whose quorum can no longer be met."""
        retries = self.settings.servfail_retries
        broken = [(record, check) for record in records for check in record.servers if check.broken(retries)]
        broken += [(record, check) for record in records if self._quorum_lost(record) for check in record.resolvers
                   if check.broken(retries)]
        return broken

    def _broken_error(self, records: list[RecordCheck], broken: list[tuple[RecordCheck, ServerCheck]]) -> DnsQueryError:
        record, check = broken[0]
        return DnsQueryError(
            f"{check.address} ({check.nameserver or ('resolver' if check.recursive else 'nameserver')}) answered "
            f"{check.rcode} for {record.checked_name} {check.failures} times: {check.hint()}",
            records=[item.result() for item in records], broken=[_server_row(item, bad) for item, bad in broken],
        )

    def _quorum_lost(self, record: RecordCheck) -> bool:
        usable = [check for check in record.resolvers if not check.broken(self.settings.servfail_retries)]
        return len(usable) < self.settings.quorum()

    def _timeout(self, records: list[RecordCheck]) -> PropagationTimeout:
        late = [record for record in records if not record.done]
        lagging = [_server_row(record, check) for record in late for check in record.lagging()]
        named = "; ".join(_describe(row) for row in lagging[:NAMED_IN_MESSAGE])
        more = f" and {len(lagging) - NAMED_IN_MESSAGE} more" if len(lagging) > NAMED_IN_MESSAGE else ""
        return PropagationTimeout(
            f"{len(late)} of {len(records)} records not served everywhere after {self.settings.timeout:g}s: {named}{more}",
            records=[record.result() for record in records], lagging=lagging,
            split_brain=[record.spec.name for record in late if record.split_brain()],
        )


def _server_row(record: RecordCheck, check: ServerCheck) -> dict[str, t.Any]:
    """One server of one record, flat, for the lists in error details."""
    row = {"name": record.spec.name, "checked_name": record.checked_name}
    row.update(check.result())
    return row


def _describe(row: dict[str, t.Any]) -> str:
    where = row["address"] if not row["nameserver"] else f"{row['address']} ({row['nameserver']})"
    return f"{row['checked_name']} on {where}: {row['rcode']} {row['served']}"
