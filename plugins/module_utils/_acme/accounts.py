# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which ACME account orders which certificate, when certificates carry their own ``account``.

This is a private module_utils file: its API may change without notice.
Certificates with the same directory and account key form one group: one client, one registration.
Everything here is checked before the CA is contacted.
"""

from __future__ import annotations

import dataclasses
import os
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme import directory, keys
from ansible_collections.portable.dns01.plugins.module_utils._acme.account import AccountOptions
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError


@dataclasses.dataclass
class AccountGroup:
    """One account at one CA and the indexes of the certificates it orders."""

    url: str
    options: AccountOptions
    default: bool
    indexes: list[int] = dataclasses.field(default_factory=list)


def _resolve(given: str, field: str) -> str:
    try:
        return directory.resolve(given)
    except InputError as exc:
        raise InputError(f"{field}: {exc.msg.split(': ', 1)[1]}", field=field) from None


def _check_key(options: AccountOptions, field: str) -> None:
    """The key given for a certificate is readable, or its file can be created."""
    if options.key_content:
        keys.load_key(options.key_content.encode("utf-8"), f"{field}.key_content")
        return
    path = options.key_path or ""
    if os.path.exists(path):
        with open(path, "rb") as handle:
            keys.load_key(handle.read(), f"{field}.key_path")
    elif not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise InputError(f"{field}.key_path: directory of {path!r} does not exist", field=f"{field}.key_path")


def _options(index: int, given: dict[str, t.Any], default: AccountOptions, same_ca: bool) -> AccountOptions:
    field = f"certificates[{index}].account"
    email = given.get("email") or default.email
    # External account binding is given for the module's directory; another CA would refuse it.
    eab = {} if same_ca else {"eab_kid": None, "eab_hmac_key": None}
    if given.get("key_path") and given.get("key_content"):
        raise InputError(f"{field}: key_path and key_content are mutually exclusive", field=field)
    if given.get("key_path") or given.get("key_content"):
        return dataclasses.replace(default, key_path=given.get("key_path"), key_content=given.get("key_content"),
                                   key_type=given.get("key_type") or default.key_type, email=email, **eab)
    if not default.key_path and not default.key_content:
        raise InputError(f"certificates[{index}]: no account key; set account_key_path or account_key_content, "
                         f"or {field}.key_path or {field}.key_content", field="account_key_path")
    return dataclasses.replace(default, email=email, **eab)


def group(params: dict[str, t.Any]) -> list[AccountGroup]:
    """The accounts of a run, each with its certificates; the module's own account first when used."""
    default_url = directory.resolve(params["directory"])
    default = AccountOptions.from_params(params)
    groups: dict[tuple[t.Any, ...], AccountGroup] = {}
    for index, raw in enumerate(params["certificates"]):
        given = raw.get("account") or {}
        field = f"certificates[{index}].account"
        url = _resolve(given["directory"], f"{field}.directory") if given.get("directory") else default_url
        options = _options(index, given, default, url == default_url)
        own_key = bool(given.get("key_path") or given.get("key_content"))
        identity = (url, os.path.abspath(options.key_path) if options.key_path else None, options.key_content)
        found = groups.get(identity)
        if found is None:
            if own_key:
                _check_key(options, field)
            found = groups[identity] = AccountGroup(url, options, default=url == default_url and not own_key)
        elif found.options.email != options.email:
            raise InputError(f"{field}.email: {options.email!r} differs from {found.options.email!r}, given for "
                             f"certificates[{found.indexes[0]}] with the same account", field=f"{field}.email")
        found.indexes.append(index)
    return sorted(groups.values(), key=lambda item: not item.default)
