#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: provider_health
short_description: Prove that every DNS provider and challenge delegation still works
version_added: 0.1.0
description:
  - Probes each provider of O(providers) with a reversible synthetic edit, the way a challenge would use it. A canary
    TXT record C(<canary_label>.<zone>) with a random value is published, seen on every authoritative nameserver of the
    zone, removed, and seen gone from every one of them. Each step is timed.
  - API errors are classified as the publish chain does (C(ProviderError), C(ProviderTimeout), C(ProviderAuthError)),
    with the HTTP status when there is one. Every provider is probed even when an earlier one failed.
  - Backends without a delete call (acme-dns) only get their health call; their accounts are probed through
    O(delegations).
  - Each entry of O(delegations) is checked where the CA looks. The C(_acme-challenge) CNAME must exist on every
    authoritative server and point where the entry says, the zone it points into must answer on every server, and
    for acme-dns the account must accept an update whose value every server then serves.
  - An unhealthy probe does not fail the task; RV(healthy) and RV(problems) say what failed, so a play can notify
    before it fails.
author:
  - portable.dns01 contributors (@portable-dns01)
extends_documentation_fragment:
  - portable.dns01.provider_catalog
  - portable.dns01.dns_resolver
attributes:
  check_mode:
    support: full
    description: Returns the canary names and delegations that would be probed, without any call.
  diff_mode:
    support: none
    description: The canary is removed again; there is nothing to diff.
  idempotent:
    support: none
    description: Every run writes and removes a canary.
requirements:
  - dnspython >= 2.4
  - the libraries of the providers used (dns-lexicon, boto3, requests)
options:
  only:
    description: Probe only the providers with these names. Empty probes every provider.
    type: list
    elements: str
    default: []
  delegations:
    description:
      - The delegated domains, as the C(portable.dns01.delegation) role's C(dns01_delegation_domains) lists them.
    type: list
    elements: dict
    default: []
    suboptions:
      domain:
        description: The domain whose C(_acme-challenge) name is delegated; a C(*.) label is dropped.
        type: str
        required: true
      provider:
        description: The provider that wrote the CNAME; not used by the probe.
        type: str
      target:
        description: The name the CNAME must point at.
        type: str
      target_zone:
        description: Without O(delegations[].target), the CNAME must point at C(<domain>.<target_zone>).
        type: str
      acme_dns:
        description:
          - Set for a domain delegated to acme-dns; its account is looked up in O(acme_dns_accounts) by domain.
        type: dict
  acme_dns_accounts:
    description:
      - The acme-dns accounts by domain (without C(*.)), as the delegation role stores them
        (C(username), C(password), C(subdomain), C(fulldomain), C(api_url), optionally C(ca_bundle)).
    type: dict
    default: {}
  canary_label:
    description: The label under each provider's zone where the canary is written.
    type: str
    default: _dns01-canary
  ttl:
    description: TTL of the canary record.
    type: int
    default: 60
  timeout:
    description: Seconds each provider gets for its API calls.
    type: float
    default: 60.0
  connect_timeout:
    description: Seconds to wait for a connection to a provider API.
    type: float
    default: 5.0
  read_timeout:
    description: Seconds to wait for a provider API's answer.
    type: float
    default: 20.0
  propagation_timeout:
    description:
      - Seconds to wait until every authoritative server serves the canary, and again until none does.
      - Each of the two waits ends within it, finding the zone included, even when a server never answers; a DNS query
        waits at most O(query_timeout) or the time left, whichever is shorter.
    type: float
    default: 120.0
  feed_breaker:
    description:
      - Record each provider's probe in the circuit breaker that M(portable.dns01.dns_challenge_publish) reads (the
        same O(breaker_state_file) or O(breaker_redis_url)), so renewals skip a provider the probe found down and
        use it again once a probe succeeds. A refused credential is not counted as an outage.
    type: bool
    default: false
  breaker_threshold:
    description: Consecutive failures that open a provider endpoint's breaker, as for the publish chain.
    type: int
    default: 3
  breaker_cooldown:
    description: Seconds an open breaker skips the endpoint, as for the publish chain.
    type: float
    default: 300.0
  breaker_state_file:
    description: The breaker state file shared with the publish chain; default the project's own file.
    type: path
  breaker_redis_url:
    description: Keep the breaker state in Redis instead, shared by several controllers.
    type: str
"""

EXAMPLES = r"""
- name: Probe every provider of the catalog and every delegation
  portable.dns01.provider_health:
    providers: "{{ dns01_renewal_providers }}"
    delegations: "{{ dns01_delegation_domains }}"
    acme_dns_accounts: "{{ accounts }}"
  register: health

- name: Fail when a fallback path is broken
  ansible.builtin.fail:
    msg: "{{ health.problems }}"
  when: not health.healthy
"""

RETURN = r"""
healthy:
  description: Whether every probe passed; V(null) in check mode.
  returned: always
  type: bool
problems:
  description: One line per failing probe, naming the step and the classified error.
  returned: always
  type: list
  elements: str
providers:
  description: One entry per probed provider.
  returned: always
  type: list
  elements: dict
  contains:
    provider:
      description: The provider's name.
      type: str
    name:
      description: The canary's name.
      type: str
    healthy:
      description: Whether every step passed.
      type: bool
    steps:
      description:
        - C(publish), C(visible), C(remove), C(gone) (or C(health) alone), each with C(ok), C(elapsed_ms),
          C(error_class), C(status) and C(message).
      type: list
      elements: dict
    error:
      description: The first failing step and its error.
      type: str
    left_behind:
      description: The canary's name and value when it may still be published; V(null) otherwise.
      type: dict
    note:
      description: Why a probe was limited.
      type: str
delegations:
  description: One entry per delegation, with C(domain), C(name), C(target), C(account), C(healthy), C(steps)
    (C(cname), C(target_zone), and for acme-dns C(update) and C(visible)), C(error) and C(note).
  returned: always
  type: list
  elements: dict
left_behind:
  description: Every canary that may still be published.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._common.module import require, run
from ansible_collections.portable.dns01.plugins.module_utils._dns.query import DNSPYTHON_IMPORT_ERROR
from ansible_collections.portable.dns01.plugins.module_utils._health.argspec import health_argument_spec
from ansible_collections.portable.dns01.plugins.module_utils._health.run import HealthCheck


def main() -> None:
    module = AnsibleModule(argument_spec=health_argument_spec(), supports_check_mode=True)
    require(module, "dnspython", DNSPYTHON_IMPORT_ERROR)
    run(module, lambda: HealthCheck(module.params, check_mode=module.check_mode).run())


if __name__ == "__main__":
    main()
