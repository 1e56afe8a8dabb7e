# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Any dns-lexicon provider, by name and options.

This is a private module_utils file: its API may change without notice.
Lexicon's ``Client`` guesses the zone with tldextract, which gets names
outside the public suffix list wrong (``example.test`` becomes ``test.``)
and may fetch that list over the network. We find the zone ourselves (given,
or by a SOA walk) and drive lexicon's provider class directly.
"""

from __future__ import annotations

import types
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    DependencyError,
    Dns01Error,
    InputError,
    ProviderAuthError,
    ProviderError,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.httpcall import from_requests, run_bounded
from ansible_collections.portable.dns01.plugins.module_utils._publish.names import normalize
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context, Provider, required


def _lexicon() -> types.SimpleNamespace:
    """dns-lexicon, imported when a lexicon provider is built: it costs 0.2-0.3 s, wasted on calls without one."""
    try:
        # pylint: disable=import-outside-toplevel
        from lexicon._private.discovery import find_providers, load_provider_module
        from lexicon.config import ConfigResolver
        from lexicon.exceptions import AuthenticationError, LexiconError
    except ImportError as exc:
        raise DependencyError("dns-lexicon", exception=str(exc)) from None
    return types.SimpleNamespace(find_providers=find_providers, load_provider_module=load_provider_module,
                                 ConfigResolver=ConfigResolver, AuthenticationError=AuthenticationError,
                                 LexiconError=LexiconError)


class LexiconProvider(Provider):
    """A dns-lexicon provider: ``provider`` names it, ``options`` are its settings."""

    type_name = "lexicon"
    can_cname = True

    def __init__(self, name: str, ctx: Context, options: dict[str, t.Any], zone: str | None = None,
                 retries: int | None = None) -> None:
        super().__init__(name, ctx, options, zone, retries)
        self.lib = _lexicon()
        self.lexicon_name = required(options, "provider", f"providers[{name}].lexicon")
        if self.lexicon_name not in self.lib.find_providers():
            raise InputError(f"providers[{name}].lexicon.provider: unknown lexicon provider {self.lexicon_name!r}",
                             field="lexicon.provider")
        self.settings = dict(options.get("options") or {})
        self.secrets = [str(value) for value in self.settings.values() if isinstance(value, (str, int))]

    def publish(self, name: str, values: set[str], ttl: int) -> None:
        self._call(name, lambda api: [api.create_record("TXT", name, value) for value in sorted(values)], ttl)

    def remove(self, name: str, values: set[str]) -> None:
        self._call(name, lambda api: [api.delete_record(rtype="TXT", name=name, content=value) for value in sorted(values)])

    def list(self, name: str) -> set[str]:
        records = self._call(name, lambda api: api.list_records(rtype="TXT", name=name))
        return {_content(record) for record in records or [] if normalize(record.get("name", "")) == normalize(name)}

    def rrsets(self, name: str) -> dict[str, list[str]]:
        records = self._call(name, lambda api: _absolute_cnames(api).list_records(name=name))
        found: dict[str, set[str]] = {}
        for record in _owned(records, name):
            rtype = str(record.get("type", "")).upper()
            found.setdefault(rtype, set()).add(normalize(str(record.get("content", ""))) if rtype == "CNAME" else _content(record))
        return {rtype: sorted(values) for rtype, values in found.items()}

    def set_cname(self, name: str, target: str, ttl: int) -> None:
        stored = self._call(name, lambda api: _replace_cname(_absolute_cnames(api), name, target), ttl)
        if stored != [normalize(target)]:
            # Some lexicon providers rewrite CNAME content; say so rather than leave a wrong delegation unnoticed.
            raise self.error(f"lexicon provider {self.lexicon_name} stored {name} CNAME {stored}, not {target}", transient=False)

    def delete_rrset(self, name: str, rtype: str, values: list[str]) -> None:
        self._call(name, lambda api: [_absolute_cnames(api).delete_record(rtype=rtype, name=name, content=value)
                                      for value in values])

    def check_health(self) -> None:
        # authenticate() looks the zone up: it fails when the API does.
        if not self.zone:
            raise self.error("a health check needs the provider's zone", transient=False)
        self._call(self.zone, lambda api: None)

    def _call(self, name: str, action: t.Callable[[t.Any], t.Any], ttl: int | None = None) -> t.Any:
        zone = self.zone or self.ctx.find_zone(name)
        config = self._config(zone, ttl)
        try:
            return run_bounded(lambda: self._session(config, action), self.ctx.deadline.remaining, self.ctx.timeouts())
        except Dns01Error as exc:
            exc.msg = self.redact(exc.msg)
            exc.details["provider"] = self.name
            raise
        except Exception as exc:  # pylint: disable=broad-exception-caught
            raise self._map(exc) from None

    def _config(self, zone: str, ttl: int | None) -> t.Any:
        # A fresh resolver per call: reusing one keeps stacking config sources.
        settings = {"provider_name": self.lexicon_name, "domain": zone, self.lexicon_name: self.settings}
        if ttl is not None:
            settings["ttl"] = ttl
        return self.lib.ConfigResolver().with_dict(settings)

    def _session(self, config: t.Any, action: t.Callable[[t.Any], t.Any]) -> t.Any:
        api = self.lib.load_provider_module(self.lexicon_name).Provider(config)
        api.authenticate()
        try:
            return action(api)
        finally:
            api.cleanup()

    def _map(self, exc: Exception) -> ProviderError:
        mapped = from_requests(exc, self.ctx.clock.now())
        if mapped is None and isinstance(exc, self.lib.AuthenticationError):
            mapped = ProviderAuthError(f"authentication failed: {exc}")
        elif mapped is None and isinstance(exc, self.lib.LexiconError):
            mapped = ProviderError(f"{type(exc).__name__}: {exc}", transient=False)
        elif mapped is None:
            # Provider-specific exceptions (SDK errors, bad JSON from a failing
            # API): unknown, so worth one more try within the budget.
            mapped = ProviderError(f"{type(exc).__name__}: {exc}")
        mapped.msg = self.redact(mapped.msg)
        mapped.provider = mapped.details["provider"] = self.name
        return mapped


def _content(record: dict[str, t.Any]) -> str:
    content = str(record.get("content", ""))
    if len(content) >= 2 and content[0] == content[-1] == '"':
        content = content[1:-1]
    return content


def _owned(records: t.Any, name: str) -> list[dict[str, t.Any]]:
    """The records lexicon listed that sit at ``name`` itself."""
    return [record for record in records or [] if normalize(record.get("name", "")) == normalize(name)]


def _cname_targets(api: t.Any, name: str) -> list[str]:
    return sorted(normalize(str(record.get("content", ""))) for record in _owned(api.list_records(rtype="CNAME", name=name), name))


def _replace_cname(api: t.Any, name: str, target: str) -> list[str]:
    """Delete other CNAMEs first (providers like powerdns merge a create into the record set), create, read back."""
    for old in _cname_targets(api, name):
        if old != normalize(target):
            api.delete_record(rtype="CNAME", name=name, content=old)
    if normalize(target) not in _cname_targets(api, name):
        api.create_record("CNAME", name, normalize(target))
    return _cname_targets(api, name)


def _absolute_cnames(api: t.Any) -> t.Any:
    """Keep CNAME targets absolute in providers that rewrite them (powerdns, devnomads, rcodezero).

    Their ``_clean_content`` appends the zone to every target outside it
    (``x.fallback.test`` becomes ``x.fallback.test.example.test.``), and
    ``_unclean_content`` does the same when reading. A delegation target is
    outside the zone by design, so both directions take it as absolute.
    """
    clean, unclean = getattr(api, "_clean_content", None), getattr(api, "_unclean_content", None)
    if clean is None or unclean is None or getattr(api, "_dns01_absolute_cnames", False):
        return api
    api._clean_content = lambda rtype, content: normalize(content) + "." if rtype == "CNAME" else clean(rtype, content)
    api._unclean_content = lambda rtype, content: normalize(content) if rtype == "CNAME" else unclean(rtype, content)
    api._dns01_absolute_cnames = True
    return api
