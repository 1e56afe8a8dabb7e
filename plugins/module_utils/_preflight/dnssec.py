# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DNSSEC: would a validating resolver accept answers from the challenge zone?

This is a private module_utils file: its API may change without notice.
The CA's resolvers validate. A signed zone whose chain of trust is broken
(a DS at the parent that matches no key, expired signatures) is bogus: they
answer SERVFAIL and every DNS-01 validation fails. The chain is followed
from the trust anchors down, zone by zone, asking authoritative servers;
a delegation without DS makes everything below it unsigned (insecure),
which validators accept.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError, InputError
from ansible_collections.portable.dns01.plugins.module_utils._dns.names import name_text, to_name
from ansible_collections.portable.dns01.plugins.module_utils._preflight.lookup import Authoritative, rrset

try:
    import dns.dnssec
    import dns.exception
    import dns.name
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype
    import dns.rrset
except ImportError:
    pass  # query.require_dnspython() reports it before any of this runs

# The root zone's key-signing keys (KSK-2017 and KSK-2024), as DS records.
ROOT_ANCHORS = (
    "20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    "38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
)
SECURE, INSECURE, BOGUS = "secure", "insecure", "bogus"


class Bogus(Exception):
    """The chain of trust is broken at one zone."""


def parse_anchors(texts: t.Iterable[str]) -> dict[str, list[t.Any]]:
    """Trust anchors by zone: DS records given as ``keytag algorithm digesttype digest`` (the root) or as
    ``zone. [ttl] [IN] DS keytag algorithm digesttype digest`` (any zone, as a validator's trust-anchor lines)."""
    anchors: dict[str, list[t.Any]] = {}
    for index, text in enumerate(texts):
        tokens = str(text).split()
        upper = [token.upper() for token in tokens]
        owner, rdata = (tokens[0], tokens[upper.index("DS") + 1:]) if "DS" in upper else (".", tokens)
        try:
            zone = name_text(to_name(owner))
            anchors.setdefault(zone, []).append(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, " ".join(rdata)))
        except (dns.exception.DNSException, ValueError) as exc:
            raise InputError(f"dnssec_trust_anchors[{index}]: {text!r} is not a DS record ({exc})",
                             field="dnssec_trust_anchors") from exc
    if not anchors:
        raise InputError("dnssec_trust_anchors: at least one DS record is required", field="dnssec_trust_anchors")
    return anchors


class ChainChecker:
    """Checks the chain of trust from the root anchors down to one zone."""

    def __init__(self, resolver: t.Any, anchors: dict[str, list[t.Any]], clock: Clock | None = None) -> None:
        self.resolver = resolver
        self.auth = Authoritative(resolver)
        self.anchors = anchors
        self.clock = clock or Clock()

    def check(self, zone_name: str) -> dict[str, t.Any]:
        """``{zone, status, detail, chain}``; status is secure, insecure or bogus."""
        chain: list[dict[str, t.Any]] = []
        try:
            zones = self._zones(zone_name)
            status, detail = self._walk(zones, chain)
        except Bogus as exc:
            status, detail = BOGUS, str(exc)
        except DnsQueryError as exc:
            status, detail = BOGUS, f"the chain could not be read: {exc.msg}"
        return {"zone": zone_name, "status": status, "detail": detail, "chain": chain}

    def _zones(self, zone_name: str) -> list[t.Any]:
        """The zones from the root down to ``zone_name``."""
        zones = [self.resolver.find_zone(zone_name)]
        while to_name(zones[-1].name) != dns.name.root:
            zones.append(self.resolver.find_zone(to_name(zones[-1].name).parent()))
        return list(reversed(zones))

    def _walk(self, zones: list[t.Any], chain: list[dict[str, t.Any]]) -> tuple[str, str]:
        """From the closest zone with a trust anchor down to the last zone of ``zones``."""
        anchored = [index for index, zone in enumerate(zones) if zone.name in self.anchors]
        if not anchored:
            chain.append({"zone": zones[-1].name, "status": INSECURE})
            return INSECURE, f"no trust anchor covers {zones[-1].name}: validators treat it as unsigned"
        zones = zones[anchored[-1]:]
        keys = self._keyset(zones[0], self.anchors[zones[0].name], "the trust anchors")
        if keys is None and zones[0].name == ".":
            chain.append({"zone": ".", "status": INSECURE})
            return INSECURE, "the root zone served here is not signed: no answer can be validated, none is bogus"
        if keys is None:
            raise Bogus(f"{zones[0].name} has a trust anchor but serves no DNSKEY")
        chain.append({"zone": zones[0].name, "status": SECURE})
        for parent, child in zip(zones, zones[1:]):
            ds_set = self._ds(parent, child, keys)
            if ds_set is None:
                chain.append({"zone": child.name, "status": INSECURE})
                return INSECURE, f"{child.name} has no DS record in {parent.name}: unsigned delegation, validators accept it"
            keys = self._keyset(child, list(ds_set), f"the DS records in {parent.name}")
            if keys is None:
                raise Bogus(f"{parent.name} has DS records for {child.name}, but {child.name} serves no DNSKEY")
            chain.append({"zone": child.name, "status": SECURE})
        self._soa(zones[-1], keys)
        return SECURE, f"signed, and the chain of trust from {zones[0].name} down to {zones[-1].name} validates"

    def _keyset(self, zone: t.Any, ds_records: list[t.Any], source: str) -> dns.rrset.RRset | None:
        """The zone's DNSKEY RRset once a key matching ``ds_records`` signs it; None when the zone has no DNSKEY."""
        message = self.auth.ask(zone, zone.name, "DNSKEY", dnssec=True)
        keys = rrset(message, zone.name, dns.rdatatype.DNSKEY)
        if keys is None:
            return None
        name = to_name(zone.name)
        trusted = [key for key in keys if any(_matches(name, key, ds) for ds in ds_records)]
        if not trusted:
            raise Bogus(f"no DNSKEY of {zone.name} matches {source} (key tags "
                        f"{', '.join(str(ds.key_tag) for ds in ds_records)}; the zone has "
                        f"{', '.join(str(dns.dnssec.key_id(key)) for key in keys)})")
        anchor = dns.rrset.from_rdata_list(name, keys.ttl, trusted)
        self._validate(message, name, dns.rdatatype.DNSKEY, keys, anchor)
        return keys

    def _ds(self, parent: t.Any, child: t.Any, parent_keys: dns.rrset.RRset) -> dns.rrset.RRset | None:
        message = self.auth.ask(parent, child.name, "DS", dnssec=True)
        ds_set = rrset(message, child.name, dns.rdatatype.DS)
        if ds_set is not None:
            self._validate(message, to_name(child.name), dns.rdatatype.DS, ds_set, parent_keys)
        return ds_set

    def _soa(self, zone: t.Any, keys: dns.rrset.RRset) -> None:
        """The zone's own data must validate too: expired or missing signatures make it bogus."""
        message = self.auth.ask(zone, zone.name, "SOA", dnssec=True)
        soa = rrset(message, zone.name, dns.rdatatype.SOA)
        if soa is None:
            raise Bogus(f"{zone.name} served no SOA record")
        self._validate(message, to_name(zone.name), dns.rdatatype.SOA, soa, keys)

    def _validate(self, message: t.Any, name: dns.name.Name, rdtype: int, data: dns.rrset.RRset, keys: dns.rrset.RRset) -> None:
        sigs = rrset(message, name, dns.rdatatype.RRSIG, covers=rdtype)
        what = f"{name_text(name)} {dns.rdatatype.to_text(rdtype)}"
        if sigs is None:
            raise Bogus(f"{what} carries no signature")
        try:
            dns.dnssec.validate(data, sigs, {keys.name: keys}, now=self.clock.now().timestamp())
        except dns.dnssec.ValidationFailure as exc:
            raise Bogus(f"{what} does not validate: {exc} (signatures expired, or made with another key?)") from exc


def _matches(name: dns.name.Name, key: t.Any, ds: t.Any) -> bool:
    try:
        return dns.dnssec.make_ds(name, key, ds.digest_type, policy=dns.dnssec.allow_all_policy) == ds
    except (dns.exception.DNSException, ValueError, TypeError):
        return False
