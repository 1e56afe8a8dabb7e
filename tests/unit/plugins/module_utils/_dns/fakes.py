# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An in-memory DNS and a fake clock, to test ``_dns`` at its seams.

``FakeServer`` answers like an authoritative server (referrals, NXDOMAIN,
NODATA, CNAMEs) or, with ``recursive=True``, like a resolver that already
knows everything. ``FakeTransport`` stands in for ``_dns.query.Transport``;
servers named by ``https://`` URLs go through its ``doh`` client, whose
HTTP transport ``FakeHttp`` answers from the same FakeServers.
"""

from __future__ import annotations

import base64
import threading
import typing as t

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import httpx2

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError
from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Resolver
from ansible_collections.portable.dns01.tests.unit.fake_clock import FakeClock


def _name(text: str) -> dns.name.Name:
    return dns.name.from_text(text.lower())


def _rdtype(rdtype: str | int) -> int:
    return dns.rdatatype.from_text(rdtype) if isinstance(rdtype, str) else rdtype


class FakeServer:
    """One DNS server: the zones it is authoritative for and their records."""

    def __init__(self, zones: t.Iterable[str] = (), recursive: bool = False) -> None:
        self.zones = [_name(zone) for zone in zones]
        self.recursive = recursive
        self.records: dict[tuple[dns.name.Name, int], list[str]] = {}
        self.rcode: str | None = None
        self.silent = False

    def add(self, name: str, rdtype: str, *values: str) -> FakeServer:
        """Add values (rdata text) to the RRset ``name``/``rdtype``."""
        key = (_name(name), _rdtype(rdtype))
        self.records.setdefault(key, [])
        self.records[key].extend(value for value in values if value not in self.records[key])
        return self

    def txt(self, name: str, *values: str) -> FakeServer:
        """Add TXT values given as plain strings."""
        return self.add(name, "TXT", *(f'"{value}"' for value in values))

    def remove(self, name: str, rdtype: str) -> None:
        self.records.pop((_name(name), _rdtype(rdtype)), None)

    def respond(self, query: dns.message.Message) -> dns.message.Message:
        """The response this server gives to ``query``."""
        response = dns.message.make_response(query)
        question = query.question[0]
        zone = self._zone_for(question.name)
        if self.rcode:
            response.set_rcode(dns.rcode.from_text(self.rcode))
        elif zone is None:
            response.set_rcode(dns.rcode.REFUSED)
        else:
            self._fill(response, zone, question.name, question.rdtype)
        return response

    def _zone_for(self, qname: dns.name.Name) -> dns.name.Name | None:
        matches = [zone for zone in self.zones if qname.is_subdomain(zone)]
        return max(matches, key=lambda zone: len(zone.labels), default=None)

    def _fill(self, response: dns.message.Message, zone: dns.name.Name, qname: dns.name.Name, rdtype: int) -> None:
        cut = None if self.recursive else self._cut(zone, qname)
        if cut is not None:
            self._put(response.authority, cut, dns.rdatatype.NS)
            return
        response.flags |= dns.flags.AA
        name = self._chase(response, zone, qname, rdtype)
        if response.answer and self._has(name, rdtype):
            return
        if not self._exists(name) and name.is_subdomain(zone):
            response.set_rcode(dns.rcode.NXDOMAIN)
        self._put(response.authority, zone, dns.rdatatype.SOA)

    def _chase(self, response: dns.message.Message, zone: dns.name.Name, name: dns.name.Name, rdtype: int) -> dns.name.Name:
        """Answer ``name``, following CNAMEs inside the zone (or everywhere when recursive)."""
        for _hop in range(10):
            if self._has(name, rdtype):
                self._put(response.answer, name, rdtype)
                return name
            if rdtype == dns.rdatatype.CNAME or not self._has(name, dns.rdatatype.CNAME):
                return name
            self._put(response.answer, name, dns.rdatatype.CNAME)
            target = _name(self.records[(name, dns.rdatatype.CNAME)][0])
            if not (self.recursive or target.is_subdomain(zone)):
                return target
            name = target
        return name

    def _cut(self, zone: dns.name.Name, qname: dns.name.Name) -> dns.name.Name | None:
        name = qname
        while name != zone:
            if self._has(name, dns.rdatatype.NS):
                return name
            name = name.parent()
        return None

    def _has(self, name: dns.name.Name, rdtype: int) -> bool:
        return bool(self.records.get((name, rdtype)))

    def _exists(self, name: dns.name.Name) -> bool:
        return any(owner.is_subdomain(name) for owner, _rdtype in self.records)

    def _put(self, section: list, name: dns.name.Name, rdtype: int) -> None:
        values = self.records.get((name, rdtype)) or ["ns.invalid. hostmaster.invalid. 1 60 60 600 60"]
        section.append(dns.rrset.from_text_list(name, 60, dns.rdataclass.IN, rdtype, values))


class FakeTransport:
    """``Transport`` over a dict of FakeServers, with scheduled changes and a query log.

    With ``timeouts_take_time``, a query to a silent or unknown server moves the
    clock by its ``timeout`` before failing, as a real one waits that long;
    ``waits`` logs (clock time when sent, timeout) of every query.
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.doh: t.Any = None
        self.servers: dict[str, FakeServer] = {}
        self.log: list[tuple[str, str, str, bool]] = []
        self.timeouts_take_time = False
        self.waits: list[tuple[float, float]] = []
        self.rcodes: list[tuple[str, str, str]] = []
        self._events: list[tuple[float, t.Callable[[], None]]] = []
        self._lock = threading.Lock()

    def at(self, elapsed: float, change: t.Callable[[], None]) -> None:
        """Apply ``change`` once the clock has moved ``elapsed`` seconds past its current time."""
        self._events.append((self.clock.monotonic() + elapsed, change))

    def query(self, qname: t.Any, rdtype: t.Any, server: str, port: int = 53, timeout: float = 3.0,
              recursion: bool = False) -> dns.message.Message:
        request = dns.message.make_query(qname, rdtype)
        with self._lock:
            self._apply_due_events()
            question = request.question[0]
            self.log.append((server, question.name.to_text().lower(), dns.rdatatype.to_text(question.rdtype), recursion))
            self.waits.append((self.clock.monotonic(), timeout))
        if server.startswith("https://") and self.doh is not None:
            # As Transport does: DoH URLs go to the DoH client, here over FakeHttp.
            return self.doh.exchange(request, server, timeout)
        with self._lock:
            target = self.servers.get(server)
            silent = target is None or target.silent
        if silent and self.timeouts_take_time:
            self.clock.advance(timeout)
        with self._lock:
            if silent:
                raise DnsQueryError(f"DNS query to {server} failed (timeout)", server=server, reason="timeout")
            # Through wire format, as a real answer would come.
            response = dns.message.from_wire(target.respond(request).to_wire(max_size=65535))
            self.rcodes.append((server, question.name.to_text().lower(), dns.rcode.to_text(response.rcode())))
            return response

    def _apply_due_events(self) -> None:
        due = [event for event in self._events if event[0] <= self.clock.monotonic()]
        self._events = [event for event in self._events if event[0] > self.clock.monotonic()]
        for _when, change in due:
            change()

    def queries_to(self, server: str) -> list[tuple[str, str]]:
        return [(qname, rdtype) for address, qname, rdtype, _rd in self.log if address == server]


class World:
    """A small DNS: one recursive resolver that knows every delegation, and authoritative servers."""

    RESOLVER = "10.0.0.53"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.transport = FakeTransport(clock)
        self.recursor = self.add_resolver(self.RESOLVER)
        self.zones: dict[str, list[FakeServer]] = {}

    @classmethod
    def example(cls, clock: FakeClock) -> World:
        """example.test on ns1 and ns2 (one address each), delegated from test."""
        world = cls(clock)
        world.zone("test", {"ns.test": ["10.0.0.5"]})
        world.zone("example.test", {"ns1.example.test": ["10.0.1.1"], "ns2.example.test": ["10.0.1.2"]}, parent="test")
        return world

    def resolver(self) -> Resolver:
        """A resolver that asks this world's recursive resolver first, on the world's clock."""
        return Resolver(self.transport, bootstrap=[self.RESOLVER], clock=self.clock, query_timeout=1.0)

    def add_resolver(self, address: str) -> FakeServer:
        """A recursive resolver at ``address``; tests add what it should see."""
        self.transport.servers[address] = FakeServer(["."], recursive=True)
        return self.transport.servers[address]

    def zone(self, apex: str, nameservers: dict[str, list[str]], parent: str | None = None) -> list[FakeServer]:
        """Serve ``apex`` from every address of every NS name; delegate it from ``parent``'s servers."""
        servers = []
        for ns_name, addresses in nameservers.items():
            self.recursor.add(apex, "NS", f"{ns_name}.")
            for address in addresses:
                self.recursor.add(ns_name, "AAAA" if ":" in address else "A", address)
                servers.append(self._serve(address, apex, ns_name))
            for parent_server in self.zones.get(parent or "", []):
                parent_server.add(apex, "NS", f"{ns_name}.")
        self.zones[apex] = servers
        return servers

    def _serve(self, address: str, apex: str, ns_name: str) -> FakeServer:
        server = self.transport.servers.setdefault(address, FakeServer())
        server.zones.append(_name(apex))
        server.add(apex, "NS", f"{ns_name}.")
        return server

    def txt(self, zone: str, name: str, *values: str) -> None:
        """Publish TXT values on every server of ``zone``."""
        for server in self.zones[zone]:
            server.txt(name, *values)

    def cname(self, zone: str, name: str, target: str) -> None:
        for server in self.zones[zone]:
            server.add(name, "CNAME", f"{target}.")

    def server(self, address: str) -> FakeServer:
        return self.transport.servers[address]


class FakeResponse:
    """An HTTP response a DoH resolver could send; ``build`` makes it anew for each request."""

    def __init__(self, status_code: int = 200, content: bytes = b"", content_type: str | None = "application/dns-message") -> None:
        self.status_code = status_code
        self.content = content
        self.headers = {"content-type": content_type} if content_type else {}

    def build(self) -> httpx2.Response:
        # Streamed, as a server's answer comes: the client reads and closes it.
        return httpx2.Response(self.status_code, headers=self.headers, stream=httpx2.ByteStream(self.content))


class FakeHttp:
    """DoH at the HTTP seam: ``transport`` (an ``httpx2.MockTransport``) answers each URL from the FakeServer under it.

    ``failures`` maps a URL to an exception to raise or a FakeResponse to return
    instead; ``requests`` logs every request's method, URL (without ``dns``),
    headers, timeouts, and ``params`` (GET) or ``data`` (POST).
    """

    def __init__(self, servers: dict[str, FakeServer]) -> None:
        self.servers = servers
        self.failures: dict[str, Exception | FakeResponse] = {}
        self.requests: list[dict[str, t.Any]] = []
        self.transport = httpx2.MockTransport(self.handle)
        self._lock = threading.Lock()

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        url = str(request.url.copy_remove_param("dns"))
        call = {"method": request.method, "url": url, "headers": {name.lower(): value for name, value in request.headers.items()},
                "timeout": request.extensions.get("timeout")}
        if request.method == "GET":
            call["params"] = dict(request.url.params)
        else:
            call["data"] = request.content
        with self._lock:
            self.requests.append(call)
        failure = self.failures.get(url)
        if isinstance(failure, Exception):
            raise failure
        if failure is not None:
            return failure.build()
        query = dns.message.from_wire(self.wire(request.method, call))
        server = self.servers.get(url)
        if server is None:
            return FakeResponse(404, b"not here", "text/plain").build()
        if server.silent:
            raise httpx2.ReadTimeout(f"read timed out ({url})")
        return FakeResponse(200, server.respond(query).to_wire(max_size=65535)).build()

    @staticmethod
    def wire(method: str, call: dict[str, t.Any]) -> bytes:
        """The DNS message a DoH request carries: base64url in ?dns= for GET, the body for POST."""
        if method == "GET":
            encoded = call["params"]["dns"]
            return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        return call["data"]
