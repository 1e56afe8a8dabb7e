# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""acme_order against the lab's Pebble instances, answering dns-01 through the lab's BIND.

The TXT records are published here with a plain dnspython TSIG update: these
tests are about ordering, so they do not depend on the publishing modules.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
import uuid

import dns.message
import dns.query
import dns.rdatatype
import dns.rcode
import dns.tsigkeyring
import dns.update
import pytest
from cryptography import x509

from ansible_collections.portable.dns01.plugins.module_utils._acme.keys import KEY_TYPES, key_type_of
from ansible_collections.portable.dns01.plugins.module_utils._acme.run import run
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError

pytestmark = pytest.mark.lab


class Zone:
    """TXT records in the lab's fallback.test zone, over RFC 2136 with TSIG."""

    def __init__(self, lab):
        self.resolver = lab["LAB_RESOLVER"]
        self.server = lab["LAB_BIND_SERVER"]
        self.zone = lab["LAB_BIND_ZONE"]
        self.algorithm = lab["LAB_BIND_TSIG_ALGORITHM"]
        self.keyring = dns.tsigkeyring.from_text({lab["LAB_BIND_TSIG_NAME"]: (self.algorithm, lab["LAB_BIND_TSIG_SECRET"])})

    def _send(self, change, records):
        update = dns.update.UpdateMessage(self.zone, keyring=self.keyring, keyalgorithm=self.algorithm)
        for record in records:
            for value in record["values"]:
                if change == "add":
                    update.add(record["name"] + ".", 1, "TXT", value)
                else:
                    update.delete(record["name"] + ".", "TXT", value)
        answer = dns.query.tcp(update, self.server, timeout=10)
        assert answer.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(answer.rcode())

    def _served(self, record):
        query = dns.message.make_query(record["name"] + ".", "TXT")
        answer = dns.query.udp(query, self.resolver, timeout=5)
        served = {b"".join(rdata.strings).decode() for rrset in answer.answer for rdata in rrset if rrset.rdtype == dns.rdatatype.TXT}
        return set(record["values"]) <= served

    def wait_served(self, records, seconds=30):
        """Like propagation_wait, but at the resolver Pebble asks: it may still hold an older answer."""
        end = time.monotonic() + seconds
        while not all(self._served(record) for record in records):
            assert time.monotonic() < end, f"the lab resolver does not serve {records}"
            time.sleep(0.5)

    @contextlib.contextmanager
    def published(self, records):
        if records:
            self._send("add", records)
            self.wait_served(records)
        try:
            yield
        finally:
            if records:
                self._send("delete", records)


def fresh_name(lab):
    """A name no earlier run validated, so no cached answer or reused authorization interferes."""
    return f"t{uuid.uuid4().hex[:10]}.{lab['LAB_BIND_ZONE']}"


def certificate(tmp_path, names, label="web", **extra):
    return dict({"id": label, "names": names, "cert_path": str(tmp_path / f"{label}.crt"),
                 "key_path": str(tmp_path / f"{label}.key"), "chain_path": str(tmp_path / f"{label}.chain.pem"),
                 "fullchain_path": str(tmp_path / f"{label}.fullchain.pem"), "key_type": "ec256", "reuse_key": False,
                 "owner": None, "group": None, "mode": None, "order_url": None, "preferred_chain": None}, **extra)


def params(lab, tmp_path, certificates, directory="LAB_PEBBLE_DIRECTORY", **extra):
    return dict({"directory": lab[directory], "ca_bundle": lab["LAB_TLS_CA_BUNDLE"], "validate_certs": True,
                 "request_timeout": 30, "account_key_path": str(tmp_path / "account.key"), "account_key_content": None,
                 "account_key_type": "ec256", "account_email": "hostmaster@fallback.test", "terms_agreed": True,
                 "eab_kid": None, "eab_hmac_key": None, "step": "create", "certificates": certificates,
                 "renew_before_days": 30, "force": False, "deactivate_on_failure": True, "concurrency": 8,
                 "validation_timeout": 120}, **extra)


def with_orders(certificates, created):
    urls = {result["id"]: result["order_url"] for result in created["certificates"]}
    return [dict(cert, order_url=urls[cert["id"]]) for cert in certificates if urls[cert["id"]]]


def issue(lab, tmp_path, certificates, **extra):
    """step=create, publish, step=complete in a separate call, clean up: like a playbook does."""
    created = run(params(lab, tmp_path, certificates, **extra), False)
    with Zone(lab).published(created["records"]):
        completed = run(params(lab, tmp_path, with_orders(certificates, created), step="complete", **extra), False)
    return created, completed


def verify(root, cert):
    command = ["openssl", "verify", "-CAfile", root, "-untrusted", cert["chain_path"], cert["cert_path"]]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def load(path):
    with open(path, "rb") as handle:
        return x509.load_pem_x509_certificate(handle.read())


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_each_key_type_issues_and_verifies(lab_config, tmp_path, key_type):
    cert = certificate(tmp_path, [fresh_name(lab_config)], key_type=key_type)
    _created, completed = issue(lab_config, tmp_path, [cert])
    assert completed["certificates"][0]["certificate"]["key_type"] == key_type
    assert key_type_of(load(cert["cert_path"]).public_key()) == key_type
    verify(lab_config["LAB_PEBBLE_ROOT"], cert)


def test_apex_and_wildcard_share_one_record_and_resume_in_a_second_call(lab_config, tmp_path):
    apex = fresh_name(lab_config)
    cert = certificate(tmp_path, [apex, f"*.{apex}"])
    created, completed = issue(lab_config, tmp_path, [cert])
    assert created["records"] == [{"name": f"_acme-challenge.{apex}", "values": created["records"][0]["values"]}]
    assert len(created["records"][0]["values"]) == 2
    assert sorted(completed["certificates"][0]["certificate"]["names"]) == sorted([apex, f"*.{apex}"])
    assert (tmp_path / "web.key").stat().st_mode & 0o777 == 0o600
    verify(lab_config["LAB_PEBBLE_ROOT"], cert)


def test_second_run_changes_nothing(lab_config, tmp_path):
    cert = certificate(tmp_path, [fresh_name(lab_config)])
    issue(lab_config, tmp_path, [cert])
    again = run(params(lab_config, tmp_path, [cert]), False)
    assert not again["changed"] and again["records"] == []
    assert not again["certificates"][0]["needs_order"]
    checked = run(params(lab_config, tmp_path, [cert]), True)
    assert not checked["changed"]


def test_many_names_and_many_certificates_at_once(lab_config, tmp_path):
    base = fresh_name(lab_config)
    many = certificate(tmp_path, [base] + [f"n{i}.{base}" for i in range(30)], label="many")
    others = [certificate(tmp_path, [fresh_name(lab_config)], label=f"c{i}") for i in range(5)]
    _created, completed = issue(lab_config, tmp_path, [many] + others)
    assert [result["failed"] for result in completed["certificates"]] == [False] * 6
    assert len(load(many["cert_path"]).extensions.get_extension_for_class(x509.SubjectAlternativeName).value) == 31
    for cert in [many] + others:
        verify(lab_config["LAB_PEBBLE_ROOT"], cert)


def test_external_account_binding(lab_config, tmp_path):
    cert = certificate(tmp_path, [fresh_name(lab_config)])
    _created, completed = issue(lab_config, tmp_path, [cert], directory="LAB_PEBBLE_EAB_DIRECTORY",
                                eab_kid=lab_config["LAB_PEBBLE_EAB_KID"], eab_hmac_key=lab_config["LAB_PEBBLE_EAB_HMAC_KEY"])
    assert completed["account_url"].startswith(lab_config["LAB_PEBBLE_EAB_DIRECTORY"].rsplit("/", 1)[0])
    verify(lab_config["LAB_PEBBLE_EAB_ROOT"], cert)


def test_eab_directory_refuses_an_account_without_binding(lab_config, tmp_path):
    cert = certificate(tmp_path, [fresh_name(lab_config)])
    with pytest.raises(AcmeError) as caught:
        run(params(lab_config, tmp_path, [cert], directory="LAB_PEBBLE_EAB_DIRECTORY"), False)
    assert "external account binding" in caught.value.details["certificates"][0]["msg"]


@pytest.mark.parametrize("directory, root", [("LAB_PEBBLE_DIRECTORY", "LAB_PEBBLE_ROOT"),
                                             ("LAB_PEBBLE_STRICT_DIRECTORY", "LAB_PEBBLE_STRICT_ROOT")])
def test_nonce_rejections_do_not_fail_runs(lab_config, tmp_path, directory, root):
    # 5 % and 20 % of nonces are refused; ten certificates make hundreds of signed requests.
    certs = [certificate(tmp_path, [fresh_name(lab_config)], label=f"c{i}") for i in range(10)]
    _created, completed = issue(lab_config, tmp_path, certs, directory=directory)
    assert not any(result["failed"] for result in completed["certificates"])
    for cert in certs:
        verify(lab_config[root], cert)


def test_failed_validation_returns_the_problem_and_keeps_old_files(lab_config, tmp_path):
    name = fresh_name(lab_config)
    cert = certificate(tmp_path, [name, f"*.{name}"])
    (tmp_path / "web.crt").write_text("old certificate\n")
    created = run(params(lab_config, tmp_path, [cert]), False)
    # Nothing is published: Pebble finds no TXT record.
    with pytest.raises(AcmeError) as caught:
        run(params(lab_config, tmp_path, with_orders([cert], created), step="complete"), False)
    result = caught.value.details["certificates"][0]
    assert result["failed"] and "web" in caught.value.msg
    problem = result["problem"]
    assert problem["type"].startswith("urn:ietf:params:acme:error:")
    assert {sub["identifier"]["value"] for sub in problem["subproblems"]} <= {name}
    assert problem["subproblems"][0]["detail"]
    assert result["records"] == created["records"]
    assert (tmp_path / "web.crt").read_text() == "old certificate\n"
    assert not (tmp_path / "web.key").exists()


def test_force_renews_with_a_backup_and_reuse_key_keeps_the_key(lab_config, tmp_path):
    cert = certificate(tmp_path, [fresh_name(lab_config)], reuse_key=True)
    issue(lab_config, tmp_path, [cert])
    first_key = (tmp_path / "web.key").read_bytes()
    first_cert = (tmp_path / "web.crt").read_bytes()
    _created, completed = issue(lab_config, tmp_path, [cert], force=True)
    backups = completed["certificates"][0]["backup_files"]
    assert open(backups[cert["cert_path"]], "rb").read() == first_cert
    assert (tmp_path / "web.key").read_bytes() == first_key
    assert cert["key_path"] not in backups


def test_two_accounts_in_one_call(lab_config, tmp_path):
    first = certificate(tmp_path, [fresh_name(lab_config)], label="first")
    second = certificate(tmp_path, [fresh_name(lab_config)], label="second",
                         account={"directory": None, "key_path": str(tmp_path / "second-account.key"),
                                  "key_content": None, "key_type": "ec384", "email": "second@fallback.test"})
    created, completed = issue(lab_config, tmp_path, [first, second])
    urls = [result["account_url"] for result in completed["certificates"]]
    assert [result["account_url"] for result in created["certificates"]] == urls
    assert urls[0] == completed["account_url"] and urls[1] != urls[0] and all(urls)
    assert (tmp_path / "second-account.key").stat().st_mode & 0o777 == 0o600
    for cert in (first, second):
        verify(lab_config["LAB_PEBBLE_ROOT"], cert)
