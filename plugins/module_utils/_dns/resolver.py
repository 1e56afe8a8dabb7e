# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Zone cuts, authoritative nameservers and CNAME chains.

This is a private module_utils file: its API may change without notice.
Recursive (bootstrap) resolvers are asked only about names above the one
being checked and about nameserver addresses. The name itself goes to the
authoritative servers: a resolver that sees NXDOMAIN for a challenge name
may cache it for as long as the zone's SOA minimum (a day at acme-dns).
Once ``deadline`` is set, no query waits past it and none is sent after it.
"""

from __future__ import annotations

import copy
import dataclasses
import threading

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError
from ansible_collections.portable.dns01.plugins.module_utils._dns.names import name_text, to_name
from ansible_collections.portable.dns01.plugins.module_utils._dns.query import (
    DEFAULT_TIMEOUT,
    Transport,
    rcode_text,
)

try:
    import dns.exception
    import dns.message
    import dns.name
    import dns.rdataclass
    import dns.rdatatype
    import dns.rrset
except ImportError:
    pass  # Transport() raises DependencyError before a Resolver can be built

RESOLV_CONF = "/etc/resolv.conf"
MAX_CNAME_DEPTH = 8
# Answers that settle a question; anything else makes us ask the next server.
USABLE_RCODES = ("NOERROR", "NXDOMAIN")
# The pause before the bootstrap resolvers are asked a second time.
RETRY_PAUSE = 0.2


@dataclasses.dataclass
class Nameserver:
    """One NS name of a zone and every address it resolves to (empty when it resolves to none)."""

    name: str
    addresses: list[str]


@dataclasses.dataclass
class Zone:
    """A zone apex and its authoritative nameservers."""

    name: str
    nameservers: list[Nameserver]

    def addresses(self) -> list[tuple[str, str]]:
        """Every (address, NS name) pair, in NS name order."""
        return [(address, ns.name) for ns in self.nameservers for address in ns.addresses]


def read_resolv_conf(path: str | None = None) -> list[str]:
    """The ``nameserver`` addresses listed in a resolv.conf file (empty when it cannot be read)."""
    try:
        with open(path or RESOLV_CONF, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    words = [line.split() for line in lines]
    return [parts[1] for parts in words if len(parts) >= 2 and parts[0] == "nameserver"]


def txt_values(rrset: dns.rrset.RRset | None) -> list[str]:
    """TXT rdata as sorted text; the character-strings of one value are joined as RFC 7208 does."""
    if rrset is None:
        return []
    return sorted(b"".join(rdata.strings).decode("utf-8", "replace") for rdata in rrset)


def _answer(message: dns.message.Message, qname: dns.name.Name, rdtype: int) -> dns.rrset.RRset | None:
    """The answer RRset owned by ``qname`` itself, without following CNAMEs."""
    return message.get_rrset(message.answer, qname, dns.rdataclass.IN, rdtype)


def _chained(message: dns.message.Message) -> dns.rrset.RRset | None:
    """The final answer RRset of a recursive response, after the CNAMEs it carries."""
    try:
        return message.resolve_chaining().answer
    except dns.exception.DNSException as exc:
        # Chains too long or contradicting the rcode: treat as a broken answer.
        raise DnsQueryError(f"unusable answer for {message.question[0].name}: {exc}") from exc


def _referral(message: dns.message.Message, parent: dns.name.Name, qname: dns.name.Name) -> dns.rrset.RRset | None:
    """The NS RRset of a delegation below ``parent`` towards ``qname``, if ``message`` is a referral."""
    for rrset in message.authority:
        if rrset.rdtype != dns.rdatatype.NS or rrset.name == parent:
            continue
        if rrset.name.is_subdomain(parent) and qname.is_subdomain(rrset.name):
            return rrset
    return None


class Resolver:
    """Finds where a name lives in the DNS, asking authoritative servers directly.

    Each query waits at most ``query_timeout``, cut to what is left of
    ``deadline`` (the whole call's limit) when one is set.
    """

    def __init__(self, transport: Transport, bootstrap: list[str] | None = None, clock: Clock | None = None,
                 query_timeout: float = DEFAULT_TIMEOUT, max_cname_depth: int = MAX_CNAME_DEPTH) -> None:
        self.transport = transport
        self.bootstrap = list(bootstrap) if bootstrap else read_resolv_conf()
        self.clock = clock or Clock()
        self.query_timeout = query_timeout
        self.max_cname_depth = max_cname_depth
        self.deadline: Deadline | None = None
        # Records of one run share zones; the lock lets worker threads share the caches.
        self._lock = threading.Lock()
        self._cuts: dict[dns.name.Name, Zone | None] = {}
        self._addresses: dict[dns.name.Name, list[str]] = {}
        self._zones: dict[dns.name.Name, Zone] = {}

    def within(self, deadline: Deadline) -> Resolver:
        """This resolver, sharing its caches, with every query bounded by ``deadline``."""
        bounded = copy.copy(self)
        bounded.deadline = deadline
        return bounded

    def query_time(self, server: str, qname: dns.name.Name, rdtype: int) -> float:
        """How long the next query may wait; ``DnsQueryError`` (reason ``deadline``) once no time is left."""
        if self.deadline is None:
            return self.query_timeout
        left = self.deadline.remaining()
        if left <= 0:
            raise DnsQueryError(f"not asked {server} for {name_text(qname)} {dns.rdatatype.to_text(rdtype)}: "
                                "the call's timeout passed", server=server, qname=name_text(qname), reason="deadline")
        return min(self.query_timeout, left)

    def query(self, qname: dns.name.Name, rdtype: int, server: str, recursion: bool = False) -> dns.message.Message:
        """One query through the transport, waiting at most ``query_time``."""
        timeout = self.query_time(server, qname, rdtype)
        return self.transport.query(qname, rdtype, server, timeout=timeout, recursion=recursion)

    def addresses(self, hostname: str | dns.name.Name) -> list[str]:
        """Every IPv4 and IPv6 address of ``hostname``, as the bootstrap resolvers see them."""
        qname = to_name(hostname)
        with self._lock:
            cached = self._addresses.get(qname)
        if cached is not None:
            return list(cached)
        found = self._lookup_addresses(qname)
        with self._lock:
            self._addresses[qname] = found
        return list(found)

    def _lookup_addresses(self, qname: dns.name.Name) -> list[str]:
        found: list[str] = []
        # Both families: the CA's resolvers may reach a nameserver over either.
        for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            rrset = _chained(self._recursive(qname, rdtype))
            found.extend(rdata.address for rdata in rrset or ())
        if not found:
            raise DnsQueryError(f"{name_text(qname)} has no A or AAAA record", qname=name_text(qname))
        return found

    def find_zone(self, name: str | dns.name.Name) -> Zone:
        """The zone ``name`` belongs to, with all addresses of all its nameservers.

        A zone found through the bootstrap resolvers above ``name`` is then
        refined by asking its authoritative servers, following referrals down.
        """
        qname = to_name(name)
        with self._lock:
            cached = self._zones.get(qname)
        if cached is None:
            cached = self._descend(self._enclosing_zone(qname), qname)
            with self._lock:
                self._zones[qname] = cached
        return cached

    def _descend(self, zone: Zone, qname: dns.name.Name) -> Zone:
        # Each referral moves at least one label down, so this many steps always suffice.
        for _level in range(len(qname.labels)):
            child = self._child_zone(zone, qname)
            if child is None:
                return zone
            zone = child
        return zone

    def _enclosing_zone(self, qname: dns.name.Name) -> Zone:
        """The closest zone strictly above ``qname`` (or the root), found through the bootstrap resolvers."""
        candidate = qname.parent() if qname != dns.name.root else qname
        while True:
            zone = self._zone_at(candidate)
            if zone is not None:
                return zone
            if candidate == dns.name.root:
                raise DnsQueryError(f"no zone found above {name_text(qname)}", qname=name_text(qname))
            candidate = candidate.parent()

    def _zone_at(self, candidate: dns.name.Name) -> Zone | None:
        """The zone whose apex is ``candidate``, or None when no zone starts there."""
        with self._lock:
            if candidate in self._cuts:
                return self._cuts[candidate]
        ns_rrset = _answer(self._recursive(candidate, dns.rdatatype.NS), candidate, dns.rdatatype.NS)
        zone = self._zone(candidate, ns_rrset) if ns_rrset else None
        with self._lock:
            self._cuts[candidate] = zone
        return zone

    def _child_zone(self, zone: Zone, qname: dns.name.Name) -> Zone | None:
        """Ask ``zone``'s servers about ``qname``: a zone below ``zone`` if they delegate or own one."""
        if to_name(zone.name) == qname:
            return None
        message = self._authoritative(zone, qname, dns.rdatatype.NS)
        apex = _answer(message, qname, dns.rdatatype.NS)
        if apex is not None:
            # The same servers host parent and child: they answer for the child apex.
            return self._zone(qname, apex)
        delegation = _referral(message, to_name(zone.name), qname)
        return self._zone(delegation.name, delegation) if delegation else None

    def _zone(self, apex: dns.name.Name, ns_rrset: dns.rrset.RRset) -> Zone:
        """Build a Zone, resolving each NS name; a name that does not resolve keeps no addresses."""
        nameservers, errors = [], []
        # Sorted so that results and failure tables read the same on every run.
        for target in sorted({rdata.target for rdata in ns_rrset}):
            try:
                addresses = self.addresses(target)
            except DnsQueryError as exc:
                addresses = []
                errors.append(exc.msg)
            nameservers.append(Nameserver(name_text(target), addresses))
        if not any(ns.addresses for ns in nameservers):
            raise DnsQueryError(f"no nameserver of zone {name_text(apex)} has an address: {'; '.join(errors)}",
                                zone=name_text(apex), nameservers=[ns.name for ns in nameservers])
        return Zone(name_text(apex), nameservers)

    def follow_cname(self, name: str | dns.name.Name) -> list[str]:
        """The CNAME chain from ``name``: the name first, the final target last.

        Each hop is asked of the authoritative servers of its zone. A loop or a
        chain longer than ``max_cname_depth`` raises ``DnsQueryError``.
        """
        chain = [to_name(name)]
        while True:
            target = self._cname_target(chain[-1])
            if target is None:
                return [name_text(hop) for hop in chain]
            self._check_hop(chain, target)
            chain.append(target)

    def _check_hop(self, chain: list[dns.name.Name], target: dns.name.Name) -> None:
        texts = [name_text(hop) for hop in chain + [target]]
        if target in chain:
            raise DnsQueryError(f"CNAME loop: {' -> '.join(texts)}", cname_chain=texts)
        if len(chain) > self.max_cname_depth:
            raise DnsQueryError(f"CNAME chain longer than {self.max_cname_depth}: {' -> '.join(texts)}", cname_chain=texts)

    def _cname_target(self, qname: dns.name.Name) -> dns.name.Name | None:
        message = self._authoritative(self.find_zone(qname), qname, dns.rdatatype.CNAME)
        rrset = _answer(message, qname, dns.rdatatype.CNAME)
        return to_name(rrset[0].target) if rrset else None

    def authoritative_txt(self, name: str | dns.name.Name, server: str) -> tuple[str, list[str]]:
        """Ask one authoritative ``server`` for the TXT values at ``name``: (rcode, values).

        A CNAME at ``name`` is not followed: the values are those owned by ``name``.
        """
        qname = to_name(name)
        message = self.query(qname, dns.rdatatype.TXT, server, recursion=False)
        return rcode_text(message), txt_values(_answer(message, qname, dns.rdatatype.TXT))

    def authoritative_cname(self, name: str | dns.name.Name, server: str) -> tuple[str, str | None]:
        """Ask one authoritative ``server`` for the CNAME at ``name``: (rcode, target or None)."""
        qname = to_name(name)
        message = self.query(qname, dns.rdatatype.CNAME, server, recursion=False)
        rrset = _answer(message, qname, dns.rdatatype.CNAME)
        return rcode_text(message), name_text(rrset[0].target) if rrset else None

    def recursive_txt(self, name: str | dns.name.Name, server: str) -> tuple[str, list[str]]:
        """Ask one recursive resolver for the TXT values at ``name``, CNAMEs followed: (rcode, values)."""
        qname = to_name(name)
        message = self.query(qname, dns.rdatatype.TXT, server, recursion=True)
        return rcode_text(message), txt_values(_chained(message))

    def _authoritative(self, zone: Zone, qname: dns.name.Name, rdtype: int) -> dns.message.Message:
        """The first usable answer from ``zone``'s servers, trying each address in turn."""
        failures = []
        for address, ns_name in zone.addresses():
            try:
                message = self.query(qname, rdtype, address, recursion=False)
            except DnsQueryError as exc:
                failures.append({"address": address, "nameserver": ns_name, "error": exc.msg,
                                 "reason": exc.details.get("reason") or "error"})
                continue
            if rcode_text(message) in USABLE_RCODES:
                return message
            failures.append({"address": address, "nameserver": ns_name, "rcode": rcode_text(message)})
        said = "; ".join(f"{item['address']} ({item['nameserver']}) {_outcome(item)}" for item in failures)
        raise DnsQueryError(
            f"no nameserver of zone {zone.name} answered {name_text(qname)} {dns.rdatatype.to_text(rdtype)}: {said}",
            zone=zone.name, qname=name_text(qname), failures=failures,
        )

    def _recursive(self, qname: dns.name.Name, rdtype: int) -> dns.message.Message:
        """A usable answer from the bootstrap resolvers; one retry round absorbs a dropped packet."""
        if not self.bootstrap:
            raise DnsQueryError("no bootstrap resolvers: set bootstrap_resolvers or list one in /etc/resolv.conf")
        failures: list[dict[str, str]] = []
        for attempt in range(2):
            if attempt and not self._pause(RETRY_PAUSE):
                break
            for server in self.bootstrap:
                message = self._try_recursive(qname, rdtype, server, failures)
                if message is not None:
                    return message
        said = "; ".join(f"{item['resolver']} {_outcome(item)}" for item in failures)
        raise DnsQueryError(
            f"no bootstrap resolver answered {name_text(qname)} {dns.rdatatype.to_text(rdtype)}: {said}",
            qname=name_text(qname), resolvers=self.bootstrap, failures=failures,
        )

    def _pause(self, seconds: float) -> bool:
        """Sleep ``seconds`` (cut to the deadline); whether time is left afterwards."""
        if self.deadline is None:
            self.clock.sleep(seconds)
            return True
        self.clock.sleep(self.deadline.cap(seconds))
        return not self.deadline.expired()

    def _try_recursive(self, qname: dns.name.Name, rdtype: int, server: str, failures: list[dict[str, str]]) -> dns.message.Message | None:
        try:
            message = self.query(qname, rdtype, server, recursion=True)
        except DnsQueryError as exc:
            failures.append({"resolver": server, "error": exc.msg, "reason": exc.details.get("reason") or "error"})
            return None
        if rcode_text(message) in USABLE_RCODES:
            return message
        failures.append({"resolver": server, "rcode": rcode_text(message)})
        return None


def _outcome(failure: dict[str, str]) -> str:
    """What one server did instead of answering, in a few words: an rcode, ``timeout``, ``network``..."""
    if failure.get("reason") == "deadline":
        return "not asked: the call's timeout passed"
    return failure.get("rcode") or failure.get("reason") or "error"
