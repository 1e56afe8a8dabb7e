# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Against the lab's Pebble 2.4: account lifecycle, revocation, profiles (absent there), crash recovery, backups."""

from __future__ import annotations

import pytest
from ansible_collections.portable.dns01.plugins.module_utils._acme import account, certs, keys, revoke
from ansible_collections.portable.dns01.plugins.module_utils._acme.install import FileSpec, install
from ansible_collections.portable.dns01.plugins.module_utils._acme.run import run
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError, InputError

from ansible_collections.portable.dns01.tests.integration.lab.test_acme_order_lab import certificate, fresh_name, issue, params

pytestmark = pytest.mark.lab


def account_params(lab, tmp_path, **extra):
    return dict({"directory": lab["LAB_PEBBLE_DIRECTORY"], "ca_bundle": lab["LAB_TLS_CA_BUNDLE"], "validate_certs": True,
                 "request_timeout": 30, "account_key_path": str(tmp_path / "account.key"), "account_key_content": None,
                 "account_key_type": "ec256", "account_email": "hostmaster@fallback.test", "terms_agreed": True,
                 "eab_kid": None, "eab_hmac_key": None, "state": "present", "contact": None, "rollover": False,
                 "new_account_key_type": None, "keep_backups": 2}, **extra)


def revoke_params(lab, tmp_path, cert, **extra):
    return dict({"directory": lab["LAB_PEBBLE_DIRECTORY"], "ca_bundle": lab["LAB_TLS_CA_BUNDLE"], "validate_certs": True,
                 "request_timeout": 30, "account_key_path": str(tmp_path / "account.key"), "account_key_content": None,
                 "account_key_type": "ec256", "account_email": None, "terms_agreed": False, "eab_kid": None,
                 "eab_hmac_key": None, "cert_path": cert["cert_path"], "private_key_path": None,
                 "reason": "unspecified"}, **extra)


def test_account_contact_rollover_and_deactivation(lab_config, tmp_path):
    created = account.run_module(account_params(lab_config, tmp_path), False)
    assert created["changed"] and created["status"] == "valid"
    assert created["contact"] == ["mailto:hostmaster@fallback.test"]
    same = account.run_module(account_params(lab_config, tmp_path), False)
    assert not same["changed"]
    updated = account.run_module(account_params(lab_config, tmp_path, contact=["security@fallback.test"]), False)
    assert updated["changed"] and updated["contact"] == ["mailto:security@fallback.test"]
    assert not account.run_module(account_params(lab_config, tmp_path, contact=["security@fallback.test"]), False)["changed"]

    old_key = (tmp_path / "account.key").read_bytes()
    rolled = account.run_module(account_params(lab_config, tmp_path, rollover=True, new_account_key_type="ec384",
                                               contact=["security@fallback.test"]), False)
    assert rolled["rolled_over"] and rolled["account_url"] == created["account_url"]
    assert (tmp_path / "account.key").read_bytes() != old_key
    # The CA now knows the account by the new key only.
    after = account.run_module(account_params(lab_config, tmp_path, contact=["security@fallback.test"]), False)
    assert after["account_url"] == created["account_url"] and not after["changed"]
    (tmp_path / "old.key").write_bytes(old_key)
    old = account.run_module(account_params(lab_config, tmp_path, account_key_path=str(tmp_path / "old.key"),
                                            state="absent"), False)
    assert old["status"] == "absent" and not old["changed"]

    gone = account.run_module(account_params(lab_config, tmp_path, state="absent"), False)
    assert gone["changed"] and gone["status"] == "deactivated"
    again = account.run_module(account_params(lab_config, tmp_path, state="absent"), False)
    assert not again["changed"] and again["status"] == "deactivated"


@pytest.mark.parametrize("signer", ["account_key", "certificate_key"])
def test_revocation_then_revoking_again_changes_nothing(lab_config, tmp_path, signer):
    cert = certificate(tmp_path, [fresh_name(lab_config)])
    issue(lab_config, tmp_path, [cert])
    extra = {"private_key_path": cert["key_path"], "account_key_path": None} if signer == "certificate_key" else {}
    first = revoke.run_module(revoke_params(lab_config, tmp_path, cert, reason="keyCompromise", **extra), False)
    assert first["changed"] and first["signed_with"] == signer
    second = revoke.run_module(revoke_params(lab_config, tmp_path, cert, reason="keyCompromise", **extra), False)
    assert not second["changed"] and second["already_revoked"]


def test_a_profile_fails_clearly_on_a_ca_without_profiles(lab_config, tmp_path):
    cert = dict(certificate(tmp_path, [fresh_name(lab_config)]), profile="shortlived")
    with pytest.raises(InputError, match="this CA offers no profiles"):
        run(params(lab_config, tmp_path, [cert]), False)


def test_an_interrupted_install_is_finished_by_the_next_run(lab_config, tmp_path):
    cert = certificate(tmp_path, [fresh_name(lab_config)])
    issue(lab_config, tmp_path, [cert])
    first = ((tmp_path / "web.crt").read_bytes(), (tmp_path / "web.key").read_bytes())
    issue(lab_config, tmp_path, [cert], force=True)
    second = ((tmp_path / "web.crt").read_bytes(), (tmp_path / "web.key").read_bytes())
    assert first != second

    class Crash(BaseException):
        pass

    def crash_after_the_certificate(label):
        if label == "renamed web.crt":
            raise Crash(label)

    # Install the first pair again and die between the certificate and the key.
    with pytest.raises(Crash):
        install([FileSpec(cert["cert_path"], first[0], 0o644), FileSpec(cert["key_path"], first[1], 0o600)],
                "20261130T000000Z", anchor=cert["cert_path"], fault=crash_after_the_certificate)
    leaf = certs.read_cert(cert["cert_path"])
    assert not certs.same_public_key(leaf, keys.load_key((tmp_path / "web.key").read_bytes(), "key"))
    result = run(params(lab_config, tmp_path, [cert]), False)
    assert result["certificates"][0]["recovered"] == "finished"
    assert ((tmp_path / "web.crt").read_bytes(), (tmp_path / "web.key").read_bytes()) == first
    leaf = certs.read_cert(cert["cert_path"])
    assert certs.same_public_key(leaf, keys.load_key((tmp_path / "web.key").read_bytes(), "key"))
    assert not [path for path in tmp_path.iterdir() if path.name.endswith((".tmp", ".install.json"))]


def test_renewals_keep_only_the_newest_backups(lab_config, tmp_path):
    cert = certificate(tmp_path, [fresh_name(lab_config)])
    issue(lab_config, tmp_path, [cert])
    for _round in range(3):
        issue(lab_config, tmp_path, [cert], force=True, keep_backups=1)
    key_backups = [path for path in tmp_path.iterdir() if path.name.startswith("web.key.") and path.name.endswith(".bak")]
    assert len(key_backups) == 1
    assert key_backups[0].stat().st_mode & 0o777 == 0o600
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".tmp")]


def test_revoking_with_a_key_of_another_certificate_is_refused(lab_config, tmp_path):
    cert = certificate(tmp_path, [fresh_name(lab_config)])
    issue(lab_config, tmp_path, [cert])
    (tmp_path / "other.key").write_bytes(keys.key_pem(keys.generate_key("ec256")))
    with pytest.raises(InputError):
        revoke.run_module(revoke_params(lab_config, tmp_path, cert, private_key_path=str(tmp_path / "other.key")), False)
    with pytest.raises(AcmeError):
        revoke.run_module(revoke_params(lab_config, tmp_path, cert, account_key_path=str(tmp_path / "other.key")), False)
