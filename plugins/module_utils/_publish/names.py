# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DNS names and TXT values: normalise and check them before any remote call.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import re
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError

# Underscores are allowed: challenge names start with ``_acme-challenge``.
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
MAX_TXT_OCTETS = 255


def normalize(name: str) -> str:
    """Lower case, no trailing dot: the form every comparison uses."""
    return name.strip().rstrip(".").lower()


def check_name(name: t.Any, field: str) -> str:
    """Return the normalised name, or raise InputError naming ``field``."""
    if not isinstance(name, str) or not normalize(name):
        raise InputError(f"{field}: a DNS name is required", field=field)
    plain = normalize(name)
    if len(plain) > 253 or not all(_LABEL.match(label) for label in plain.split(".")):
        raise InputError(f"{field}: {name!r} is not a valid DNS name", field=field)
    return plain


def check_values(values: t.Any, field: str) -> list[str]:
    """TXT values: a non-empty list of non-empty strings of at most 255 octets each."""
    if not values:
        raise InputError(f"{field}: at least one value is required", field=field)
    for value in values:
        if not isinstance(value, str) or not value:
            raise InputError(f"{field}: values must be non-empty strings", field=field)
        if len(value.encode("utf-8")) > MAX_TXT_OCTETS:
            raise InputError(f"{field}: a TXT value holds at most {MAX_TXT_OCTETS} octets", field=field)
    return sorted(set(values))


def in_zone(name: str, zone: str) -> bool:
    """Whether ``name`` is ``zone`` itself or below it."""
    name, zone = normalize(name), normalize(zone)
    return not zone or name == zone or name.endswith("." + zone)


def relative(name: str, zone: str) -> str:
    """``name`` relative to ``zone``; ``@`` for the apex."""
    name, zone = normalize(name), normalize(zone)
    if name == zone:
        return "@"
    return name[: -len(zone) - 1] if zone else name


def first_label(name: str) -> str:
    return normalize(name).split(".", 1)[0]
