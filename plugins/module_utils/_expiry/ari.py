# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The CA's suggested renewal window (ACME Renewal Information, RFC 9773), where the CA offers one.

This is a private module_utils file: its API may change without notice.
Only read: a failure is reported with the certificate, never fatal.
"""

from __future__ import annotations

import datetime
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme.ari import parse_window, renewal_url


class AriLookup:
    """Finds the renewalInfo resource in the directory once, then asks it per certificate."""

    def __init__(self, session: t.Any, directory_url: str, verify: t.Any, timeout: float) -> None:
        self.session = session
        self.directory_url = directory_url
        self.verify = verify
        self.timeout = timeout
        self._base: str | None = None
        self._base_error: str | None = None

    def _get(self, url: str) -> t.Any:
        response = self.session.get(url, timeout=self.timeout, verify=self.verify)
        if response.status_code >= 300:
            raise LookupError(f"HTTP {response.status_code} from {url}")
        return response.json()

    def base(self) -> str | None:
        if self._base is None and self._base_error is None:
            try:
                self._base = self._get(self.directory_url).get("renewalInfo") or None
                if not self._base:
                    self._base_error = "the CA's directory offers no renewalInfo"
            except Exception as exc:  # pylint: disable=broad-exception-caught
                self._base_error = f"directory: {describe(exc)}"
        return self._base

    def window(self, identifier: str | None, now: datetime.datetime) -> dict[str, t.Any]:
        """{start, end, due, error}: due once the window has opened."""
        if not identifier:
            return {"error": "the certificate has no authority key identifier"}
        base = self.base()
        if not base:
            return {"error": self._base_error}
        try:
            window = parse_window(self._get(renewal_url(base, identifier)))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            return {"error": describe(exc)}
        if window is None:
            return {"error": "the CA's answer has no valid suggestedWindow"}
        start, end = window
        return {"start": start.isoformat(), "end": end.isoformat(), "due": now >= start, "error": None}


def describe(exc: Exception) -> str:
    if isinstance(exc, LookupError):
        return str(exc)
    if isinstance(exc, ValueError):
        return "the answer is not JSON"
    return f"{type(exc).__name__}: no answer"
