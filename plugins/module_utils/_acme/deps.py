# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which third-party libraries the ACME code needs, and which failed to import.

This is a private module_utils file: its API may change without notice.
The other _acme files import these libraries guarded and without a report;
the module checks ``IMPORT_ERRORS`` first and fails with missing_required_lib.
"""

from __future__ import annotations

IMPORT_ERRORS: dict[str, ImportError | None] = {}

try:
    import acme.client  # noqa: F401  pylint: disable=unused-import
    IMPORT_ERRORS["acme"] = None
except ImportError as exc:
    IMPORT_ERRORS["acme"] = exc

try:
    import cryptography.x509  # noqa: F401  pylint: disable=unused-import
    IMPORT_ERRORS["cryptography"] = None
except ImportError as exc:
    IMPORT_ERRORS["cryptography"] = exc

try:
    import josepy  # noqa: F401  pylint: disable=unused-import
    import requests  # noqa: F401  pylint: disable=unused-import
    IMPORT_ERRORS["josepy and requests"] = None
except ImportError as exc:
    IMPORT_ERRORS["josepy and requests"] = exc
