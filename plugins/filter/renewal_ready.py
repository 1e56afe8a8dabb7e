# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: renewal_ready
short_description: The certificates of a renewal run whose orders can be completed
version_added: 0.2.0
description:
  - Keeps the certificates of O(_input) whose order is open and not failed, and whose every challenge
    record was published by its provider chain and served by every authoritative server, and adds the
    order's C(order_url), which M(portable.dns01.acme_order) needs for step C(complete).
  - So a certificate whose chain could not publish, or whose record was not served, never holds back
    another certificate of the same run.
options:
  _input:
    description: The C(certificates) of M(portable.dns01.renewal_plan), as M(portable.dns01.acme_order) takes them.
    type: list
    elements: dict
    required: true
  created:
    description: The registered result of M(portable.dns01.acme_order) step C(create).
    type: dict
    required: true
  published:
    description: The registered result of the M(portable.dns01.dns_challenge_publish) loop over P(portable.dns01.challenge_groups#filter).
    type: dict
    default: {}
  propagated:
    description: The registered result of M(portable.dns01.propagation_wait), successful or not.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Complete the orders that are ready
  portable.dns01.acme_order:
    step: complete
    directory: letsencrypt
    certificates: "{{ plan.certificates | portable.dns01.renewal_ready(created, published, propagated) }}"
"""

RETURN = r"""
_value:
  description: Certificate definitions with C(order_url), for M(portable.dns01.acme_order) step C(complete).
  type: list
  elements: dict
"""

from ansible_collections.portable.dns01.plugins.plugin_utils._renewal_run import ready_definitions


def renewal_ready(definitions: list[dict], created: dict, published: dict | None = None, propagated: dict | None = None) -> list[dict]:
    """The definitions whose orders can be completed."""
    return ready_definitions(definitions, created, published, propagated)


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict:
        return {"renewal_ready": renewal_ready}
