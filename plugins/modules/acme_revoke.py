#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: acme_revoke
short_description: Revoke an ACME certificate with the account key or the certificate's own key
version_added: 0.1.0
description:
  - Asks the CA to revoke the certificate at O(cert_path) (RFC 8555 section 7.6), with a reason code.
  - Signed by the certificate's own key when O(private_key_path) is given (the way to go after a key compromise, and the
    only one when the account key is lost), otherwise by the account key of an existing account.
  - A certificate the CA reports as already revoked is not a failure and changes nothing.
author:
  - portable.dns01 contributors (@portable-dns01)
extends_documentation_fragment:
  - portable.dns01.acme_account
attributes:
  check_mode:
    description: Checks the certificate, the key and the account, and reports that the certificate would be revoked; nothing is sent.
    support: full
  diff_mode:
    description: No diff is returned.
    support: none
  idempotent:
    description: Revoking a certificate the CA has revoked already changes nothing.
    support: full
options:
  cert_path:
    description:
      - The certificate to revoke (PEM; the first certificate of the file).
    type: path
    required: true
  private_key_path:
    description:
      - The certificate's private key. When given, it signs the request instead of the account key, and it must belong
        to the certificate.
    type: path
  reason:
    description:
      - The revocation reason (RFC 5280 section 5.3.1). Let's Encrypt accepts these five.
      - Use V(keyCompromise) when the private key was exposed.
    type: str
    default: unspecified
    choices: [unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation]
notes:
  - Checked against Pebble 2.4 in the local lab (with the account key and with the certificate's key) and with
    recorded exchanges at the HTTP layer.
seealso:
  - module: portable.dns01.acme_order
  - module: portable.dns01.acme_account
"""

EXAMPLES = r"""
- name: Revoke a certificate whose key was exposed, signing with that key
  portable.dns01.acme_revoke:
    directory: letsencrypt
    cert_path: /etc/ssl/web/cert.pem
    private_key_path: /etc/ssl/web/key.pem
    reason: keyCompromise

- name: Revoke a certificate no longer used, with the account key
  portable.dns01.acme_revoke:
    directory: letsencrypt
    account_key_path: /etc/ssl/acme/account.key
    cert_path: /etc/ssl/old/cert.pem
    reason: cessationOfOperation
"""

RETURN = r"""
directory:
  description: The directory URL used.
  returned: always
  type: str
serial:
  description: The certificate's serial number, hexadecimal.
  returned: always
  type: str
reason:
  description: The reason sent.
  returned: always
  type: str
signed_with:
  description: V(certificate_key) or V(account_key).
  returned: always
  type: str
already_revoked:
  description: Whether the CA reported the certificate as revoked already.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._acme.argspec import revoke_argument_spec
from ansible_collections.portable.dns01.plugins.module_utils._acme.module import ACCOUNT_MODULE_OPTIONS, run_acme
from ansible_collections.portable.dns01.plugins.module_utils._acme.revoke import run_module


def main() -> None:
    module = AnsibleModule(argument_spec=revoke_argument_spec(), **ACCOUNT_MODULE_OPTIONS)
    run_acme(module, run_module)


if __name__ == "__main__":
    main()
