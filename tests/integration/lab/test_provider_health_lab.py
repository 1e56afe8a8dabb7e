# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Health probes against every lab provider, then with the PowerDNS API refusing while its DNS answers."""

from __future__ import annotations

import subprocess
import typing as t
import uuid

import pytest
import requests

from ansible_collections.portable.dns01.plugins.module_utils._health.argspec import health_argument_spec
from ansible_collections.portable.dns01.plugins.module_utils._health.run import HealthCheck
from ansible_collections.portable.dns01.tests.integration.lab.test_delegation_providers import delegate
from ansible_collections.portable.dns01.tests.integration.lab.test_publish_providers import bind, pdns_api, pdns_rfc2136, served

pytestmark = pytest.mark.lab

CANARY = "_dns01-canary"


@pytest.fixture
def fault(lab_config: dict[str, str]) -> t.Iterator[t.Callable[[str, str], None]]:
    touched: set[str] = set()

    def switch(service: str, mode: str) -> None:
        touched.add(service)
        subprocess.run([lab_config["LAB_SCRIPT"], "fault", service, mode], check=True, capture_output=True, timeout=30)

    yield switch
    for service in touched:
        subprocess.run([lab_config["LAB_SCRIPT"], "fault", service, "none"], check=True, capture_output=True, timeout=30)


def acme_dns_provider(lab: dict[str, str]) -> dict[str, t.Any]:
    account = requests.post(lab["LAB_ACMEDNS_URL"] + "/register", json={}, timeout=5).json()
    return {"name": "acmedns", "type": "acme_dns", "zone": None, "retries": None,
            "acme_dns": {"api_url": lab["LAB_ACMEDNS_URL"], "username": account["username"], "password": account["password"],
                         "subdomain": account["subdomain"], "ca_bundle": None}}


def probe(lab: dict[str, str], providers: list[dict[str, t.Any]], **params: t.Any) -> dict[str, t.Any]:
    values = {key: spec.get("default") for key, spec in health_argument_spec().items()}
    values.update(providers=providers, bootstrap_resolvers=[lab["LAB_RESOLVER"]], timeout=10.0, connect_timeout=1.0,
                  read_timeout=3.0, propagation_timeout=20.0, **params)
    return HealthCheck(values).run()


def test_every_lab_provider_is_healthy(lab_config):
    lab = lab_config
    result = probe(lab, [pdns_api(lab), pdns_rfc2136(lab), bind(lab), acme_dns_provider(lab)])
    assert result["healthy"], result["problems"]
    by_name = {item["provider"]: item for item in result["providers"]}
    for name in ("pdns", "pdns-rfc2136", "bind"):
        assert [step["step"] for step in by_name[name]["steps"]] == ["publish", "visible", "remove", "gone"]
        assert all(step["elapsed_ms"] >= 0 for step in by_name[name]["steps"])
    assert [step["step"] for step in by_name["acmedns"]["steps"]] == ["health"]
    assert served(lab["LAB_PDNS_DNS"], f"{CANARY}.{lab['LAB_PDNS_ZONE']}") == set()
    assert served(lab["LAB_BIND_SERVER"], f"{CANARY}.{lab['LAB_BIND_ZONE']}") == set()


def test_a_refusing_api_fails_its_probe_classified_and_leaves_nothing(lab_config, fault):
    lab = lab_config
    fault("pdns", "refused")
    result = probe(lab, [pdns_api(lab), pdns_rfc2136(lab), bind(lab)])
    assert not result["healthy"]
    primary, *others = result["providers"]
    publish = primary["steps"][0]
    assert publish["step"] == "publish" and not publish["ok"]
    assert publish["error_class"] == "ProviderError" and "refused" in publish["message"].lower(), publish
    assert result["problems"] == [f"provider pdns: {primary['error']}"]
    # The other paths are still proved healthy in the same run.
    assert all(item["healthy"] for item in others)
    assert result["left_behind"] == []
    assert served(lab["LAB_PDNS_DNS"], f"{CANARY}.{lab['LAB_PDNS_ZONE']}") == set()


def test_delegations_are_checked_where_the_ca_looks(lab_config):
    lab = lab_config
    acme = acme_dns_provider(lab)["acme_dns"]
    fulldomain = f"{acme['subdomain']}.{lab['LAB_ACMEDNS_DOMAIN']}"
    zoned, acme_domain = (f"h-{uuid.uuid4().hex[:8]}-{index}.{lab['LAB_PDNS_ZONE']}" for index in range(2))
    delegate(lab, pdns_api(lab), domain=zoned, target=f"{zoned}.{lab['LAB_BIND_ZONE']}")
    delegate(lab, pdns_api(lab), domain=acme_domain, target=fulldomain)
    accounts = {acme_domain: {**acme, "fulldomain": fulldomain}}
    try:
        good = probe(lab, [bind(lab)], delegations=[
            {"domain": zoned, "target_zone": lab["LAB_BIND_ZONE"]},
            {"domain": f"*.{acme_domain}", "acme_dns": {"api_url": lab["LAB_ACMEDNS_URL"]}}], acme_dns_accounts=accounts)
        assert good["healthy"], good["problems"]
        assert [step["step"] for step in good["delegations"][1]["steps"]] == ["cname", "target_zone", "update", "visible"]
        bad_accounts = {acme_domain: {**accounts[acme_domain], "password": "x" * 40}}
        bad = probe(lab, [bind(lab)], delegations=[
            {"domain": zoned, "target": f"elsewhere.{lab['LAB_BIND_ZONE']}"},
            {"domain": acme_domain, "acme_dns": {"api_url": lab["LAB_ACMEDNS_URL"]}}], acme_dns_accounts=bad_accounts)
        cname, update = bad["delegations"][0]["steps"][0], bad["delegations"][1]["steps"][2]
        assert not cname["ok"] and f"{zoned}.{lab['LAB_BIND_ZONE']}" in cname["message"]
        assert update["error_class"] == "ProviderAuthError" and update["status"] == 401
        assert "x" * 40 not in str(bad)
    finally:
        for name in (zoned, acme_domain):
            delegate(lab, pdns_api(lab), domain=name, state="absent")
