# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DNS names and TXT values: normalise and check them before any remote call.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._common.names import dns_name, first_label, normalize

MAX_TXT_OCTETS = 255
# Names are checked and converted in ``_common.names``; this area re-exports
# what its providers use.
__all__ = ["check_name", "check_values", "first_label", "in_zone", "normalize", "relative"]


def check_name(name: t.Any, field: str) -> str:
    """The name in A-labels and lower case (underscore labels allowed), or InputError naming ``field``."""
    return dns_name(name, field)


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
