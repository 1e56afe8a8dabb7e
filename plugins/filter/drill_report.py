# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: drill_report
short_description: Build the failover drill's report from its scenario results
version_added: 0.1.0
description:
  - Judges each scenario of a failover drill. It passed when every certificate was issued (status V(renewed))
    and none through a provider that was down; a scenario whose run failed did not pass.
  - Says per scenario and certificate which provider carried the challenge, what every provider's attempts were,
    and how long the scenario took; per provider, a timeline of its state in each scenario (V(carried),
    V(simulated_outage), V(breaker_open), V(failed), V(skipped) (not applicable to the names), V(standby) (not needed),
    V(unknown) (the run failed before it reported), V(unused)) for the report templates.
options:
  _input:
    description:
      - One entry per scenario run, with C(scenario) (C(name), C(outage)), C(started) and C(finished) (Unix times),
        C(report) (the renewal role's C(dns01_renewal_report)) and C(error) (why the run failed, or V(null)).
    type: list
    elements: dict
    required: true
  certificates:
    description: The certificates, as in C(dns01_renewal_certificates), for each one's provider chain.
    type: list
    elements: dict
    required: true
  providers:
    description: The provider catalog, for the order of the timeline's lanes.
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Build the report
  ansible.builtin.set_fact:
    report: "{{ results | portable.dns01.drill_report(dns01_renewal_certificates, dns01_renewal_providers) }}"
"""

RETURN = r"""
_value:
  description: The report.
  type: dict
  contains:
    passed:
      description: Whether every scenario passed.
      type: bool
    summary:
      description: How many scenarios passed.
      type: str
    failures:
      description: One line per certificate or run that failed, prefixed by its scenario.
      type: list
      elements: str
    scenarios:
      description:
        - One entry per scenario with C(name), C(outage), C(passed), C(started_at), C(offset_s), C(duration_s),
          C(error), C(failures), C(provider_states) and C(certificates) (C(id), C(status), C(chain), C(carried_by),
          C(fallback), C(attempts), C(problem), C(publish_ms) (per provider, from the renewal report), C(timings)).
      type: list
      elements: dict
    timeline:
      description:
        - One lane per provider, with one segment per scenario (C(state), C(detail), C(publish_ms), C(left_pct),
          C(width_pct)).
      type: list
      elements: dict
"""

from ansible_collections.portable.dns01.plugins.plugin_utils._drill import report


def drill_report(results: list[dict], certificates: list[dict], providers: list[dict] | None = None) -> dict:
    return report(results, certificates, providers)


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict:
        return {"drill_report": drill_report}
