# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab every test here runs against: tests/lab/lab.sh up writes lab.json."""

from __future__ import annotations

import json
import pathlib

import pytest
import requests

from ansible_collections.portable.dns01.tests.integration.lab.test_renewal_reliability import Renewal

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


@pytest.fixture(scope="module")
def acme_dns_account(lab_config) -> dict:
    """An account on the lab's acme-dns, registered once per test module."""
    answer = requests.post(lab_config["LAB_ACMEDNS_URL"] + "/register", json={}, timeout=10)
    answer.raise_for_status()
    return answer.json()


@pytest.fixture
def renewal(lab_config, tmp_path, tmp_path_factory, acme_dns_account) -> Renewal:
    """A renewal of the lab's certificates, with a fresh account directory."""
    return Renewal(lab_config, tmp_path, tmp_path_factory.mktemp("account"), acme_dns_account)
