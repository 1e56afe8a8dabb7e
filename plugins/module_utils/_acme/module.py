# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every module that talks to the CA with an account does around its work.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme.argspec import (
    ACCOUNT_MUTUALLY_EXCLUSIVE,
    ACCOUNT_REQUIRED_TOGETHER,
)
from ansible_collections.portable.dns01.plugins.module_utils._acme.deps import IMPORT_ERRORS
from ansible_collections.portable.dns01.plugins.module_utils._common.module import require, run

# The AnsibleModule keywords beside the argument spec: one account key, EAB in pairs, check mode.
ACCOUNT_MODULE_OPTIONS: dict[str, t.Any] = {
    "mutually_exclusive": ACCOUNT_MUTUALLY_EXCLUSIVE,
    "required_together": ACCOUNT_REQUIRED_TOGETHER,
    "supports_check_mode": True,
}


def run_acme(module: t.Any, action: t.Callable[[dict[str, t.Any], bool], dict[str, t.Any]]) -> None:
    """Fail when an ACME library is missing, else run ``action(params, check_mode)`` and exit with its result."""
    for library, error in IMPORT_ERRORS.items():
        require(module, library, error)
    run(module, lambda: action(module.params, module.check_mode))
