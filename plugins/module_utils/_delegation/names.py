# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The delegated name and its target, checked before any remote call.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._common.names import (
    CHALLENGE_LABEL,
    base_name,
    challenge_name as record_of,
    dns_name,
    first_label,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.names import in_zone


def challenge_name(domain: t.Any) -> str:
    """``_acme-challenge.<domain>``; a wildcard's ``*.`` is dropped, as its challenge sits at the base name."""
    text = base_name(domain.strip()) if isinstance(domain, str) else domain
    plain = dns_name(text, "domain")
    if first_label(plain) == CHALLENGE_LABEL:
        raise InputError(f"domain: give the domain itself, not its challenge name {plain}", field="domain")
    return record_of(plain)


def check_target(target: t.Any, record: str) -> str:
    """The normalised target; it may not be the delegated name or lie below it (a CNAME into itself)."""
    name = dns_name(target, "target")
    if name == record:
        raise InputError(f"target: {record} cannot be a CNAME to itself", field="target")
    if in_zone(name, record):
        raise InputError(f"target: {name} lies below {record}, which becomes the CNAME: it would point into itself",
                         field="target")
    return name


def loop_through(record: str, chain: list[str]) -> str | None:
    """The loop the new CNAME would close when the target's chain comes back to ``record``, as text."""
    if record not in chain:
        return None
    return " -> ".join([record] + chain[: chain.index(record) + 1])
