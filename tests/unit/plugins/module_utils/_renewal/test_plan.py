# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import copy
import os
import stat

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._renewal.plan import check, collect_secrets, settle

PROVIDERS = [
    {"name": "primary", "type": "lexicon", "zone": "example.test",
     "lexicon": {"provider": "powerdns", "options": {"auth_token": "api-key-secret", "pdns_server": "http://x"}}},
    {"name": "onprem", "type": "rfc2136", "rfc2136": {"server": "ns1", "key_name": "k", "key_secret": "tsig-secret"}},
    {"name": "acmedns", "type": "acme_dns", "acme_dns": {"api_url": "http://a", "username": "u", "password": "acme-dns-password",
                                                         "subdomain": "s"}},
]


def options(tmp_path, **changes):
    certs = [{"id": "web", "names": ["example.test"], "providers": ["primary", "onprem"],
              "cert_path": str(tmp_path / "certs" / "web.crt"), "key_path": str(tmp_path / "keys" / "web.key")}]
    base = {"certificates": certs, "providers": copy.deepcopy(PROVIDERS),
            "settings": {"strategy": "failover", "ttl": 60, "lock_backend": "file", "lock_directory": str(tmp_path / "lock")},
            "account_key_path": str(tmp_path / "account" / "account.key"), "create_directories": True, "dry_run": False}
    base.update(changes)
    return base


def test_every_problem_is_reported_at_once(tmp_path, monkeypatch):
    monkeypatch.delenv("DNS01_TSIG_SECRET", raising=False)
    opts = options(tmp_path)
    opts["providers"].append({"name": "cloud", "type": "cloudflare"})
    opts["providers"][1] = {"name": "onprem", "type": "rfc2136", "rfc2136": {"server": "ns1", "key_name": "k"}}
    opts["certificates"][0]["providers"].append("nowhere")
    opts["settings"]["ttl"] = -5
    opts["certificates"][0]["cert_path"] = str(tmp_path / "file" / "web.crt")
    (tmp_path / "file").write_text("not a directory")
    problems = check(opts).problems
    assert any("cloud: type 'cloudflare'" in problem for problem in problems)
    assert any("onprem: rfc2136.key_secret is missing" in problem for problem in problems)
    assert any("'nowhere', which is not in dns01_renewal_providers" in problem for problem in problems)
    assert any("dns01_renewal_ttl must be positive" in problem for problem in problems)
    assert any(f"{tmp_path / 'file'} is not a directory" in problem for problem in problems)
    with pytest.raises(InputError, match="5 problems"):
        settle(opts, check_mode=False)
    assert not (tmp_path / "account").exists()


def test_the_expiry_role_s_endpoints_are_left_to_it(tmp_path):
    """roles/expiry/README.md: `endpoints` on a certificate of dns01_renewal_certificates is ignored by the renewal."""
    opts = options(tmp_path)
    opts["certificates"][0]["endpoints"] = ["www.example.test:443", {"host": "10.0.0.5", "port": 8443}]
    assert check(opts).problems == []
    assert "endpoints" not in settle(opts, check_mode=True)["certificates"][0]


def test_tsig_secret_from_the_environment_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("DNS01_TSIG_SECRET", "from-env")
    opts = options(tmp_path)
    opts["providers"][1]["rfc2136"].pop("key_secret")
    assert check(opts).problems == []


def test_secrets_are_collected_even_from_broken_definitions():
    broken = [{**PROVIDERS[0], "unknown": 1}, PROVIDERS[1], {**PROVIDERS[2], "type": "nonsense"}]
    assert {"api-key-secret", "tsig-secret", "acme-dns-password"} <= collect_secrets(broken)
    assert "primary" not in collect_secrets(broken)


def test_missing_directories_are_made_and_existing_ones_left_alone(tmp_path):
    (tmp_path / "certs").mkdir(mode=0o700)
    os.chmod(tmp_path / "certs", 0o700)
    result = settle(options(tmp_path), check_mode=False)
    assert stat.S_IMODE((tmp_path / "certs").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "account").stat().st_mode) == 0o700
    assert str(tmp_path / "certs") not in result["created_directories"]
    assert result["chains"] == {"web": ["primary", "onprem"]}
    assert "providers" not in result["certificates"][0]


def test_check_mode_creates_nothing(tmp_path):
    settle(options(tmp_path), check_mode=True)
    assert not (tmp_path / "keys").exists()


def test_account_key_from_the_environment_skips_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv("DNS01_ACME_ACCOUNT_KEY_CONTENT", "-----BEGIN EC PRIVATE KEY-----")
    result = settle(options(tmp_path), check_mode=False)
    assert result["account_key_from_env"] is True
    assert not (tmp_path / "account").exists()


def test_dry_run_points_every_file_into_a_new_directory(tmp_path):
    result = settle(options(tmp_path, dry_run=True), check_mode=False)
    try:
        assert result["certificates"][0]["cert_path"] == os.path.join(result["dry_run_dir"], "web-web.crt")
        assert not (tmp_path / "certs").exists()
    finally:
        os.rmdir(result["dry_run_dir"])


def test_a_certificate_may_name_its_own_account(tmp_path):
    opts = options(tmp_path)
    account = {"key_path": str(tmp_path / "other" / "account.key"), "email": "api@example.test",
               "directory": "https://ca.example.test/dir"}
    opts["certificates"][0]["account"] = account
    result = settle(opts, check_mode=False)
    assert result["certificates"][0]["account"] == account
    assert stat.S_IMODE((tmp_path / "other").stat().st_mode) == 0o700


def test_a_certificate_account_key_content_is_refused_without_echoing_it(tmp_path):
    opts = options(tmp_path)
    opts["certificates"][0]["account"] = {"key_content": "-----BEGIN EC PRIVATE KEY----- secret"}
    opts["certificates"][0]["account_key_path"] = "/x"
    problems = check(opts).problems
    assert any("account.key_content" in problem and "key_path" in problem for problem in problems)
    assert any("unknown keys account_key_path" in problem for problem in problems)
    assert not any("secret" in problem for problem in problems)


def test_dry_run_orders_every_account_from_the_dry_run_directory(tmp_path):
    opts = options(tmp_path, dry_run=True)
    opts["certificates"][0]["account"] = {"key_path": str(tmp_path / "account" / "other.key"),
                                          "directory": "https://production.example.test/dir"}
    result = settle(opts, check_mode=False)
    try:
        assert "directory" not in result["certificates"][0]["account"]
        assert result["certificates"][0]["account"]["key_path"] == str(tmp_path / "account" / "other.key")
        assert opts["certificates"][0]["account"]["directory"] == "https://production.example.test/dir"
    finally:
        os.rmdir(result["dry_run_dir"])


def test_hooks_are_allowed_and_kept_out_of_the_orders(tmp_path):
    opts = options(tmp_path)
    opts["certificates"][0]["hooks"] = {
        "services": [{"name": "nginx", "state": "reloaded"}],
        "commands": ["/usr/local/bin/deploy", ["/usr/bin/logger", "-t", "dns01", "renewed"]],
        "copy_to": [{"host": "web2", "owner": "root", "group": "root", "mode": "0644"}],
    }
    assert check(opts).problems == []
    result = settle(opts, check_mode=True)
    assert "hooks" not in result["certificates"][0]


@pytest.mark.parametrize("hooks, expected", [
    ({"scripts": ["/bin/true"]}, "hooks: unknown hook kinds scripts (known: commands, copy_to, services)"),
    (["/bin/true"], "hooks must be a dictionary"),
    ({"services": [{"name": "nginx", "state": "bounced"}]}, "hooks.services[0]: state must be one of"),
    ({"services": [{"state": "reloaded"}]}, "hooks.services[0]: name is required"),
    ({"services": [{"name": "nginx", "enabled": True}]}, "hooks.services[0]: unknown keys enabled"),
    ({"services": "nginx"}, "hooks.services must be a list"),
    ({"services": ["nginx"]}, "hooks.services[0] must be a dictionary with name and state"),
    ({"commands": [["/bin/echo", 5]]}, "hooks.commands[0] must be a program path or a non-empty list of strings"),
    ({"commands": [[]]}, "hooks.commands[0] must be a program path or a non-empty list of strings"),
    ({"commands": ["relative/x"]}, "hooks.commands[0]: the program must be an absolute path"),
    ({"copy_to": [{"owner": "root"}]}, "hooks.copy_to[0]: host is required"),
    ({"copy_to": [{"host": "web2", "mode": "rw"}]}, "hooks.copy_to[0]: mode must be an octal string"),
    ({"copy_to": [{"host": "web2", "path": "/x"}]}, "hooks.copy_to[0]: unknown keys path"),
    ({"copy_to": ["web2"]}, "hooks.copy_to[0] must be a dictionary with host, owner, group and mode"),
    ({"copy_to": "web2"}, "hooks.copy_to must be a list"),
])
def test_bad_hooks_fail_before_any_call(tmp_path, hooks, expected):
    opts = options(tmp_path)
    opts["certificates"][0]["hooks"] = hooks
    problems = check(opts).problems
    assert any(expected in problem for problem in problems), problems
    with pytest.raises(InputError):
        settle(opts, check_mode=False)
    assert not (tmp_path / "account").exists()
