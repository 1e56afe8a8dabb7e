#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: dns_challenge_publish
short_description: Publish ACME DNS-01 challenge TXT records through failover or multiple providers
version_added: 0.1.0
description:
  - Adds or removes TXT values of ACME DNS-01 challenges through one or more DNS providers
    (any dns-lexicon provider, RFC 2136 with TSIG, Route 53, acme-dns).
  - Each record is written at its effective name, the end of the CNAME chain of O(records[].name), so a
    challenge delegated to a zone you control is written there.
  - Providers are tried in order (failover) or all at once (multi-publish), with retries, one overall
    deadline and a circuit breaker. When a record fails, values this call already published are removed again.
  - O(state=present) never removes other values at the name, since another order may be in flight;
    O(state=absent) removes only the given values.
  - With O(run_lock), every write is fenced by the run lock, and each value is written to a journal beside the
    lock before a provider is asked to publish it; removing it drops the entry again.
  - O(state=swept) removes, through the provider of O(providers) with the same endpoint, every journalled value
    that a run other than O(run_lock.owner) left behind (that run died or lost the lock).
author:
  - portable.dns01 contributors (@portable-dns01)
extends_documentation_fragment:
  - portable.dns01.publish_providers
  - portable.dns01.publish_chain
  - portable.dns01.run_lock
attributes:
  check_mode:
    support: full
    description: Lists the values at each name and reports what would be published, removed or swept; writes nothing, not even the journal.
  diff_mode:
    support: full
    description: Shows the values at each effective name before and after.
  idempotent:
    support: full
    description: Values already published are reported as unchanged.
options:
  records:
    description:
      - The challenge records, one per name. Required unless O(state=swept).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The record name, for example V(_acme-challenge.example.com).
        type: str
        required: true
      values:
        description:
          - TXT values of the challenges at this name (apex and wildcard share one name).
        type: list
        elements: str
        required: true
  state:
    description:
      - Whether the values should be published or removed.
      - V(swept) removes the values journalled by other owners of O(run_lock); needs O(run_lock) and O(providers),
        ignores O(records).
    type: str
    default: present
    choices: [present, absent, swept]
  ttl:
    description:
      - TTL of published records. Keep it low so retried validations see new values.
    type: int
    default: 60
  follow_cnames:
    description:
      - Follow the CNAME chain of each record name and write the values at its end.
    type: bool
    default: true
  bootstrap_resolvers:
    description:
      - Recursive resolvers used to follow CNAMEs, find zones and look up server names.
      - Default is the system's C(/etc/resolv.conf). Set it where that resolver does not know the zones.
    type: list
    elements: str
    default: []
requirements:
  - python >= 3.11
  - dnspython
  - requests
  - dns-lexicon (for O(providers[].type=lexicon))
  - boto3 (for O(providers[].type=route53))
seealso:
  - module: portable.dns01.propagation_wait
"""

EXAMPLES = r"""
- name: Publish a challenge, failing over from the cloud API to on-prem RFC 2136
  portable.dns01.dns_challenge_publish:
    records:
      - name: _acme-challenge.example.com
        values:
          - "{{ challenge_apex }}"
          - "{{ challenge_wildcard }}"
    providers:
      - name: cloud
        type: lexicon
        zone: example.com
        lexicon:
          provider: cloudflare
          options:
            auth_token: "{{ cloudflare_token }}"
      - name: onprem
        type: rfc2136
        zone: acme.example.net
        rfc2136:
          server: ns1.example.net
          key_name: acme-key
          key_secret: "{{ tsig_secret }}"

- name: Publish to Route 53 and acme-dns at once; one of them is enough
  portable.dns01.dns_challenge_publish:
    records: "{{ challenge_records }}"
    strategy: all
    min_success: 1
    providers:
      - name: aws
        type: route53
        route53:
          zone_name: example.com
          role_arn: arn:aws:iam::123456789012:role/acme-dns01
      - name: acmedns
        type: acme_dns
        acme_dns:
          api_url: https://acme-dns.example.net
          username: "{{ acmedns_user }}"
          password: "{{ acmedns_password }}"
          subdomain: "{{ acmedns_subdomain }}"

- name: Failover drill - treat the cloud provider as down
  portable.dns01.dns_challenge_publish:
    records: "{{ challenge_records }}"
    providers: "{{ dns01_providers }}"
    simulate_outage: [cloud]

- name: Publish under the run lock, journalling each value beside the lock
  portable.dns01.dns_challenge_publish:
    records: "{{ challenge_records }}"
    providers: "{{ dns01_providers }}"
    run_lock:
      name: renewal-production
      owner: "{{ renewal_lock.owner }}"

- name: Remove what killed earlier runs left behind (the caller holds the lock)
  portable.dns01.dns_challenge_publish:
    state: swept
    providers: "{{ dns01_providers }}"
    run_lock:
      name: renewal-production
      owner: "{{ renewal_lock.owner }}"
  register: swept

- name: Remove the values after validation
  portable.dns01.dns_challenge_publish:
    state: absent
    records: "{{ challenge_records }}"
    providers: "{{ dns01_providers }}"
"""

RETURN = r"""
swept:
  description: With O(state=swept), one entry per effective name and provider endpoint found in the journal.
  returned: when O(state=swept)
  type: list
  elements: dict
  contains:
    provider:
      description: The catalog's provider that removed the values, or the name the writer gave it when none matches.
      type: str
    name:
      description: Effective name the values were written at.
      type: str
    values:
      description: The journalled values (in check mode, those still present).
      type: list
      elements: str
    outcome:
      description:
        - V(removed); V(absent) (already gone); V(would_remove) (check mode); V(not_removable) (acme-dns);
          their entries are dropped, except in check mode.
        - V(provider_missing) (no provider of O(providers) has that endpoint) and V(failed) keep their entries for a later sweep.
      type: str
      choices: [removed, absent, would_remove, not_removable, provider_missing, failed]
    message:
      description: Why the values were not removed.
      type: str
records:
  description: One entry per record, in the order given (empty for O(state=swept)). Also returned when the module fails.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The record name as given (normalised).
      type: str
      sample: _acme-challenge.example.com
    target:
      description: The name the values are written at (end of the CNAME chain).
      type: str
      sample: example-com.acme.example.net
    cname_chain:
      description: The CNAME chain from O(records[].name) to RV(records[].target); empty when not followed.
      type: list
      elements: str
    values:
      description: The values of this record.
      type: list
      elements: str
    state:
      description: V(present) or V(absent).
      type: str
    changed:
      description: Whether any provider added or removed a value at this name.
      type: bool
    providers:
      description: The providers that now hold the values (or removed them).
      type: list
      elements: str
      sample: [onprem]
    before:
      description: Values at the name before the call, as the first successful provider held them.
      type: list
      elements: str
      returned: when a provider succeeded
    after:
      description: Values at the name after the call.
      type: list
      elements: str
      returned: when a provider succeeded
    attempts:
      description: Every try of every provider, and every provider not tried, in order.
      type: list
      elements: dict
      contains:
        provider:
          description: Provider name.
          type: str
        outcome:
          description: What happened.
          type: str
          choices: [published, removed, unchanged, failed, skipped, simulated_outage, breaker_open]
        error_class:
          description: The error class for a failure, for example C(ProviderTimeout) or C(ProviderAuthError).
          type: str
        message:
          description: Why it failed or was skipped.
          type: str
        status:
          description: HTTP status, DNS rcode or AWS error code of a failure.
          type: raw
        elapsed_ms:
          description: Time the try took.
          type: int
rolled_back:
  description: Values removed again because the call failed after publishing them.
  returned: on failure
  type: list
  elements: dict
  contains:
    provider:
      description: Provider name.
      type: str
    name:
      description: Effective name.
      type: str
    values:
      description: The values.
      type: list
      elements: str
    outcome:
      description: V(removed), V(failed) or V(not_removable) (acme-dns).
      type: str
    message:
      description: Why the removal failed.
      type: str
diff:
  description: Values per effective name before and after.
  returned: in diff mode
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._common.module import run
from ansible_collections.portable.dns01.plugins.module_utils._publish.action import Publisher
from ansible_collections.portable.dns01.plugins.module_utils._publish.argspec import PUBLISH_REQUIRED_IF, publish_spec


def main() -> None:
    module = AnsibleModule(argument_spec=publish_spec(), required_if=PUBLISH_REQUIRED_IF, supports_check_mode=True)
    publisher = Publisher(module.params, check_mode=module.check_mode, diff=module._diff)
    run(module, publisher.run)


if __name__ == "__main__":
    main()
