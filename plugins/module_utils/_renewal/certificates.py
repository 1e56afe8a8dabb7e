# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A renewal certificate's label and its files, as the renewal_plan module and the renewal filters see them.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import os
import typing as t

PATH_KEYS = ("cert_path", "key_path", "chain_path", "fullchain_path")


def label(definition: dict[str, t.Any]) -> str:
    """A certificate's label as acme_order reports it: its id, else its first name."""
    names = definition.get("names") or [""]
    return str(definition.get("id") or names[0])


def redirect(definition: dict[str, t.Any], dest: str) -> dict[str, t.Any]:
    """Same file names under ``dest``, prefixed with the label so two certificates never collide."""
    prefix = label(definition).replace("*", "_wildcard").replace("/", "_")
    for key in PATH_KEYS:
        if definition.get(key):
            definition[key] = os.path.join(dest, f"{prefix}-{os.path.basename(definition[key])}")
    if isinstance(definition.get("account"), dict):
        # A dry run orders from the dry run's CA only, whatever CA a certificate's account names.
        definition["account"] = {key: value for key, value in definition["account"].items() if key != "directory"}
    return definition
