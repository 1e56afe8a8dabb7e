# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one exception hierarchy of portable.dns01.

This is a private module_utils file: its API may change without notice.
module_utils raise these; only the module body (see ``module.run``) turns
them into ``fail_json``. Each error carries the details a user needs to act.
"""

from __future__ import annotations

import typing as t


class Dns01Error(Exception):
    """Base class: a message and structured details for the result."""

    def __init__(self, msg: str, **details: t.Any) -> None:
        super().__init__(msg)
        self.msg = msg
        self.details = details

    def result(self) -> dict[str, t.Any]:
        """What the module returns when it fails with this error."""
        out = {key: value for key, value in self.details.items() if value is not None}
        out["error_class"] = type(self).__name__
        out["msg"] = self.msg
        return out


class InputError(Dns01Error):
    """Invalid user input, found before any remote call. ``field`` names the option."""


class DependencyError(Dns01Error):
    """A Python library the code needs is missing."""


class ProviderError(Dns01Error):
    """A DNS provider call failed.

    ``transient`` says whether retrying the same provider may help;
    ``status`` is the HTTP status or DNS rcode; ``retry_after`` is seconds.
    """

    def __init__(self, msg: str, provider: str | None = None, transient: bool = True,
                 status: t.Any = None, retry_after: float | None = None, **details: t.Any) -> None:
        super().__init__(msg, provider=provider, status=status, retry_after=retry_after, **details)
        self.provider = provider
        self.transient = transient
        self.status = status
        self.retry_after = retry_after


class ProviderTimeout(ProviderError):
    """A provider did not answer within its time budget."""


class ProviderAuthError(ProviderError):
    """The provider refused our credentials: retrying will not help."""

    def __init__(self, msg: str, **details: t.Any) -> None:
        details.setdefault("transient", False)
        super().__init__(msg, **details)


class ProviderUnavailable(ProviderError):
    """The provider is skipped: simulated outage or open circuit breaker."""

    def __init__(self, msg: str, **details: t.Any) -> None:
        details.setdefault("transient", False)
        super().__init__(msg, **details)


class PublishError(Dns01Error):
    """Publishing failed on every eligible provider; ``attempts`` lists each failure."""


class RecordConflict(Dns01Error):
    """Data at a name stands in the way of a change; ``existing`` lists it by record type."""


class DnsQueryError(Dns01Error):
    """A DNS lookup failed in a way that waiting will not fix."""


class PropagationTimeout(Dns01Error):
    """Values were not served by every nameserver before the deadline."""


class AcmeError(Dns01Error):
    """An ACME server returned a problem, or the order cannot proceed.

    ``problem`` holds the RFC 8555 problem document (type, detail, subproblems).
    """


class RateLimitError(AcmeError):
    """The CA refused with a rate limit; ``retry_after`` says when to come back."""


class InstallError(Dns01Error):
    """Writing certificate or key files failed; the previous files are untouched."""


class StateError(Dns01Error):
    """State that outlives a run (lock, journal, breaker) cannot be read or written safely."""


class LockError(StateError):
    """Another run holds the lock for this work, or the lock store cannot be used."""


class LockLostError(LockError):
    """The run lock this run relied on expired or was taken by another run: nothing more may be written."""
