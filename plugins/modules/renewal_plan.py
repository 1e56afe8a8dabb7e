#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: renewal_plan
short_description: Check a renewal's whole inventory, CAA and DNSSEC, then take its run lock
version_added: 0.2.0
description:
  - Checks the certificate definitions, the provider catalog (with the argument spec
    M(portable.dns01.dns_challenge_publish) applies), the provider chains, the renewal settings,
    that the credentials are present (a TSIG secret for every TSIG key name) and that every
    destination is writable or can be created. Every problem is reported at once, in one failure.
  - Then creates the missing parent directories of the certificate files (0755) and of the
    account key (0700). Directories that exist are left exactly as they are.
  - With O(preflight), then checks CAA and DNSSEC for every name of the certificates, as M(portable.dns01.preflight) does,
    before any directory is created.
  - With O(lock), last takes the run lock, as M(portable.dns01.run_lock) with O(portable.dns01.run_lock#module:state=acquired)
    does (heartbeat included). A run that fails a check holds no lock.
  - These steps run in one module run because starting a module costs a renewal more than the steps themselves.
    With no certificates, neither the checks of O(preflight) nor the lock are done.
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
        plus C(providers), provider names of O(providers) in fallback order, and optional C(hooks); C(endpoints)
        (the expiry role's) is ignored, any other key is a problem.
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
  preflight:
    description:
      - Check CAA and DNSSEC for every name of O(certificates) with these options of M(portable.dns01.preflight)
        (its O(portable.dns01.preflight#module:names) come from the certificates). Not checked when omitted.
      - A problem fails the module with RV(step=preflight) and nothing created.
    type: dict
    suboptions:
      directory:
        description: The ACME directory the orders go to, a URL or a shorthand such as V(letsencrypt).
        type: str
        default: letsencrypt
      ca_identities:
        description: The issuer domain names the CA looks for in CAA records; required for a CA whose identity is not known.
        type: list
        elements: str
        default: []
      account_uri:
        description: The ACME account URI, checked against C(accounturi) parameters.
        type: str
      caa:
        description: Check CAA.
        type: bool
        default: true
      dnssec:
        description: Check DNSSEC of the zones of the challenge names.
        type: bool
        default: true
      dnssec_trust_anchors:
        description: Trust anchors as DS records; empty means the root zone's published keys.
        type: list
        elements: str
        default: []
      bootstrap_resolvers:
        description: Resolvers used to find zones and their nameservers; empty means the system's.
        type: list
        elements: str
        default: []
      query_timeout:
        description: Seconds per DNS query.
        type: float
        default: 3.0
  lock:
    description:
      - Take this run lock once the checks passed, with these options of M(portable.dns01.run_lock). Not taken when omitted.
      - A lock held by another run fails the module with RV(step=lock).
    type: dict
    suboptions:
      name:
        description: The lock's name.
        type: str
        required: true
      heartbeat:
        description: Keep the lock alive from a detached process while the controlling C(ansible-playbook) lives.
        type: bool
        default: true
      backend:
        description: Where the lock lives.
        type: str
        choices: [redis, file]
        default: file
      redis_url:
        description: Redis URL for O(lock.backend=redis); read from E(DNS01_LOCK_REDIS_URL), then E(DNS01_REDIS_URL), when not set.
        type: str
      directory:
        description: Directory of lock files for O(lock.backend=file); refused when others could write it.
        type: path
        default: /var/lib/portable-dns01/locks
      ttl:
        description: Seconds before a lock that is not renewed expires.
        type: int
        default: 300
      wait:
        description: Seconds to wait for another holder to release the lock before failing.
        type: int
        default: 0
requirements:
  - python >= 3.11
  - dnspython >= 2.4, with O(preflight)
  - redis (Python library), with O(lock.backend=redis)
seealso:
  - module: portable.dns01.preflight
  - module: portable.dns01.run_lock
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

- name: Check the inventory, CAA and DNSSEC, then take the run lock
  portable.dns01.renewal_plan:
    certificates: "{{ dns01_renewal_certificates }}"
    providers: "{{ dns01_renewal_providers }}"
    account_key_path: /etc/portable-dns01/account.key
    preflight:
      directory: letsencrypt
    lock:
      name: renewal
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
preflight:
  description: What M(portable.dns01.preflight) returns (C(names), C(problems), C(notes)), with C(duration) in seconds.
  returned: with O(preflight) and certificates; on its failure with C(failed) and C(msg)
  type: dict
lock:
  description: What M(portable.dns01.run_lock) returns when acquiring (C(owner), C(lock), C(heartbeat), C(left_behind)), with C(duration).
  returned: with O(lock) and certificates; on its failure with C(failed) and C(msg)
  type: dict
step:
  description: The step that failed, V(preflight) or V(lock); absent when the inventory check failed.
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._common.module import run
from ansible_collections.portable.dns01.plugins.module_utils._lock.runlock import acquire_options
from ansible_collections.portable.dns01.plugins.module_utils._preflight.argspec import preflight_options
from ansible_collections.portable.dns01.plugins.module_utils._renewal.plan import collect_secrets
from ansible_collections.portable.dns01.plugins.module_utils._renewal.start import start


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
            "preflight": {"type": "dict", "options": preflight_options()},
            "lock": {"type": "dict", "options": acquire_options()},
        },
        supports_check_mode=True,
        no_log=True,
    )
    module.no_log_values.update(collect_secrets(module.params["providers"]))
    run(module, lambda: start(module.params, module.check_mode))


if __name__ == "__main__":
    main()
