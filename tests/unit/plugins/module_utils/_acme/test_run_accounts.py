# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Several ACME accounts in one acme_order call, at the HTTP-session seam."""

from __future__ import annotations

import json

import josepy as jose
import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.portable.dns01.plugins.module_utils._acme.argspec import order_argument_spec
from ansible_collections.portable.dns01.plugins.module_utils._acme.keys import generate_key, key_pem
from ansible_collections.portable.dns01.plugins.module_utils._acme.run import run
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._acme.fakes import FakeAcmeServer
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._acme.test_run import CA, ORDER, params, scripted


def protected(call):
    return json.loads(jose.b64decode(json.loads(call[2])["protected"]))


def body(call):
    return json.loads(jose.b64decode(json.loads(call[2])["payload"]) or "null")


class AccountsServer(FakeAcmeServer):
    """Answers newAccount with one account URL per account key, as a CA does."""

    def __init__(self, directory=None):
        super().__init__(directory)
        self.accounts = {}

    def request(self, method, url, *args, **kwargs):
        if method == "POST" and url == f"{CA}/account":
            jwk = json.dumps(protected((method, url, kwargs.get("data")))["jwk"], sort_keys=True)
            number = self.accounts.setdefault(jwk, len(self.accounts) + 1)
            self.script("POST", url, (201, {"status": "valid"}, {"Location": f"{CA}/acct/{number}"}))
        return super().request(method, url, *args, **kwargs)


def two_accounts(tmp_path, **account):
    given = params(tmp_path)
    second = dict(given["certificates"][0], id="api", names=["api.example.test"],
                  cert_path=str(tmp_path / "api.pem"), key_path=str(tmp_path / "api.key"))
    second["account"] = dict({"directory": None, "key_path": None, "key_content": key_pem(generate_key("ec256")).decode(),
                              "key_type": None, "email": "api@example.test"}, **account)
    given["certificates"].append(second)
    return given


def test_two_certificates_are_ordered_under_two_accounts_in_one_call(tmp_path, fake_clock):
    server = scripted()
    server.__class__ = AccountsServer
    server.accounts = {}
    result = run(two_accounts(tmp_path), False, fake_clock, server)
    web, api = result["certificates"]
    assert {web["account_url"], api["account_url"]} == {f"{CA}/acct/1", f"{CA}/acct/2"}
    assert result["account_url"] == web["account_url"]
    registrations = server.posts(f"{CA}/account")
    assert len({json.dumps(protected(call)["jwk"], sort_keys=True) for call in registrations}) == 2
    assert [body(call).get("contact") for call in registrations if body(call).get("contact")] == [["mailto:api@example.test"]]
    kid_of = {}
    for call in server.posts(f"{CA}/order"):
        names = tuple(item["value"] for item in body(call)["identifiers"])
        kid_of[names] = protected(call)["kid"]
    assert kid_of[("api.example.test",)] == api["account_url"]
    assert kid_of[tuple(web["names"])] == web["account_url"]
    assert web["order_url"] == api["order_url"] == ORDER


def test_certificates_sharing_an_account_share_one_registration(tmp_path, fake_clock):
    given = two_accounts(tmp_path)
    content = given["certificates"][1]["account"]["key_content"]
    third = dict(given["certificates"][1], id="mail", names=["mail.example.test"], cert_path=str(tmp_path / "mail.pem"),
                 key_path=str(tmp_path / "mail.key"), account=dict(given["certificates"][1]["account"], key_content=content))
    given["certificates"].append(third)
    server = scripted()
    server.__class__ = AccountsServer
    server.accounts = {}
    result = run(given, False, fake_clock, server)
    assert result["certificates"][1]["account_url"] == result["certificates"][2]["account_url"]
    assert len(server.posts(f"{CA}/account")) == 2


@pytest.mark.parametrize("account, field", [
    ({"key_path": "/nonexistent/dir/a.key", "key_content": None}, "certificates[1].account.key_path"),
    ({"key_content": "not a key"}, "certificates[1].account.key_content"),
    ({"directory": "ftp://ca.test/dir"}, "certificates[1].account.directory"),
    ({"key_path": "/tmp/a.key"}, "certificates[1].account"),
])
def test_bad_account_fails_before_any_request(tmp_path, fake_clock, account, field):
    given = two_accounts(tmp_path, **account)
    server = scripted()
    with pytest.raises(InputError) as caught:
        run(given, False, fake_clock, server)
    assert caught.value.details.get("field") == field or field in caught.value.msg
    assert "BEGIN" not in caught.value.msg
    assert server.calls == []


def test_without_a_default_account_key_every_certificate_needs_its_own(tmp_path, fake_clock):
    given = two_accounts(tmp_path)
    given["account_key_path"] = None
    server = scripted()
    with pytest.raises(InputError) as caught:
        run(given, False, fake_clock, server)
    assert "certificates[0]" in caught.value.msg
    assert server.calls == []
    given["certificates"] = given["certificates"][1:]
    server = scripted()
    server.__class__ = AccountsServer
    server.accounts = {}
    result = run(given, False, fake_clock, server)
    assert result["certificates"][0]["account_url"] == f"{CA}/acct/1"
    assert result["account_url"] is None


def test_a_certificate_account_key_is_a_secret_and_takes_one_source():
    certificate = {"names": ["a.example.test"], "cert_path": "/a", "key_path": "/b",
                   "account": {"key_content": "PEM-SECRET", "key_path": "/k"}}
    result = ArgumentSpecValidator(order_argument_spec()).validate({"directory": "x", "certificates": [certificate]})
    assert result._no_log_values == {"PEM-SECRET"}
    assert any("key_path|key_content" in message and "account" in message for message in result.errors.messages)
