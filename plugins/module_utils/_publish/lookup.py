# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The name lookups publishing needs, through the ``_dns`` resolver.

This is a private module_utils file: its API may change without notice.
The resolver is built on first use, so a call that needs no lookup (zones
given, CNAMEs not followed) sends no DNS query at all. Once ``deadline`` is
set, no query waits past it and none is sent after it.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError
from ansible_collections.portable.dns01.plugins.module_utils._dns.query import Transport
from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Resolver

# Answers that settle what a server holds at a name.
_SETTLED = ("NOERROR", "NXDOMAIN")


class Names:
    """CNAME chains, zones, addresses and authoritative TXT values."""

    def __init__(self, bootstrap: list[str], clock: Clock, query_timeout: float, resolver: t.Any = None,
                 transport: t.Any = None) -> None:
        self.bootstrap = bootstrap
        self.clock = clock
        self.query_timeout = query_timeout
        self.deadline: Deadline | None = None
        self._resolver = resolver
        self._transport = transport

    @property
    def resolver(self) -> t.Any:
        if self._resolver is None:
            self._resolver = Resolver(self._transport or Transport(), self.bootstrap, self.clock, self.query_timeout)
        if self.deadline is not None and hasattr(self._resolver, "within"):
            # A copy sharing the caches cuts each query, and its retry pause, to what is left of the call.
            return self._resolver.within(self.deadline)
        return self._resolver

    def follow_cname(self, name: str) -> list[str]:
        """The chain from ``name`` to its final target; just ``[name]`` without a CNAME."""
        return self.resolver.follow_cname(name)

    def find_zone(self, name: str) -> t.Any:
        return self.resolver.find_zone(name)

    def addresses(self, hostname: str) -> list[str]:
        return self.resolver.addresses(hostname)

    def txt_lookup(self, name: str) -> set[str]:
        """The TXT values the first answering authoritative server holds at ``name``."""
        zone = self.find_zone(name)
        for address, _ns_name in zone.addresses():
            try:
                rcode, values = self.resolver.authoritative_txt(name, address)
            except DnsQueryError:
                continue
            if rcode in _SETTLED:
                return set(values)
        raise DnsQueryError(f"no authoritative server of {zone.name} answered for {name}", name=name)
