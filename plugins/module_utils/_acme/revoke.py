# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Revoking a certificate (RFC 8555 section 7.6), signed by the account or by the certificate's own key.

This is a private module_utils file: its API may change without notice.
The certificate's key works even when the account key is lost, and is what a
key compromise calls for: whoever holds the key can prove it.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme import certs, directory, keys
from ansible_collections.portable.dns01.plugins.module_utils._acme.account import AccountOptions, ensure_account, load_key
from ansible_collections.portable.dns01.plugins.module_utils._acme.argspec import REVOCATION_REASONS
from ansible_collections.portable.dns01.plugins.module_utils._acme.client import AcmeClient, connect
from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError, InputError

try:
    from acme import messages
except ImportError:
    pass


def revoke(client: AcmeClient, cert: t.Any, reason: int) -> bool:
    """Ask the CA to revoke ``cert``; False when it was revoked already."""
    try:
        client.post(client.directory["revokeCert"], messages.Revocation(certificate=cert, reason=reason),
                    "revoking the certificate")
    except AcmeError as exc:
        if str((exc.details.get("problem") or {}).get("type", "")).endswith(":alreadyRevoked"):
            return False
        raise
    return True


def _certificate(path: str) -> t.Any:
    cert = certs.read_cert(path)
    if cert is None:
        raise InputError(f"cert_path: no PEM certificate in {path!r}", field="cert_path")
    return cert


def _certificate_key(path: str, cert: t.Any) -> t.Any:
    try:
        with open(path, "rb") as handle:
            key = keys.load_key(handle.read(), "private_key_path")
    except OSError as exc:
        raise InputError(f"private_key_path: cannot read {path!r}: {exc.strerror}", field="private_key_path") from exc
    if not certs.same_public_key(cert, key):
        raise InputError("private_key_path: this key does not belong to the certificate at cert_path", field="private_key_path")
    return key


def run_module(params: dict[str, t.Any], check_mode: bool, clock: Clock | None = None, session: t.Any = None) -> dict[str, t.Any]:
    """What acme_revoke does; everything is checked before the CA is contacted."""
    clock = clock or Clock()
    cert = _certificate(params["cert_path"])
    url = directory.resolve(params["directory"])
    options = AccountOptions.from_params(params)
    if params["private_key_path"]:
        key, signer = _certificate_key(params["private_key_path"], cert), "certificate_key"
    else:
        key, signer = load_key(options), "account_key"
        if key is None:
            raise InputError("account_key_path: the account key does not exist; give private_key_path to revoke with "
                             "the certificate's own key", field="account_key_path")
    verify = directory.verify_option(params["ca_bundle"], params["validate_certs"])
    client = connect(url, verify, clock, keys.jwk_and_alg(key), timeout=params["request_timeout"], session=session)
    if signer == "account_key" and ensure_account(client, options, only_existing=True) is None:
        raise AcmeError("no account at this CA has this account key: revoke with private_key_path instead")
    result = {"directory": url, "serial": format(cert.serial_number, "x"), "reason": params["reason"],
              "signed_with": signer, "already_revoked": False}
    if check_mode:
        return dict(result, changed=True)
    revoked = revoke(client, cert, REVOCATION_REASONS[params["reason"]])
    return dict(result, changed=revoked, already_revoked=not revoked)
