# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A wrong TSIG key on the lab's PowerDNS and BIND is a credentials error, never an outage."""

from __future__ import annotations

import base64
import secrets
import typing as t

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import PublishError
from ansible_collections.portable.dns01.tests.integration.lab.test_publish_providers import bind, pdns_rfc2136, publish, token, unique

pytestmark = pytest.mark.lab


@pytest.fixture(name="lab")
def lab_fixture(lab_config: dict[str, str]) -> dict[str, str]:
    return lab_config


def wrong_key(lab: dict[str, str], server: str, change: str) -> tuple[dict[str, t.Any], str, str]:
    """(provider, zone, server address) with the key's secret or name changed."""
    provider = pdns_rfc2136(lab) if server == "pdns" else bind(lab)
    options = provider["rfc2136"]
    if change == "secret":
        options["key_secret"] = base64.b64encode(secrets.token_bytes(32)).decode()
    else:
        options["key_name"] = "no-such-key"
    return provider, provider["zone"], options["server"]


@pytest.mark.parametrize("change", ["secret", "name"])
@pytest.mark.parametrize("server", ["pdns", "bind"])
def test_wrong_key_fails_once_as_an_auth_error(lab, tmp_path, server, change):
    provider, zone, address = wrong_key(lab, server, change)
    key = provider["rfc2136"]["key_name"]
    records = [{"name": unique(zone), "values": [token()]}]
    for _run in range(2):
        with pytest.raises(PublishError) as caught:
            publish(lab, [provider], records, tmp_path, retries=2, breaker_threshold=1)
        attempts = caught.value.result()["records"][0]["attempts"]
        # Tried once, not retried; and the breaker stays closed for the next run.
        assert [(a["outcome"], a["error_class"]) for a in attempts] == [("failed", "ProviderAuthError")], attempts
        assert attempts[0]["message"].startswith(f"TSIG key {key} rejected by {address}"), attempts[0]["message"]
    assert provider["rfc2136"]["key_secret"] not in str(caught.value.result())
