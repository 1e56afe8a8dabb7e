# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DNS over HTTPS (RFC 8484): DNS wire-format messages in HTTP requests.

This is a private module_utils file: its API may change without notice.
``Transport`` hands every server given as an ``https://`` URL to a
``DohClient``, which sends it with dnspython's ``dns.query.https`` over an
``httpx2`` client speaking HTTP/2 (HTTP/1.1 when the server declines h2).
The client's ``transport`` is the seam tests replace (``httpx2.MockTransport``).
"""

from __future__ import annotations

import copy
import functools
import os
import ssl
import time
import typing as t
import urllib.parse

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    DependencyError,
    DnsQueryError,
    InputError,
)

try:
    import httpx2
except ImportError as exc:
    httpx2 = None
    HTTPX_IMPORT_ERROR: ImportError | None = exc
else:
    HTTPX_IMPORT_ERROR = None

try:
    import certifi
except ImportError:
    certifi = None  # the system's CA store is used then

try:
    import dns.exception
    import dns.message
    import dns.query
    import dns.rdatatype
except ImportError:
    pass  # query.require_dnspython() reports it before any query is built

MEDIA_TYPE = "application/dns-message"
METHODS = ("GET", "POST")
# How RFC 8484 servers publish their URI template; the query goes in "dns".
URI_TEMPLATE_SUFFIX = "{?dns}"
# The shortest wait a step gets once the budget is spent: it then fails as a time-out at once.
LAST_STEP = 0.001


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


def _describe(request: dns.message.Message) -> tuple[str | None, str | None]:
    """The question of ``request`` as (name, type) text, for errors."""
    if not request.question:
        return None, None
    question = request.question[0]
    return question.name.to_text(omit_final_dot=True).lower(), dns.rdatatype.to_text(question.rdtype)


class _NotAnAnswer(Exception):
    """The HTTP response carries no DNS answer: ``reason`` is "http" or "bad-response"."""

    def __init__(self, reason: str, detail: str, status: int) -> None:
        super().__init__(detail)
        self.reason = reason
        self.status = status


def _check_response(response: t.Any) -> None:
    """Refuse any status but 200 and any body that is not a DNS message, before dnspython reads it."""
    if response.status_code != 200:
        raise _NotAnAnswer("http", f"HTTP {response.status_code} {response.reason_phrase or ''}".strip(),
                           response.status_code)
    media = (response.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media != MEDIA_TYPE:
        raise _NotAnAnswer("bad-response", f"content-type {media or 'missing'}, not {MEDIA_TYPE}", response.status_code)


@functools.lru_cache(maxsize=8)
def tls_context(verify: bool | str) -> t.Any:
    """httpx2's ``verify``: a context trusting the CA bundle at ``verify``, certifi's for True, or False.

    Cached: loading a CA bundle costs ten times what the HTTP client does.
    """
    if verify is False:
        return False
    if isinstance(verify, str):
        return ssl.create_default_context(capath=verify) if os.path.isdir(verify) else ssl.create_default_context(cafile=verify)
    return ssl.create_default_context(cafile=certifi.where()) if certifi is not None else True


class DohClient:
    """Sends DNS messages to DoH resolvers with ``dns.query.https``.

    POST by default: an HTTP cache between us and the resolver cannot answer a
    POST, so each poll sees what the resolver itself serves. Each exchange has
    an HTTP client of its own, so worker threads never share a connection.
    """

    def __init__(self, transport: t.Any = None, method: str = "POST", verify: bool | str = True) -> None:
        # dnspython's own check: httpx2, httpcore2 and h2 present, in the versions it needs.
        if HTTPX_IMPORT_ERROR is not None or not dns.query.have_doh:
            raise DependencyError("dnspython[doh]", exception=str(HTTPX_IMPORT_ERROR or "dns.query.have_doh is false"))
        self.transport = transport
        self.method = method
        self.verify = verify

    def exchange(self, request: dns.message.Message, url: str, timeout: float) -> dns.message.Message:
        """Send ``request`` to the resolver at ``url`` and return its response.

        Any HTTP status but 200, a body that is not a DNS response to this
        query, or no answer within ``timeout`` raises ``DnsQueryError``.
        ``timeout`` bounds the whole exchange: connecting, TLS, sending and reading.
        """
        # RFC 8484 4.1: ID 0, so that equal queries are equal HTTP requests.
        query = copy.copy(request)
        query.id = 0
        try:
            tls = tls_context(self.verify)
        except OSError as exc:
            raise _error(request, url, "tls", f"CA bundle {self.verify}: {exc}") from exc
        try:
            with self._client(tls, url, _Budget(timeout)) as client:
                return dns.query.https(query, url, timeout=timeout, session=client, post=self.method == "POST")
        except _NotAnAnswer as exc:
            raise _error(request, url, exc.reason, str(exc), status=exc.status) from exc
        except httpx2.HTTPError as exc:
            raise _error(request, url, _reason(exc), str(exc) or type(exc).__name__) from exc
        except dns.query.BadResponse as exc:
            raise _error(request, url, "bad-response", "the answer is not a response to the query", status=200) from exc
        except dns.exception.DNSException as exc:
            raise _error(request, url, "bad-response", str(exc) or type(exc).__name__, status=200) from exc

    def _client(self, tls: t.Any, url: str, budget: _Budget) -> t.Any:
        """An HTTP/2 client for one exchange; redirects are not followed, answers checked as they come."""
        return httpx2.Client(http2=True, verify=tls, transport=self.transport, follow_redirects=False,
                             event_hooks={"request": [_keep_query(url), budget.hook], "response": [_check_response]})


class _Budget(dict):
    """httpx2's per-step time-outs, each read as what is left of one budget for the whole exchange.

    httpcore2 looks a step's time-out up (``get``) right before each connect, write
    and read, so a slow handshake leaves less time to wait for the answer and a
    server sending its answer a byte at a time cannot stretch the exchange.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(connect=seconds, read=seconds, write=seconds, pool=seconds)
        self.end = time.monotonic() + seconds

    def get(self, key: str, default: t.Any = None) -> t.Any:
        if key not in self:
            return default
        return max(LAST_STEP, self.end - time.monotonic())

    def hook(self, request: t.Any) -> None:
        """A request hook putting this budget in place of the fixed time-outs dnspython asked for."""
        request.extensions["timeout"] = self


def _keep_query(url: str) -> t.Callable[[t.Any], None]:
    """A request hook putting back the query of ``url`` that a GET's ``dns`` parameter replaced."""
    base = httpx2.URL(url)

    def hook(request: t.Any) -> None:
        if base.query and request.url.query != base.query:
            request.url = base.copy_merge_params(dict(request.url.params))
    return hook


def _error(request: dns.message.Message, url: str, reason: str, detail: str, status: int | None = None) -> DnsQueryError:
    qname, rdtype = _describe(request)
    return DnsQueryError(f"DoH query {qname} {rdtype} to {url} failed ({reason}): {detail}",
                         server=url, qname=qname, rdtype=rdtype, reason=reason, status=status)


def _reason(exc: Exception) -> str:
    """The ``reason`` of a DnsQueryError for an httpx2 exception, as Transport words it."""
    if isinstance(exc, httpx2.TimeoutException):
        return "timeout"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return "tls"
        cause = cause.__cause__ or cause.__context__
    return "network"


def doh_client(resolvers: list[str], method: str, verify: bool | str) -> DohClient | None:
    """A DohClient when any of ``resolvers`` is a DoH URL; None otherwise, so httpx2 stays optional."""
    if not any(is_doh_url(server) for server in resolvers):
        return None
    return DohClient(method=method, verify=verify)


def check_ca_bundle(path: str | None, field: str) -> None:
    """Raise ``InputError`` when a CA bundle is given but cannot be read."""
    if path and not os.access(path, os.R_OK):
        raise InputError(f"{field}: {path} does not exist or cannot be read", field=field)
