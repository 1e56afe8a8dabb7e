# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument spec of ``challenge_delegation``, built from the shared pieces.

This is a private module_utils file: its API may change without notice.
``provider`` is one entry of ``dns_challenge_publish``'s ``providers``
(doc fragment ``portable.dns01.publish_providers.provider``); the resolver
options pair with ``portable.dns01.dns_resolver``.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._dns.argspec import resolver_argument_spec
from ansible_collections.portable.dns01.plugins.module_utils._publish.argspec import provider_spec

STATES = ("present", "absent")


def delegation_spec() -> dict[str, t.Any]:
    """The whole argument spec of ``challenge_delegation``."""
    spec = {
        "domain": {"type": "str", "required": True},
        "target": {"type": "str"},
        "provider": provider_spec(),
        "state": {"type": "str", "default": "present", "choices": list(STATES)},
        "ttl": {"type": "int", "default": 300},
        "force_replace": {"type": "bool", "default": False},
        "wait": {"type": "bool", "default": True},
        "wait_timeout": {"type": "float", "default": 300.0},
        "timeout": {"type": "float", "default": 120.0},
        "connect_timeout": {"type": "float", "default": 5.0},
        "read_timeout": {"type": "float", "default": 20.0},
    }
    spec.update(resolver_argument_spec())
    return spec


REQUIRED_IF = [("state", "present", ["target"])]
