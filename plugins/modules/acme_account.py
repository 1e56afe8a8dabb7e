#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: acme_account
short_description: Register an ACME account, update its contact, roll its key over or deactivate it
version_added: 0.1.0
description:
  - With O(state=present), registers the account of the account key when the CA does not know it yet, and sets its
    contact URLs when O(contact) (or O(account_email)) differs from what the CA has.
  - With O(rollover=true), replaces the account key by a new one (RFC 8555 section 7.3.5). The new key is written beside
    the old one first, then sent to the CA, and installed at O(account_key_path) only once the CA has accepted it; the
    old key is kept as a backup. A run that dies after the CA's answer leaves the new key beside the old one, and the
    next run of this module installs it when the CA knows the account by it, or drops it otherwise.
  - With O(state=absent), deactivates the account (RFC 8555 section 7.3.6). The CA refuses every later request of that
    account, for good.
  - O(mode), O(owner), O(group) and the other file options apply to the account key file at O(account_key_path)
    whenever it exists, also when nothing else changes; unset, a key file the module writes has mode V(0600).
    Backups of the key are always V(0600).
author:
  - portable.dns01 contributors (@portable-dns01)
extends_documentation_fragment:
  - ansible.builtin.files
  - portable.dns01.acme_account
attributes:
  check_mode:
    description: Reports whether the account would be registered, updated, rolled over or deactivated; nothing is sent or written.
    support: full
  diff_mode:
    description: No diff is returned.
    support: none
  idempotent:
    description:
      - Registration, contact, deactivation and the key file's attributes change nothing when already as asked;
        O(rollover=true) rolls the key over at every run.
    support: partial
options:
  state:
    description:
      - V(present) registers the account when needed; V(absent) deactivates it.
    type: str
    default: present
    choices: [present, absent]
  contact:
    description:
      - The account's contact URLs, replacing those the CA has. An entry without a scheme is taken as an e-mail address
        (V(mailto:)).
      - An empty list removes every contact. When not set, C(mailto:) of O(account_email) is used, if set; otherwise the
        contact is left as it is.
    type: list
    elements: str
  rollover:
    description:
      - Roll the account key over to a newly generated key of type O(new_account_key_type).
      - Needs O(account_key_path), where the new key is installed.
    type: bool
    default: false
  new_account_key_type:
    description:
      - The type of the new key of a rollover. Defaults to O(account_key_type).
    type: str
    choices: [ec256, ec384, rsa2048, rsa3072, rsa4096]
  keep_backups:
    description:
      - How many backups of the account key file are kept after a rollover, the newest ones, with mode V(0600).
    type: int
    default: 2
notes:
  - Checked against Pebble 2.4 in the local lab (registration, contact update, rollover, deactivation) and with
    recorded exchanges at the HTTP layer.
seealso:
  - module: portable.dns01.acme_order
  - module: portable.dns01.acme_revoke
"""

EXAMPLES = r"""
- name: Register the account, with two contacts
  portable.dns01.acme_account:
    directory: letsencrypt
    account_key_path: /etc/ssl/acme/account.key
    terms_agreed: true
    contact:
      - hostmaster@example.com
      - mailto:security@example.com

- name: Roll the account key over to a new P-384 key
  portable.dns01.acme_account:
    directory: letsencrypt
    account_key_path: /etc/ssl/acme/account.key
    rollover: true
    new_account_key_type: ec384

- name: Deactivate the account for good
  portable.dns01.acme_account:
    directory: letsencrypt
    account_key_path: /etc/ssl/acme/account.key
    state: absent
"""

RETURN = r"""
directory:
  description: The directory URL used.
  returned: always
  type: str
account_url:
  description: The account's URL; null when there is no account (or in check mode before registration).
  returned: always
  type: str
status:
  description:
    - The account's status, V(valid) or V(deactivated); V(absent) when the CA has no account for the key;
      V(would be registered) in check mode.
  returned: always
  type: str
contact:
  description: The account's contact URLs after this run.
  returned: always
  type: list
  elements: str
rolled_over:
  description: Whether the account key was rolled over (or would be, in check mode).
  returned: always
  type: bool
rollover_finished:
  description: Whether a new key left by an interrupted rollover was installed at the start of this run.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._acme.account import run_module
from ansible_collections.portable.dns01.plugins.module_utils._acme.argspec import account_module_argument_spec
from ansible_collections.portable.dns01.plugins.module_utils._acme.module import ACCOUNT_MODULE_OPTIONS, run_acme
from ansible_collections.portable.dns01.plugins.module_utils._common.module import FileAttributes


def main() -> None:
    module = AnsibleModule(argument_spec=account_module_argument_spec(), add_file_common_args=True, **ACCOUNT_MODULE_OPTIONS)
    run_acme(module, lambda params, check_mode: run_module(params, check_mode, files=FileAttributes(module)))


if __name__ == "__main__":
    main()
