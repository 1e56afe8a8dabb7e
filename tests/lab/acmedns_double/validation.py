# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Input rules of the acme-dns API: credentials, TXT values, allowfrom CIDRs."""

from __future__ import annotations

import ipaddress
import re
import typing as t
import uuid

# The URL-safe base64 alphabet without padding, as ACME key authorizations use.
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
_SUBDOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
TXT_LENGTH = 43
KEY_LENGTH = 40

Network = t.Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
Address = t.Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


class InvalidCidr(ValueError):
    """An allowfrom entry that is not a CIDR network."""


def _is_token(value: t.Any, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and _TOKEN.fullmatch(value) is not None


def valid_txt(value: t.Any) -> bool:
    """A TXT value is exactly 43 characters of the URL-safe base64 alphabet."""
    return _is_token(value, TXT_LENGTH)


def valid_key(value: t.Any) -> bool:
    """An API key has the shape of a generated password: 40 URL-safe characters."""
    return _is_token(value, KEY_LENGTH)


def valid_subdomain(value: t.Any) -> bool:
    """A subdomain is one DNS label; the auth check already pins it to the user's own."""
    return isinstance(value, str) and _SUBDOMAIN.fullmatch(value) is not None


def parse_username(value: str | None) -> str | None:
    """Canonical form of an X-Api-User UUID, or None when it is not a UUID.

    Like upstream's UUID parser this accepts the hyphenless, braced and urn forms.
    """
    if not value:
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None


def _parse_network(entry: t.Any) -> Network:
    if not isinstance(entry, str):
        raise InvalidCidr(repr(entry))
    # Upstream strips brackets from IPv6 entries before parsing them.
    cleaned = entry.replace("[", "").replace("]", "")
    # A bare address or a scoped IPv6 address is not a CIDR for upstream's parser.
    if "/" not in cleaned or "%" in cleaned:
        raise InvalidCidr(entry)
    try:
        return ipaddress.ip_network(cleaned, strict=False)
    except ValueError as exc:
        raise InvalidCidr(entry) from exc


def normalise_allowfrom(entries: t.Iterable[t.Any]) -> list[str]:
    """The allowfrom list as stored and returned; raises InvalidCidr on any bad entry."""
    cleaned = []
    for entry in entries:
        _parse_network(entry)
        cleaned.append(entry.replace("[", "").replace("]", ""))
    return cleaned


def _parse_address(value: str) -> Address | None:
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    # An IPv4 client seen through a dual-stack socket must still match IPv4 networks.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def allowed_from(allowfrom: t.Sequence[str], addresses: t.Sequence[str]) -> bool:
    """Whether any of the client addresses falls in allowfrom; an empty list allows all."""
    if not allowfrom:
        return True
    networks = [_parse_network(entry) for entry in allowfrom]
    for value in addresses:
        address = _parse_address(value)
        if address is not None and any(address in network for network in networks):
            return True
    return False


def header_addresses(header: str | None) -> list[str]:
    """The addresses of a forwarding header such as X-Forwarded-For, in order."""
    if not header:
        return []
    return [part.strip() for part in header.split(",") if part]
