# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The acme-dns HTTP API: POST /register, POST /update, GET /health.

Plain HTTP, as acme-dns with ``tls = "none"`` behind a proxy. The order of the
checks in /update follows upstream's auth middleware, so that every failure a
client can cause before the TXT check is the same ``401 forbidden``. Bodies are
upstream's bytes: errors and the /update answer are written by hand there
(``{"error": "bad_txt"}``), the registration is marshalled compactly.
"""

from __future__ import annotations

import dataclasses
import http.server
import json
import socket
import sys
import typing as t

from . import validation
from .store import Account, Store

Answer = t.Tuple[int, t.Optional[bytes]]
_MAX_BODY = 64 * 1024


@dataclasses.dataclass(frozen=True)
class ApiSettings:
    """The [api] settings of acme-dns that change the behaviour of the routes."""

    domain: str
    disable_registration: bool = False
    use_header: bool = False
    header_name: str = "X-Forwarded-For"


def _error(status: int, code: str) -> Answer:
    return status, b'{"error": "' + code.encode() + b'"}'


def _field(document: dict, name: str) -> t.Any:
    """A JSON field looked up as Go's decoder does: exact name first, then ignoring case."""
    if name in document:
        return document[name]
    for key, value in document.items():
        if isinstance(key, str) and key.lower() == name:
            return value
    return None


class AcmeDnsApi:
    """The routes, independent of the HTTP server that carries them."""

    def __init__(self, store: Store, settings: ApiSettings) -> None:
        self.store = store
        self.settings = settings

    def routes(self) -> dict[tuple[str, str], t.Callable[["_Request"], Answer]]:
        """(method, path) → handler; /register is absent when registration is disabled."""
        table: dict[tuple[str, str], t.Callable[[_Request], Answer]] = {
            ("POST", "/update"): self.update,
            ("GET", "/health"): self.health,
        }
        if not self.settings.disable_registration:
            table[("POST", "/register")] = self.register
        return table

    def health(self, _request: "_Request") -> Answer:
        """Always 200 with an empty body, like upstream."""
        return 200, None

    def register(self, request: "_Request") -> Answer:
        """Create an account; the optional body may restrict it with allowfrom CIDRs."""
        allowfrom: t.Any = None
        if request.body:
            try:
                document = json.loads(request.body)
            except ValueError:
                return _error(400, "malformed_json_payload")
            # Only a JSON object (or null) decodes into upstream's struct.
            if document is not None and not isinstance(document, dict):
                return _error(400, "malformed_json_payload")
            allowfrom = _field(document or {}, "allowfrom")
            if allowfrom is not None and not isinstance(allowfrom, list):
                return _error(400, "malformed_json_payload")
        try:
            cidrs = validation.normalise_allowfrom(allowfrom or [])
        except validation.InvalidCidr:
            return _error(400, "invalid_allowfrom_cidr")
        reg = self.store.register(cidrs)
        document = {
            "username": reg.username,
            "password": reg.password,
            "fulldomain": f"{reg.subdomain}.{self.settings.domain}",
            "subdomain": reg.subdomain,
            "allowfrom": reg.allowfrom,
        }
        return 201, json.dumps(document, separators=(",", ":")).encode()

    def update(self, request: "_Request") -> Answer:
        """Set one of the two TXT values of the caller's own subdomain."""
        account = self._authenticate(request)
        if account is None or not self._allowed(request, account):
            return _error(401, "forbidden")
        subdomain, txt = _update_payload(request.body)
        if subdomain != account.subdomain:
            return _error(401, "forbidden")
        if not validation.valid_subdomain(subdomain):
            return _error(400, "bad_subdomain")
        if not validation.valid_txt(txt):
            return _error(400, "bad_txt")
        self.store.update(subdomain, txt)
        return 200, b'{"txt": "' + txt.encode() + b'"}'

    def _authenticate(self, request: "_Request") -> Account | None:
        username = validation.parse_username(request.header("X-Api-User"))
        key = request.header("X-Api-Key") or ""
        if username is None or not validation.valid_key(key):
            return None
        return self.store.authenticate(username, key)

    def _allowed(self, request: "_Request", account: Account) -> bool:
        if self.settings.use_header:
            addresses = validation.header_addresses(request.header(self.settings.header_name))
        else:
            addresses = [request.client]
        # Upstream: with no address at all, only an unrestricted account passes.
        return validation.allowed_from(account.allowfrom, addresses or [""])


def _update_payload(body: bytes) -> tuple[t.Any, t.Any]:
    """(subdomain, txt) from the body; undecodable bodies give (None, None) and so fail auth."""
    try:
        document = json.loads(body) if body else None
    except ValueError:
        return None, None
    if not isinstance(document, dict):
        return None, None
    return _field(document, "subdomain"), _field(document, "txt")


@dataclasses.dataclass(frozen=True)
class _Request:
    """What a route needs from an HTTP request."""

    client: str
    headers: t.Any
    body: bytes

    def header(self, name: str) -> str | None:
        """A header value; lookups ignore case as HTTP requires."""
        return self.headers.get(name)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Dispatches requests to the server's AcmeDnsApi and logs one line for each."""

    server: "ApiServer"
    server_version = "acme-dns-double"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        """Serve a GET request."""
        self._dispatch("GET")

    def do_POST(self) -> None:  # pylint: disable=invalid-name
        """Serve a POST request."""
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        routes = self.server.api.routes()
        path = self.path.split("?", 1)[0]
        body = self._read_body()
        handler = routes.get((method, path))
        if handler is not None:
            status, payload = handler(_Request(self.client_address[0], self.headers, body))
            self._send(status, payload or b"", "application/json" if payload is not None else None)
        elif any(route_path == path for _method, route_path in routes):
            self._send_text(405, "Method Not Allowed\n")
        else:
            # Go's NotFound handler answers in plain text.
            self._send_text(404, "404 page not found\n")

    def _read_body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > _MAX_BODY:
            # The unread rest would be taken for the next request on this connection.
            self.close_connection = True  # pylint: disable=attribute-defined-outside-init
        return self.rfile.read(min(max(length, 0), _MAX_BODY)) if length > 0 else b""

    def _send_text(self, status: int, text: str) -> None:
        self._send(status, text.encode(), "text/plain; charset=utf-8")

    def _send(self, status: int, payload: bytes, content_type: str | None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_request(self, code: t.Any = "-", size: t.Any = "-") -> None:
        # Method, path and status only: headers carry the API key.
        path = self.path.split("?", 1)[0]
        sys.stderr.write(f"api {self.client_address[0]} {self.command} {path} {code}\n")

    def log_message(self, format: str, *args: t.Any) -> None:  # pylint: disable=redefined-builtin
        sys.stderr.write(f"api {self.client_address[0]} {format % args}\n")


class ApiServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server carrying an AcmeDnsApi."""

    daemon_threads = True
    api: AcmeDnsApi


class _ApiServer6(ApiServer):
    address_family = socket.AF_INET6


def make_http_server(api: AcmeDnsApi, address: str, port: int) -> ApiServer:
    """A threading HTTP server bound to (address, port) that serves api."""
    server = (_ApiServer6 if ":" in address else ApiServer)((address, port), _Handler)
    server.api = api
    return server
