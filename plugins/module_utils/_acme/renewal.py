# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The idempotence decision: does a certificate need a new order?

This is a private module_utils file: its API may change without notice.
A pure function of the installed certificate, the wanted names and key type,
the clock and (when the CA offers it) the ARI window, so it is tested without a CA.
"""

from __future__ import annotations

import dataclasses
import datetime
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme import certs


@dataclasses.dataclass(frozen=True)
class Decision:
    """Whether to order, and the reason shown to the user."""

    needed: bool
    reason: str


def _by_time(cert: t.Any, now: datetime.datetime, renew_before_days: int,
             window: tuple[datetime.datetime, datetime.datetime] | None) -> Decision:
    left = certs.days_left(cert, now)
    if left <= 0:
        return Decision(True, "the certificate has expired")
    if window is not None:
        if now >= window[0]:
            return Decision(True, f"the CA's renewal window (ARI) opened at {window[0].isoformat()}")
        return Decision(False, f"the CA's renewal window (ARI) opens at {window[0].isoformat()}")
    if left <= renew_before_days:
        return Decision(True, f"{left:.1f} days left, renewing at {renew_before_days}")
    return Decision(False, f"{left:.1f} days left, renewing at {renew_before_days}")


def decide(cert: t.Any | None, names: list[str], key_type: str, now: datetime.datetime,  # pylint: disable=too-many-arguments
           renew_before_days: int, *, window: tuple[datetime.datetime, datetime.datetime] | None = None,
           force: bool = False) -> Decision:
    """Whether to order, and why. ARI's window, when known, replaces ``renew_before_days``."""
    if force:
        return Decision(True, "force is set")
    if cert is None:
        return Decision(True, "no certificate is installed")
    reason = certs.mismatch(cert, names, key_type)
    if reason:
        return Decision(True, reason)
    return _by_time(cert, now, renew_before_days, window)
