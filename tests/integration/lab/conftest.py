# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab every test here runs against: tests/lab/lab.sh up writes lab.json."""

from __future__ import annotations

import json
import pathlib

import pytest

LAB_JSON = pathlib.Path(__file__).resolve().parents[2] / "lab" / "state" / "lab.json"


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.lab)


@pytest.fixture(scope="session")
def lab_config() -> dict:
    if not LAB_JSON.exists():
        pytest.fail(f"{LAB_JSON} is missing: run tests/lab/lab.sh up first", pytrace=False)
    return json.loads(LAB_JSON.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def own_breaker_state(tmp_path, monkeypatch) -> None:
    """Each test starts with closed breakers: a provider an earlier test took down is not skipped here.

    The modules read DNS01_BREAKER_STATE_FILE when no breaker_state_file is given, and the playbooks the tests run
    inherit the environment.
    """
    monkeypatch.setenv("DNS01_BREAKER_STATE_FILE", str(tmp_path / "breaker.json"))
