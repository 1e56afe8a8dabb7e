# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading certificates: what an installed one covers, and whether it needs renewing.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import datetime
import os
import re
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme.keys import key_type_of

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID
except ImportError:
    pass

_PEM_CERT = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


def split_pem(text: str) -> list[str]:
    """The PEM certificates in ``text``, in order, each ending with a newline."""
    return [block + "\n" for block in _PEM_CERT.findall(text)]


def load_pem(block: str) -> t.Any:
    """One PEM certificate."""
    return x509.load_pem_x509_certificate(block.encode("ascii"))


def load_bundle(data: bytes) -> list[t.Any]:
    """Every certificate of a PEM bundle, in order (other PEM blocks, such as a key, are skipped)."""
    try:
        return list(x509.load_pem_x509_certificates(data))
    except ValueError:
        return []


def read_cert(path: str) -> t.Any | None:
    """The first certificate in the file at ``path``; None if missing or unreadable.

    An unreadable file is treated like a missing one: the answer is the same
    (order a new certificate), and the install keeps a backup of it.
    """
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as handle:
        found = load_bundle(handle.read())
    return found[0] if found else None


def dns_names(cert: t.Any) -> list[str]:
    """The DNS names of the subjectAltName, lower-case."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [name.lower() for name in san.get_values_for_type(x509.DNSName)]


def common_name(name: t.Any) -> str | None:
    """The first CN of an x509 Name."""
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else None


def describe(cert: t.Any) -> dict[str, t.Any]:
    """What the module returns about a certificate."""
    return {
        "names": dns_names(cert),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "serial": format(cert.serial_number, "x"),
        "issuer": cert.issuer.rfc4514_string(),
        "key_type": key_type_of(cert.public_key()),
    }


def same_public_key(cert: t.Any, key: t.Any) -> bool:
    """Whether ``key`` is the private key of ``cert``."""
    def der(public: t.Any) -> bytes:
        return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return der(cert.public_key()) == der(key.public_key())


def mismatch(cert: t.Any, names: list[str], key_type: str) -> str | None:
    """Why ``cert`` does not fit the wanted names and key type, or None when it does."""
    if sorted(set(dns_names(cert))) != sorted(names):
        return "the certificate's names differ from the requested names"
    if key_type_of(cert.public_key()) != key_type:
        return f"the certificate's key type is not {key_type}"
    return None


def days_left(cert: t.Any, now: datetime.datetime) -> float:
    """Days until notAfter; negative once expired."""
    return (cert.not_valid_after_utc - now).total_seconds() / 86400


def issuer_names(fullchain: str) -> list[str]:
    """The issuer common names of every certificate in a chain, leaf first."""
    names = [common_name(cert.issuer) for cert in load_bundle(fullchain.encode("ascii"))]
    return [name for name in names if name]


def select_chain(default: str, alternates: list[str], preferred: str | None) -> str:
    """The first chain with a certificate issued by ``preferred`` (a CN); else the default chain."""
    if preferred:
        for chain in [default] + alternates:
            if preferred in issuer_names(chain):
                return chain
    return default
