# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Third-party libraries that more than one area needs, imported once: requests.

This is a private module_utils file: its API may change without notice.
``requests`` is None when the import failed; ``REQUESTS_IMPORT_ERROR`` says
why, for the module's missing_required_lib or a DependencyError.
"""

from __future__ import annotations

try:
    import requests  # noqa: F401  pylint: disable=unused-import
except ImportError as exc:
    requests = None
    REQUESTS_IMPORT_ERROR: ImportError | None = exc
else:
    REQUESTS_IMPORT_ERROR = None
