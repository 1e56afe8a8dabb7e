# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Signed zones made with dnspython, served at the DNS seam.

``SignedTransport`` is the ``_dns`` FakeTransport (zone cuts, NS, CNAMEs)
plus ``exchange``: queries with the DO bit are answered from real signed
``dns.zone.Zone`` objects, RRSIGs included.
"""

from __future__ import annotations

import dns.dnssec
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec

from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Resolver
from ansible_collections.portable.dns01.plugins.module_utils._preflight.dnssec import ChainChecker, parse_anchors
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._dns.fakes import FakeTransport, World

ALGORITHM = dns.dnssec.Algorithm.ECDSAP256SHA256
# Signature times are seconds since 1970, like the fake clock's now() (1000 s).
INCEPTION, EXPIRATION = 0, 100_000


class Key:
    """A key-signing key (flags 257) and the DS record that points at it."""

    def __init__(self, owner: str) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.dnskey = dns.dnssec.make_dnskey(self.private.public_key(), ALGORITHM, flags=257)
        self.owner = dns.name.from_text(owner)

    def ds(self) -> str:
        return dns.dnssec.make_ds(self.owner, self.dnskey, "SHA256").to_text()


def signed_zone(origin: str, records: list[str], key: Key | None, expiration: int = EXPIRATION) -> dns.zone.Zone:
    """A zone from master-file lines (SOA and NS added), signed with ``key`` unless it is None."""
    suffix = "" if origin == "." else origin
    text = "\n".join([f"@ 60 IN SOA ns.{suffix} hostmaster.{suffix} 1 60 60 600 60", f"@ 60 IN NS ns.{suffix}"] + records)
    zone = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
    if key is not None:
        with zone.writer() as txn:
            dns.dnssec.sign_zone(zone, txn=txn, keys=[(key.private, key.dnskey)], inception=INCEPTION, expiration=expiration)
    return zone


class SignedTransport(FakeTransport):
    """FakeTransport whose servers also hold signed zones for DNSSEC queries."""

    def __init__(self, clock) -> None:
        super().__init__(clock)
        self.signed: dict[str, dns.zone.Zone] = {}

    def exchange(self, request: dns.message.Message, server: str, port: int = 53, timeout: float = 3.0,
                 tcp: bool = False) -> dns.message.Message:
        question = request.question[0]
        self.log.append((server, question.name.to_text().lower(), dns.rdatatype.to_text(question.rdtype), False))
        zone = self.signed.get(server)
        if zone is None:
            return super().query(question.name, question.rdtype, server, port, timeout)
        response = dns.message.make_response(request)
        response.flags |= dns.flags.AA
        node = zone.get_node(question.name)
        if node is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response
        for rdtype, covers in ((question.rdtype, dns.rdatatype.NONE), (dns.rdatatype.RRSIG, question.rdtype)):
            rdataset = node.get_rdataset(dns.rdataclass.IN, rdtype, covers)
            if rdataset is not None and (rdtype != dns.rdatatype.RRSIG or request.flags & dns.flags.DO or request.ednsflags & dns.flags.DO):
                rrset = dns.rrset.RRset(question.name, dns.rdataclass.IN, rdtype, covers)
                rrset.update(rdataset)
                response.answer.append(rrset)
        return dns.message.from_wire(response.to_wire())


class Signed:
    """root -> test -> example.test, signed, with DS records; tests break one link."""

    def __init__(self, clock) -> None:
        self.world = World(clock)
        transport = SignedTransport(clock)
        transport.servers = self.world.transport.servers
        self.world.transport = transport
        self.world.zone(".", {"a.root-servers.test": ["10.0.0.1"]})
        self.world.zone("test", {"ns.test": ["10.0.0.5"]}, parent=".")
        self.world.zone("example.test", {"ns1.example.test": ["10.0.1.1"], "ns2.example.test": ["10.0.1.2"]}, parent="test")
        self.keys = {name: Key(name) for name in (".", "test.", "example.test.")}
        self.resolver = Resolver(transport, bootstrap=[World.RESOLVER], clock=clock, query_timeout=1.0)
        self.clock = clock

    def serve(self, root=True, test_ds=True, example_ds=None, example_key=True, example_expiration=100_000):
        keys, transport = self.keys, self.world.transport
        ds_test = [f"test. 60 IN DS {keys['test.'].ds()}"] if test_ds else []
        transport.signed["10.0.0.1"] = signed_zone(".", ["test. 60 IN NS ns.test."] + ds_test, keys["."] if root else None)
        example_ds = keys["example.test."].ds() if example_ds is None else example_ds
        ds_example = [f"example.test. 60 IN DS {example_ds}"] if example_ds else []
        transport.signed["10.0.0.5"] = signed_zone("test.", ["example.test. 60 IN NS ns1.example.test."] + ds_example, keys["test."])
        example = signed_zone("example.test.", [], keys["example.test."] if example_key else None, example_expiration)
        transport.signed["10.0.1.1"] = transport.signed["10.0.1.2"] = example

    def check(self, zone="example.test", anchors=None):
        anchors = parse_anchors(anchors or [self.keys["."].ds()])
        return ChainChecker(self.resolver, anchors, self.clock).check(zone)
