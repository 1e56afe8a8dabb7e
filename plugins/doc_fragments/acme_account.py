# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The ACME server and account options (module_utils/_acme/argspec.py, account_argument_spec)."""

    DOCUMENTATION = r"""
options:
  directory:
    description:
      - The ACME directory URL.
      - Or one of the shorthands V(letsencrypt), V(letsencrypt_staging), V(zerossl), V(google), V(google_staging).
    type: str
    required: true
  ca_bundle:
    description:
      - A PEM file with the CA certificates that verify the ACME server's HTTPS certificate.
      - Takes precedence over O(validate_certs).
    type: path
  validate_certs:
    description:
      - Whether to verify the ACME server's HTTPS certificate. Only set to V(false) against a test CA.
    type: bool
    default: true
  request_timeout:
    description:
      - Seconds to wait for each HTTP answer from the ACME server.
    type: int
    default: 30
  account_key_path:
    description:
      - Path to the account's private key (PEM).
      - When the file does not exist, a key of type O(account_key_type) is generated and written there with mode V(0600).
      - Exactly one of O(account_key_path) and O(account_key_content) is required.
    type: path
  account_key_content:
    description:
      - The account's private key as PEM text.
      - When not set, the environment variable E(DNS01_ACME_ACCOUNT_KEY_CONTENT) is used.
    type: str
  account_key_type:
    description:
      - The type of the account key generated when O(account_key_path) does not exist.
    type: str
    default: ec256
    choices: [ec256, ec384, rsa2048, rsa3072, rsa4096]
  account_email:
    description:
      - Contact e-mail address registered with a new account.
    type: str
  terms_agreed:
    description:
      - Whether you agree to the CA's terms of service. Most public CAs refuse new accounts without it.
    type: bool
    default: false
  eab_kid:
    description:
      - Key identifier for external account binding, given by CAs that require it (for example ZeroSSL, Google).
    type: str
  eab_hmac_key:
    description:
      - Base64url HMAC key for external account binding.
      - When not set, the environment variable E(DNS01_ACME_EAB_HMAC_KEY) is used.
    type: str
requirements:
  - acme >= 2.10
  - cryptography >= 41
  - josepy
  - requests
  - idna, for internationalised domain names
"""
