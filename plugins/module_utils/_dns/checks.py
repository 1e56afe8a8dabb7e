# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The state of one propagation wait: per record, per server address.

This is a private module_utils file: its API may change without notice.
Times are seconds since the wait started.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._dns.spec import RecordSpec

# Not an rcode: the server sent nothing usable before the query timed out.
NO_ANSWER = "TIMEOUT"

# Answers that will not turn into the values by waiting a little, with what they usually mean.
HINTS = {
    "REFUSED": "the server does not serve this zone: lame delegation (an NS record names a server without the zone)",
    "NOTAUTH": "the server is not authoritative for this zone: lame delegation",
    "SERVFAIL": "the server cannot answer for the zone: zone not loaded or expired on a secondary, or DNSSEC signing failed",
    "FORMERR": "the server rejected the query format (EDNS not supported?)",
    "NOTIMP": "the server does not implement this query",
}
RESOLVER_SERVFAIL = "the resolver cannot get a good answer: DNSSEC validation failure or unreachable authoritative servers"


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclasses.dataclass
class ServerCheck:
    """What one server address returned for one record."""

    address: str
    nameserver: str | None = None
    recursive: bool = False
    rcode: str | None = None
    values: list[str] = dataclasses.field(default_factory=list)
    last_check: float | None = None
    served_at: float | None = None
    failures: int = 0
    error: str | None = None

    @property
    def serving(self) -> bool:
        """Whether this server has served the values."""
        return self.served_at is not None

    def update(self, rcode: str, values: list[str], now: float, spec: RecordSpec, error: str | None = None) -> None:
        """Take one answer (or, with ``error``, why there was none); a server that served the values once counts as serving."""
        self.rcode, self.values, self.last_check, self.error = rcode, values, now, error
        if rcode in HINTS:
            self.failures += 1
        elif rcode != NO_ANSWER:
            self.failures = 0
        if self.served_at is None and rcode == "NOERROR" and spec.satisfied_by(values):
            self.served_at = now

    def broken(self, retries: int) -> bool:
        """Failed more than ``retries`` times in a row with an answer that waiting will not fix."""
        return self.failures > retries

    def hint(self) -> str | None:
        """What the last answer most likely means, when it is an error."""
        if self.recursive and self.rcode == "SERVFAIL":
            return RESOLVER_SERVFAIL
        if self.rcode == NO_ANSWER:
            # The error tells a DoH resolver's HTTP 404 or TLS failure from a plain time-out.
            last = f"; last error: {self.error}" if self.error else ""
            return f"no answer: the address is unreachable or the server is down{last}"
        return HINTS.get(self.rcode or "")

    def result(self) -> dict[str, t.Any]:
        """This check as a row of the module result."""
        out = {
            "address": self.address, "nameserver": self.nameserver, "rcode": self.rcode, "served": self.values,
            "serving": self.serving, "last_check": _seconds(self.last_check), "served_at": _seconds(self.served_at),
        }
        if not self.serving and self.hint():
            out["hint"] = self.hint()
        return out


@dataclasses.dataclass
class RecordCheck:
    """One record: where its name leads and what each server says."""

    spec: RecordSpec
    cname_chain: list[str]
    zone: str | None
    servers: list[ServerCheck]
    resolvers: list[ServerCheck] = dataclasses.field(default_factory=list)
    unresolved_nameservers: list[str] = dataclasses.field(default_factory=list)
    done_at: float | None = None

    @property
    def checked_name(self) -> str:
        """The name whose TXT values are asked of the authoritative servers: the end of the CNAME chain."""
        return self.cname_chain[-1]

    @property
    def done(self) -> bool:
        """Whether the record is served everywhere it must be."""
        return self.done_at is not None

    def pending(self, retries: int) -> list[ServerCheck]:
        """The checks still to make. Resolvers are asked only once every authoritative server serves:
        asking earlier could leave a negative answer in their cache."""
        if self.done:
            return []
        if not all(check.serving for check in self.servers):
            return [check for check in self.servers if not check.serving and not check.broken(retries)]
        return [check for check in self.resolvers if not check.serving and not check.broken(retries)]

    def settle(self, now: float, quorum: int) -> None:
        """Mark the record done once every authoritative server and a quorum of resolvers serve it."""
        seen_by = sum(check.serving for check in self.resolvers)
        if self.done_at is None and all(check.serving for check in self.servers) and seen_by >= quorum:
            self.done_at = now

    def lagging(self) -> list[ServerCheck]:
        """The servers (and resolvers) that do not serve the values yet."""
        return [check for check in self.servers + self.resolvers if not check.serving]

    def split_brain(self) -> bool:
        """Some authoritative servers serve the values while others never did."""
        serving = [check.serving for check in self.servers]
        return any(serving) and not all(serving)

    def result(self) -> dict[str, t.Any]:
        """This record as an entry of the module result."""
        return {
            "name": self.spec.name, "checked_name": self.checked_name, "cname_chain": self.cname_chain,
            "zone": self.zone, "expected": list(self.spec.values), "mode": self.spec.mode, "done": self.done,
            "elapsed": _seconds(self.done_at), "split_brain": self.split_brain(),
            "nameservers": [check.result() for check in self.servers],
            "resolvers": [check.result() for check in self.resolvers],
            "unresolved_nameservers": self.unresolved_nameservers,
        }
