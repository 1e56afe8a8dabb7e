# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Providers found down within one call: one time-out per outage, not one per record.

This is a private module_utils file: its API may change without notice.
A time-out or a connection that could not be made is a verdict on the
provider for the rest of the call: publishing, rolling back and sweeping
skip it at once for the other records. Really transient errors (429, 5xx,
throttling) are no verdict: they are retried.
"""

from __future__ import annotations

import threading

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import ProviderError, ProviderTimeout


def is_outage(error: ProviderError) -> bool:
    """A time-out or a connection that could not be made: not retried, and shared for the rest of the call."""
    reason = error.details.get("reason")
    return reason == "unreachable" or isinstance(error, ProviderTimeout) and reason != "deadline"


class Outages:
    """Provider name -> why it is down, shared at once by the threads of one call."""

    def __init__(self) -> None:
        self._down: dict[str, str] = {}
        self._lock = threading.Lock()

    def note(self, provider: str, error: ProviderError) -> None:
        """Remember ``error`` against ``provider`` when it is an outage; the first verdict stays."""
        if is_outage(error):
            with self._lock:
                self._down.setdefault(provider, f"{type(error).__name__} ({error.msg})")

    def verdict(self, provider: str) -> str | None:
        with self._lock:
            return self._down.get(provider)

    def skip_message(self, provider: str) -> str | None:
        """Why ``provider`` is not called again in this call, or None when it may be."""
        verdict = self.verdict(provider)
        return f"not tried again: {verdict} earlier in this call" if verdict else None
