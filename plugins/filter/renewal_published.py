# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: renewal_published
short_description: The provider chains of a renewal run that published their challenge values
version_added: 0.2.0
description:
  - From the registered result of a M(portable.dns01.dns_challenge_publish) loop over
    P(portable.dns01.challenge_groups#filter), one entry per chain that published, with its records (what to
    wait for, and later remove) and the providers that were tried (what to remove them through).
  - Chains that failed are left out; the module removed what it had published before failing, and
    nobody serves their records, so waiting for them would only time out.
  - A provider that was tried but failed is listed too, since a write that timed out may still have landed.
options:
  _input:
    description: The registered result of the publishing loop.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Wait for what was published
  portable.dns01.propagation_wait:
    records: "{{ published | portable.dns01.renewal_published | map(attribute='records') | flatten }}"
"""

RETURN = r"""
_value:
  description: One entry per chain that published.
  type: list
  elements: dict
  contains:
    chain:
      description: The chain's provider names.
      type: list
      elements: str
    records:
      description: Its records, C(name) and C(values).
      type: list
      elements: dict
    tried:
      description: The providers that were called (not skipped), in the chain's order.
      type: list
      elements: str
"""

from ansible_collections.portable.dns01.plugins.plugin_utils._renewal_run import published_chains


def renewal_published(published: dict) -> list[dict]:
    """The chains that published, with their records and the providers tried."""
    return published_chains(published)


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict:
        return {"renewal_published": renewal_published}
