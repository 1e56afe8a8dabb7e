# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Certificate signing requests built with cryptography.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID
except ImportError:
    pass

# RFC 5280 caps commonName at 64 characters; longer first names go in the SAN only.
_MAX_CN = 64


def _subject(names: list[str]) -> t.Any:
    if len(names[0]) > _MAX_CN:
        return x509.Name([])
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])


def build_csr(key: t.Any, names: list[str]) -> t.Any:
    """A CSR for ``names`` (already A-labels), signed with ``key``."""
    san = x509.SubjectAlternativeName([x509.DNSName(name) for name in names])
    builder = x509.CertificateSigningRequestBuilder().subject_name(_subject(names))
    builder = builder.add_extension(san, critical=False)
    return builder.sign(key, hashes.SHA256())


def csr_pem(csr: t.Any) -> bytes:
    """The CSR in PEM form."""
    return csr.public_bytes(serialization.Encoding.PEM)
