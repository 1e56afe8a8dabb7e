# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Both steps end to end against a scripted CA (HTTP-session seam, fake clock)."""

from __future__ import annotations

import datetime
import json

import josepy as jose
import pytest
import requests
from cryptography.hazmat.primitives import serialization

from ansible_collections.portable.dns01.plugins.module_utils._acme import state
from ansible_collections.portable.dns01.plugins.module_utils._acme.ari import cert_id
from ansible_collections.portable.dns01.plugins.module_utils._acme.certs import read_cert, same_public_key
from ansible_collections.portable.dns01.plugins.module_utils._acme.install import FileSpec, install
from ansible_collections.portable.dns01.plugins.module_utils._acme.keys import generate_key, key_pem, load_key
from ansible_collections.portable.dns01.plugins.module_utils._acme.run import run
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError, InputError
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._acme.fakes import FakeAcmeServer, Hang, make_cert, problem

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
                   "group": None, "mode": None, "order_url": None, "preferred_chain": None, "profile": None}
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
    old = issued_by_this_account(tmp_path)
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


def test_a_ca_that_stops_answering_cannot_stretch_the_validation_wait(tmp_path, fake_clock):
    """Each poll's requests, and their retries, end by validation_timeout, however long request_timeout is."""
    server = scripted()
    hang = Hang(fake_clock)
    server.script("POST", f"{CA}/authz/apex", (200, AUTHZ["apex"], {}), (200, AUTHZ["apex"], {}), hang)
    for name in ("apex", "wild"):
        server.script("POST", f"{CA}/chall/{name}", (200, challenge(name, "processing"), {"Link": f'<{CA}/authz/{name}>;rel="up"'}))
    settings = params(tmp_path, step="complete", order_url=ORDER)
    settings.update(request_timeout=30, validation_timeout=60)
    start = fake_clock.monotonic()
    with pytest.raises(AcmeError) as caught:
        run(settings, False, fake_clock, server)
    assert fake_clock.monotonic() - start <= 60
    assert f"{CA}/authz/apex" in caught.value.details["certificates"][0]["msg"]
    assert hang.timeouts and all(max(timeout) <= 60 for timeout in hang.timeouts)


def test_bad_input_fails_before_the_ca_is_contacted(tmp_path, fake_clock):
    server = scripted()
    with pytest.raises(InputError, match=r"certificates\[0\].names"):
        run(params(tmp_path, names=["a.*.example.test"]), False, fake_clock, server)
    assert server.calls == []


class Crash(BaseException):
    """Stands for SIGKILL in the middle of an install."""


def crashed_install(tmp_path, after):
    """An old pair installed, then a new pair's install killed right after the step ``after``."""
    old, old_key = make_cert(NAMES, days_left=60, serial=0x2001)
    new, new_key = make_cert(NAMES, days_left=90, serial=0x2002)
    (tmp_path / "cert.pem").write_bytes(old.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key_pem(old_key))

    def fault(label):
        if label == after:
            raise Crash(label)

    files = [FileSpec(str(tmp_path / "cert.pem"), new.public_bytes(serialization.Encoding.PEM), 0o644),
             FileSpec(str(tmp_path / "key.pem"), key_pem(new_key), 0o600)]
    with pytest.raises(Crash):
        install(files, "20261128T120000Z", fault=fault)
    return new


def pair_matches(tmp_path):
    cert = read_cert(str(tmp_path / "cert.pem"))
    return same_public_key(cert, load_key((tmp_path / "key.pem").read_bytes(), "key"))


def test_an_interrupted_install_is_repaired_before_the_ca_is_contacted(tmp_path, fake_clock):
    new = crashed_install(tmp_path, "renamed cert.pem")
    assert not pair_matches(tmp_path)
    server = scripted()
    server.script("GET", FakeAcmeServer.DIRECTORY, requests.ConnectionError("CA down"))
    with pytest.raises(AcmeError):
        run(params(tmp_path), False, fake_clock, server)
    assert pair_matches(tmp_path)
    assert read_cert(str(tmp_path / "cert.pem")).serial_number == new.serial_number
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []


def test_the_repair_is_reported_per_certificate_and_check_mode_only_reports_it(tmp_path, fake_clock):
    crashed_install(tmp_path, "renamed cert.pem")
    checked = run(params(tmp_path), True, fake_clock, scripted())
    assert checked["certificates"][0]["recovered"] == "pending"
    assert not pair_matches(tmp_path)
    result = run(params(tmp_path), False, fake_clock, scripted())
    assert result["certificates"][0]["recovered"] == "finished"
    assert pair_matches(tmp_path)


def issued_by_this_account(tmp_path, days_left=60, profile=None, account=f"{CA}/acct/1"):
    """An installed certificate with the record of the account (and profile) it was ordered with."""
    old, _key = make_cert(NAMES, days_left=days_left)
    (tmp_path / "cert.pem").write_bytes(old.public_bytes(serialization.Encoding.PEM))
    install([state.record(str(tmp_path / "cert.pem"), old, account, profile)], "20261101T000000Z")
    return old


LE_WINDOW_HEADERS = {"Retry-After": "21600", "Content-Type": "application/json"}


def ari_answer(start, end, explanation=None):
    body = {"suggestedWindow": {"start": start.isoformat().replace("+00:00", "Z"),
                                "end": end.isoformat().replace("+00:00", "Z")}}
    if explanation:
        body["explanationURL"] = explanation
    return (200, body, LE_WINDOW_HEADERS)


def test_renewal_information_is_not_fetched_again_before_retry_after(tmp_path, fake_clock):
    old = issued_by_this_account(tmp_path)
    now = fake_clock.now()
    url = f"{CA}/ari/{cert_id(old)}"
    ari_gets = []
    for hours_later in (0, 1, 5.9, 6.1):
        fake_clock.time = 1000.0 + hours_later * 3600
        server = scripted({"renewalInfo": f"{CA}/ari"})
        server.script("GET", url, ari_answer(now + datetime.timedelta(days=20), now + datetime.timedelta(days=22),
                                             "https://letsencrypt.org/docs/"))
        result = run(params(tmp_path), False, fake_clock, server)
        ari_gets.append(len([call for call in server.calls if call[1] == url]))
        info = result["certificates"][0]["renewal_info"]
        assert info["explanation_url"] == "https://letsencrypt.org/docs/"
        assert info["window"]["start"] == (now + datetime.timedelta(days=20)).isoformat()
        assert not result["certificates"][0]["needs_order"]
    assert ari_gets == [1, 0, 0, 1]


def test_replaces_is_sent_only_for_a_certificate_this_account_ordered(tmp_path, fake_clock):
    now = fake_clock.now()
    for account, sent in ((f"{CA}/acct/1", True), (f"{CA}/acct/other", False), (None, False)):
        directory = tmp_path / str(sent) / str(bool(account))
        directory.mkdir(parents=True)
        if account:
            old = issued_by_this_account(directory, account=account)
        else:
            old, _key = make_cert(NAMES, days_left=60)
            (directory / "cert.pem").write_bytes(old.public_bytes(serialization.Encoding.PEM))
        server = scripted({"renewalInfo": f"{CA}/ari"})
        server.script("GET", f"{CA}/ari/{cert_id(old)}", ari_answer(now - datetime.timedelta(days=1), now))
        result = run(params(directory), False, fake_clock, server)
        body = payload(server.posts(f"{CA}/order")[0])
        assert ("replaces" in body) is sent, account
        assert result["certificates"][0]["replaces"] == (cert_id(old) if sent else None)


@pytest.mark.parametrize("refusal", [
    problem("alreadyReplaced", "certificate already replaced", 409),
    problem("unauthorized", "requester account did not request the certificate being replaced by this order", 403),
    problem("malformed", "unable to find specified certificate to replace", 400),
])
def test_a_refused_replaces_falls_back_to_an_order_without_it(tmp_path, fake_clock, refusal):
    old = issued_by_this_account(tmp_path)
    now = fake_clock.now()
    server = scripted({"renewalInfo": f"{CA}/ari"})
    server.script("GET", f"{CA}/ari/{cert_id(old)}", ari_answer(now - datetime.timedelta(days=1), now))
    server.script("POST", f"{CA}/order", refusal, (201, ORDER_BODY, {"Location": ORDER}))
    result = run(params(tmp_path), False, fake_clock, server)
    bodies = [payload(call) for call in server.posts(f"{CA}/order")]
    assert [("replaces" in body) for body in bodies] == [True, False]
    assert result["certificates"][0]["order_url"] == ORDER
    assert result["certificates"][0]["replaces"] is None


LE_PROFILES = {"profiles": {"classic": "https://letsencrypt.org/docs/profiles#classic",
                            "shortlived": "https://letsencrypt.org/docs/profiles#shortlived",
                            "tlsserver": "https://letsencrypt.org/docs/profiles#tlsserver"}}


def test_an_unknown_profile_fails_naming_the_profiles_the_ca_offers_before_any_order(tmp_path, fake_clock):
    server = scripted({"meta": LE_PROFILES})
    with pytest.raises(InputError, match=r"certificates\[0\].profile: .*'tlsclient'.* classic, shortlived, tlsserver") as caught:
        run(params(tmp_path, profile="tlsclient"), False, fake_clock, server)
    assert caught.value.details["field"] == "certificates[0].profile"
    assert server.posts(f"{CA}/order") == [] and server.posts(f"{CA}/account") == []
    plain = scripted()
    with pytest.raises(InputError, match="offers no profiles"):
        run(params(tmp_path, profile="shortlived"), False, fake_clock, plain)


def test_the_profile_is_sent_in_the_order_and_a_changed_profile_orders_again(tmp_path, fake_clock):
    server = scripted({"meta": LE_PROFILES})
    run(params(tmp_path, profile="shortlived"), False, fake_clock, server)
    assert payload(server.posts(f"{CA}/order")[0])["profile"] == "shortlived"
    issued_by_this_account(tmp_path, profile="classic")
    server = scripted({"meta": LE_PROFILES})
    same = run(params(tmp_path, profile="classic"), False, fake_clock, server)
    assert not same["certificates"][0]["needs_order"]
    changed = run(params(tmp_path, profile="tlsserver"), False, fake_clock, server)
    assert changed["certificates"][0]["needs_order"]
    assert "profile 'classic', not 'tlsserver'" in changed["certificates"][0]["reason"]
    assert payload(server.posts(f"{CA}/order")[-1])["profile"] == "tlsserver"


OLD_ORDER = f"{CA}/order/old"


def test_create_replaces_an_order_the_ca_abandoned_and_says_so(tmp_path, fake_clock):
    expired = dict(ORDER_BODY, expires=(fake_clock.now() - datetime.timedelta(hours=1)).isoformat())
    for answer in ((200, dict(ORDER_BODY, status="invalid"), {}), (200, expired, {}), problem("malformed", "No order found", 404)):
        server = scripted()
        server.script("POST", OLD_ORDER, answer)
        result = run(params(tmp_path, order_url=OLD_ORDER), False, fake_clock, server)
        cert = result["certificates"][0]
        assert len(server.posts(f"{CA}/order")) == 1
        assert cert["order_url"] == ORDER and cert["abandoned_order"] == OLD_ORDER
        assert f"the order {OLD_ORDER}" in cert["reason"]


def test_complete_of_an_abandoned_order_places_one_new_order_and_returns_its_records(tmp_path, fake_clock):
    server = scripted()
    server.script("POST", OLD_ORDER, problem("malformed", "No order found for account ID 1", 404))
    with pytest.raises(AcmeError) as caught:
        run(params(tmp_path, step="complete", order_url=OLD_ORDER), False, fake_clock, server)
    failed = caught.value.details["certificates"][0]
    assert len(server.posts(f"{CA}/order")) == 1
    assert failed["order_url"] == ORDER and failed["abandoned_order"] == OLD_ORDER
    assert f"the CA abandoned the order {OLD_ORDER}" in failed["msg"] and "run step=complete" in failed["msg"]
    assert failed["problem"] is None
    assert failed["records"][0]["name"] == "_acme-challenge.x.example.test"
    # Nothing was answered: the new challenges are not published yet.
    assert [call for call in server.calls if "/chall/" in call[1]] == []


def test_complete_of_an_order_that_failed_validation_does_not_order_again(tmp_path, fake_clock):
    server = scripted()
    error = {"type": "urn:ietf:params:acme:error:unauthorized", "detail": "No TXT record found", "status": 403}
    server.script("POST", OLD_ORDER, (200, dict(ORDER_BODY, status="invalid"), {}))
    server.script("POST", f"{CA}/authz/apex", (200, authz("apex", "x.example.test", "invalid", error=error), {}))
    with pytest.raises(AcmeError) as caught:
        run(params(tmp_path, step="complete", order_url=OLD_ORDER), False, fake_clock, server)
    assert server.posts(f"{CA}/order") == []
    assert "invalid" in caught.value.details["certificates"][0]["msg"]


def test_a_changed_mode_is_applied_to_installed_files_without_a_new_order(tmp_path, fake_clock):
    issued_by_this_account(tmp_path)
    (tmp_path / "account.key").write_bytes(key_pem(generate_key("ec256")))
    (tmp_path / "cert.pem").chmod(0o644)
    (tmp_path / "key.pem").write_bytes(key_pem(generate_key("ec256")))
    (tmp_path / "key.pem").chmod(0o640)
    server = scripted()
    checked = run(params(tmp_path, mode="0640"), True, fake_clock, server)
    assert checked["changed"] and (tmp_path / "cert.pem").stat().st_mode & 0o777 == 0o644
    result = run(params(tmp_path, mode="0640"), False, fake_clock, server)
    cert = result["certificates"][0]
    assert result["changed"] and not cert["needs_order"]
    assert sorted(cert["attributes_changed"]) == sorted([str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")])
    assert (tmp_path / "cert.pem").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "key.pem").stat().st_mode & 0o777 == 0o600
    again = run(params(tmp_path, mode="0640"), False, fake_clock, server)
    assert not again["changed"] and again["certificates"][0]["attributes_changed"] == []
    assert server.posts(f"{CA}/order") == []


def test_files_keep_their_attributes_when_none_are_asked_for(tmp_path, fake_clock):
    issued_by_this_account(tmp_path)
    (tmp_path / "account.key").write_bytes(key_pem(generate_key("ec256")))
    (tmp_path / "cert.pem").chmod(0o600)
    result = run(params(tmp_path), False, fake_clock, scripted())
    assert not result["changed"] and (tmp_path / "cert.pem").stat().st_mode & 0o777 == 0o600
