#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: propagation_wait
short_description: Wait until every authoritative nameserver serves TXT records
version_added: 0.1.0
description:
  - Waits until every address of every authoritative nameserver of each record's zone serves the record's TXT values,
    as ACME DNS-01 validation from several vantage points needs.
  - CNAMEs are followed by asking authoritative servers, so a delegated C(_acme-challenge) name (for example into acme-dns)
    is checked where it really lives, and no resolver caches a negative answer for it.
  - All records are checked at the same time. Polls start fast and slow down up to O(max_interval).
  - NXDOMAIN and empty answers mean "not yet". A server that keeps answering SERVFAIL or REFUSED fails its record
    with a hint, instead of making it wait until O(timeout); the other records are still waited for, and the failure
    says per record (RV(records[].done)) which ones every server served.
  - Optionally, recursive O(resolvers) must see the values too; they are asked only once the authoritative servers serve them.
    A resolver is an address (plain DNS) or the URL of a DNS-over-HTTPS resolver (RFC 8484).
author:
  - portable.dns01 contributors (@portable-dns01)
extends_documentation_fragment:
  - portable.dns01.dns_resolver
attributes:
  check_mode:
    support: full
    description: Finds the zones and nameservers that would be checked, without waiting.
  diff_mode:
    support: none
    description: Nothing is changed, so there is nothing to diff.
  idempotent:
    support: full
    description: Only reads the DNS; never reports a change.
requirements:
  - dnspython >= 2.4
  - idna, for internationalised domain names
  - dnspython >= 2.9.2 with its C(doh) extra (httpx2 and h2), when O(resolvers) lists a DNS-over-HTTPS URL;
    queries go over HTTP/2, or HTTP/1.1 when the resolver does not offer HTTP/2
options:
  records:
    description:
      - The TXT records to wait for.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - The owner name, for example V(_acme-challenge.example.com).
          - Each name may appear once; list all its values (apex and wildcard) in one entry.
        type: str
        required: true
      values:
        description:
          - The TXT values that must be served.
        type: list
        elements: str
        required: true
      mode:
        description:
          - V(subset) waits until these values are among those served; other values may be there too.
          - V(equal) waits until exactly these values are served, for example after removing stale ones.
        type: str
        default: subset
        choices: [subset, equal]
  nameservers:
    description:
      - Addresses of the servers to check, instead of the discovered authoritative nameservers.
      - Every record's final name (after CNAMEs) is checked on these addresses.
    type: list
    elements: str
    default: []
  resolvers:
    description:
      - Recursive resolvers that must also see the values (CNAMEs followed by the resolver).
      - Each entry is an IP address, asked over plain DNS, or the C(https://) URL of a DNS-over-HTTPS resolver (RFC 8484),
        for example V(https://dns.example/dns-query). Both kinds may be mixed. A trailing URI template C({?dns}) is ignored.
      - For a DNS-over-HTTPS resolver, connecting (TCP and TLS), sending and waiting for the answer take at most O(query_timeout)
        together.
      - Asked only after every authoritative server serves the values, so they do not cache a negative answer.
    type: list
    elements: str
    default: []
  resolver_quorum:
    description:
      - How many of O(resolvers) must see the values. All of them when not set.
    type: int
  follow_cnames:
    description:
      - Follow CNAMEs from each record's name, asking authoritative servers, and check the final target.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for all records, discovery included.
      - The whole call is bounded by it, even when servers never answer. Each DNS query waits at most O(query_timeout)
        or the time left, whichever is shorter, and no query is sent once the time is up.
      - When finding the zones and nameservers (following CNAMEs, walking zone cuts, resolving nameserver addresses)
        does not finish in time, the task fails as a time-out naming the servers that did not answer.
    type: float
    default: 300.0
  interval:
    description:
      - Seconds between the first two polls. Each later pause is 1.5 times longer, up to O(max_interval).
    type: float
    default: 0.5
  max_interval:
    description:
      - The longest pause between two polls, in seconds.
    type: float
    default: 5.0
  servfail_retries:
    description:
      - How many times in a row a server may answer SERVFAIL, REFUSED or NOTAUTH before the task fails.
      - A server that does not answer at all is waited for until O(timeout).
    type: int
    default: 3
  doh_method:
    description:
      - The HTTP method of queries to DNS-over-HTTPS O(resolvers).
      - V(POST) cannot be answered by an HTTP cache between this host and the resolver, so every poll sees the resolver's answer.
      - V(GET) sends the query in the URL, as some servers and proxies prefer.
    type: str
    default: POST
    choices: [GET, POST]
  doh_ca_bundle:
    description:
      - A PEM file of CA certificates to verify the TLS certificates of DNS-over-HTTPS O(resolvers) with.
      - Takes precedence over O(validate_certs). When not set, the CA bundle of C(certifi) (the one C(requests) uses) is used.
    type: path
  validate_certs:
    description:
      - Whether to verify the TLS certificates of DNS-over-HTTPS O(resolvers).
      - Only set this to V(false) on a trusted network, since anyone in between could then answer for the resolver.
    type: bool
    default: true
notes:
  - A server that served the values once is not asked again.
  - A DNS-over-HTTPS resolver that answers with an HTTP error, or not at all, is waited for like an unreachable address;
    its entry in RV(records[].resolvers) names the last error in its C(hint).
"""

EXAMPLES = r"""
- name: Wait for both challenge values on every authoritative nameserver
  portable.dns01.propagation_wait:
    records:
      - name: _acme-challenge.example.com
        values:
          - "{{ apex_challenge_value }}"
          - "{{ wildcard_challenge_value }}"
    timeout: 600

- name: Wait in a lab whose zones the system resolver does not know, and check a resolver too
  portable.dns01.propagation_wait:
    records:
      - name: _acme-challenge.fallback.test
        values: ["{{ challenge_value }}"]
    bootstrap_resolvers: [127.0.1.53]
    resolvers: [127.0.1.53]

- name: Also wait until a public resolver and a DNS-over-HTTPS resolver see the value (one of the two is enough)
  portable.dns01.propagation_wait:
    records:
      - name: _acme-challenge.example.com
        values: ["{{ challenge_value }}"]
    resolvers:
      - 192.0.2.53
      - https://doh.example.net/dns-query
    resolver_quorum: 1

- name: A DNS-over-HTTPS resolver whose certificate comes from a private CA
  portable.dns01.propagation_wait:
    records:
      - name: _acme-challenge.fallback.test
        values: ["{{ challenge_value }}"]
    bootstrap_resolvers: [127.0.1.53]
    resolvers: [https://127.0.1.53/dns-query]
    doh_ca_bundle: /etc/ssl/lab/ca.pem

- name: Wait until only the new value is served on two known servers
  portable.dns01.propagation_wait:
    records:
      - name: _acme-challenge.multi.test
        values: ["{{ challenge_value }}"]
        mode: equal
    nameservers: [127.0.1.2, 127.0.1.6]
    follow_cnames: false
"""

RETURN = r"""
elapsed:
  description: Seconds the wait took, discovery included.
  type: float
  returned: success, not in check mode
  sample: 2.131
records:
  description:
    - One entry per record, in the order given.
    - In check mode only V(name), V(checked_name), V(cname_chain), V(zone), V(expected), V(mode) and V(nameservers)
      (or V(error) when discovery failed) are returned.
    - When the wait fails after discovery (time-out, failing server), the failure carries this list too.
  type: list
  elements: dict
  returned: success
  contains:
    name:
      description: The record's name.
      type: str
      sample: _acme-challenge.example.com
    checked_name:
      description: The name whose TXT values were checked on the nameservers, the last of RV(records[].cname_chain).
      type: str
      sample: d420c923-bbd7-4056-ab64-c3ca54c9b3cf.auth.acme-dns.io
    cname_chain:
      description: The name and the CNAME targets it leads to, in order.
      type: list
      elements: str
      sample: [_acme-challenge.example.com, d420c923-bbd7-4056-ab64-c3ca54c9b3cf.auth.acme-dns.io]
    zone:
      description: The zone of RV(records[].checked_name); V(null) when O(nameservers) is set.
      type: str
      sample: auth.acme-dns.io
    expected:
      description: The values waited for, from O(records[].values).
      type: list
      elements: str
    mode:
      description: V(subset) or V(equal).
      type: str
    done:
      description: Whether every nameserver (and the resolver quorum) served the values.
      type: bool
    elapsed:
      description: Seconds from the start until the record was served everywhere; V(null) if it never was.
      type: float
    split_brain:
      description: Some authoritative servers serve the values while others never did.
      type: bool
    nameservers:
      description: One entry per authoritative server address.
      type: list
      elements: dict
      contains:
        address:
          description: The server address asked.
          type: str
        nameserver:
          description: The NS name the address belongs to; V(null) for addresses from O(nameservers).
          type: str
        rcode:
          description: The response code of the last answer, or V(TIMEOUT) when there was none.
          type: str
        served:
          description: The TXT values served at the last check.
          type: list
          elements: str
        serving:
          description: Whether the server served the values.
          type: bool
        last_check:
          description: Seconds from the start to the last check of this server.
          type: float
        served_at:
          description: Seconds from the start to the first answer with the values.
          type: float
        hint:
          description: What a failing answer usually means (lame delegation, DNSSEC, unreachable), with the last error when there was no answer.
          type: str
          returned: when the server does not serve the values and its last answer was an error
    resolvers:
      description:
        - One entry per resolver in O(resolvers), with the same keys as RV(records[].nameservers).
        - RV(records[].nameservers[].address) is the resolver's address or DNS-over-HTTPS URL.
      type: list
      elements: dict
    unresolved_nameservers:
      description: NS names of the zone without any address; they were not checked.
      type: list
      elements: str
    error:
      description: Why the zone or nameservers could not be found.
      type: str
      returned: in check mode, when discovery failed
lagging:
  description: On time-out, every server (per record) that did not serve the values, with the keys of RV(records[].nameservers).
  type: list
  elements: dict
  returned: failure
split_brain:
  description: On time-out, the names of records that some authoritative servers served and others never did.
  type: list
  elements: str
  returned: failure
broken:
  description: Servers that kept answering SERVFAIL, REFUSED or NOTAUTH, with a hint.
  type: list
  elements: dict
  returned: failure
"""

import typing as t

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.module import require, run
from ansible_collections.portable.dns01.plugins.module_utils._dns.argspec import propagation_argument_spec
from ansible_collections.portable.dns01.plugins.module_utils._dns.doh import doh_client
from ansible_collections.portable.dns01.plugins.module_utils._dns.propagation import PropagationWaiter
from ansible_collections.portable.dns01.plugins.module_utils._dns.query import DNSPYTHON_IMPORT_ERROR, Transport
from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Resolver
from ansible_collections.portable.dns01.plugins.module_utils._dns.spec import parse_records, parse_settings


def wait(params: dict[str, t.Any], check_mode: bool) -> dict[str, t.Any]:
    """Validate the options, then wait (or, in check mode, say what would be checked)."""
    specs = parse_records(params["records"])
    settings = parse_settings(params)
    clock = Clock()
    transport = Transport(doh=doh_client(settings.resolvers, settings.doh_method, settings.doh_verify))
    resolver = Resolver(transport, settings.bootstrap_resolvers, clock, settings.query_timeout)
    waiter = PropagationWaiter(resolver, settings, clock)
    if check_mode:
        return {"changed": False, "records": waiter.preview(specs)}
    return {"changed": False, **waiter.wait(specs)}


def main() -> None:
    """Build the module, then wait or fail through the one error handler."""
    module = AnsibleModule(argument_spec=propagation_argument_spec(), supports_check_mode=True)
    require(module, "dnspython", DNSPYTHON_IMPORT_ERROR)
    run(module, lambda: wait(module.params, module.check_mode))


if __name__ == "__main__":
    main()
