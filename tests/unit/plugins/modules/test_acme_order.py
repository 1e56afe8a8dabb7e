# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module's surface: argument handling, early failures, docs matching the spec."""

from __future__ import annotations

import json

import pytest
import yaml
from ansible.module_utils.testing import patch_module_args

from ansible_collections.portable.dns01.plugins.doc_fragments.acme_account import ModuleDocFragment
from ansible_collections.portable.dns01.plugins.module_utils._acme.argspec import order_argument_spec
from ansible_collections.portable.dns01.plugins.modules import acme_order

# Nothing listens here: reaching the CA would fail with a connection error, not an input error.
UNREACHABLE = "https://127.0.0.1:9/dir"


def run_module(capsys, **args):
    with patch_module_args(args), pytest.raises(SystemExit):
        acme_order.main()
    return json.loads(capsys.readouterr().out)


def certificate(tmp_path, **extra):
    return dict({"names": ["x.example.test"], "cert_path": str(tmp_path / "c.pem"), "key_path": str(tmp_path / "k.pem")}, **extra)


@pytest.mark.parametrize("names, field", [
    (["a.*.example.test"], "certificates[0].names"),
    (["192.0.2.7"], "certificates[0].names"),
    ([], "certificates[0].names"),
])
def test_bad_names_fail_before_the_ca_is_contacted(tmp_path, capsys, names, field):
    result = run_module(capsys, directory=UNREACHABLE, account_key_path=str(tmp_path / "a.key"),
                        certificates=[certificate(tmp_path, names=names)])
    assert result["failed"] and result["error_class"] == "InputError"
    assert result["field"] == field
    assert not (tmp_path / "a.key").exists()


def test_two_certificates_writing_one_file_are_refused(tmp_path, capsys):
    result = run_module(capsys, directory=UNREACHABLE, account_key_path=str(tmp_path / "a.key"),
                        certificates=[certificate(tmp_path, id="one"), certificate(tmp_path, id="two")])
    assert result["field"] == "certificates[1].cert_path"


def test_unknown_directory_shorthand(tmp_path, capsys):
    result = run_module(capsys, directory="letsencrypt-prod", account_key_path=str(tmp_path / "a.key"),
                        certificates=[certificate(tmp_path)])
    assert result["field"] == "directory"
    assert "letsencrypt_staging" in result["msg"]


def test_secrets_are_not_logged(tmp_path, capsys):
    result = run_module(capsys, directory=UNREACHABLE, account_key_content="-----BEGIN PRIVATE KEY-----secret",
                        eab_kid="kid", eab_hmac_key="c2VjcmV0LWhtYWM", certificates=[certificate(tmp_path)])
    assert result["field"] == "account_key_content"
    assert "c2VjcmV0LWhtYWM" not in json.dumps(result)


def documented_options():
    options = yaml.safe_load(acme_order.DOCUMENTATION)["options"]
    options.update(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"])
    return options


def compare(spec, docs, path=""):
    assert sorted(spec) == sorted(docs), path
    for name, option in spec.items():
        doc = docs[name]
        where = f"{path}{name}"
        assert doc.get("type", "str") == option.get("type", "str"), where
        assert doc.get("default") == option.get("default"), where
        assert doc.get("required", False) == option.get("required", False), where
        assert doc.get("choices") == option.get("choices"), where
        assert doc.get("elements") == option.get("elements"), where
        if "options" in option:
            compare(option["options"], doc["suboptions"], f"{where}.")


def test_documentation_matches_the_argument_spec():
    compare(order_argument_spec(), documented_options())
    spec = order_argument_spec()
    assert spec["account_key_content"]["no_log"] and spec["eab_hmac_key"]["no_log"]
