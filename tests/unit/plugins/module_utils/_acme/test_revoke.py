# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Revocation against a scripted CA, with the account key or the certificate's own key."""

from __future__ import annotations

import json

import josepy as jose
import pytest
from cryptography.hazmat.primitives import serialization

from ansible_collections.portable.dns01.plugins.module_utils._acme import keys
from ansible_collections.portable.dns01.plugins.module_utils._acme.revoke import run_module
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._acme.fakes import FakeAcmeServer, make_cert, problem

CA = "https://ca.test"
REVOKE = f"{CA}/revoke"


def scripted():
    server = FakeAcmeServer()
    server.script("POST", f"{CA}/account", (200, {"status": "valid"}, {"Location": f"{CA}/acct/1"}))
    server.script("POST", REVOKE, (200, None, {}))
    return server


def installed(tmp_path):
    cert, key = make_cert(["x.example.test"])
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(keys.key_pem(key))
    (tmp_path / "account.key").write_bytes(keys.key_pem(keys.generate_key("ec256")))
    return cert, key


def params(tmp_path, **extra):
    base = {"directory": FakeAcmeServer.DIRECTORY, "ca_bundle": None, "validate_certs": True, "request_timeout": 5,
            "account_key_path": str(tmp_path / "account.key"), "account_key_content": None, "account_key_type": "ec256",
            "account_email": None, "terms_agreed": False, "eab_kid": None, "eab_hmac_key": None,
            "cert_path": str(tmp_path / "cert.pem"), "private_key_path": None, "reason": "unspecified"}
    return dict(base, **extra)


def sent(call):
    document = json.loads(call[2])
    return json.loads(jose.b64decode(document["protected"])), json.loads(jose.b64decode(document["payload"]))


def test_revocation_with_the_certificate_key_carries_its_jwk_and_the_reason(tmp_path, fake_clock):
    cert, key = installed(tmp_path)
    server = scripted()
    result = run_module(params(tmp_path, private_key_path=str(tmp_path / "key.pem"), reason="keyCompromise"),
                        False, fake_clock, server)
    assert result["changed"] and result["signed_with"] == "certificate_key"
    [call] = server.posts(REVOKE)
    header, body = sent(call)
    assert "kid" not in header and header["jwk"] == jose.JWKEC(key=key).public_key().to_partial_json()
    assert body["reason"] == 1
    assert jose.b64decode(body["certificate"]) == cert.public_bytes(serialization.Encoding.DER)
    assert server.posts(f"{CA}/account") == []


def test_revocation_with_the_account_key_signs_with_the_account(tmp_path, fake_clock):
    installed(tmp_path)
    server = scripted()
    result = run_module(params(tmp_path, reason="superseded"), False, fake_clock, server)
    header, body = sent(server.posts(REVOKE)[0])
    assert header["kid"] == f"{CA}/acct/1" and body["reason"] == 4
    assert result["signed_with"] == "account_key"


def test_an_already_revoked_certificate_changes_nothing(tmp_path, fake_clock):
    installed(tmp_path)
    server = scripted()
    server.script("POST", REVOKE, problem("alreadyRevoked", "Certificate already revoked"))
    result = run_module(params(tmp_path), False, fake_clock, server)
    assert not result["changed"] and result["already_revoked"]


def test_a_key_of_another_certificate_is_refused_before_the_ca_is_contacted(tmp_path, fake_clock):
    installed(tmp_path)
    (tmp_path / "other.pem").write_bytes(keys.key_pem(keys.generate_key("ec256")))
    server = scripted()
    with pytest.raises(InputError, match="does not belong to the certificate"):
        run_module(params(tmp_path, private_key_path=str(tmp_path / "other.pem")), False, fake_clock, server)
    assert server.calls == []


def test_check_mode_sends_nothing(tmp_path, fake_clock):
    installed(tmp_path)
    server = scripted()
    assert run_module(params(tmp_path), True, fake_clock, server)["changed"]
    assert server.posts(REVOKE) == []
