# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The authoritative DNS side of acme-dns, over UDP and TCP.

The zone holds a SOA, an NS record and address records for the zone apex and
the name server; every registered subdomain directly below the apex serves its
non-empty TXT values with TTL 1. A subdomain that was never updated has no
data at all, so it answers NXDOMAIN with the SOA, whose minimum (86400) is
what resolvers use as the negative-cache TTL.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
import socketserver
import struct
import sys
import time

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from .store import Store

_STATIC_TTL = 3600  # upstream's static records carry no TTL, so they get miekg/dns's default
_SOA_TIMERS = "28800 7200 604800 86400"  # refresh retry expire minimum, as upstream writes them
_OUR_PAYLOAD = 1232  # the EDNS buffer size DNS flag day 2020 settled on
_TCP_IDLE = 10.0


@dataclasses.dataclass(frozen=True)
class ZoneSettings:
    """The [general] settings that shape the zone."""

    domain: str
    nsname: str
    nsadmin: str
    ns_address: str | None


class Zone:
    """Answers one query message from the static records and the store."""

    def __init__(self, settings: ZoneSettings, store: Store) -> None:
        self.origin = dns.name.from_text(settings.domain)
        self.store = store
        serial = time.strftime("%Y%m%d%H", time.gmtime())  # upstream's serial: the start hour
        self.soa = dns.rrset.from_text(self.origin, _STATIC_TTL, "IN", "SOA",
                                       f"{_absolute(settings.nsname)} {_absolute(settings.nsadmin)} {serial} {_SOA_TIMERS}")
        self.static = self._static_records(settings)

    def _static_records(self, settings: ZoneSettings) -> dict[tuple[dns.name.Name, int], dns.rrset.RRset]:
        nsname = dns.name.from_text(settings.nsname)
        records = [self.soa, dns.rrset.from_text(self.origin, _STATIC_TTL, "IN", "NS", nsname.to_text())]
        if settings.ns_address:
            rdtype = "AAAA" if ipaddress.ip_address(settings.ns_address).version == 6 else "A"
            for owner in dict.fromkeys((self.origin, nsname)):
                if owner.is_subdomain(self.origin):
                    records.append(dns.rrset.from_text(owner, _STATIC_TTL, "IN", rdtype, settings.ns_address))
        return {(rrset.name, rrset.rdtype): rrset for rrset in records}

    def respond(self, query: dns.message.Message) -> dns.message.Message:
        """The response to query, with rcode, AA and sections set."""
        response = dns.message.make_response(query, our_payload=_OUR_PAYLOAD)
        if query.edns > 0:
            response.set_rcode(dns.rcode.BADVERS)  # only EDNS version 0 exists
        elif query.opcode() != dns.opcode.QUERY:
            response.set_rcode(dns.rcode.NOTIMP)
        elif len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
        else:
            self._answer(query.question[0], response)
        return response

    def _answer(self, question: dns.rrset.RRset, response: dns.message.Message) -> None:
        qname, qtype = question.name, question.rdtype
        if question.rdclass != dns.rdataclass.IN or not qname.is_subdomain(self.origin):
            response.set_rcode(dns.rcode.REFUSED)
            return
        response.flags |= dns.flags.AA
        found = self.lookup(qname, qtype)
        if found is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(self.soa)
        elif found:
            response.answer.extend(found)
        else:
            response.authority.append(self.soa)  # NODATA: the name exists, the type does not

    def lookup(self, qname: dns.name.Name, qtype: int) -> list[dns.rrset.RRset] | None:
        """RRsets for the question: None when the name does not exist, [] for no data."""
        if any(name == qname for name, _rdtype in self.static):
            rrset = self.static.get((qname, qtype))
            # Keep the question's spelling of the owner name, as upstream does.
            return [_renamed(rrset, qname)] if rrset is not None else []
        values = self._dynamic_values(qname)
        if not values:
            return None
        if qtype != dns.rdatatype.TXT:
            return []
        rrset = dns.rrset.RRset(qname, dns.rdataclass.IN, dns.rdatatype.TXT)
        for value in values:
            rrset.add(dns.rdata.from_text("IN", "TXT", f'"{value}"'), ttl=1)
        return [rrset]

    def _dynamic_values(self, qname: dns.name.Name) -> list[str]:
        relative = qname.relativize(self.origin)
        if len(relative.labels) != 1:
            return []
        label = relative.labels[0].decode("ascii", "replace").lower()
        return self.store.txt_values(label)


def _absolute(name: str) -> str:
    return name if name.endswith(".") else name + "."


def _renamed(rrset: dns.rrset.RRset, name: dns.name.Name) -> dns.rrset.RRset:
    copy = dns.rrset.RRset(name, rrset.rdclass, rrset.rdtype)
    copy.update(rrset)
    return copy


def _log(transport: str, client: str, query: dns.message.Message | None, response: dns.message.Message | None) -> None:
    if query is None or response is None:
        sys.stderr.write(f"dns {transport} {client} malformed query dropped\n")
        return
    # An RRset without rdatas is falsy, so test the section, not the question.
    asked = "-"
    if query.question:
        question = query.question[0]
        asked = f"{question.name} {dns.rdatatype.to_text(question.rdtype)}"
    sys.stderr.write(f"dns {transport} {client} {asked} {dns.rcode.to_text(response.rcode())} answers={len(response.answer)}\n")


def _parse(wire: bytes) -> dns.message.Message | None:
    try:
        return dns.message.from_wire(wire)
    except dns.exception.DNSException:
        return None


class _UdpHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data, sock = self.request
        query = _parse(data)
        response = self.server.zone.respond(query) if query is not None else None
        _log("udp", self.client_address[0], query, response)
        if query is None or response is None:
            return
        # Without EDNS a UDP answer is limited to 512 bytes; big answers get TC and the client retries over TCP.
        limit = max(512, min(query.payload, _OUR_PAYLOAD)) if query.edns >= 0 else 512
        sock.sendto(response.to_wire(max_size=limit, prefer_truncation=True), self.client_address)


class _TcpHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.settimeout(_TCP_IDLE)
        # Several queries may share one connection (RFC 7766).
        while True:
            wire = self._read_message()
            if wire is None:
                return
            query = _parse(wire)
            response = self.server.zone.respond(query) if query is not None else None
            _log("tcp", self.client_address[0], query, response)
            if response is None:
                return
            self.request.sendall(response.to_wire(max_size=65535, prepend_length=True))

    def _read_message(self) -> bytes | None:
        header = self._read_exact(2)
        if header is None:
            return None
        return self._read_exact(struct.unpack("!H", header)[0])

    def _read_exact(self, size: int) -> bytes | None:
        data = b""
        try:
            while len(data) < size:
                chunk = self.request.recv(size - len(data))
                if not chunk:
                    return None
                data += chunk
        except OSError:
            return None
        return data


class _UdpServer(socketserver.ThreadingMixIn, socketserver.UDPServer):
    daemon_threads = True
    zone: Zone


class _UdpServer6(_UdpServer):
    address_family = socket.AF_INET6


class _TcpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    zone: Zone


class _TcpServer6(_TcpServer):
    address_family = socket.AF_INET6


def make_dns_servers(zone: Zone, address: str, port: int) -> tuple[_UdpServer, _TcpServer]:
    """UDP and TCP servers for zone on one port; port 0 picks a port free for both."""
    ipv6 = ":" in address
    for _attempt in range(20):
        udp = (_UdpServer6 if ipv6 else _UdpServer)((address, port), _UdpHandler)
        try:
            tcp = (_TcpServer6 if ipv6 else _TcpServer)((address, udp.server_address[1]), _TcpHandler)
        except OSError:
            udp.server_close()
            if port:
                raise
            continue  # the port UDP got is taken on TCP: try another
        udp.zone = tcp.zone = zone
        return udp, tcp
    raise OSError(f"no port free for both UDP and TCP on {address}")
