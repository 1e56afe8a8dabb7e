# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module end to end: look, acknowledge, look again; renewal-role definitions accepted as they are."""

from __future__ import annotations

import datetime
import json
import typing as t

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.portable.dns01.plugins.modules import certificate_expiry
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._expiry.fakes import make_cert, write_cert


def run_module(capsys, **args: t.Any) -> dict[str, t.Any]:
    with patch_module_args(args), pytest.raises(SystemExit):
        certificate_expiry.main()
    return json.loads(capsys.readouterr().out)


def test_look_acknowledge_look(tmp_path, capsys):
    now = datetime.datetime.now(datetime.timezone.utc)
    renewal_definition = {"id": "www", "names": ["www.example.test"], "providers": ["primary"], "key_type": "ec256",
                          "cert_path": write_cert(tmp_path / "www.crt", make_cert(now, 10)),
                          "key_path": str(tmp_path / "www.key")}
    state = str(tmp_path / "state.json")
    first = run_module(capsys, certificates=[renewal_definition], source="web1", state_path=state)
    assert first["changed"] is False and first["certificates"][0]["status"] == "warning"
    assert [event["dedup_key"] for event in first["events"]] == ["dns01/web1/www/expiry"]
    acked = run_module(capsys, acknowledge=first["events"], state_path=state)
    assert acked["changed"] is True and acked["open_alerts"] == ["dns01/web1/www/expiry"]
    assert run_module(capsys, certificates=[renewal_definition], source="web1", state_path=state)["events"] == []


def test_looking_needs_a_source(tmp_path, capsys):
    failed = run_module(capsys, certificates=[])
    assert failed["failed"] is True and failed["field"] == "source"
