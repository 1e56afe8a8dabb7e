# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: acme_certificates
short_description: Turn renewal certificate definitions into acme_order certificates
version_added: 0.1.0
description:
  - Drops the keys only the roles use (C(providers) and C(hooks) of the renewal role, and C(endpoints) of the
    expiry role) from each certificate definition.
  - With O(orders), keeps only the certificates that have an open order and adds its C(order_url),
    which is what M(portable.dns01.acme_order) needs for step C(complete).
  - With O(dest), rewrites every file path into that directory, as dry runs do, so the
    certificates in place stay untouched, and drops the C(directory) of a certificate's C(account), so a dry run
    orders from its own CA only.
options:
  _input:
    description: Certificate definitions of the renewal role.
    type: list
    elements: dict
    required: true
  orders:
    description: The C(certificates) list of an C(acme_order) step C(create) result.
    type: list
    elements: dict
  dest:
    description: A directory to write every file into instead of the configured paths.
    type: str
"""

EXAMPLES = r"""
- name: Complete the orders that step create opened
  portable.dns01.acme_order:
    step: complete
    certificates: "{{ dns01_certificates | portable.dns01.acme_certificates(orders=created.certificates) }}"
"""

RETURN = r"""
_value:
  description: Certificate definitions for M(portable.dns01.acme_order).
  type: list
  elements: dict
"""

from ansible_collections.portable.dns01.plugins.module_utils._renewal.certificates import label, redirect

ROLE_ONLY_KEYS = ("providers", "endpoints", "hooks")


def acme_certificates(certificates: list[dict], orders: list[dict] | None = None, dest: str | None = None) -> list[dict]:
    """acme_order certificate definitions from the renewal role's."""
    open_orders = {str(order.get("id")): order.get("order_url") for order in orders or [] if order.get("order_url")}
    result = []
    for certificate in certificates:
        definition = {key: value for key, value in certificate.items() if key not in ROLE_ONLY_KEYS}
        if orders is not None:
            if label(certificate) not in open_orders:
                continue
            definition["order_url"] = open_orders[label(certificate)]
        result.append(redirect(definition, dest) if dest else definition)
    return result


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict:
        return {"acme_certificates": acme_certificates}
