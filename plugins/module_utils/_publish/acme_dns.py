# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""acme-dns: one registered subdomain per domain, updated over its HTTP API.

This is a private module_utils file: its API may change without notice.
A subdomain holds two values (apex + wildcard fit); there is no delete call,
so removal is a reported no-op and old values age out.

acme-dns keeps two rows per subdomain and overwrites the one whose LastUpdate,
a Unix time in whole seconds, is oldest; rows stamped with the same second tie
and the lower row id loses, whichever was written last. Sending only the new
value can therefore evict a value still wanted, and once both rows carry the
current second the second row cannot be written before the next second. So
every value of the record is sent, the result is read back from the
authoritative servers, and when it is not the wanted set the values are sent
again one second later, when both rows are older than the next write.
"""

from __future__ import annotations

import re
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.deps import REQUESTS_IMPORT_ERROR, requests
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    DependencyError,
    DnsQueryError,
    InputError,
    ProviderError,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.httpcall import check_response, from_requests, run_bounded
from ansible_collections.portable.dns01.plugins.module_utils._publish.names import first_label, normalize
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context, Provider, required

_VALUE = re.compile(r"^[A-Za-z0-9_-]{43}$")
SLOTS = 2
# After this long every row carries an older second than the next write.
SECOND = 1.0


class AcmeDnsProvider(Provider):
    """One acme-dns account: the name it serves is ``<subdomain>.<acme-dns domain>``."""

    type_name = "acme_dns"
    can_remove = False
    publishes_whole_record = True

    def __init__(self, name: str, ctx: Context, options: dict[str, t.Any], zone: str | None = None,
                 retries: int | None = None) -> None:
        super().__init__(name, ctx, options, zone, retries)
        if REQUESTS_IMPORT_ERROR is not None:
            raise DependencyError("requests", exception=str(REQUESTS_IMPORT_ERROR))
        field = f"providers[{name}].acme_dns"
        self.api_url = str(required(options, "api_url", field)).rstrip("/")
        self.subdomain = normalize(str(required(options, "subdomain", field)))
        self.headers = {"X-Api-User": str(required(options, "username", field)),
                        "X-Api-Key": str(required(options, "password", field))}
        self.secrets = [self.headers["X-Api-Key"]]
        self.verify: t.Any = options.get("ca_bundle") or True
        self._session: t.Any = None
        self._listed: dict[str, set[str]] = {}

    def not_applicable(self, name: str) -> str | None:
        # The account can only write its own subdomain: the challenge name
        # must be delegated to it by a CNAME.
        if first_label(name) != self.subdomain:
            return f"{name} is not acme-dns subdomain {self.subdomain} (no CNAME to it?)"
        return super().not_applicable(name)

    def check_values(self, values: set[str]) -> None:
        bad = [value for value in values if not _VALUE.match(value)]
        if bad:
            raise InputError(f"providers[{self.name}]: acme-dns takes only 43-character key authorization digests",
                             field="records.values")
        if len(values) > SLOTS:
            raise InputError(f"providers[{self.name}]: an acme-dns subdomain holds {SLOTS} values, {len(values)} given:"
                             " a third would evict the first", field="records.values")

    def publish(self, name: str, values: set[str], ttl: int) -> None:
        """Make the subdomain serve exactly ``values``, the whole record."""
        self.check_values(values)
        writes = self._writes(name, values)
        self._send(writes)
        if self._served(name) == values:
            return
        self.ctx.clock.sleep(SECOND)
        self._send(writes)
        served = self._served(name)
        if served is not None and served != values:
            raise self.error(f"acme-dns serves {sorted(served)} at {name} instead of {sorted(values)}:"
                             " does another client update this subdomain?", transient=True)

    def _writes(self, name: str, values: set[str]) -> list[str]:
        """One write per row: values already served first (a tie may overwrite the first write), new ones last."""
        listed = self._listed.get(name, set())
        ordered = sorted(values, key=lambda value: (value not in listed, value))
        return (ordered * SLOTS)[:SLOTS]

    def _send(self, writes: list[str]) -> None:
        for value in writes:
            self._request("POST", "/update", json={"subdomain": self.subdomain, "txt": value}, headers=self.headers)

    def _served(self, name: str) -> set[str] | None:
        """What the authoritative servers answer now, or None when that cannot be known."""
        if self.ctx.txt_lookup is None:
            return None
        try:
            return set(self.ctx.txt_lookup(name))
        except DnsQueryError:
            return None

    def remove(self, name: str, values: set[str]) -> None:
        """acme-dns has no delete call; the chain reports this provider as skipped."""

    def list(self, name: str) -> set[str]:
        # The API cannot read values back: ask the authoritative servers when we can.
        # Unknown counts as empty: the whole record is sent anyway.
        served = self._served(name)
        self._listed[name] = served or set()
        return set(self._listed[name])

    def check_health(self) -> None:
        self._request("GET", "/health")

    def _request(self, method: str, path: str, **kwargs: t.Any) -> t.Any:
        try:
            # Bounded as a whole: requests' time-outs are per connect and per read, and a server
            # sending its answer a byte at a time never trips a read time-out.
            response = run_bounded(lambda: self._http().request(method, self.api_url + path, timeout=self.ctx.timeouts(),
                                                                verify=self.verify, **kwargs),
                                   self.ctx.deadline.remaining, self.ctx.timeouts())
            return check_response(response, self.ctx.clock.now())
        except ProviderError as exc:
            raise self._as_own(exc) from None
        except Exception as exc:  # pylint: disable=broad-exception-caught
            mapped = from_requests(exc, self.ctx.clock.now())
            if mapped is None:
                raise
            raise self._as_own(mapped) from None

    def _as_own(self, exc: ProviderError) -> ProviderError:
        """The error as this provider's, keeping every detail (the chain reads ``reason``)."""
        details = {key: value for key, value in exc.details.items() if key != "provider"}
        return self.error(exc.msg, type(exc), transient=exc.transient, **details)

    def _http(self) -> t.Any:
        if self._session is None:
            factory = self.ctx.session_factory or requests.Session
            self._session = factory()
        return self._session
