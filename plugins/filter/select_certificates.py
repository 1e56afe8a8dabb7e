# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: select_certificates
short_description: Keep the certificates a run was asked for, by id
version_added: 0.2.0
description:
  - Returns the certificate definitions of O(_input) whose label (C(id), else the first name) is in O(ids).
  - An empty O(ids) keeps every certificate. An id that matches no certificate is an error, so a typo in a
    survey or C(-e) never silently renews nothing.
options:
  _input:
    description: Certificate definitions, as in the renewal role's C(dns01_renewal_certificates).
    type: list
    elements: dict
    required: true
  ids:
    description: Certificate ids, as a list or one comma-separated string (as an AWX survey sends it).
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Renew only the certificates asked for
  ansible.builtin.debug:
    msg: "{{ dns01_renewal_certificates | portable.dns01.select_certificates('www, intranet') }}"
"""

RETURN = r"""
_value:
  description: The selected definitions, in their original order.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.portable.dns01.plugins.module_utils._renewal.certificates import label


def _ids(ids: object) -> list[str]:
    if ids is None:
        return []
    if isinstance(ids, str):
        return [part.strip() for part in ids.split(",") if part.strip()]
    if isinstance(ids, (list, tuple)):
        return [str(part).strip() for part in ids if str(part).strip()]
    raise AnsibleFilterError(f"select_certificates: ids must be a list or a comma-separated string, not {type(ids).__name__}")


def select_certificates(certificates: list[dict], ids: object) -> list[dict]:
    """The certificates named by ``ids``; every certificate when ``ids`` is empty."""
    wanted = _ids(ids)
    if not wanted:
        return list(certificates or [])
    known = [label(cert) for cert in certificates or []]
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise AnsibleFilterError(f"select_certificates: no certificate with id {', '.join(unknown)};"
                                 f" the inventory has {', '.join(known) or 'none'}")
    return [cert for cert in certificates or [] if label(cert) in wanted]


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict:
        return {"select_certificates": select_certificates}
