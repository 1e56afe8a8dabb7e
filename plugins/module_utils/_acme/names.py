# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Certificate names: what a CA issues for over dns-01, on top of ``_common.names``.

This is a private module_utils file: its API may change without notice.
Everything here runs before the CA is contacted, so a typo costs nothing:
no order, no failed authorization counted against the rate limits.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._common.names import (
    base_name,
    challenge_name,
    check_labels,
    to_ascii,
)

MAX_NAMES = 100


def record_name(name: str) -> str:
    """Where the dns-01 TXT record for ``name`` lives (RFC 8555 section 8.4)."""
    return challenge_name(name)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _check_shape(name: str, original: str, field: str) -> None:
    """Reject what no public CA issues for over dns-01."""
    if "*" in base_name(name):
        raise InputError(f"{field}: {original!r}: a wildcard must be the whole leftmost label", field=field)
    labels = base_name(name).split(".")
    if len(labels) < 2:
        raise InputError(f"{field}: {original!r} is not a fully qualified domain name", field=field)
    check_labels(base_name(name), original, field, underscores=False)
    if labels[-1].isdigit():
        raise InputError(f"{field}: {original!r} has an invalid label {labels[-1]!r}", field=field)


def normalize_name(name: str, field: str) -> str:
    """One validated name in the form the CA and the certificate use."""
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{field}: empty name", field=field)
    if _is_ip(name.strip()):
        raise InputError(f"{field}: {name!r} is an IP address; dns-01 only validates domain names", field=field)
    ascii_name = to_ascii(name, field)
    _check_shape(ascii_name, name, field)
    return ascii_name


def normalize_names(names: list[str] | None, field: str) -> list[str]:
    """Validate a certificate's names; keeps the order given, the first becomes the subject."""
    if not names:
        raise InputError(f"{field}: at least one name is required", field=field)
    if len(names) > MAX_NAMES:
        raise InputError(f"{field}: {len(names)} names; a certificate holds at most {MAX_NAMES}", field=field)
    result: list[str] = []
    for name in names:
        ascii_name = normalize_name(name, field)
        if ascii_name in result:
            raise InputError(f"{field}: {name!r} is listed twice", field=field)
        result.append(ascii_name)
    return result
