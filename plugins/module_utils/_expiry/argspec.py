# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument spec of ``certificate_expiry``.

This is a private module_utils file: its API may change without notice.
``certificates`` entries are the renewal role's definitions as they are,
so their keys are checked in ``action.targets``, not by the spec.
"""

from __future__ import annotations

import typing as t

DEFAULT_THRESHOLDS = [21, 14, 7, 2]


def expiry_spec() -> dict[str, t.Any]:
    return {
        "certificates": {"type": "list", "elements": "dict", "default": []},
        "source": {"type": "str"},
        "thresholds": {"type": "list", "elements": "int", "default": list(DEFAULT_THRESHOLDS)},
        "critical_days": {"type": "int", "default": 2},
        "state_path": {"type": "path"},
        "timeout": {"type": "float", "default": 5.0},
        "acknowledge": {"type": "list", "elements": "dict"},
        "ari_directory": {"type": "str"},
        "ari_ca_path": {"type": "path"},
    }
