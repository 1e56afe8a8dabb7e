# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument specs of the ACME options, paired with the doc fragment of the same name.

This is a private module_utils file: its API may change without notice.
``account_argument_spec`` matches ``portable.dns01.acme_account``.
"""

from __future__ import annotations

import typing as t

from ansible.module_utils.basic import env_fallback

from ansible_collections.portable.dns01.plugins.module_utils._acme.keys import KEY_TYPES


def account_argument_spec() -> dict[str, t.Any]:
    """The ACME server and account options shared by every ACME module."""
    return {
        "directory": {"type": "str", "required": True},
        "ca_bundle": {"type": "path"},
        "validate_certs": {"type": "bool", "default": True},
        "request_timeout": {"type": "int", "default": 30},
        "account_key_path": {"type": "path"},
        "account_key_content": {"type": "str", "no_log": True,
                                "fallback": (env_fallback, ["DNS01_ACME_ACCOUNT_KEY_CONTENT"])},
        "account_key_type": {"type": "str", "default": "ec256", "choices": list(KEY_TYPES)},
        "account_email": {"type": "str"},
        "terms_agreed": {"type": "bool", "default": False},
        "eab_kid": {"type": "str"},
        "eab_hmac_key": {"type": "str", "no_log": True, "fallback": (env_fallback, ["DNS01_ACME_EAB_HMAC_KEY"])},
    }


ACCOUNT_MUTUALLY_EXCLUSIVE = [("account_key_path", "account_key_content")]
ACCOUNT_REQUIRED_TOGETHER = [("eab_kid", "eab_hmac_key")]


def certificate_options() -> dict[str, t.Any]:
    """The suboptions of each ``certificates`` entry."""
    return {
        "id": {"type": "str"},
        "names": {"type": "list", "elements": "str", "required": True},
        "cert_path": {"type": "path", "required": True},
        "key_path": {"type": "path", "required": True},
        "chain_path": {"type": "path"},
        "fullchain_path": {"type": "path"},
        "key_type": {"type": "str", "default": "ec256", "choices": list(KEY_TYPES)},
        "reuse_key": {"type": "bool", "default": False},
        "owner": {"type": "str"},
        "group": {"type": "str"},
        "mode": {"type": "raw"},
        "order_url": {"type": "str"},
        "preferred_chain": {"type": "str"},
        "profile": {"type": "str"},
        "account": {"type": "dict", "options": certificate_account_options(),
                    "mutually_exclusive": [("key_path", "key_content")]},
    }


def certificate_account_options() -> dict[str, t.Any]:
    """The suboptions of a certificate's own ``account``."""
    return {
        "directory": {"type": "str"},
        "key_path": {"type": "path"},
        "key_content": {"type": "str", "no_log": True},
        "key_type": {"type": "str", "choices": list(KEY_TYPES)},
        "email": {"type": "str"},
    }


def account_module_argument_spec() -> dict[str, t.Any]:
    """Everything acme_account takes."""
    spec = account_argument_spec()
    spec.update({
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "contact": {"type": "list", "elements": "str"},
        "rollover": {"type": "bool", "default": False},
        "new_account_key_type": {"type": "str", "choices": list(KEY_TYPES)},
        "keep_backups": {"type": "int", "default": 2},
    })
    return spec


def revoke_argument_spec() -> dict[str, t.Any]:
    """Everything acme_revoke takes; the account key is optional when the certificate's key signs."""
    spec = account_argument_spec()
    spec.update({
        "cert_path": {"type": "path", "required": True},
        "private_key_path": {"type": "path"},
        "reason": {"type": "str", "default": "unspecified", "choices": list(REVOCATION_REASONS)},
    })
    return spec


# RFC 5280 section 5.3.1 codes; Let's Encrypt accepts these five.
REVOCATION_REASONS = {"unspecified": 0, "keyCompromise": 1, "affiliationChanged": 3, "superseded": 4,
                      "cessationOfOperation": 5}


def order_argument_spec() -> dict[str, t.Any]:
    """Everything acme_order takes."""
    spec = account_argument_spec()
    spec.update({
        "certificates": {"type": "list", "elements": "dict", "required": True, "options": certificate_options()},
        "step": {"type": "str", "default": "create", "choices": ["create", "complete"]},
        "renew_before_days": {"type": "int", "default": 30},
        "force": {"type": "bool", "default": False},
        "deactivate_on_failure": {"type": "bool", "default": True},
        "concurrency": {"type": "int", "default": 8},
        "validation_timeout": {"type": "int", "default": 180},
        "keep_backups": {"type": "int", "default": 2},
    })
    return spec
