# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Well-known ACME directories by short name.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError

SHORTHANDS = {
    "letsencrypt": "https://acme-v02.api.letsencrypt.org/directory",
    "letsencrypt_staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
    "zerossl": "https://acme.zerossl.com/v2/DV90",
    "google": "https://dv.acme-v02.api.pki.goog/directory",
    "google_staging": "https://dv.acme-v02.test-api.pki.goog/directory",
}


def resolve(directory: str) -> str:
    """The directory URL for a shorthand or a URL."""
    url = SHORTHANDS.get(directory.strip().lower(), directory.strip())
    if not url.startswith(("https://", "http://")):
        names = ", ".join(sorted(SHORTHANDS))
        raise InputError(f"directory: {directory!r} is neither a URL nor one of {names}", field="directory")
    return url


def verify_option(ca_bundle: str | None, validate_certs: bool) -> bool | str:
    """What requests' ``verify`` takes: a CA bundle path, or whether to verify at all."""
    if ca_bundle:
        return ca_bundle
    return validate_certs
