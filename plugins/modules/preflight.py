#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: preflight
short_description: Check CAA and DNSSEC before ordering a certificate
version_added: 0.1.0
description:
  - Checks, before any ACME call, that the CA may issue for every name and that its DNS-01 validation can succeed.
  - CAA (RFC 8659) is read for every name from the authoritative servers, climbing from the name towards the root
    to the closest CAA record set and following CNAMEs on the way. Wildcard names are looked up without the C(*.)
    label and honour C(issuewild) when the record set has one.
  - A record authorizes the CA when its issuer is one of the CA's identities, its C(validationmethods) parameter
    (RFC 8657), when present, allows C(dns-01), and its C(accounturi) parameter, when present, is O(account_uri).
    An unknown property with the critical flag forbids issuance.
  - DNSSEC is checked for the zone the CA's resolvers end up asking, the zone of the last name of the
    C(_acme-challenge) CNAME chain. The chain of trust is followed from the root trust anchors down, zone by zone.
    A bogus zone (a DS that matches no key, missing or expired signatures) fails every validation at the CA, so it
    fails here; an unsigned zone passes with a note.
  - Every name is checked and every problem is reported at once.
author:
  - portable.dns01 contributors (@portable-dns01)
extends_documentation_fragment:
  - portable.dns01.dns_resolver
attributes:
  check_mode:
    support: full
    description: Only reads the DNS, the same in check mode.
  diff_mode:
    support: none
    description: Nothing is changed, so there is nothing to diff.
  idempotent:
    support: full
    description: Only reads the DNS; never reports a change.
requirements:
  - dnspython >= 2.4
  - cryptography, for DNSSEC signatures
options:
  names:
    description:
      - The names the certificate will cover, wildcards included (V(*.example.com)).
    type: list
    elements: str
    required: true
  directory:
    description:
      - The ACME directory the order goes to, as a URL or one of V(letsencrypt), V(letsencrypt_staging), V(zerossl),
        V(google), V(google_staging). Chooses the CA identities when O(ca_identities) is empty
        (Let's Encrypt V(letsencrypt.org), Google V(pki.goog), ZeroSSL V(sectigo.com)).
    type: str
    default: letsencrypt
  ca_identities:
    description:
      - The issuer domain names the CA looks for in C(issue) and C(issuewild) records. Required for directories
        whose identity is not known, such as a private CA or Pebble.
    type: list
    elements: str
    default: []
  account_uri:
    description:
      - The ACME account URI the order will use, checked against C(accounturi) parameters.
      - When a record has C(accounturi) and this is not set, the name passes with a note.
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
    description:
      - Trust anchors as DS records. C(keytag algorithm digesttype digest) is an anchor for the root;
        C(zone. [ttl] [IN] DS keytag algorithm digesttype digest) for any zone, as in a validating resolver's
        trust-anchor lines. The closest anchor above a zone starts its chain of trust; a zone no anchor covers is insecure.
      - Empty means the root zone's published keys (KSK-2017, key tag 20326, and KSK-2024, key tag 38696).
      - A root that is not signed makes every zone insecure, and they pass with a note.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Check the names before ordering from Let's Encrypt
  portable.dns01.preflight:
    names:
      - example.com
      - "*.example.com"
    directory: letsencrypt
    account_uri: https://acme-v02.api.letsencrypt.org/acme/acct/123456

- name: Check CAA only, for a private CA
  portable.dns01.preflight:
    names: [internal.example.com]
    directory: https://ca.example.com/acme/directory
    ca_identities: [ca.example.com]
    dnssec: false
"""

RETURN = r"""
names:
  description: One entry per name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The name as checked.
      type: str
    caa:
      description:
        - The CAA verdict (V(null) when O(caa=false)) with keys C(allowed) (bool), C(reason), C(relevant_name)
          (where the record set was found, V(null) when none was), C(records) (the set as text),
          C(cname_chain), C(lookup_name), C(wildcard) and C(notes).
      type: dict
    dnssec:
      description:
        - The DNSSEC verdict of the challenge name's zone with keys C(challenge_name), C(cname_chain), C(zone),
          C(status) (V(secure), V(insecure) or V(bogus)), C(detail) and C(chain) (status per zone from the root).
      type: dict
      returned: when O(dnssec=true)
problems:
  description: What would make the CA refuse; empty on success. On failure the same list is returned.
  returned: always
  type: list
  elements: str
notes:
  description: What passed but is worth knowing (unsigned zones, C(accounturi) that could not be checked).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._common.module import require, run
from ansible_collections.portable.dns01.plugins.module_utils._dns.query import DNSPYTHON_IMPORT_ERROR
from ansible_collections.portable.dns01.plugins.module_utils._preflight.argspec import preflight_argument_spec
from ansible_collections.portable.dns01.plugins.module_utils._preflight.run import check


def main() -> None:
    module = AnsibleModule(argument_spec=preflight_argument_spec(), supports_check_mode=True)
    require(module, "dnspython", DNSPYTHON_IMPORT_ERROR)
    run(module, lambda: check(module.params))


if __name__ == "__main__":
    main()
