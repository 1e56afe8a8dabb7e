# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""acme-dns keeps two rows and overwrites the one updated longest ago: what it serves must be what we report."""

from __future__ import annotations

import typing as t

import pytest
import requests

from ansible_collections.portable.dns01.tests.integration.lab.test_publish_providers import publish, served, token

pytestmark = pytest.mark.lab


@pytest.fixture(name="lab")
def lab_fixture(lab_config: dict[str, str]) -> dict[str, str]:
    return lab_config


@pytest.fixture(name="account")
def account_fixture(lab: dict[str, str]) -> dict[str, t.Any]:
    """A fresh acme-dns account: both of its rows are still empty."""
    response = requests.post(lab["LAB_ACMEDNS_URL"] + "/register", timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def provider(lab: dict[str, str], account: dict[str, t.Any]) -> dict[str, t.Any]:
    return {"name": "acmedns", "type": "acme_dns", "zone": None, "retries": None,
            "acme_dns": {"api_url": lab["LAB_ACMEDNS_URL"], "username": account["username"], "password": account["password"],
                         "subdomain": account["subdomain"], "ca_bundle": None}}


def ordered_tokens(count: int) -> list[str]:
    return sorted(token() for _index in range(count))


@pytest.mark.parametrize("kept_sorts_first", [True, False])
def test_replacing_one_of_two_values_serves_the_reported_pair(lab, account, tmp_path, kept_sorts_first):
    """{A, B} then {B, C}: acme-dns serves exactly {B, C}, whichever row B landed in."""
    low, high, new = ordered_tokens(3)
    kept, dropped = (low, high) if kept_sorts_first else (high, low)
    name = account["fulldomain"]
    first = publish(lab, [provider(lab, account)], [{"name": name, "values": [kept, dropped]}], tmp_path)
    assert first["records"][0]["after"] == sorted([kept, dropped])
    assert served(lab["LAB_ACMEDNS_DNS"], name) == {kept, dropped}
    second = publish(lab, [provider(lab, account)], [{"name": name, "values": [kept, new]}], tmp_path)
    assert second["changed"] is True
    assert served(lab["LAB_ACMEDNS_DNS"], name) == {kept, new}


def test_publishing_the_served_pair_again_is_unchanged(lab, account, tmp_path):
    """Nothing is sent when acme-dns already serves the wanted values."""
    values = ordered_tokens(2)
    name = account["fulldomain"]
    publish(lab, [provider(lab, account)], [{"name": name, "values": values}], tmp_path)
    again = publish(lab, [provider(lab, account)], [{"name": name, "values": values}], tmp_path)
    assert again["changed"] is False
    assert served(lab["LAB_ACMEDNS_DNS"], name) == set(values)


def test_one_value_after_two_is_the_only_one_served(lab, account, tmp_path):
    """A record of one value leaves no stale value beside it."""
    first, second, single = ordered_tokens(3)
    name = account["fulldomain"]
    publish(lab, [provider(lab, account)], [{"name": name, "values": [first, second]}], tmp_path)
    publish(lab, [provider(lab, account)], [{"name": name, "values": [single]}], tmp_path)
    assert served(lab["LAB_ACMEDNS_DNS"], name) == {single}
