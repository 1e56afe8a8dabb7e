# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ACME account: its key (loaded or generated) and its registration.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import dataclasses
import json
import os
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme import directory, keys
from ansible_collections.portable.dns01.plugins.module_utils._acme.client import AcmeClient, connect
from ansible_collections.portable.dns01.plugins.module_utils._acme.install import FileSpec, install, recover, write_file
from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError, InputError
from ansible_collections.portable.dns01.plugins.module_utils._common.module import FileAttributes

try:
    from acme import errors as acme_errors
    from acme import jws
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


def recover_key_file(options: AccountOptions) -> None:
    """Finish or roll back a write of the account key file a crash interrupted, and sweep its temporary files."""
    if options.key_path and os.path.isdir(os.path.dirname(os.path.abspath(options.key_path))):
        recover(options.key_path, [options.key_path])


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


def _registration(client: AcmeClient, options: AccountOptions, only_existing: bool,
                  contact: list[str] | None = None) -> t.Any:
    if only_existing:
        return messages.NewRegistration(only_return_existing=True)
    eab = None
    if options.eab_kid:
        eab = messages.ExternalAccountBinding.from_data(
            account_public_key=client.account_jwk.public_key(), kid=options.eab_kid,
            hmac_key=options.eab_hmac_key, directory=client.v2.directory)
    if contact is not None:
        return messages.NewRegistration(contact=tuple(contact), terms_of_service_agreed=options.terms_agreed,
                                        external_account_binding=eab)
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


def ensure_account(client: AcmeClient, options: AccountOptions, only_existing: bool = False,
                   contact: list[str] | None = None) -> str | None:
    """Find or register the account of ``client.account_jwk``; returns its URL.

    With ``only_existing`` (check mode) nothing is registered and None means no account yet.
    ``contact`` (URLs) replaces the ``mailto:`` of account_email for a new account.
    """
    if not only_existing:
        _check_eab(client, options)
    registration = _registration(client, options, only_existing, contact)
    try:
        url = client.transport.call("registering the account", _new_account, client, registration)
    except AcmeError as exc:
        if only_existing and "accountDoesNotExist" in str(exc.details.get("problem", {}).get("type")):
            return None
        raise
    client.use_account(url)
    return url


def contacts(options: AccountOptions, contact: list[str] | None) -> list[str] | None:
    """The contact URLs wanted: ``contact`` as given, else ``mailto:`` of account_email, else None (unmanaged)."""
    if contact is not None:
        return [item if ":" in item else f"mailto:{item}" for item in contact]
    return [f"mailto:{options.email}"] if options.email else None


def read(client: AcmeClient) -> dict[str, t.Any]:
    """The account object (status, contact, orders)."""
    return client.fetch(client.account_url or "", "reading the account")[0]


def update_contact(client: AcmeClient, wanted: list[str]) -> None:
    """Replace the account's contact URLs."""
    client.post(client.account_url or "", messages.UpdateRegistration(contact=tuple(wanted)), "updating the account's contact")


def deactivate(client: AcmeClient) -> None:
    """Deactivate the account for good (RFC 8555 section 7.3.6): the CA refuses it from then on."""
    client.post(client.account_url or "", messages.UpdateRegistration(status="deactivated"), "deactivating the account")


def key_change(client: AcmeClient, new_key: t.Any) -> None:
    """Roll the account over to ``new_key`` (RFC 8555 section 7.3.5).

    The inner JWS, signed by the new key, names the account and the old key;
    the outer one is signed by the old key as any request of the account.
    """
    url = client.directory.get("keyChange")
    if not url:
        raise AcmeError("this CA's directory has no keyChange resource: it cannot roll account keys over")
    jwk, alg = keys.jwk_and_alg(new_key)
    payload = {"account": client.account_url, "oldKey": client.account_jwk.public_key().to_partial_json()}
    inner = jws.JWS.sign(json.dumps(payload).encode("utf-8"), key=jwk, alg=alg, nonce=None, url=url)
    client.post(url, inner, "rolling the account key over")


def staged_key_path(key_path: str) -> str:
    """Where a new account key waits while the CA is asked to accept it."""
    directory, name = os.path.split(os.path.abspath(key_path))
    return os.path.join(directory, f".{name}.rollover.pem")


def rollover(client: AcmeClient, options: AccountOptions, new_key: t.Any, stamp: str, keep: int) -> None:
    """Roll over and install the new key at account_key_path, only once the CA has accepted it.

    The new key is first written (0600) beside the old one, so a run that dies after the CA
    accepted it still has it on disk: ``finish_rollover`` installs it on the next run.
    """
    if not options.key_path:
        raise InputError("rollover needs account_key_path: the new key has to be stored", field="account_key_path")
    staged = staged_key_path(options.key_path)
    write_file(staged, keys.key_pem(new_key), 0o600)
    try:
        key_change(client, new_key)
    except AcmeError:
        os.unlink(staged)
        raise
    install([FileSpec(options.key_path, keys.key_pem(new_key), 0o600)], stamp, keep=keep)
    os.unlink(staged)


def staged_key(options: AccountOptions) -> t.Any | None:
    """A new key left by a rollover that died before installing it."""
    if not options.key_path or not os.path.exists(staged_key_path(options.key_path)):
        return None
    with open(staged_key_path(options.key_path), "rb") as handle:
        return keys.load_key(handle.read(), "account_key_path")


def finish_rollover(client: AcmeClient, options: AccountOptions, stamp: str, keep: int) -> bool:
    """Install a staged key the CA already accepted, or drop it; whether it was installed.

    ``client`` must be connected with the staged key: the CA knows the account by it only if it accepted it.
    """
    staged = staged_key_path(options.key_path or "")
    if ensure_account(client, options, only_existing=True) is None:
        os.unlink(staged)
        return False
    with open(staged, "rb") as handle:
        content = handle.read()
    install([FileSpec(options.key_path or "", content, 0o600)], stamp, keep=keep)
    os.unlink(staged)
    return True


def _deactivated(exc: AcmeError) -> bool:
    """A CA answers a lookup by a deactivated account's key with unauthorized."""
    problem = exc.details.get("problem") or {}
    return str(problem.get("type", "")).endswith(":unauthorized") and "deactivated" in str(problem.get("detail", ""))


def _lookup(client: AcmeClient, options: AccountOptions) -> str | None:
    """The account's URL; None when no account has this key; "deactivated" when it was deactivated."""
    try:
        return ensure_account(client, options, only_existing=True)
    except AcmeError as exc:
        if _deactivated(exc):
            return "deactivated"
        raise


def _absent(client: AcmeClient, options: AccountOptions, check_mode: bool, result: dict[str, t.Any]) -> dict[str, t.Any]:
    found = _lookup(client, options)
    if found is None or found == "deactivated":
        result["status"] = found or "absent"
        return result
    result["account_url"] = found
    if read(client).get("status") == "deactivated":
        result["status"] = "deactivated"
        return result
    if not check_mode:
        deactivate(client)
    result.update(changed=True, status="deactivated")
    return result


def _present(client: AcmeClient, options: AccountOptions, request: AccountRequest, result: dict[str, t.Any]) -> dict[str, t.Any]:
    found = _lookup(client, options)
    if found == "deactivated":
        raise AcmeError("this account key belongs to a deactivated account; use a new account key", status="deactivated")
    if found is None:
        result["changed"] = True
        if request.check_mode:
            result.update(status="would be registered", contact=request.contact or [])
            return result
        ensure_account(client, options, contact=request.contact)
    document = read(client)
    result.update(account_url=client.account_url, status=document.get("status"), contact=list(document.get("contact", [])))
    if request.contact is not None and sorted(result["contact"]) != sorted(request.contact):
        if not request.check_mode:
            update_contact(client, request.contact)
        result.update(changed=True, contact=request.contact)
    if request.new_key is not None:
        if not request.check_mode:
            rollover(client, options, request.new_key, request.stamp, request.keep)
        result.update(changed=True, rolled_over=True)
    return result


@dataclasses.dataclass
class AccountRequest:
    """What acme_account is asked to make true, beside the account options."""

    state: str
    contact: list[str] | None
    new_key: t.Any
    keep: int
    stamp: str
    check_mode: bool


def manage(connect_with: t.Callable[[t.Any], AcmeClient], options: AccountOptions, request: AccountRequest) -> dict[str, t.Any]:
    """Register, update the contact, roll the key over or deactivate; ``connect_with(key)`` gives a client."""
    result: dict[str, t.Any] = {"changed": False, "account_url": None, "status": None, "contact": [],
                                "rolled_over": False, "rollover_finished": False}
    if not request.check_mode and staged_key(options) is not None:
        # A rollover died between the CA's answer and installing the key: finish it first.
        result["rollover_finished"] = finish_rollover(connect_with(staged_key(options)), options, request.stamp, request.keep)
        result["changed"] = result["rollover_finished"]
    if not request.check_mode:
        recover_key_file(options)
    key = load_key(options)
    if request.state == "absent":
        return _absent(connect_with(key), options, request.check_mode, result) if key is not None else dict(result, status="absent")
    if key is None:
        result["changed"] = True
        if request.check_mode:
            return dict(result, status="would be registered", contact=request.contact or [])
        key = create_key(options, request.stamp)
    return _present(connect_with(key), options, request, result)


def run_module(params: dict[str, t.Any], check_mode: bool, clock: Clock | None = None, session: t.Any = None,
               files: FileAttributes | None = None) -> dict[str, t.Any]:
    """What acme_account does, from its parameters to its result; ``session`` replaces HTTP in tests.

    ``files`` gives the key file the owner, group and mode the module was asked for.
    """
    clock = clock or Clock()
    options = AccountOptions.from_params(params)
    url = directory.resolve(params["directory"])
    if params["keep_backups"] < 0:
        raise InputError("keep_backups must not be negative", field="keep_backups")
    if params["rollover"] and not options.key_path:
        raise InputError("rollover needs account_key_path: the new key has to be stored", field="account_key_path")
    verify = directory.verify_option(params["ca_bundle"], params["validate_certs"])

    def connect_with(key: t.Any) -> AcmeClient:
        return connect(url, verify, clock, keys.jwk_and_alg(key), timeout=params["request_timeout"], session=session)

    new_key = None
    if params["rollover"] and params["state"] == "present":
        new_key = keys.generate_key(params["new_account_key_type"] or options.key_type)
    request = AccountRequest(params["state"], contacts(options, params["contact"]), new_key, params["keep_backups"],
                             clock.now().strftime("%Y%m%dT%H%M%SZ"), check_mode)
    result = dict(manage(connect_with, options, request), directory=url)
    if files is not None and options.key_path and os.path.isfile(options.key_path) and files.apply(options.key_path):
        result["changed"] = True
    return result
