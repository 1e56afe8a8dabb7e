# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: provider_chain
short_description: Pick provider definitions from the catalog by name, in order
version_added: 0.2.0
description:
  - Returns the definitions of O(names) from the O(_input) catalog, in the order of O(names).
  - Use it inline in the O(portable.dns01.dns_challenge_publish#module:providers) argument, where the
    module masks the secret suboptions, instead of keeping definitions in a fact that a task prints.
options:
  _input:
    description: The provider catalog, definitions of M(portable.dns01.dns_challenge_publish) with unique names.
    type: list
    elements: dict
    required: true
  names:
    description: Provider names, in the order wanted.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Publish through one certificate's chain
  portable.dns01.dns_challenge_publish:
    records: "{{ item.records }}"
    providers: "{{ dns01_providers | portable.dns01.provider_chain(item.chain) }}"
  loop: "{{ created.certificates | portable.dns01.challenge_groups(dns01_certificates) }}"
  loop_control:
    label: "{{ item.chain | join(' > ') }}"
"""

RETURN = r"""
_value:
  description: The provider definitions, in the order of O(names).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError


def provider_chain(providers: list[dict], names: list[str]) -> list[dict]:
    """The definitions of ``names`` from the catalog, in the order of ``names``."""
    catalog = {provider.get("name"): provider for provider in providers or []}
    missing = [str(name) for name in names if name not in catalog]
    if missing:
        raise AnsibleFilterError(f"provider_chain: no provider named {', '.join(missing)} in the catalog")
    return [catalog[name] for name in names]


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict:
        return {"provider_chain": provider_chain}
