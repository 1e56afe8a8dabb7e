# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""dns-01 challenges grouped by the TXT record that answers them.

This is a private module_utils file: its API may change without notice.
An apex and its wildcard share one record name and need both values at once,
which is why publishing works on records (name + all values), not on names.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme.names import record_name
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError

try:
    import josepy as jose
    from acme import messages
except ImportError:
    pass

DNS01 = "dns-01"


def dns_challenge(authorization: dict[str, t.Any]) -> dict[str, t.Any] | None:
    """The authorization's dns-01 challenge, if the CA offered one."""
    for challenge in authorization.get("challenges", []):
        if challenge.get("type") == DNS01:
            return challenge
    return None


def txt_value(challenge: dict[str, t.Any], account_jwk: t.Any) -> str:
    """base64url(SHA-256(key authorization)): the TXT value (RFC 8555 section 8.4)."""
    try:
        return messages.ChallengeBody.from_json(challenge).chall.validation(account_jwk)
    except jose.DeserializationError as exc:
        raise AcmeError(f"the CA sent a malformed dns-01 challenge: {exc}") from exc


def identifier(authorization: dict[str, t.Any]) -> str:
    """The name as the certificate holds it: wildcard authorizations get their ``*.`` back."""
    value = str(authorization.get("identifier", {}).get("value", ""))
    return f"*.{value}" if authorization.get("wildcard") else value


def describe(url: str, authorization: dict[str, t.Any], value: str | None) -> dict[str, t.Any]:
    """One authorization as the module returns it."""
    name = identifier(authorization)
    return {"identifier": name, "url": url, "status": authorization.get("status"),
            "record": record_name(name), "value": value}


def group(authorizations: list[dict[str, t.Any]]) -> dict[str, list[str]]:
    """{record name: [values]} for the described authorizations that carry a value."""
    grouped: dict[str, set[str]] = {}
    for authz in authorizations:
        if authz.get("value"):
            grouped.setdefault(authz["record"], set()).add(authz["value"])
    return {name: sorted(values) for name, values in grouped.items()}


def records(groups: list[dict[str, list[str]]]) -> list[dict[str, t.Any]]:
    """Merge groups (one per certificate) into ``[{name, values}]``, sorted."""
    merged: dict[str, list[str]] = {}
    for grouped in groups:
        for name, values in grouped.items():
            target = merged.setdefault(name, [])
            target.extend(value for value in values if value not in target)
    # Sorted values keep the result stable whatever order the CA lists authorizations in.
    return [{"name": name, "values": sorted(merged[name])} for name in sorted(merged)]
