#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: challenge_delegation
short_description: Delegate the ACME DNS-01 challenge of a domain with a CNAME
version_added: 0.1.0
description:
  - Makes C(_acme-challenge.<domain>) a CNAME to O(target), a name in a zone you control (an acme-dns
    subdomain, or a zone at a second DNS provider), written through the domain's own DNS provider.
  - Set it once, while that provider's API works. From then on M(portable.dns01.dns_challenge_publish)
    follows the CNAME and writes challenge values at the target, so renewals no longer need the provider's API.
  - A CNAME cannot share its name with other data. When TXT or other records sit at the name the module fails
    and lists them, unless O(force_replace=true).
  - O(state=absent) removes the CNAME only when it points at O(target) (or any CNAME when O(target) is not given).
  - Names, the target and the provider definition are checked before any API call. The target's CNAME chain is
    followed through the DNS to refuse a loop back to the delegated name.
  - Supported provider types are C(lexicon), C(rfc2136) and C(route53). C(acme_dns) accounts cannot write CNAMEs.
author:
  - portable.dns01 contributors (@portable-dns01)
extends_documentation_fragment:
  - portable.dns01.publish_providers.provider
  - portable.dns01.dns_resolver
attributes:
  check_mode:
    support: full
    description: Reads the records at the name and reports what would be removed and written, without writing.
  diff_mode:
    support: full
    description: Shows the records at the name before and after, as zone-file lines.
  idempotent:
    support: full
    description: A CNAME already pointing at the target is reported as unchanged.
options:
  domain:
    description:
      - The domain whose challenge is delegated. The record is C(_acme-challenge.<domain>).
      - A leading C(*.) is dropped, since a wildcard's challenge sits at the base name.
    type: str
    required: true
  target:
    description:
      - The CNAME target, a fully qualified name.
      - Required with O(state=present). With O(state=absent), only a CNAME to this target is removed.
    type: str
  state:
    description:
      - Whether the CNAME should exist.
    type: str
    default: present
    choices: [present, absent]
  ttl:
    description:
      - TTL of the CNAME.
    type: int
    default: 300
  force_replace:
    description:
      - Remove other records at the name (for example TXT values left by an earlier challenge) before writing the CNAME.
    type: bool
    default: false
  wait:
    description:
      - Wait until every address of every authoritative nameserver of the domain's zone serves the CNAME
        (or, after a removal, no longer serves it).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait with O(wait=true), finding the zone's nameservers included.
      - Every DNS query of the wait ends within it; a query waits at most O(query_timeout) or the time left, whichever is shorter.
    type: float
    default: 300.0
  timeout:
    description:
      - Seconds all provider calls of this task may take together.
      - The DNS lookups before the wait (the provider's zone when it is found by a SOA walk, the target's CNAMEs)
        end within it too.
    type: float
    default: 120.0
  connect_timeout:
    description:
      - Seconds to wait for a connection to the provider's API.
    type: float
    default: 5.0
  read_timeout:
    description:
      - Seconds to wait for an answer from the provider's API.
    type: float
    default: 20.0
requirements:
  - python >= 3.11
  - dnspython
  - idna, for internationalised domain names
  - dns-lexicon (for O(provider.type=lexicon))
  - boto3 (for O(provider.type=route53))
notes:
  - Some dns-lexicon providers rewrite CNAME targets outside their zone. The target is read back after writing,
    and a target stored differently fails the task. For C(powerdns) (and C(devnomads), C(rcodezero)) targets are
    kept absolute.
  - With C(rfc2136), a server silently ignores a CNAME added where other data exists; the read-back turns that into
    an error.
seealso:
  - module: portable.dns01.dns_challenge_publish
  - module: portable.dns01.propagation_wait
"""

EXAMPLES = r"""
- name: Delegate the challenge of example.com to a zone on the on-prem server, through the cloud provider
  portable.dns01.challenge_delegation:
    domain: example.com
    target: example.com.acme.example.net
    provider:
      name: cloud
      type: lexicon
      zone: example.com
      lexicon:
        provider: cloudflare
        options:
          auth_token: "{{ cloudflare_token }}"

- name: Delegate to an acme-dns account, replacing stale TXT values at the name
  portable.dns01.challenge_delegation:
    domain: "*.example.org"
    target: "{{ acme_dns_account.fulldomain }}"
    force_replace: true
    provider: "{{ dns01_providers | selectattr('name', 'equalto', 'aws') | first }}"

- name: Remove the delegation, but only if it still points at our target
  portable.dns01.challenge_delegation:
    domain: example.com
    target: example.com.acme.example.net
    state: absent
    provider: "{{ cloud_provider }}"
"""

RETURN = r"""
record:
  description: The delegated name.
  returned: success
  type: str
  sample: _acme-challenge.example.com
target:
  description: The CNAME target (normalised), or V(null) for O(state=absent) without O(target).
  returned: success
  type: str
  sample: example.com.acme.example.net
provider:
  description: The name of the provider that holds the record.
  returned: success
  type: str
  sample: cloud
state:
  description: V(present) or V(absent).
  returned: success
  type: str
before:
  description: The record sets at the name before the call, by type. CNAME targets are normalised, TXT values unquoted.
  returned: success
  type: dict
  sample: {"CNAME": ["old.acme.example.net"]}
after:
  description: The record sets at the name after the call (what they would be, in check mode).
  returned: success
  type: dict
  sample: {"CNAME": ["example.com.acme.example.net"]}
removed:
  description: Record sets removed (or to be removed, in check mode) before the CNAME was written, or the removed CNAME.
  returned: success
  type: list
  elements: dict
  contains:
    type:
      description: Record type.
      type: str
    values:
      description: Its values.
      type: list
      elements: str
zone:
  description: The zone of the delegated name, whose nameservers were checked.
  returned: when the module waited
  type: str
  sample: example.com
nameservers:
  description: One entry per authoritative server address, with its last answer.
  returned: when the module waited
  type: list
  elements: dict
  contains:
    address:
      description: The address asked.
      type: str
    nameserver:
      description: The NS name the address belongs to.
      type: str
    rcode:
      description: The response code of the last answer, or V(TIMEOUT).
      type: str
    target:
      description: The CNAME target the server answered with, or V(null).
      type: str
    serving:
      description: Whether the server serves what was expected.
      type: bool
existing:
  description: The records that stand in the way of the CNAME, by type.
  returned: failure, when records other than a CNAME sit at the name
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._common.module import require, run
from ansible_collections.portable.dns01.plugins.module_utils._delegation.argspec import REQUIRED_IF, delegation_spec
from ansible_collections.portable.dns01.plugins.module_utils._delegation.delegate import Delegator
from ansible_collections.portable.dns01.plugins.module_utils._dns.query import DNSPYTHON_IMPORT_ERROR


def main() -> None:
    module = AnsibleModule(argument_spec=delegation_spec(), required_if=REQUIRED_IF, supports_check_mode=True)
    require(module, "dnspython", DNSPYTHON_IMPORT_ERROR)
    delegator = Delegator(module.params, check_mode=module.check_mode, diff=module._diff)
    run(module, delegator.run)


if __name__ == "__main__":
    main()
