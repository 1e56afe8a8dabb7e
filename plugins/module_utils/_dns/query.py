# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DNS seam: one query to one server.

This is a private module_utils file: its API may change without notice.
Everything in ``_dns`` that talks to the network goes through ``Transport``,
so tests replace it with a fake that answers from memory. A server is an
address, or the ``https://`` URL of a DNS-over-HTTPS resolver.
"""

from __future__ import annotations

import time
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    DependencyError,
    DnsQueryError,
)
from ansible_collections.portable.dns01.plugins.module_utils._dns.doh import is_doh_url

try:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.name
    import dns.query
    import dns.rcode
    import dns.rdatatype
except ImportError as exc:
    DNSPYTHON_IMPORT_ERROR: ImportError | None = exc
else:
    DNSPYTHON_IMPORT_ERROR = None

# 1232 bytes fits the IPv6 minimum MTU without fragmentation (DNS Flag Day 2020).
EDNS_PAYLOAD = 1232
DEFAULT_TIMEOUT = 3.0


def require_dnspython() -> None:
    """Raise ``DependencyError`` when dnspython could not be imported."""
    if DNSPYTHON_IMPORT_ERROR is not None:
        raise DependencyError("dnspython", exception=str(DNSPYTHON_IMPORT_ERROR))


def rcode_text(message: dns.message.Message) -> str:
    """The response code of ``message`` as text, for example ``NXDOMAIN``."""
    return dns.rcode.to_text(message.rcode())


class Transport:
    """Sends DNS messages over UDP, retrying over TCP when the answer is truncated.

    Servers given as ``https://`` URLs go to ``doh`` (a ``DohClient``) instead.
    """

    def __init__(self, payload: int = EDNS_PAYLOAD, doh: t.Any = None) -> None:
        require_dnspython()
        self.payload = payload
        self.doh = doh

    def query(self, qname: str | dns.name.Name, rdtype: str | int, server: str, port: int = 53,
              timeout: float = DEFAULT_TIMEOUT, recursion: bool = False) -> dns.message.Message:
        """Ask ``server`` for ``qname``/``rdtype`` and return the response.

        ``recursion`` sets the RD flag: true for recursive resolvers, false
        for authoritative servers. A response with any rcode is returned;
        no answer at all raises ``DnsQueryError``.
        """
        request = dns.message.make_query(qname, rdtype, use_edns=0, payload=self.payload)
        if not recursion:
            request.flags &= ~dns.flags.RD
        return self.exchange(request, server, port=port, timeout=timeout)

    def exchange(self, request: dns.message.Message, server: str, port: int = 53,
                 timeout: float = DEFAULT_TIMEOUT, tcp: bool = False) -> dns.message.Message:
        """Send a prepared message (a query or an UPDATE) and return the response.

        ``tcp`` skips UDP, which suits UPDATE messages and zone transfers.
        ``timeout`` bounds the whole exchange, the TCP retry of a truncated answer included.
        """
        if is_doh_url(server):
            return self._doh(request, server, timeout)
        try:
            if tcp:
                return dns.query.tcp(request, server, timeout=timeout, port=port)
            return _udp_then_tcp(request, server, port, timeout)
        except dns.exception.Timeout as exc:
            raise _query_error(request, server, port, "timeout", exc) from exc
        except (OSError, EOFError) as exc:
            raise _query_error(request, server, port, "network", exc) from exc
        except dns.exception.DNSException as exc:
            # Malformed or mismatched responses, TSIG failures and the like.
            raise _query_error(request, server, port, "bad-response", exc) from exc

    def _doh(self, request: dns.message.Message, url: str, timeout: float) -> dns.message.Message:
        if self.doh is None:
            raise _query_error(request, url, 443, "no-doh-client", ValueError("DoH resolvers need a DohClient"))
        return self.doh.exchange(request, url, timeout)


def _udp_then_tcp(request: dns.message.Message, server: str, port: int, timeout: float) -> dns.message.Message:
    """Over UDP, and over TCP when the answer comes truncated, both within ``timeout``.

    dnspython's ``udp_with_fallback`` gives the TCP retry a whole ``timeout`` of its own.
    """
    end = time.monotonic() + timeout
    try:
        return dns.query.udp(request, server, timeout=timeout, port=port, raise_on_truncation=True)
    except dns.message.Truncated:
        left = end - time.monotonic()
        if left <= 0:
            raise dns.exception.Timeout(timeout=timeout) from None
        return dns.query.tcp(request, server, timeout=left, port=port)


def _query_error(request: dns.message.Message, server: str, port: int, reason: str, exc: Exception) -> DnsQueryError:
    """Build the error for a query that got no usable response."""
    question = request.question[0] if request.question else None
    qname = question.name.to_text(omit_final_dot=True).lower() if question is not None else None
    rdtype = dns.rdatatype.to_text(question.rdtype) if question is not None else None
    detail = str(exc) or type(exc).__name__
    return DnsQueryError(
        f"DNS query {qname} {rdtype} to {server} port {port} failed ({reason}): {detail}",
        server=server, port=port, qname=qname, rdtype=rdtype, reason=reason,
    )
