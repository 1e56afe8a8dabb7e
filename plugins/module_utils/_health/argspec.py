# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument spec of the ``provider_health`` module.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible.module_utils.basic import env_fallback

from ansible_collections.portable.dns01.plugins.module_utils._dns.argspec import resolver_argument_spec
from ansible_collections.portable.dns01.plugins.module_utils._publish.argspec import providers_spec


def health_argument_spec() -> dict[str, t.Any]:
    spec = providers_spec()
    spec.update({
        "only": {"type": "list", "elements": "str", "default": []},
        "delegations": {"type": "list", "elements": "dict", "default": [], "options": {
            "domain": {"type": "str", "required": True},
            "provider": {"type": "str"},
            "target": {"type": "str"},
            "target_zone": {"type": "str"},
            "acme_dns": {"type": "dict"},
        }},
        "acme_dns_accounts": {"type": "dict", "default": {}, "no_log": True},
        "canary_label": {"type": "str", "default": "_dns01-canary"},
        "ttl": {"type": "int", "default": 60},
        "timeout": {"type": "float", "default": 60.0},
        "connect_timeout": {"type": "float", "default": 5.0},
        "read_timeout": {"type": "float", "default": 20.0},
        "propagation_timeout": {"type": "float", "default": 120.0},
        "feed_breaker": {"type": "bool", "default": False},
        "breaker_threshold": {"type": "int", "default": 3},
        "breaker_cooldown": {"type": "float", "default": 300.0},
        "breaker_state_file": {"type": "path", "fallback": (env_fallback, ["DNS01_BREAKER_STATE_FILE"])},
        "breaker_redis_url": {"type": "str", "no_log": True, "fallback": (env_fallback, ["DNS01_BREAKER_REDIS_URL"])},
    })
    spec.update(resolver_argument_spec())
    return spec
