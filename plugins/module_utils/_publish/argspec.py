# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument specs of the publishing options, declared once.

This is a private module_utils file: its API may change without notice.
Paired with the doc fragments ``portable.dns01.publish_providers`` and
``portable.dns01.publish_chain``; validate-modules keeps them in step.
"""

from __future__ import annotations

import typing as t

from ansible.module_utils.basic import env_fallback

from ansible_collections.portable.dns01.plugins.module_utils._lock.runlock import run_lock_spec

LEXICON = {
    "provider": {"type": "str", "required": True},
    "options": {"type": "dict", "default": {}, "no_log": True},
}

RFC2136 = {
    "server": {"type": "str", "required": True},
    "port": {"type": "int", "default": 53},
    "key_name": {"type": "str"},
    "key_secret": {"type": "str", "no_log": True, "fallback": (env_fallback, ["DNS01_TSIG_SECRET"])},
    "key_algorithm": {"type": "str", "default": "hmac-sha256", "choices": ["hmac-sha256", "hmac-sha384", "hmac-sha512"]},
    "timeout": {"type": "float", "default": 10.0},
}

ROUTE53 = {
    "zone_id": {"type": "str"},
    "zone_name": {"type": "str"},
    "private_zone": {"type": "bool", "default": False},
    "region": {"type": "str"},
    "endpoint_url": {"type": "str"},
    "sts_endpoint_url": {"type": "str"},
    "access_key": {"type": "str", "no_log": False, "fallback": (env_fallback, ["AWS_ACCESS_KEY_ID"])},
    "secret_key": {"type": "str", "no_log": True, "fallback": (env_fallback, ["AWS_SECRET_ACCESS_KEY"])},
    "session_token": {"type": "str", "no_log": True, "fallback": (env_fallback, ["AWS_SESSION_TOKEN"])},
    "role_arn": {"type": "str"},
    "external_id": {"type": "str", "no_log": False},
    "role_session_name": {"type": "str", "default": "portable-dns01"},
    "duration_seconds": {"type": "int", "default": 900},
    "wait_insync": {"type": "bool", "default": True},
}

ACME_DNS = {
    "api_url": {"type": "str", "required": True},
    "username": {"type": "str", "required": True},
    "password": {"type": "str", "required": True, "no_log": True},
    "subdomain": {"type": "str", "required": True},
    "ca_bundle": {"type": "path"},
}

TYPES = ["lexicon", "rfc2136", "route53", "acme_dns"]


def _sub(options: dict[str, t.Any], **extra: t.Any) -> dict[str, t.Any]:
    return {"type": "dict", "options": options, **extra}


def provider_spec() -> dict[str, t.Any]:
    """One typed provider, one sub-dict per type: an entry of ``providers``, or ``challenge_delegation``'s ``provider``."""
    options = {
        "name": {"type": "str", "required": True},
        "type": {"type": "str", "required": True, "choices": TYPES},
        "zone": {"type": "str"},
        "retries": {"type": "int"},
        "lexicon": _sub(LEXICON),
        "rfc2136": _sub(RFC2136),
        "route53": _sub(ROUTE53, mutually_exclusive=[["zone_id", "zone_name"]]),
        "acme_dns": _sub(ACME_DNS),
    }
    required_if = [["type", kind, [kind]] for kind in TYPES]
    return {"type": "dict", "required": True, "options": options, "required_if": required_if}


def providers_spec() -> dict[str, t.Any]:
    """The ``providers`` option: a list of typed providers."""
    return {"providers": {**provider_spec(), "type": "list", "elements": "dict"}}


def chain_spec() -> dict[str, t.Any]:
    """How the providers are used: strategy, retries, time-outs, breaker, drills."""
    return {
        "strategy": {"type": "str", "default": "failover", "choices": ["failover", "all"]},
        "min_success": {"type": "int", "default": 1},
        "timeout": {"type": "float", "default": 120.0},
        "connect_timeout": {"type": "float", "default": 5.0},
        "read_timeout": {"type": "float", "default": 20.0},
        "retries": {"type": "int", "default": 2},
        "simulate_outage": {"type": "list", "elements": "str", "default": []},
        "breaker_threshold": {"type": "int", "default": 3},
        "breaker_cooldown": {"type": "float", "default": 300.0},
        "breaker_state_file": {"type": "path", "fallback": (env_fallback, ["DNS01_BREAKER_STATE_FILE"])},
        "breaker_redis_url": {"type": "str", "no_log": True, "fallback": (env_fallback, ["DNS01_BREAKER_REDIS_URL"])},
    }


def publish_spec() -> dict[str, t.Any]:
    """The whole argument spec of ``dns_challenge_publish``."""
    spec = {
        "records": {"type": "list", "elements": "dict", "options": {
            "name": {"type": "str", "required": True},
            "values": {"type": "list", "elements": "str", "required": True},
        }},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent", "swept"]},
        "ttl": {"type": "int", "default": 60},
        "follow_cnames": {"type": "bool", "default": True},
        "bootstrap_resolvers": {"type": "list", "elements": "str", "default": []},
    }
    spec.update(providers_spec())
    spec.update(chain_spec())
    spec.update(run_lock_spec())
    return spec


# records are needed to publish or remove; sweeping reads the journal beside the run lock instead.
PUBLISH_REQUIRED_IF = [("state", "present", ["records"]), ("state", "absent", ["records"]), ("state", "swept", ["run_lock"])]
