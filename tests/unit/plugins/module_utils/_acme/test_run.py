# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Both steps end to end against a scripted CA (HTTP-session seam, fake clock)."""

from __future__ import annotations

import json

import josepy as jose
import pytest
from cryptography.hazmat.primitives import serialization

from ansible_collections.portable.dns01.plugins.module_utils._acme.ari import cert_id
from ansible_collections.portable.dns01.plugins.module_utils._acme.keys import generate_key, key_pem
from ansible_collections.portable.dns01.plugins.module_utils._acme.run import run
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError, InputError
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._acme.fakes import FakeAcmeServer, make_cert

CA = "https://ca.test"
ORDER = f"{CA}/order/1"
NAMES = ["x.example.test", "*.x.example.test", "y.example.test"]


def challenge(name, status="pending", error=None):
    item = {"type": "dns-01", "url": f"{CA}/chall/{name}", "token": jose.b64encode(name.ljust(32).encode()).decode(), "status": status}
    if error:
        item["error"] = error
    return item


def authz(name, value, status="pending", wildcard=False, error=None):
    document = {"identifier": {"type": "dns", "value": value}, "status": status,
                "challenges": [challenge(name, "invalid" if error else "pending", error)]}
    if wildcard:
        document["wildcard"] = True
    return document


AUTHZ = {
    "apex": authz("apex", "x.example.test"),
    "wild": authz("wild", "x.example.test", wildcard=True),
    "y": authz("y", "y.example.test", status="valid"),
}
ORDER_BODY = {"status": "pending", "identifiers": [{"type": "dns", "value": name} for name in NAMES],
              "authorizations": [f"{CA}/authz/{key}" for key in AUTHZ], "finalize": f"{ORDER}/finalize"}


def scripted(directory=None):
    server = FakeAcmeServer(directory)
    server.script("POST", f"{CA}/account", (201, {"status": "valid"}, {"Location": f"{CA}/acct/1"}))
    server.script("POST", f"{CA}/order", (201, ORDER_BODY, {"Location": ORDER}))
    server.script("POST", ORDER, (200, ORDER_BODY, {}))
    for key, document in AUTHZ.items():
        server.script("POST", f"{CA}/authz/{key}", (200, document, {}))
    return server


def params(tmp_path, step="create", **cert):
    certificate = {"id": "web", "names": NAMES, "cert_path": str(tmp_path / "cert.pem"), "key_path": str(tmp_path / "key.pem"),
                   "chain_path": None, "fullchain_path": None, "key_type": "ec256", "reuse_key": False, "owner": None,
                   "group": None, "mode": None, "order_url": None, "preferred_chain": None}
    certificate.update(cert)
    return {"directory": FakeAcmeServer.DIRECTORY, "ca_bundle": None, "validate_certs": True, "request_timeout": 5,
            "account_key_path": str(tmp_path / "account.key"), "account_key_content": None, "account_key_type": "ec256",
            "account_email": None, "terms_agreed": True, "eab_kid": None, "eab_hmac_key": None, "step": step,
            "certificates": [certificate], "renew_before_days": 30, "force": False, "deactivate_on_failure": True,
            "concurrency": 4, "validation_timeout": 60}


def payload(call):
    return json.loads(jose.b64decode(json.loads(call[2])["payload"]) or "null")


def test_create_returns_records_grouped_by_name(tmp_path, fake_clock):
    server = scripted()
    result = run(params(tmp_path), False, fake_clock, server)
    cert = result["certificates"][0]
    assert cert["changed"] and cert["order_url"] == ORDER
    assert cert["valid_identifiers"] == ["y.example.test"]
    assert list(cert["challenges"]) == ["_acme-challenge.x.example.test"]
    assert len(cert["challenges"]["_acme-challenge.x.example.test"]) == 2
    assert result["records"] == [{"name": "_acme-challenge.x.example.test",
                                  "values": cert["challenges"]["_acme-challenge.x.example.test"]}]
    assert result["account_url"] == f"{CA}/acct/1"
    assert (tmp_path / "account.key").stat().st_mode & 0o777 == 0o600
    assert "replaces" not in payload(server.posts(f"{CA}/order")[0])


def test_renewal_with_ari_sends_replaces(tmp_path, fake_clock):
    old, _key = make_cert(NAMES, days_left=60)
    (tmp_path / "cert.pem").write_bytes(old.public_bytes(serialization.Encoding.PEM))
    server = scripted({"renewalInfo": f"{CA}/ari"})
    now = fake_clock.now().isoformat()
    server.script("GET", f"{CA}/ari/{cert_id(old)}", (200, {"suggestedWindow": {"start": now, "end": now}}, {}))
    result = run(params(tmp_path), False, fake_clock, server)
    assert "renewal window (ARI)" in result["certificates"][0]["reason"]
    assert payload(server.posts(f"{CA}/order")[0])["replaces"] == cert_id(old)


def test_fresh_certificate_orders_nothing(tmp_path, fake_clock):
    old, _key = make_cert(NAMES, days_left=60)
    (tmp_path / "cert.pem").write_bytes(old.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "account.key").write_bytes(key_pem(generate_key("ec256")))
    server = scripted()
    result = run(params(tmp_path), False, fake_clock, server)
    assert not result["changed"] and not result["certificates"][0]["needs_order"]
    assert result["account_url"] == f"{CA}/acct/1"
    assert server.posts(f"{CA}/order") == []


def test_check_mode_orders_and_writes_nothing(tmp_path, fake_clock):
    server = scripted()
    result = run(params(tmp_path), True, fake_clock, server)
    assert result["changed"] and result["certificates"][0]["needs_order"]
    assert [call[0] for call in server.calls] == ["GET"]
    assert not (tmp_path / "account.key").exists()


def test_failed_validation_returns_the_problem_and_deactivates(tmp_path, fake_clock):
    server = scripted()
    error = {"type": "urn:ietf:params:acme:error:unauthorized", "detail": "No TXT record found", "status": 403}
    server.script("POST", f"{CA}/authz/apex", (200, AUTHZ["apex"], {}), (200, authz("apex", "x.example.test", "invalid", error=error), {}))
    for name in ("apex", "wild"):
        server.script("POST", f"{CA}/chall/{name}", (200, challenge(name, "processing"), {"Link": f'<{CA}/authz/{name}>;rel="up"'}))
    with pytest.raises(AcmeError) as caught:
        run(params(tmp_path, step="complete", order_url=ORDER), False, fake_clock, server)
    failed = caught.value.details["certificates"][0]
    assert failed["failed"] and failed["problem"]["detail"] == "validation failed for x.example.test"
    assert failed["problem"]["subproblems"][0]["detail"] == "No TXT record found"
    assert failed["records"][0]["name"] == "_acme-challenge.x.example.test"
    assert "web" in caught.value.msg
    deactivations = [payload(call) for call in server.posts(f"{CA}/authz/wild") if call[2] and payload(call)]
    assert deactivations == [{"status": "deactivated"}]
    assert not (tmp_path / "cert.pem").exists()


def test_bad_input_fails_before_the_ca_is_contacted(tmp_path, fake_clock):
    server = scripted()
    with pytest.raises(InputError, match=r"certificates\[0\].names"):
        run(params(tmp_path, names=["a.*.example.test"]), False, fake_clock, server)
    assert server.calls == []
