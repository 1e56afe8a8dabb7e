# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument specs of the DNS options, declared once.

This is a private module_utils file: its API may change without notice.
``resolver_argument_spec`` pairs with the ``portable.dns01.dns_resolver``
doc fragment; keep the two in step.
"""

from __future__ import annotations

import typing as t


def resolver_argument_spec() -> dict[str, t.Any]:
    """Options for finding zones and nameservers: ``bootstrap_resolvers``, ``query_timeout``."""
    return {
        "bootstrap_resolvers": {"type": "list", "elements": "str", "default": []},
        "query_timeout": {"type": "float", "default": 3.0},
    }


def doh_argument_spec() -> dict[str, t.Any]:
    """Options for resolvers given as DNS-over-HTTPS URLs: ``doh_method``, ``doh_ca_bundle``, ``validate_certs``."""
    return {
        "doh_method": {"type": "str", "default": "POST", "choices": ["GET", "POST"]},
        "doh_ca_bundle": {"type": "path"},
        "validate_certs": {"type": "bool", "default": True},
    }


def propagation_argument_spec() -> dict[str, t.Any]:
    """The options of ``propagation_wait``, resolver options included."""
    spec = {
        "records": {
            "type": "list", "elements": "dict", "required": True,
            "options": {
                "name": {"type": "str", "required": True},
                "values": {"type": "list", "elements": "str", "required": True},
                "mode": {"type": "str", "default": "subset", "choices": ["subset", "equal"]},
            },
        },
        "nameservers": {"type": "list", "elements": "str", "default": []},
        "resolvers": {"type": "list", "elements": "str", "default": []},
        "resolver_quorum": {"type": "int"},
        "follow_cnames": {"type": "bool", "default": True},
        "timeout": {"type": "float", "default": 300.0},
        "interval": {"type": "float", "default": 0.5},
        "max_interval": {"type": "float", "default": 5.0},
        "servfail_retries": {"type": "int", "default": 3},
    }
    spec.update(resolver_argument_spec())
    spec.update(doh_argument_spec())
    return spec
