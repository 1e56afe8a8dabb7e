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
from ansible_collections.portable.dns01.plugins.module_utils._publish.acme_dns import AcmeDnsProvider
from ansible_collections.portable.dns01.plugins.module_utils._publish.lexicon import LexiconProvider
from ansible_collections.portable.dns01.plugins.module_utils._publish.names import check_name
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context, Provider
from ansible_collections.portable.dns01.plugins.module_utils._publish.rfc2136 import Rfc2136Provider
from ansible_collections.portable.dns01.plugins.module_utils._publish.route53 import Route53Provider

TYPES: dict[str, type[Provider]] = {
    "lexicon": LexiconProvider,
    "rfc2136": Rfc2136Provider,
    "route53": Route53Provider,
    "acme_dns": AcmeDnsProvider,
}


def build_providers(specs: list[dict[str, t.Any]], ctx: Context, types: dict[str, type[Provider]] | None = None) -> list[Provider]:
    """One provider per entry of the ``providers`` option, in order."""
    if not specs:
        raise InputError("providers: at least one provider is required", field="providers")
    names = [spec.get("name") for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError(f"providers: duplicate names {', '.join(map(str, duplicates))}", field="providers.name")
    return [build_provider(spec, ctx, types or TYPES) for spec in specs]


def build_provider(spec: dict[str, t.Any], ctx: Context, types: dict[str, type[Provider]]) -> Provider:
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
