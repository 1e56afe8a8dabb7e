# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What identifies a provider's endpoint, without its name and without secrets.

This is a private module_utils file: its API may change without notice.
Two inventories may both call a provider "primary"; the breaker and the
journal must tell them apart by what they talk to: the type, the server or
API URL, the zone. URLs lose their user info and query; keys, tokens and
passwords never take part.
"""

from __future__ import annotations

import typing as t
import urllib.parse

from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Provider

_SECRET_WORDS = ("token", "key", "secret", "password", "pass", "auth", "credential")
_ENDPOINT_WORDS = ("server", "endpoint", "url", "host")


def clean_url(value: t.Any) -> str:
    """``value`` without user info, query or fragment when it is a URL; as text otherwise."""
    text = str(value or "")
    parts = urllib.parse.urlsplit(text)
    if not parts.scheme or not parts.netloc:
        return text
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def _lexicon_endpoint(settings: dict[str, t.Any]) -> list[str]:
    keys = sorted(key for key in settings
                  if any(word in key.lower() for word in _ENDPOINT_WORDS) and not any(word in key.lower() for word in _SECRET_WORDS))
    return [f"{key}={clean_url(settings[key])}" for key in keys]


def _parts(provider: Provider) -> list[str]:
    options = provider.options or {}
    kind = provider.type_name
    if kind == "lexicon":
        return [str(options.get("provider") or ""), *_lexicon_endpoint(dict(options.get("options") or {}))]
    if kind == "rfc2136":
        return [f"{options.get('server')}:{options.get('port') or 53}", str(options.get("key_name") or "")]
    if kind == "route53":
        return [clean_url(options.get("endpoint_url")) or "aws", str(options.get("zone_id") or options.get("zone_name") or ""),
                "private" if options.get("private_zone") else "public"]
    if kind == "acme_dns":
        return [clean_url(options.get("api_url")), str(options.get("subdomain") or "")]
    # A backend this file does not know: its declared endpoint, else its name.
    return [clean_url(options.get("endpoint")) if options.get("endpoint") else f"name={provider.name}"]


def identity(provider: Provider) -> str:
    """``type|endpoint…|zone``: stable across inventories, free of secrets."""
    return "|".join([provider.type_name, *_parts(provider), f"zone={provider.zone or ''}"])
