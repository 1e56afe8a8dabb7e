# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The idempotence decision: does a certificate need a new order?

This is a private module_utils file: its API may change without notice.
A pure function of the installed certificate, the wanted names, key type and
profile, the clock and (when the CA offers it) the ARI window, so it is tested
without a CA.

Each certificate renews at its own moment inside a window, as RFC 9773 section
4.2 recommends, so certificates issued together are not all renewed in one run.
The moment is drawn from the certificate's serial number: every run, on every
host, picks the same moment for the same certificate.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme import certs

Window = t.Tuple[datetime.datetime, datetime.datetime]
# Without ARI, a certificate renews within this share of its lifetime before renew_before_days (3 days of 90).
SPREAD = 1 / 30


@dataclasses.dataclass(frozen=True)
class Decision:
    """Whether to order, and the reason shown to the user."""

    needed: bool
    reason: str
    renew_at: datetime.datetime | None = None


def renewal_time(window: Window, seed: int) -> datetime.datetime:
    """A moment in ``window``, uniformly spread over seeds and always the same for one seed."""
    digest = hashlib.sha256(b"portable.dns01 renewal time " + str(seed).encode("ascii")).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2 ** 64
    return window[0] + (window[1] - window[0]) * fraction


def fallback_window(cert: t.Any, renew_before_days: float) -> Window:
    """The window without ARI: ending at ``renew_before_days`` before expiry, a thirtieth of the lifetime long."""
    end = cert.not_valid_after_utc - datetime.timedelta(days=renew_before_days)
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    return end - lifetime * SPREAD, end


def _by_time(cert: t.Any, now: datetime.datetime, renew_before_days: int, window: Window | None) -> Decision:
    left = certs.days_left(cert, now)
    if left <= 0:
        return Decision(True, "the certificate has expired")
    if window is not None:
        moment = renewal_time(window, cert.serial_number)
        if now >= moment:
            return Decision(True, f"the CA's renewal window (ARI) opened at {window[0].isoformat()}; "
                                  f"this certificate's moment in it, {moment.isoformat()}, has come", moment)
        return Decision(False, f"the CA's renewal window (ARI) opens at {window[0].isoformat()}; "
                               f"this certificate renews at {moment.isoformat()}", moment)
    moment = renewal_time(fallback_window(cert, renew_before_days), cert.serial_number)
    return Decision(now >= moment, f"{left:.1f} days left, renewing at {renew_before_days} (this certificate at "
                                   f"{moment.isoformat()})", moment)


def _profile_change(profile: tuple[str | None, str | None] | None) -> str | None:
    """Why the profile asks for a new certificate: (wanted, recorded at issuance)."""
    if profile is None or profile[0] is None or profile[0] == profile[1]:
        return None
    if profile[1] is None:
        return f"the certificate was not issued with profile {profile[0]!r}"
    return f"the certificate was issued with profile {profile[1]!r}, not {profile[0]!r}"


def decide(cert: t.Any | None, names: list[str], key_type: str, now: datetime.datetime,  # pylint: disable=too-many-arguments
           renew_before_days: int, *, window: Window | None = None, force: bool = False,
           profile: tuple[str | None, str | None] | None = None) -> Decision:
    """Whether to order, and why. ARI's window, when known, replaces ``renew_before_days``."""
    if force:
        return Decision(True, "force is set")
    if cert is None:
        return Decision(True, "no certificate is installed")
    reason = certs.mismatch(cert, names, key_type) or _profile_change(profile)
    if reason:
        return Decision(True, reason)
    return _by_time(cert, now, renew_before_days, window)
