# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: challenge_groups
short_description: Group the challenge records of ACME orders by provider chain
version_added: 0.1.0
description:
  - Takes the O(_input) certificates of an M(portable.dns01.acme_order) result
    (step C(create)) and returns one group per distinct provider chain, each with
    the provider names in order and the merged challenge records, ready for
    M(portable.dns01.dns_challenge_publish).
  - So a renewal of many certificates publishes with one module call per chain,
    not one per certificate.
  - Groups carry provider names, never provider definitions, since those hold secrets and
    would be printed wherever the groups are (a fact at C(-v), a loop item). Pick the
    definitions inline in the module's arguments with P(portable.dns01.provider_chain#filter).
  - Certificates whose order failed are left out.
options:
  _input:
    description: The C(certificates) list of an C(acme_order) result.
    type: list
    elements: dict
    required: true
  certificates:
    description: The certificate definitions, each with C(id) (or C(names)) and C(providers), a list of provider names in fallback order.
    type: list
    elements: dict
    required: true
  providers:
    description:
      - The provider catalog, definitions of M(portable.dns01.dns_challenge_publish) with a unique C(name).
      - When given, a certificate naming a provider not in it is an error.
    type: list
    elements: dict
"""

EXAMPLES = r"""
- name: Publish each provider chain's records once
  portable.dns01.dns_challenge_publish:
    records: "{{ item.records }}"
    providers: "{{ dns01_providers | portable.dns01.provider_chain(item.chain) }}"
  loop: "{{ created.certificates | portable.dns01.challenge_groups(dns01_certificates) }}"
  loop_control:
    label: "{{ item.chain | join(' > ') }}"
"""

RETURN = r"""
_value:
  description: One entry per provider chain.
  type: list
  elements: dict
  contains:
    chain:
      description: The provider names, in order.
      type: list
      elements: str
    records:
      description: The records to publish, C(name) and C(values), sorted by name.
      type: list
      elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.portable.dns01.plugins.module_utils._renewal.certificates import label


def _by_label(certificates: list[dict]) -> dict[str, dict]:
    """Each certificate definition by its id, the first one when ids repeat: looked up once per order."""
    found: dict[str, dict] = {}
    for cert in certificates or []:
        found.setdefault(label(cert), cert)
    return found


def _chain_of(cert_id: str, definitions: dict[str, dict], catalog: dict[str, dict] | None) -> list[str]:
    definition = definitions.get(cert_id)
    if definition is None:
        raise AnsibleFilterError(f"challenge_groups: no certificate definition with id {cert_id!r}")
    chain = list(definition.get("providers") or [])
    if not chain:
        raise AnsibleFilterError(f"challenge_groups: certificate {cert_id!r} lists no providers")
    unknown = [name for name in chain if catalog is not None and name not in catalog]
    if unknown:
        raise AnsibleFilterError(f"challenge_groups: certificate {cert_id!r} names unknown providers {unknown}; known: {sorted(catalog)}")
    return chain


def _merge(records: dict[str, list], new: list[dict]) -> None:
    for record in new:
        values = records.setdefault(record["name"], [])
        values.extend(value for value in record["values"] if value not in values)


def challenge_groups(orders: list[dict], certificates: list[dict], providers: list[dict] | None = None) -> list[dict]:
    """One group per provider chain, with every record its certificates need."""
    catalog = None if providers is None else {provider["name"]: provider for provider in providers}
    groups: dict[tuple, dict[str, list]] = {}
    definitions = _by_label(certificates)
    for order in orders or []:
        if order.get("records") and not order.get("failed"):
            chain = tuple(_chain_of(str(order.get("id")), definitions, catalog))
            _merge(groups.setdefault(chain, {}), order["records"])
    return [
        {"chain": list(chain),
         "records": [{"name": name, "values": values} for name, values in sorted(records.items())]}
        for chain, records in groups.items()
    ]


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict:
        return {"challenge_groups": challenge_groups}
