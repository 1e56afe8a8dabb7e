# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Authoritative answers for the checks before ordering.

This is a private module_utils file: its API may change without notice.
Questions go to the authoritative servers of the name's zone, found through
the ``_dns`` resolver, so a resolver's cache cannot hide a record just added.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError
from ansible_collections.portable.dns01.plugins.module_utils._dns.names import name_text, to_name
from ansible_collections.portable.dns01.plugins.module_utils._dns.query import EDNS_PAYLOAD, rcode_text

try:
    import dns.flags
    import dns.message
    import dns.name
    import dns.rdataclass
    import dns.rdatatype
    import dns.rrset
except ImportError:
    pass  # query.require_dnspython() reports it before any of this runs

SETTLED = ("NOERROR", "NXDOMAIN")


class Authoritative:
    """Asks the authoritative servers of a zone, with or without DNSSEC records."""

    def __init__(self, resolver: t.Any) -> None:
        self.resolver = resolver

    def ask(self, zone: t.Any, name: str | dns.name.Name, rdtype: str | int, dnssec: bool = False) -> dns.message.Message:
        """The first settled answer (NOERROR or NXDOMAIN) from ``zone``'s servers."""
        qname, kind = to_name(name), dns.rdatatype.from_text(rdtype) if isinstance(rdtype, str) else rdtype
        failures = []
        for address, ns_name in zone.addresses():
            try:
                message = self._query(qname, kind, address, dnssec)
            except DnsQueryError as exc:
                failures.append(f"{address} ({ns_name}): {exc.msg}")
                continue
            if rcode_text(message) in SETTLED:
                return message
            failures.append(f"{address} ({ns_name}): {rcode_text(message)}")
        raise DnsQueryError(f"no nameserver of zone {zone.name} answered {name_text(qname)} {dns.rdatatype.to_text(kind)}:"
                            f" {'; '.join(failures)}", zone=zone.name, qname=name_text(qname), failures=failures)

    def _query(self, qname: dns.name.Name, rdtype: int, address: str, dnssec: bool) -> dns.message.Message:
        timeout = self.resolver.query_timeout
        if not dnssec:
            return self.resolver.transport.query(qname, rdtype, address, timeout=timeout, recursion=False)
        # The DO bit asks for the RRSIGs; CD keeps a validating server from hiding a bogus answer.
        request = dns.message.make_query(qname, rdtype, use_edns=0, payload=EDNS_PAYLOAD, want_dnssec=True)
        request.flags &= ~dns.flags.RD
        request.flags |= dns.flags.CD
        return self.resolver.transport.exchange(request, address, timeout=timeout)


def rrset(message: dns.message.Message, name: str | dns.name.Name, rdtype: int,
          covers: int = 0) -> dns.rrset.RRset | None:
    """The answer RRset owned by ``name`` (RRSIGs: ``rdtype`` RRSIG and ``covers``)."""
    return message.get_rrset(message.answer, to_name(name), dns.rdataclass.IN, rdtype, covers)


def cname_target(message: dns.message.Message, name: str | dns.name.Name) -> dns.name.Name | None:
    found = rrset(message, name, dns.rdatatype.CNAME)
    return to_name(found[0].target) if found else None
