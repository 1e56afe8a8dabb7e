# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The surfaces of acme_account and acme_revoke: docs matching the spec, early failures."""

from __future__ import annotations

import json

import pytest
import yaml
from ansible.module_utils.testing import patch_module_args

from ansible_collections.portable.dns01.plugins.doc_fragments.acme_account import ModuleDocFragment
from ansible_collections.portable.dns01.plugins.module_utils._acme.argspec import account_module_argument_spec, revoke_argument_spec
from ansible_collections.portable.dns01.plugins.modules import acme_account, acme_order, acme_revoke
from ansible_collections.portable.dns01.tests.unit.plugins.modules.test_acme_order import compare

UNREACHABLE = "https://127.0.0.1:9/dir"


def documented(module):
    options = yaml.safe_load(module.DOCUMENTATION)["options"]
    options.update(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"])
    return options


@pytest.mark.parametrize("module, spec", [(acme_account, account_module_argument_spec), (acme_revoke, revoke_argument_spec)])
def test_documentation_matches_the_argument_spec(module, spec):
    compare(spec(), documented(module))
    assert spec()["account_key_content"]["no_log"]


def run_module(module, capsys, **args):
    with patch_module_args(args), pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)


def test_revoking_a_missing_certificate_fails_before_the_ca_is_contacted(tmp_path, capsys):
    result = run_module(acme_revoke, capsys, directory=UNREACHABLE, cert_path=str(tmp_path / "none.pem"),
                        account_key_path=str(tmp_path / "a.key"))
    assert result["failed"] and result["field"] == "cert_path"


def test_rollover_with_key_content_fails_before_the_ca_is_contacted(tmp_path, capsys):
    result = run_module(acme_account, capsys, directory=UNREACHABLE, rollover=True,
                        account_key_content="-----BEGIN PRIVATE KEY-----secret")
    assert result["failed"] and result["field"] == "account_key_path"
    assert "secret" not in json.dumps(result)


@pytest.mark.parametrize("module", [acme_account, acme_revoke, acme_order])
def test_examples_and_return_are_yaml(module):
    assert yaml.safe_load(module.EXAMPLES)
    assert yaml.safe_load(module.RETURN)
