# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument spec of ``notify``.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._notify.channels import CHANNELS
from ansible_collections.portable.dns01.plugins.module_utils._notify.event import ACTIONS, SEVERITIES
from ansible_collections.portable.dns01.plugins.module_utils._notify.send import FAIL_WHEN


def destination_spec() -> dict[str, t.Any]:
    return {
        "type": "list", "elements": "dict", "required": True,
        "options": {
            "name": {"type": "str"},
            "type": {"type": "str", "required": True, "choices": sorted(CHANNELS)},
            "url": {"type": "str", "no_log": True},
            "routing_key": {"type": "str", "no_log": True},
            "headers": {"type": "dict", "no_log": True},
            "validate_certs": {"type": "bool", "default": True},
            "ca_path": {"type": "path"},
        },
    }


def notify_spec() -> dict[str, t.Any]:
    """The whole argument spec of ``notify``."""
    return {
        "destinations": destination_spec(),
        "action": {"type": "str", "default": "trigger", "choices": list(ACTIONS)},
        "summary": {"type": "str", "required": True},
        "severity": {"type": "str", "default": "error", "choices": list(SEVERITIES)},
        "source": {"type": "str", "required": True},
        "subject": {"type": "str", "required": True},
        "kind": {"type": "str", "required": True},
        "dedup_key": {"type": "str", "no_log": False},
        "details": {"type": "dict", "default": {}},
        "timeout": {"type": "float", "default": 10.0},
        "deadline": {"type": "float", "default": 60.0},
        "retries": {"type": "int", "default": 3},
        "fail_when": {"type": "str", "default": "all_failed", "choices": list(FAIL_WHEN)},
    }
