#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: renewal_plan
short_description: Check a renewal's whole inventory before any ACME or DNS call
version_added: 0.2.0
description:
  - Checks the certificate definitions, the provider catalog (with the argument spec
    M(portable.dns01.dns_challenge_publish) applies), the provider chains, the renewal settings,
    that the credentials are present (a TSIG secret for every TSIG key name) and that every
    destination is writable or can be created. Every problem is reported at once, in one failure.
  - Then creates the missing parent directories of the certificate files (0755) and of the
    account key (0700). Directories that exist are left exactly as they are.
  - The renewal role runs it first, so bad input never leaves an order pending at the CA.
  - Secrets of the provider definitions are never returned.
author:
  - portable.dns01 contributors (@portable-dns01)
attributes:
  check_mode:
    support: full
    description: Checks everything and creates nothing.
  diff_mode:
    support: none
    description: Nothing to show as a diff.
  idempotent:
    support: full
    description: Creates only directories that are missing.
options:
  certificates:
    description:
      - The certificate definitions of the renewal role, each an M(portable.dns01.acme_order) certificate
        plus C(providers), provider names of O(providers) in fallback order.
    type: raw
    required: true
  providers:
    description:
      - The provider catalog, definitions of M(portable.dns01.dns_challenge_publish) with unique names.
      - Checked here rather than by the argument spec, so every problem of every provider is reported.
    type: raw
    required: true
  settings:
    description:
      - The renewal settings to check, by the role's variable names without the C(dns01_renewal_) prefix.
      - V(ttl), V(publish_timeout), V(propagation_timeout), V(validation_timeout), V(publish_connect_timeout),
        V(publish_read_timeout) and V(lock_ttl) must be positive; V(lock_wait), V(renew_before_days) and
        V(publish_retries) not negative; V(strategy), V(min_success), V(simulate_outage), V(lock_backend),
        V(lock_directory) and V(lock_redis_url) must fit the catalog and each other.
    type: dict
    default: {}
  account_key_path:
    description:
      - The ACME account key file. Not checked when E(DNS01_ACME_ACCOUNT_KEY_CONTENT) is set on the host.
    type: path
  report_path:
    description: Where the run's report will be written; its directory must be writable.
    type: path
  create_directories:
    description: Create missing parent directories of the certificate files and the account key.
    type: bool
    default: true
  dry_run:
    description: Make a temporary directory and point every certificate file into it.
    type: bool
    default: false
requirements:
  - python >= 3.11
seealso:
  - module: portable.dns01.acme_order
  - module: portable.dns01.dns_challenge_publish
"""

EXAMPLES = r"""
- name: Check the inventory before any ACME or DNS call
  portable.dns01.renewal_plan:
    certificates: "{{ dns01_renewal_certificates }}"
    providers: "{{ dns01_renewal_providers }}"
    account_key_path: /etc/portable-dns01/account.key
    settings:
      strategy: failover
      ttl: 60
      lock_backend: file
      lock_directory: /var/lib/portable-dns01/locks
  register: renewal_plan
"""

RETURN = r"""
certificates:
  description: The certificates as M(portable.dns01.acme_order) takes them (in a dry run, with every file in RV(dry_run_dir)).
  returned: success
  type: list
  elements: dict
chains:
  description: Per certificate label, its provider names in order.
  returned: success
  type: dict
  sample: {example: [primary, fallback]}
dry_run_dir:
  description: The temporary directory of a dry run; V(null) otherwise.
  returned: success
  type: str
account_key_from_env:
  description: Whether E(DNS01_ACME_ACCOUNT_KEY_CONTENT) holds the account key on the host, so O(account_key_path) is not used.
  returned: success
  type: bool
created_directories:
  description: The directories this run created.
  returned: success
  type: list
  elements: str
problems:
  description: Every problem found.
  returned: failure
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._common.module import run
from ansible_collections.portable.dns01.plugins.module_utils._renewal.plan import collect_secrets, settle


def main() -> None:
    # no_log: the raw provider definitions hold secrets; never log the invocation.
    module = AnsibleModule(
        argument_spec={
            "certificates": {"type": "raw", "required": True},
            "providers": {"type": "raw", "required": True},
            "settings": {"type": "dict", "default": {}},
            "account_key_path": {"type": "path"},
            "report_path": {"type": "path"},
            "create_directories": {"type": "bool", "default": True},
            "dry_run": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
        no_log=True,
    )
    module.no_log_values.update(collect_secrets(module.params["providers"]))
    run(module, lambda: settle(module.params, module.check_mode))


if __name__ == "__main__":
    main()
