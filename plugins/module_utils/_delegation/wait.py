# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Wait until every authoritative server address of a zone serves a CNAME (or none).

This is a private module_utils file: its API may change without notice.
The CA's vantage points may ask any authoritative server, so all of them
must answer with the delegation before renewals can rely on it.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError, PropagationTimeout
from ansible_collections.portable.dns01.plugins.module_utils._dns.checks import NO_ANSWER
from ansible_collections.portable.dns01.plugins.module_utils._dns.propagation import poll_delay


@dataclasses.dataclass
class Server:
    """One authoritative server address and its last answer."""

    address: str
    nameserver: str
    rcode: str | None = None
    target: str | None = None
    serving: bool = False

    def as_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)


class CnameWaiter:
    """Polls the zone's servers; ``expected`` None waits until none serves a CNAME."""

    def __init__(self, resolver: t.Any, clock: Clock, timeout: float, interval: float = 0.5, max_interval: float = 5.0) -> None:
        self.resolver = resolver
        self.clock = clock
        self.timeout = timeout
        self.interval = interval
        self.max_interval = max_interval

    def wait(self, name: str, expected: str | None) -> tuple[str, list[dict[str, t.Any]]]:
        """(zone, one row per server address) once all serve ``expected``; PropagationTimeout otherwise."""
        deadline = Deadline(self.clock, self.timeout)
        # Every query of the wait, finding the zone included, ends by the deadline.
        resolver = self.resolver.within(deadline)
        try:
            zone = resolver.find_zone(name)
        except DnsQueryError as exc:
            if not deadline.expired():
                raise
            raise PropagationTimeout(f"{name}: the zone and its nameservers were not found within {self.timeout:g}s: {exc.msg}",
                                     discovery=exc.details) from exc
        servers = [Server(address, nameserver) for address, nameserver in zone.addresses()]
        poll = 0
        while True:
            for server in servers:
                if not server.serving:
                    self._ask(resolver, server, name, expected)
            if all(server.serving for server in servers):
                return zone.name, [server.as_dict() for server in servers]
            if deadline.expired():
                raise _timeout(name, expected, zone.name, servers, self.timeout)
            self.clock.sleep(deadline.cap(poll_delay(poll, self.interval, self.max_interval)))
            poll += 1

    @staticmethod
    def _ask(resolver: t.Any, server: Server, name: str, expected: str | None) -> None:
        try:
            server.rcode, server.target = resolver.authoritative_cname(name, server.address)
        except DnsQueryError as exc:
            if exc.details.get("reason") == "deadline":
                return  # not asked: the last real answer stays on record
            server.rcode, server.target = NO_ANSWER, None
        server.serving = server.rcode in ("NOERROR", "NXDOMAIN") and server.target == expected


def _timeout(name: str, expected: str | None, zone: str, servers: list[Server], timeout: float) -> PropagationTimeout:
    late = "; ".join(f"{server.address} ({server.nameserver}): {server.rcode} {server.target or 'no CNAME'}"
                     for server in servers if not server.serving)
    want = f"CNAME {expected}" if expected else "no CNAME"
    return PropagationTimeout(f"{name}: not every nameserver of {zone} serves {want} after {timeout:g}s: {late}",
                              zone=zone, nameservers=[server.as_dict() for server in servers])
