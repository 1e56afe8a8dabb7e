# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """Options for finding zones and authoritative nameservers (plugins/module_utils/_dns/argspec.py)."""

    DOCUMENTATION = r"""
options:
  bootstrap_resolvers:
    description:
      - Addresses of recursive resolvers used to find zone cuts and the addresses of nameservers.
      - When empty, the C(nameserver) entries of C(/etc/resolv.conf) are used.
      - Set this when the system resolver does not know the zones, for example in a lab or for internal zones.
      - The names being checked are never sent to these resolvers, so no negative answer for them gets cached there.
    type: list
    elements: str
    default: []
  query_timeout:
    description:
      - Seconds to wait for the answer to one DNS query.
      - An answer truncated over UDP is asked again over TCP within this time.
      - Where the task has an overall time limit (C(timeout) of M(portable.dns01.propagation_wait), C(timeout) and
        C(wait_timeout) of M(portable.dns01.challenge_delegation), C(propagation_timeout) of
        M(portable.dns01.provider_health)), a query waits no longer than what is left of it.
    type: float
    default: 3.0
"""
