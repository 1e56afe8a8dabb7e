# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private keys: generate, load, name their type, sign JWS with them.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError

try:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
except ImportError:
    pass

KEY_TYPES = ("ec256", "ec384", "rsa2048", "rsa3072", "rsa4096")
_CURVES = {"ec256": "secp256r1", "ec384": "secp384r1"}


def generate_key(key_type: str) -> t.Any:
    """A new private key of one of ``KEY_TYPES``."""
    if key_type in _CURVES:
        curve = ec.SECP256R1() if key_type == "ec256" else ec.SECP384R1()
        return ec.generate_private_key(curve)
    return rsa.generate_private_key(public_exponent=65537, key_size=int(key_type[3:]))


def key_type_of(key: t.Any) -> str | None:
    """The ``KEY_TYPES`` name of a public or private key, or None for anything else."""
    if isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)):
        names = {curve: name for name, curve in _CURVES.items()}
        return names.get(key.curve.name)
    if isinstance(key, (rsa.RSAPublicKey, rsa.RSAPrivateKey)):
        name = f"rsa{key.key_size}"
        return name if name in KEY_TYPES else None
    return None


def load_key(data: bytes, field: str) -> t.Any:
    """A PEM private key supported for certificates and accounts."""
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{field}: not an unencrypted PEM private key", field=field) from exc
    if key_type_of(key) is None:
        raise InputError(f"{field}: unsupported key; use one of {', '.join(KEY_TYPES)}", field=field)
    return key


def key_pem(key: t.Any) -> bytes:
    """PKCS#8 PEM, the form every TLS server reads."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def jwk_and_alg(key: t.Any) -> tuple[t.Any, t.Any]:
    """The josepy JWK of an account key and the JWS algorithm it signs with."""
    # Imported here: modules that only check key types need no josepy.
    import josepy as jose

    kind = key_type_of(key)
    if kind == "ec256":
        return jose.JWKEC(key=key), jose.ES256
    if kind == "ec384":
        return jose.JWKEC(key=key), jose.ES384
    return jose.JWKRSA(key=key), jose.RS256
