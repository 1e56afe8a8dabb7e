# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ACME account: its key (loaded or generated) and its registration.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import dataclasses
import os
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme import keys
from ansible_collections.portable.dns01.plugins.module_utils._acme.client import AcmeClient
from ansible_collections.portable.dns01.plugins.module_utils._acme.install import FileSpec, install
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError, InputError

try:
    from acme import errors as acme_errors
    from acme import messages
except ImportError:
    pass


@dataclasses.dataclass
class AccountOptions:
    """The account options of the module."""

    key_path: str | None
    key_content: str | None
    key_type: str
    email: str | None
    terms_agreed: bool
    eab_kid: str | None
    eab_hmac_key: str | None

    @classmethod
    def from_params(cls, params: dict[str, t.Any]) -> AccountOptions:
        """From the module's parameters."""
        return cls(params["account_key_path"], params["account_key_content"], params["account_key_type"],
                   params["account_email"], params["terms_agreed"], params["eab_kid"], params["eab_hmac_key"])


def load_key(options: AccountOptions) -> t.Any | None:
    """The account key from content or file; None when the file does not exist yet."""
    if options.key_content:
        return keys.load_key(options.key_content.encode("utf-8"), "account_key_content")
    if options.key_path and os.path.exists(options.key_path):
        with open(options.key_path, "rb") as handle:
            return keys.load_key(handle.read(), "account_key_path")
    if not options.key_path:
        raise InputError("account_key_path or account_key_content is required", field="account_key_path")
    return None


def create_key(options: AccountOptions, stamp: str) -> t.Any:
    """Generate the account key and store it at ``account_key_path``, readable by its owner only."""
    key = keys.generate_key(options.key_type)
    install([FileSpec(options.key_path or "", keys.key_pem(key), 0o600)], stamp)
    return key


def _registration(client: AcmeClient, options: AccountOptions, only_existing: bool) -> t.Any:
    if only_existing:
        return messages.NewRegistration(only_return_existing=True)
    eab = None
    if options.eab_kid:
        eab = messages.ExternalAccountBinding.from_data(
            account_public_key=client.account_jwk.public_key(), kid=options.eab_kid,
            hmac_key=options.eab_hmac_key, directory=client.v2.directory)
    return messages.NewRegistration.from_data(email=options.email, terms_of_service_agreed=options.terms_agreed,
                                              external_account_binding=eab)


def _new_account(client: AcmeClient, registration: t.Any) -> str:
    try:
        return client.v2.new_account(registration).uri
    except acme_errors.ConflictError as exc:
        # The key is registered already: the server answers with the account's URL.
        return exc.location


def _check_eab(client: AcmeClient, options: AccountOptions) -> None:
    meta = client.v2.directory.meta
    if getattr(meta, "external_account_required", False) and not options.eab_kid:
        raise InputError("this CA requires external account binding: set eab_kid and eab_hmac_key", field="eab_kid")


def ensure_account(client: AcmeClient, options: AccountOptions, only_existing: bool = False) -> str | None:
    """Find or register the account of ``client.account_jwk``; returns its URL.

    With ``only_existing`` (check mode) nothing is registered and None means no account yet.
    """
    if not only_existing:
        _check_eab(client, options)
    registration = _registration(client, options, only_existing)
    try:
        url = client.transport.call("registering the account", _new_account, client, registration)
    except AcmeError as exc:
        if only_existing and "accountDoesNotExist" in str(exc.details.get("problem", {}).get("type")):
            return None
        raise
    client.use_account(url)
    return url
