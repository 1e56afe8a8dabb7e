# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DNS over HTTPS (RFC 8484): DNS wire-format messages in HTTP requests.

This is a private module_utils file: its API may change without notice.
``Transport`` hands every server given as an ``https://`` URL to a
``DohClient``; the client's ``requests.Session`` is the seam tests replace.
"""

from __future__ import annotations

import base64
import os
import typing as t
import urllib.parse

from ansible_collections.portable.dns01.plugins.module_utils._common.deps import REQUESTS_IMPORT_ERROR, requests
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    DependencyError,
    DnsQueryError,
    InputError,
)
from ansible_collections.portable.dns01.plugins.module_utils._dns.http2 import H2_IMPORT_ERROR, Http2Adapter

try:
    import dns.exception
    import dns.message
    import dns.rdatatype
except ImportError:
    pass  # query.require_dnspython() reports it before any query is built

MEDIA_TYPE = "application/dns-message"
METHODS = ("GET", "POST")
# How RFC 8484 servers publish their URI template; the query goes in "dns".
URI_TEMPLATE_SUFFIX = "{?dns}"


def is_doh_url(server: str) -> bool:
    """Whether ``server`` names a DoH resolver rather than an address."""
    return server.lower().startswith("https://")


def parse_doh_url(text: t.Any, field: str) -> str:
    """Check that ``text`` is an https URL of a DoH resolver; return it without a ``{?dns}`` template."""
    url = str(text).strip()
    if url.endswith(URI_TEMPLATE_SUFFIX):
        url = url[:-len(URI_TEMPLATE_SUFFIX)]
    try:
        parts = urllib.parse.urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if not port_ok or parts.scheme.lower() != "https" or not parts.hostname or parts.fragment or "{" in url:
        raise InputError(f"{field}: {text!r} is not a DoH URL such as https://dns.example/dns-query", field=field)
    return urllib.parse.urlunsplit(("https",) + tuple(parts[1:4]) + ("",))


def new_session() -> t.Any:
    """A requests session that speaks HTTP/2 to servers that offer it, when h2 is installed."""
    session = requests.Session()
    if H2_IMPORT_ERROR is None:
        session.mount("https://", Http2Adapter())
    return session


def _describe(request: dns.message.Message) -> tuple[str | None, str | None]:
    """The question of ``request`` as (name, type) text, for errors."""
    if not request.question:
        return None, None
    question = request.question[0]
    return question.name.to_text(omit_final_dot=True).lower(), dns.rdatatype.to_text(question.rdtype)


class DohClient:
    """Sends DNS messages to DoH resolvers through one ``requests.Session``.

    POST by default: an HTTP cache between us and the resolver cannot answer a
    POST, so each poll sees what the resolver itself serves.
    """

    def __init__(self, session: t.Any = None, method: str = "POST", verify: bool | str = True) -> None:
        if REQUESTS_IMPORT_ERROR is not None:
            raise DependencyError("requests", exception=str(REQUESTS_IMPORT_ERROR))
        # Built here, not on first use: worker threads share the client.
        self.session = session if session is not None else new_session()
        self.method = method
        self.verify = verify

    def exchange(self, request: dns.message.Message, url: str, timeout: float) -> dns.message.Message:
        """Send ``request`` to the resolver at ``url`` and return its response.

        Any HTTP status but 200, a body that is not a DNS response to this
        query, or no answer within ``timeout`` raises ``DnsQueryError``.
        """
        # RFC 8484 4.1: ID 0, so that equal queries are equal HTTP requests.
        wire = b"\0\0" + request.to_wire()[2:]
        try:
            response = self._send(wire, url, timeout)
        except requests.RequestException as exc:
            raise self._error(request, url, _reason(exc), str(exc) or type(exc).__name__) from exc
        return self._message(request, url, wire, response)

    def _send(self, wire: bytes, url: str, timeout: float) -> t.Any:
        headers = {"accept": MEDIA_TYPE}
        options = {"headers": headers, "timeout": timeout, "verify": self.verify, "allow_redirects": False}
        if self.method == "GET":
            encoded = base64.urlsafe_b64encode(wire).rstrip(b"=").decode("ascii")
            return self.session.request("GET", url, params={"dns": encoded}, **options)
        headers["content-type"] = MEDIA_TYPE
        return self.session.request("POST", url, data=wire, **options)

    def _message(self, request: dns.message.Message, url: str, wire: bytes, response: t.Any) -> dns.message.Message:
        """The DNS response in an HTTP response, checked against the query sent."""
        if response.status_code != 200:
            detail = f"HTTP {response.status_code} {response.reason or ''}".strip()
            raise self._error(request, url, "http", detail, status=response.status_code)
        media = (response.headers.get("content-type") or "").split(";")[0].strip().lower()
        if media != MEDIA_TYPE:
            raise self._error(request, url, "bad-response", f"content-type {media or 'missing'}, not {MEDIA_TYPE}",
                              status=response.status_code)
        try:
            message = dns.message.from_wire(response.content)
        except dns.exception.DNSException as exc:
            raise self._error(request, url, "bad-response", str(exc) or type(exc).__name__, status=200) from exc
        if not dns.message.from_wire(wire).is_response(message):
            raise self._error(request, url, "bad-response", "the answer is not a response to the query", status=200)
        return message

    @staticmethod
    def _error(request: dns.message.Message, url: str, reason: str, detail: str, status: int | None = None) -> DnsQueryError:
        qname, rdtype = _describe(request)
        return DnsQueryError(f"DoH query {qname} {rdtype} to {url} failed ({reason}): {detail}",
                             server=url, qname=qname, rdtype=rdtype, reason=reason, status=status)


def _reason(exc: Exception) -> str:
    """The ``reason`` of a DnsQueryError for a requests exception, as Transport words it."""
    if isinstance(exc, requests.Timeout):
        return "timeout"
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls"
    return "network"


def doh_client(resolvers: list[str], method: str, verify: bool | str) -> DohClient | None:
    """A DohClient when any of ``resolvers`` is a DoH URL; None otherwise, so requests stays optional."""
    if not any(is_doh_url(server) for server in resolvers):
        return None
    return DohClient(method=method, verify=verify)


def check_ca_bundle(path: str | None, field: str) -> None:
    """Raise ``InputError`` when a CA bundle is given but cannot be read."""
    if path and not os.access(path, os.R_OK):
        raise InputError(f"{field}: {path} does not exist or cannot be read", field=field)
