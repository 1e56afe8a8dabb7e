# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one interface every publishing backend implements, and what they share.

This is a private module_utils file: its API may change without notice.
A provider knows one DNS API. Retries, failover, deadlines and the circuit
breaker live once in ``chain.py``, above all providers.
"""

from __future__ import annotations

import abc
import re
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    Dns01Error,
    DnsQueryError,
    InputError,
    ProviderError,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.names import in_zone, normalize

_URL_QUERY = re.compile(r"(https?://[^\s?'\"]+)\?[^\s'\"]*")


class Context:
    """What a call gives every provider: time, time-outs and name lookups.

    ``resolver`` offers ``find_zone(name)`` (a SOA walk through the bootstrap
    resolvers); ``session_factory`` returns a ``requests.Session`` and is the
    HTTP seam of tests; ``txt_lookup(name)`` asks the authoritative servers.
    """

    def __init__(self, clock: Clock, deadline: Deadline, connect_timeout: float = 5.0, read_timeout: float = 15.0,
                 resolver: t.Any = None, session_factory: t.Callable[[], t.Any] | None = None,
                 txt_lookup: t.Callable[[str], set[str]] | None = None) -> None:
        self.clock = clock
        self.deadline = deadline
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.resolver = resolver
        self.session_factory = session_factory
        self.txt_lookup = txt_lookup

    def timeouts(self) -> tuple[float, float]:
        """(connect, read) seconds, never past the deadline."""
        left = max(self.deadline.remaining(), 0.01)
        return min(self.connect_timeout, left), min(self.read_timeout, left)

    def find_zone(self, name: str) -> str:
        if self.resolver is None:
            raise DnsQueryError(f"cannot find the zone of {name}: set the provider's zone or bootstrap_resolvers", name=name)
        return normalize(self.resolver.find_zone(name).name)


class Provider(abc.ABC):
    """A DNS API that can publish, remove and list the TXT values at one name.

    Backends that can also manage a CNAME (``challenge_delegation``) set
    ``can_cname`` and override ``rrsets``, ``set_cname`` and ``delete_rrset``.
    """

    type_name = ""
    # acme-dns has no delete call; the chain reports removal there as skipped.
    can_remove = True
    # publish() gets every value of the record, not only the missing ones, and
    # makes the name serve exactly those (acme-dns: a write evicts a value).
    publishes_whole_record = False
    can_cname = False

    def __init__(self, name: str, ctx: Context, options: dict[str, t.Any], zone: str | None = None,
                 retries: int | None = None) -> None:
        self.name = name
        self.ctx = ctx
        self.options = options
        self.zone = normalize(zone) if zone else None
        self.retries = retries
        self.secrets: list[str] = []

    def not_applicable(self, name: str) -> str | None:
        """Why this provider cannot write ``name``, or None when it can."""
        if self.zone and not in_zone(name, self.zone):
            return f"{name} is not in zone {self.zone}"
        return None

    def check_values(self, values: set[str]) -> None:
        """Raise InputError for values this backend cannot store. Called before any write."""

    @abc.abstractmethod
    def publish(self, name: str, values: set[str], ttl: int) -> None:
        """Add ``values`` at ``name``; values already there and other values stay."""

    @abc.abstractmethod
    def remove(self, name: str, values: set[str]) -> None:
        """Remove ``values`` from ``name``; other values stay."""

    @abc.abstractmethod
    def list(self, name: str) -> set[str]:
        """The TXT values at ``name`` as the provider holds them."""

    @abc.abstractmethod
    def check_health(self) -> None:
        """Raise ProviderError when the API cannot be used right now."""

    def require_cname(self) -> None:
        """Raise InputError, before any remote call, when this backend cannot write CNAME records."""
        if not self.can_cname:
            raise InputError(f"provider {self.name}: type {self.type_name} cannot write CNAME records;"
                             " use a lexicon, rfc2136 or route53 provider", field="provider.type")

    def rrsets(self, name: str) -> dict[str, list[str]]:
        """Every record set at ``name``: type to sorted values (CNAME targets normalised, TXT unquoted)."""
        self.require_cname()
        return {}

    def set_cname(self, name: str, target: str, ttl: int) -> None:
        """Make ``name`` a CNAME to ``target``, replacing a CNAME already there. Other data must be gone."""
        self.require_cname()

    def delete_rrset(self, name: str, rtype: str, values: list[str]) -> None:
        """Remove ``values`` of type ``rtype``, as ``rrsets`` lists them, from ``name``."""
        self.require_cname()

    def redact(self, text: str) -> str:
        """``text`` without secrets or URL query strings (some APIs put keys there)."""
        text = _URL_QUERY.sub(r"\1?<redacted>", str(text))
        for secret in self.secrets:
            if secret and len(secret) >= 4:
                text = text.replace(secret, "<redacted>")
        return text

    def error(self, msg: str, cls: type[ProviderError] = ProviderError, **details: t.Any) -> ProviderError:
        return cls(self.redact(msg), provider=self.name, **details)

    def failure(self, exc: BaseException) -> ProviderError:
        """Any exception raised while this provider worked, as this provider's ProviderError.

        A failed lookup (a flaky bootstrap resolver) may pass, so it stays
        transient; bad input, a missing library or a bug will not.
        """
        if isinstance(exc, ProviderError):
            error = exc
        elif isinstance(exc, DnsQueryError):
            error = self.error(f"lookup failed: {exc.msg}", cause=type(exc).__name__)
        elif isinstance(exc, Dns01Error):
            error = self.error(f"{type(exc).__name__}: {exc.msg}", transient=False, cause=type(exc).__name__)
        else:
            error = self.error(f"unexpected {type(exc).__name__}: {exc}", transient=False, cause=type(exc).__name__)
        error.provider = error.details["provider"] = self.name
        return error


def required(options: dict[str, t.Any], key: str, field: str) -> t.Any:
    """A type-specific option that must be set."""
    value = options.get(key)
    if value in (None, ""):
        raise InputError(f"{field}.{key} is required", field=f"{field}.{key}")
    return value
