# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""report_file run in process: whole files, JSON as to_nice_json lays it out, attributes, check mode."""

from __future__ import annotations

import json
import os
import stat
import typing as t

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.portable.dns01.plugins.modules import report_file

REPORT = {"status": "ok", "certificates": [{"id": "www", "status": "renewed"}], "lines": ["www: renewed ✓"]}


def run_module(capsys, check_mode: bool = False, **args: t.Any) -> dict[str, t.Any]:
    with patch_module_args({**args, "_ansible_check_mode": check_mode}), pytest.raises(SystemExit):
        report_file.main()
    return json.loads(capsys.readouterr().out)


def test_writes_json_laid_out_like_to_nice_json_then_changes_nothing(tmp_path, capsys):
    path = tmp_path / "report.json"
    first = run_module(capsys, path=str(path), content=REPORT, mode="0640")
    assert first["changed"] and not first.get("failed")
    assert path.read_text(encoding="utf-8") == json.dumps(REPORT, indent=4, sort_keys=True, ensure_ascii=False) + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    again = run_module(capsys, path=str(path), content=REPORT, mode="0640")
    assert not again["changed"]
    assert [name for name in os.listdir(tmp_path) if name != "report.json"] == []


def test_a_new_mode_or_owner_alone_is_a_change(tmp_path, capsys):
    path = tmp_path / "report.json"
    run_module(capsys, path=str(path), content=REPORT, mode="0644")
    changed = run_module(capsys, path=str(path), content=REPORT, mode="0600", owner=str(os.getuid()), group=str(os.getgid()))
    assert changed["changed"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (path.stat().st_uid, path.stat().st_gid) == (os.getuid(), os.getgid())


def test_text_is_written_as_given(tmp_path, capsys):
    path = tmp_path / "report.md"
    run_module(capsys, path=str(path), content="# Report\n")
    assert path.read_text(encoding="utf-8") == "# Report\n"


def test_check_mode_says_it_would_change_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "report.json"
    result = run_module(capsys, check_mode=True, path=str(path), content=REPORT)
    assert result["changed"]
    assert not path.exists()
    assert os.listdir(tmp_path) == []


def test_a_missing_directory_is_a_clear_error_and_creates_nothing(tmp_path, capsys):
    result = run_module(capsys, path=str(tmp_path / "missing" / "report.json"), content=REPORT)
    assert result["failed"]
    assert "directory" in result["msg"] and "missing" in result["msg"]
    assert not (tmp_path / "missing").exists()
