# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module end to end against a local TSIG-checking DNS server."""

from __future__ import annotations

import json
import typing as t

import dns.name
import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.portable.dns01.plugins.modules import dns_challenge_publish
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._publish.fakes import SECRET, running_update_server

NAME = "_acme-challenge.fallback.test"


@pytest.fixture
def server():
    with running_update_server() as stub:
        yield stub


def args(server: t.Any, tmp_path: t.Any, **extra: t.Any) -> dict[str, t.Any]:
    provider = {"name": "bind", "type": "rfc2136", "zone": "fallback.test",
                "rfc2136": {"server": "127.0.0.1", "port": server.server_address[1], "key_name": "acme-key", "key_secret": SECRET}}
    return {"records": [{"name": NAME, "values": ["one", "two"]}], "providers": [provider], "follow_cnames": False,
            "timeout": 10, "breaker_state_file": str(tmp_path / "breaker.json"), **extra}


def run_module(module_args: dict[str, t.Any], capsys: pytest.CaptureFixture[str]) -> dict[str, t.Any]:
    with patch_module_args(module_args), pytest.raises(SystemExit):
        dns_challenge_publish.main()
    return json.loads(capsys.readouterr().out)


def stored(server: t.Any) -> set[bytes]:
    return server.store.get(dns.name.from_text(NAME), set())


def test_publish_then_unchanged(server, tmp_path, capsys):
    first = run_module(args(server, tmp_path), capsys)
    assert first["changed"] is True
    assert first["records"][0]["providers"] == ["bind"]
    assert stored(server) == {b"one", b"two"}
    again = run_module(args(server, tmp_path), capsys)
    assert again["changed"] is False


def test_check_mode_with_diff(server, tmp_path, capsys):
    result = run_module(args(server, tmp_path, _ansible_check_mode=True, _ansible_diff=True), capsys)
    assert result["changed"] is True
    assert result["diff"] == {"before": {NAME: []}, "after": {NAME: ["one", "two"]}}
    assert stored(server) == set()


def test_absent_removes_only_given_values(server, tmp_path, capsys):
    run_module(args(server, tmp_path), capsys)
    result = run_module(args(server, tmp_path, state="absent", records=[{"name": NAME, "values": ["one"]}]), capsys)
    assert result["changed"] is True and stored(server) == {b"two"}


def test_failure_lists_attempts_and_hides_secrets(server, tmp_path, capsys):
    result = run_module(args(server, tmp_path, simulate_outage=["bind"]), capsys)
    assert result["failed"] is True and result["error_class"] == "PublishError"
    assert result["records"][0]["attempts"][0]["outcome"] == "simulated_outage"
    assert SECRET not in json.dumps(result)


def test_type_needs_its_options(server, tmp_path, capsys):
    module_args = args(server, tmp_path)
    del module_args["providers"][0]["rfc2136"]
    result = run_module(module_args, capsys)
    assert result["failed"] is True and "rfc2136" in result["msg"]
