# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re

from ansible_collections.portable.dns01.plugins.doc_fragments.publish_providers import ModuleDocFragment as _Providers


class ModuleDocFragment:
    """The C(providers) option for modules that use the provider catalog without the publish chain's options."""

    DOCUMENTATION = r"""
options: {}
"""


def _catalog(documentation: str) -> str:
    """The ``providers`` text of ``publish_providers``, its links to chain options made plain code.

    Built from that text so the two never drift; validate-modules checks it
    against the argument spec built by ``_publish/argspec.py``.
    """
    return re.sub(r"O\(((?:strategy|simulate_outage|retries|state|timeout)(?:=[a-z]+)?)\)", r"C(\1)", documentation)


# Assigned outside the class body: ansible-test's yamllint reads only literal strings there.
ModuleDocFragment.DOCUMENTATION = _catalog(_Providers.DOCUMENTATION)
