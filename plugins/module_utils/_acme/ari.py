# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ACME Renewal Information (RFC 9773): certificate IDs and suggested windows.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import base64
import datetime
import typing as t

try:
    from cryptography import x509
except ImportError:
    pass


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _serial_bytes(serial: int) -> bytes:
    """The DER INTEGER content: big-endian two's complement, room for the sign bit."""
    return serial.to_bytes((serial.bit_length() + 8) // 8, "big", signed=True)


def cert_id(cert: t.Any) -> str | None:
    """The RFC 9773 identifier: base64url(AKI keyIdentifier) "." base64url(serial).

    None when the certificate has no authority key identifier to build it from.
    """
    try:
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except x509.ExtensionNotFound:
        return None
    if aki.key_identifier is None:
        return None
    return f"{_b64url(aki.key_identifier)}.{_b64url(_serial_bytes(cert.serial_number))}"


def _parse_time(text: str) -> datetime.datetime:
    value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


def parse_window(document: t.Any) -> tuple[datetime.datetime, datetime.datetime] | None:
    """(start, end) of a renewalInfo document's suggestedWindow; None when malformed."""
    try:
        window = document["suggestedWindow"]
        start, end = _parse_time(window["start"]), _parse_time(window["end"])
    except (KeyError, TypeError, ValueError):
        return None
    return (start, end) if start <= end else None


def renewal_url(base: str, identifier: str) -> str:
    """The renewalInfo resource of one certificate."""
    return f"{base.rstrip('/')}/{identifier}"
