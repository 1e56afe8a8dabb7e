# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The certificate a TLS endpoint serves, fetched within a time-out.

This is a private module_utils file: its API may change without notice.
The handshake does not verify the chain: the point is to see what clients
are shown, expired or not, and compare it with the installed file.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
import ssl
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError


@dataclasses.dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    server_name: str

    @property
    def label(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _split(text: str) -> tuple[str, int]:
    host, port = text, 443
    if text.startswith("["):
        host, _sep, rest = text[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") else 443
    elif text.count(":") == 1:
        host, raw_port = text.split(":")
        port = int(raw_port)
    return host, port


def parse_endpoint(raw: t.Any, default_name: str, field: str) -> Endpoint:
    """``host[:port]``, ``[v6]:port`` or ``{host, port, server_name}``; SNI defaults to the host or ``default_name``."""
    try:
        if isinstance(raw, dict):
            host, port, name = str(raw["host"]), int(raw.get("port", 443)), raw.get("server_name")
        else:
            (host, port), name = _split(str(raw).strip()), None
    except (KeyError, ValueError) as exc:
        raise InputError(f"{field}: expected host:port or a dict with host, port, server_name, got {raw!r}",
                         field=field) from exc
    if not host or not 0 < port < 65536:
        raise InputError(f"{field}: expected host:port, got {raw!r}", field=field)
    name = name or (default_name if _is_ip(host) else host)
    return Endpoint(host=host, port=port, server_name=(name or "").lstrip("*."))


class TlsFetcher:
    """The seam: the DER certificate an endpoint presents."""

    def fetch(self, endpoint: Endpoint, timeout: float) -> bytes:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        sni = endpoint.server_name if endpoint.server_name and not _is_ip(endpoint.server_name) else None
        with socket.create_connection((endpoint.host, endpoint.port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            with context.wrap_socket(sock, server_hostname=sni) as tls:
                der = tls.getpeercert(binary_form=True)
        if not der:
            raise ssl.SSLError("the endpoint presented no certificate")
        return der


def describe_failure(exc: Exception, timeout: float) -> str:
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"no TLS handshake within {timeout:g} s"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    if isinstance(exc, OSError):
        return f"could not connect: {exc.strerror or exc}"
    return f"{type(exc).__name__}: {exc}"
