# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument spec of the ``preflight`` module.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._dns.argspec import resolver_argument_spec


def preflight_argument_spec() -> dict[str, t.Any]:
    spec = {
        "names": {"type": "list", "elements": "str", "required": True},
        "directory": {"type": "str", "default": "letsencrypt"},
        "ca_identities": {"type": "list", "elements": "str", "default": []},
        "account_uri": {"type": "str"},
        "caa": {"type": "bool", "default": True},
        "dnssec": {"type": "bool", "default": True},
        "dnssec_trust_anchors": {"type": "list", "elements": "str", "default": []},
    }
    spec.update(resolver_argument_spec())
    return spec


def preflight_options() -> dict[str, t.Any]:
    """The checks' options without ``names``: renewal_plan's ``preflight`` takes the names from its certificates."""
    spec = preflight_argument_spec()
    del spec["names"]
    return spec
