# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The whole point of delegation: register at acme-dns, set the CNAME once, then publish through the account alone."""

from __future__ import annotations

import base64
import secrets
import uuid

import dns.message
import dns.query
import pytest
import requests

from ansible_collections.portable.dns01.plugins.module_utils._publish.action import Publisher
from ansible_collections.portable.dns01.plugins.module_utils._publish.argspec import publish_spec
from ansible_collections.portable.dns01.tests.integration.lab.test_delegation_providers import delegate, pdns_api

pytestmark = pytest.mark.lab


def token() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def served(server: str, name: str) -> set[str]:
    response = dns.query.tcp(dns.message.make_query(name, "TXT"), server, timeout=3)
    return {b"".join(rdata.strings).decode() for rrset in response.answer for rdata in rrset}


def test_acme_dns_account_carries_the_challenge_through_the_cname(lab_config, tmp_path):
    lab = lab_config
    account = requests.post(lab["LAB_ACMEDNS_URL"] + "/register", json={"allowfrom": ["127.0.0.0/8"]}, timeout=5).json()
    name = f"d-{uuid.uuid4().hex[:10]}.{lab['LAB_PDNS_ZONE']}"
    try:
        delegated = delegate(lab, pdns_api(lab), domain="*." + name, target=account["fulldomain"])
        assert delegated["record"] == f"_acme-challenge.{name}" and delegated["changed"] is True
        acme_dns = {"name": "acmedns", "type": "acme_dns", "zone": None, "retries": None,
                    "acme_dns": {"api_url": lab["LAB_ACMEDNS_URL"], "username": account["username"], "password": account["password"],
                                 "subdomain": account["subdomain"], "ca_bundle": None}}
        params = {key: spec.get("default") for key, spec in publish_spec().items()}
        values = [token(), token()]
        # Only the acme-dns account: the primary's API is not needed any more.
        params.update(providers=[acme_dns], records=[{"name": f"_acme-challenge.{name}", "values": values}],
                      bootstrap_resolvers=[lab["LAB_RESOLVER"]], timeout=20.0, breaker_threshold=0,
                      breaker_state_file=str(tmp_path / "breaker.json"))
        record = Publisher(params).run()["records"][0]
        assert record["target"] == account["fulldomain"]
        assert record["cname_chain"] == [f"_acme-challenge.{name}", account["fulldomain"]]
        assert served(lab["LAB_ACMEDNS_DNS"], account["fulldomain"]) == set(values)
    finally:
        delegate(lab, pdns_api(lab), domain=name, state="absent")
