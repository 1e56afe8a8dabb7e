# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the renewal filters share.

This is a private plugin_utils file: its API may change without notice.
"""

from __future__ import annotations


def label(definition: dict) -> str:
    """A certificate's label as acme_order reports it: its id, else its first name."""
    names = definition.get("names") or [""]
    return str(definition.get("id") or names[0])
