# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The account's lifecycle against a scripted CA: contact, key rollover, deactivation."""

from __future__ import annotations

import json
import os
import stat

import josepy as jose
import pytest
from acme import jws
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.portable.dns01.plugins.module_utils._acme import keys
from ansible_collections.portable.dns01.plugins.module_utils._acme.account import run_module, staged_key_path
from ansible_collections.portable.dns01.plugins.module_utils._acme.argspec import account_module_argument_spec
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError, InputError
from ansible_collections.portable.dns01.plugins.module_utils._common.module import FileAttributes
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._acme.fakes import FakeAcmeServer, problem

CA = "https://ca.test"
ACCOUNT = f"{CA}/acct/1"
KEY_CHANGE = f"{CA}/key-change"


def scripted(account=None):
    server = FakeAcmeServer({"keyChange": KEY_CHANGE})
    server.script("POST", f"{CA}/account", (200, {"status": "valid"}, {"Location": ACCOUNT}))
    server.script("POST", ACCOUNT, (200, account or {"status": "valid", "contact": []}, {}))
    server.script("POST", KEY_CHANGE, (200, {"status": "valid"}, {}))
    return server


def params(tmp_path, **extra):
    base = {"directory": FakeAcmeServer.DIRECTORY, "ca_bundle": None, "validate_certs": True, "request_timeout": 5,
            "account_key_path": str(tmp_path / "account.key"), "account_key_content": None, "account_key_type": "ec256",
            "account_email": None, "terms_agreed": True, "eab_kid": None, "eab_hmac_key": None, "state": "present",
            "contact": None, "rollover": False, "new_account_key_type": None, "keep_backups": 2}
    return dict(base, **extra)


def jws_of(call):
    return json.loads(call[2])


def payload(call):
    return json.loads(jose.b64decode(jws_of(call)["payload"]) or "null")


def protected(document):
    return json.loads(jose.b64decode(document["protected"]))


def existing_key(tmp_path):
    key = keys.generate_key("ec256")
    (tmp_path / "account.key").write_bytes(keys.key_pem(key))
    (tmp_path / "account.key").chmod(0o600)
    return key


def public_jwk(key):
    return jose.JWKEC(key=key).public_key().to_partial_json()


def test_rollover_installs_the_new_key_only_after_the_ca_accepted_it(tmp_path, fake_clock):
    old = existing_key(tmp_path)
    server = scripted()
    result = run_module(params(tmp_path, rollover=True, new_account_key_type="ec384"), False, fake_clock, server)
    assert result["changed"] and result["rolled_over"] and result["account_url"] == ACCOUNT
    [call] = server.posts(KEY_CHANGE)
    outer = jws_of(call)
    assert protected(outer)["kid"] == ACCOUNT and protected(outer)["url"] == KEY_CHANGE
    inner = jws.JWS.from_json(payload(call))
    inner_header = protected(payload(call))
    assert "nonce" not in inner_header and "kid" not in inner_header and inner_header["url"] == KEY_CHANGE
    assert json.loads(inner.payload) == {"account": ACCOUNT, "oldKey": public_jwk(old)}
    new = keys.load_key((tmp_path / "account.key").read_bytes(), "key")
    assert keys.key_type_of(new) == "ec384"
    # Signed by the new key itself, and the new key is what is installed now.
    assert inner.verify(jose.JWKEC(key=new.public_key()))
    assert stat.S_IMODE((tmp_path / "account.key").stat().st_mode) == 0o600
    backups = [path for path in tmp_path.iterdir() if path.name.endswith(".bak")]
    assert len(backups) == 1 and keys.load_key(backups[0].read_bytes(), "b").public_key() == old.public_key()
    assert not (tmp_path / ".account.key.rollover.pem").exists()


def test_a_refused_rollover_keeps_the_old_key(tmp_path, fake_clock):
    existing_key(tmp_path)
    before = (tmp_path / "account.key").read_bytes()
    server = scripted()
    server.script("POST", KEY_CHANGE, problem("malformed", "new key is already in use for a different account", 409))
    with pytest.raises(AcmeError, match="rolling the account key over"):
        run_module(params(tmp_path, rollover=True), False, fake_clock, server)
    assert (tmp_path / "account.key").read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["account.key"]


@pytest.mark.parametrize("accepted", [True, False])
def test_a_rollover_that_died_after_the_request_is_finished_or_dropped(tmp_path, fake_clock, accepted):
    existing_key(tmp_path)
    before = (tmp_path / "account.key").read_bytes()
    staged = keys.key_pem(keys.generate_key("ec256"))
    (tmp_path / ".account.key.rollover.pem").write_bytes(staged)
    server = scripted()
    if not accepted:
        # The lookup with the staged key is the first POST to newAccount; the CA does not know that key.
        server.script("POST", f"{CA}/account", problem("accountDoesNotExist", "no account for this key", 400),
                      (200, {"status": "valid"}, {"Location": ACCOUNT}))
    result = run_module(params(tmp_path), False, fake_clock, server)
    assert result["rollover_finished"] is accepted
    assert (tmp_path / "account.key").read_bytes() == (staged if accepted else before)
    assert not (tmp_path / ".account.key.rollover.pem").exists()
    assert staged_key_path(str(tmp_path / "account.key")) == str(tmp_path / ".account.key.rollover.pem")


def test_the_contact_is_updated_only_when_it_differs(tmp_path, fake_clock):
    existing_key(tmp_path)
    server = scripted({"status": "valid", "contact": ["mailto:old@example.test"]})
    result = run_module(params(tmp_path, contact=["new@example.test"]), False, fake_clock, server)
    assert result["changed"] and result["contact"] == ["mailto:new@example.test"]
    updates = [payload(call) for call in server.posts(ACCOUNT) if payload(call)]
    assert updates == [{"contact": ["mailto:new@example.test"]}]
    server = scripted({"status": "valid", "contact": ["mailto:old@example.test"]})
    same = run_module(params(tmp_path, account_email="old@example.test"), False, fake_clock, server)
    assert not same["changed"]
    assert [payload(call) for call in server.posts(ACCOUNT) if payload(call)] == []


def test_check_mode_changes_nothing(tmp_path, fake_clock):
    existing_key(tmp_path)
    before = (tmp_path / "account.key").read_bytes()
    server = scripted({"status": "valid", "contact": []})
    result = run_module(params(tmp_path, contact=["a@example.test"], rollover=True), True, fake_clock, server)
    assert result["changed"] and result["rolled_over"]
    assert server.posts(KEY_CHANGE) == []
    assert [payload(call) for call in server.posts(ACCOUNT) if payload(call)] == []
    assert (tmp_path / "account.key").read_bytes() == before


def test_deactivation_once_then_nothing_to_do(tmp_path, fake_clock):
    existing_key(tmp_path)
    server = scripted()
    result = run_module(params(tmp_path, state="absent"), False, fake_clock, server)
    assert result["changed"] and result["status"] == "deactivated"
    assert [payload(call) for call in server.posts(ACCOUNT) if payload(call)] == [{"status": "deactivated"}]
    again = scripted()
    again.script("POST", f"{CA}/account", problem("unauthorized", "Account is not valid, has status \"deactivated\"", 403))
    result = run_module(params(tmp_path, state="absent"), False, fake_clock, again)
    assert not result["changed"] and result["status"] == "deactivated"
    assert again.posts(ACCOUNT) == []


def test_rollover_needs_a_key_file(tmp_path, fake_clock):
    key = keys.key_pem(keys.generate_key("ec256")).decode()
    with pytest.raises(InputError, match="rollover needs account_key_path"):
        run_module(params(tmp_path, account_key_path=None, account_key_content=key, rollover=True), False, fake_clock, scripted())


def test_a_rollover_killed_while_installing_the_new_key_leaves_one_usable_key(tmp_path, fake_clock):
    """The CA accepted the new key; the install of it died after its manifest: the next run completes it."""
    from ansible_collections.portable.dns01.plugins.module_utils._acme.install import FileSpec, install

    class Crash(BaseException):
        pass

    existing_key(tmp_path)
    new = keys.key_pem(keys.generate_key("ec256"))
    (tmp_path / ".account.key.rollover.pem").write_bytes(new)

    def crash(label):
        if label == "manifest written":
            raise Crash(label)

    with pytest.raises(Crash):
        install([FileSpec(str(tmp_path / "account.key"), new, 0o600)], "20261128T120000Z", fault=crash)
    result = run_module(params(tmp_path), False, fake_clock, scripted())
    assert result["account_url"] == ACCOUNT
    assert (tmp_path / "account.key").read_bytes() == new
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []


def attributes_of(args: dict) -> FileAttributes:
    """The file options of a real acme_account module built from ``args``."""
    with patch_module_args({key: value for key, value in args.items() if value is not None}):
        module = AnsibleModule(argument_spec=account_module_argument_spec(), add_file_common_args=True, supports_check_mode=True)
    return FileAttributes(module)


def ids(path) -> tuple[int, int, int]:
    status = path.stat()
    return stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid


def test_the_key_file_gets_the_asked_owner_group_and_mode_then_changes_nothing(tmp_path, fake_clock):
    existing_key(tmp_path)
    asked = {"mode": "0640", "owner": str(os.getuid()), "group": str(os.getgid())}
    checked = run_module(params(tmp_path), True, fake_clock, scripted(), files=attributes_of(dict(params(tmp_path), _ansible_check_mode=True, **asked)))
    assert checked["changed"] and ids(tmp_path / "account.key")[0] == 0o600
    result = run_module(params(tmp_path), False, fake_clock, scripted(), files=attributes_of(dict(params(tmp_path), **asked)))
    assert result["changed"] and ids(tmp_path / "account.key") == (0o640, os.getuid(), os.getgid())
    again = run_module(params(tmp_path), False, fake_clock, scripted(), files=attributes_of(dict(params(tmp_path), **asked)))
    assert not again["changed"] and ids(tmp_path / "account.key")[0] == 0o640


def test_a_new_key_file_stays_0600_when_no_mode_is_asked(tmp_path, fake_clock):
    files = attributes_of(dict(params(tmp_path), group=str(os.getgid())))
    result = run_module(params(tmp_path), False, fake_clock, scripted(), files=files)
    assert result["changed"] and ids(tmp_path / "account.key") == (0o600, os.getuid(), os.getgid())
    again = run_module(params(tmp_path), False, fake_clock, scripted(), files=files)
    assert not again["changed"]


def test_a_rolled_over_key_gets_the_asked_mode(tmp_path, fake_clock):
    existing_key(tmp_path)
    files = attributes_of(dict(params(tmp_path), mode="0400"))
    result = run_module(params(tmp_path, rollover=True), False, fake_clock, scripted(), files=files)
    assert result["rolled_over"] and ids(tmp_path / "account.key")[0] == 0o400
    assert all(ids(backup)[0] == 0o600 for backup in tmp_path.glob("account.key.*.bak"))
