# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ACME Renewal Information (RFC 9773): certificate IDs and suggested windows.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import base64
import dataclasses
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


# RFC 9773 section 4.3: a renewalInfo answer is good until its Retry-After; clients
# keep the interval within bounds. Let's Encrypt sends about 6 hours.
DEFAULT_POLL = 6 * 3600.0
MIN_POLL = 60.0
MAX_POLL = 86400.0


def poll_after(retry_after: float | None) -> float:
    """Seconds until renewalInfo may be fetched again."""
    if retry_after is None:
        return DEFAULT_POLL
    return min(MAX_POLL, max(MIN_POLL, retry_after))


@dataclasses.dataclass(frozen=True)
class RenewalInfo:
    """The CA's answer for one certificate, and when to ask again."""

    window: tuple[datetime.datetime, datetime.datetime] | None
    explanation_url: str | None
    next_poll: datetime.datetime

    @classmethod
    def from_document(cls, document: t.Any, retry_after: float | None, now: datetime.datetime) -> RenewalInfo:
        """From a renewalInfo answer received at ``now``."""
        explanation = document.get("explanationURL") if isinstance(document, dict) else None
        return cls(parse_window(document), str(explanation) if explanation else None,
                   now + datetime.timedelta(seconds=poll_after(retry_after)))

    def to_json(self) -> dict[str, t.Any]:
        """The cached form."""
        window = None
        if self.window:
            window = {"start": self.window[0].isoformat(), "end": self.window[1].isoformat()}
        return {"window": window, "explanation_url": self.explanation_url, "next_poll": self.next_poll.isoformat()}

    @classmethod
    def from_json(cls, document: dict[str, t.Any]) -> RenewalInfo | None:
        """From the cached form; None when it is damaged."""
        try:
            window = document.get("window")
            parsed = (_parse_time(window["start"]), _parse_time(window["end"])) if window else None
            return cls(parsed, document.get("explanation_url"), _parse_time(document["next_poll"]))
        except (KeyError, TypeError, ValueError):
            return None
