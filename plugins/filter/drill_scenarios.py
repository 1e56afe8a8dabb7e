# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: drill_scenarios
short_description: The scenarios of a failover drill
version_added: 0.1.0
description:
  - Without O(chosen), a baseline with every provider up, then one scenario per provider of every certificate's
    provider chain, with that provider down.
  - With O(chosen), one scenario per entry. An entry is a provider name, a list of names, or a dict with C(name)
    and C(outage) (a list of names; empty for a scenario with no simulated outage, as when a real fault is on).
options:
  _input:
    description: The certificates, as in C(dns01_renewal_certificates).
    type: list
    elements: dict
    required: true
  chosen:
    description: The scenarios to run instead of the default ones.
    type: list
    elements: raw
    default: []
  baseline:
    description: Start the default scenarios with one where every provider is up.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: One scenario per provider of every chain
  ansible.builtin.set_fact:
    scenarios: "{{ dns01_renewal_certificates | portable.dns01.drill_scenarios }}"
"""

RETURN = r"""
_value:
  description: One dict per scenario, with C(name) and C(outage) (the provider names to simulate as down).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.portable.dns01.plugins.plugin_utils._drill import scenarios


def drill_scenarios(certificates: list[dict], chosen: list | None = None, baseline: bool = True) -> list[dict]:
    try:
        return scenarios(certificates, chosen, baseline)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict:
        return {"drill_scenarios": drill_scenarios}
