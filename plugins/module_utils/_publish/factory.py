# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Provider ``type`` to class, and the checks that need no remote call.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._publish.names import check_name
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context, Provider


# Each backend is imported the first time a provider of its type is built: a
# chain of RFC 2136 servers never loads requests, lexicon or boto3, and every
# module start saved counts at each renewal. The imports stay plain statements
# so that Ansible packs every backend with the module.
def _lexicon() -> type[Provider]:
    from ansible_collections.portable.dns01.plugins.module_utils._publish.lexicon import LexiconProvider
    return LexiconProvider


def _rfc2136() -> type[Provider]:
    from ansible_collections.portable.dns01.plugins.module_utils._publish.rfc2136 import Rfc2136Provider
    return Rfc2136Provider


def _route53() -> type[Provider]:
    from ansible_collections.portable.dns01.plugins.module_utils._publish.route53 import Route53Provider
    return Route53Provider


def _acme_dns() -> type[Provider]:
    from ansible_collections.portable.dns01.plugins.module_utils._publish.acme_dns import AcmeDnsProvider
    return AcmeDnsProvider


class Backends(t.Mapping[str, t.Type[Provider]]):
    """Backend classes by provider type, each imported when first asked for."""

    def __init__(self, loaders: dict[str, t.Callable[[], type[Provider]]]) -> None:
        self._loaders = loaders

    def __getitem__(self, kind: str) -> type[Provider]:
        return self._loaders[kind]()

    def __iter__(self) -> t.Iterator[str]:
        return iter(self._loaders)

    def __len__(self) -> int:
        return len(self._loaders)


TYPES: t.Mapping[str, type[Provider]] = Backends({
    "lexicon": _lexicon,
    "rfc2136": _rfc2136,
    "route53": _route53,
    "acme_dns": _acme_dns,
})


def build_providers(specs: list[dict[str, t.Any]], ctx: Context, types: t.Mapping[str, type[Provider]] | None = None) -> list[Provider]:
    """One provider per entry of the ``providers`` option, in order."""
    if not specs:
        raise InputError("providers: at least one provider is required", field="providers")
    names = [spec.get("name") for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError(f"providers: duplicate names {', '.join(map(str, duplicates))}", field="providers.name")
    return [build_provider(spec, ctx, types or TYPES) for spec in specs]


def build_provider(spec: dict[str, t.Any], ctx: Context, types: t.Mapping[str, type[Provider]]) -> Provider:
    name, kind = spec.get("name"), spec.get("type")
    if not name:
        raise InputError("providers: every provider needs a name", field="providers.name")
    if kind not in types:
        raise InputError(f"providers[{name}].type: unknown type {kind!r}; use one of {', '.join(types)}",
                         field="providers.type")
    options = spec.get(kind)
    if not options:
        raise InputError(f"providers[{name}].{kind} is required for type {kind}", field=f"providers.{kind}")
    zone = check_name(spec["zone"], f"providers[{name}].zone") if spec.get("zone") else None
    return types[kind](name, ctx, options, zone=zone, retries=spec.get("retries"))
