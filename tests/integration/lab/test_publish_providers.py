# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each publishing backend against its lab service: two values at one name, idempotence, absent."""

from __future__ import annotations

import base64
import secrets
import typing as t
import uuid

import boto3
import dns.message
import dns.query
import pytest
import requests

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import PublishError
from ansible_collections.portable.dns01.plugins.module_utils._publish.action import Publisher
from ansible_collections.portable.dns01.plugins.module_utils._publish.argspec import publish_spec

pytestmark = pytest.mark.lab


def token() -> str:
    """A value shaped like a key authorization digest (43 base64url characters)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def unique(zone: str) -> str:
    return f"_acme-challenge.t{uuid.uuid4().hex[:10]}.{zone}"


def publish(lab: dict[str, str], providers: list[dict[str, t.Any]], records: list[dict[str, t.Any]], tmp_path: t.Any,
            **extra: t.Any) -> dict[str, t.Any]:
    params = {key: spec.get("default") for key, spec in publish_spec().items()}
    params.update(providers=providers, records=records, bootstrap_resolvers=[lab["LAB_RESOLVER"]], timeout=20.0,
                  connect_timeout=1.0, read_timeout=3.0, retries=1, breaker_threshold=0,
                  breaker_state_file=str(tmp_path / "breaker.json"))
    params.update(extra)
    return Publisher(params, diff=True).run()


def pdns_api(lab: dict[str, str], name: str = "pdns", retries: int | None = None) -> dict[str, t.Any]:
    return {"name": name, "type": "lexicon", "zone": lab["LAB_PDNS_ZONE"], "retries": retries,
            "lexicon": {"provider": "powerdns", "options": {"auth_token": lab["LAB_PDNS_API_KEY"], "pdns_server": lab["LAB_PDNS_API_URL"],
                                                            "pdns_server_id": "localhost"}}}


def pdns_rfc2136(lab: dict[str, str], name: str = "pdns-rfc2136") -> dict[str, t.Any]:
    return {"name": name, "type": "rfc2136", "zone": lab["LAB_PDNS_ZONE"], "retries": None,
            "rfc2136": {"server": lab["LAB_PDNS_DNS"], "port": 53, "key_name": lab["LAB_PDNS_TSIG_NAME"],
                        "key_secret": lab["LAB_PDNS_TSIG_SECRET"], "key_algorithm": lab["LAB_PDNS_TSIG_ALGORITHM"], "timeout": 3.0}}


def bind(lab: dict[str, str], name: str = "bind", secret: str | None = None) -> dict[str, t.Any]:
    return {"name": name, "type": "rfc2136", "zone": lab["LAB_BIND_ZONE"], "retries": None,
            "rfc2136": {"server": lab["LAB_BIND_SERVER"], "port": 53, "key_name": lab["LAB_BIND_TSIG_NAME"],
                        "key_secret": secret or lab["LAB_BIND_TSIG_SECRET"], "key_algorithm": lab["LAB_BIND_TSIG_ALGORITHM"],
                        "timeout": 3.0}}


def served(server: str, name: str) -> set[str]:
    """TXT values an authoritative server answers with."""
    response = dns.query.tcp(dns.message.make_query(name, "TXT"), server, timeout=3)
    return {b"".join(rdata.strings).decode() for rrset in response.answer for rdata in rrset}


@pytest.fixture
def lab(lab_config: dict[str, str]) -> dict[str, str]:
    return lab_config


def check_backend(lab: dict[str, str], provider: dict[str, t.Any], name: str, tmp_path: t.Any,
                  server: str | None, **extra: t.Any) -> None:
    """Two values, then again (unchanged), then absent of one leaves the other."""
    values = [token(), token()]
    first = publish(lab, [provider], [{"name": name, "values": values}], tmp_path, **extra)
    assert first["changed"] is True, first
    assert first["records"][0]["providers"] == [provider["name"]]
    if server:
        assert served(server, name) == set(values)
    again = publish(lab, [provider], [{"name": name, "values": values}], tmp_path, **extra)
    assert again["changed"] is False, again
    gone = publish(lab, [provider], [{"name": name, "values": values[:1]}], tmp_path, state="absent", **extra)
    assert gone["changed"] is True
    assert gone["records"][0]["after"] == [values[1]]
    if server:
        assert served(server, name) == {values[1]}
    publish(lab, [provider], [{"name": name, "values": values[1:]}], tmp_path, state="absent", **extra)


def test_powerdns_through_lexicon(lab, tmp_path):
    check_backend(lab, pdns_api(lab), unique(lab["LAB_PDNS_ZONE"]), tmp_path, lab["LAB_PDNS_DNS"])


def test_powerdns_zone_found_by_soa_walk(lab, tmp_path):
    provider = pdns_api(lab)
    provider["zone"] = None
    check_backend(lab, provider, unique(lab["LAB_PDNS_ZONE"]), tmp_path, lab["LAB_PDNS_DNS"])


def test_bind_through_rfc2136(lab, tmp_path):
    check_backend(lab, bind(lab), unique(lab["LAB_BIND_ZONE"]), tmp_path, lab["LAB_BIND_SERVER"])


def test_absent_leaves_foreign_values(lab, tmp_path):
    name, mine, foreign = unique(lab["LAB_BIND_ZONE"]), token(), token()
    publish(lab, [bind(lab)], [{"name": name, "values": [foreign]}], tmp_path)
    publish(lab, [bind(lab)], [{"name": name, "values": [mine]}], tmp_path)
    assert served(lab["LAB_BIND_SERVER"], name) == {mine, foreign}
    publish(lab, [bind(lab)], [{"name": name, "values": [mine]}], tmp_path, state="absent")
    assert served(lab["LAB_BIND_SERVER"], name) == {foreign}
    publish(lab, [bind(lab)], [{"name": name, "values": [foreign]}], tmp_path, state="absent")


def test_wrong_tsig_secret_is_an_auth_failure(lab, tmp_path):
    wrong = base64.b64encode(secrets.token_bytes(32)).decode()
    with pytest.raises(PublishError) as caught:
        publish(lab, [bind(lab, secret=wrong)], [{"name": unique(lab["LAB_BIND_ZONE"]), "values": [token()]}], tmp_path)
    attempt = caught.value.result()["records"][0]["attempts"][0]
    assert attempt["error_class"] == "ProviderAuthError", attempt
    assert wrong not in str(caught.value.result())


@pytest.fixture
def moto(lab: dict[str, str]) -> t.Any:
    requests.post(lab["LAB_MOTO_URL"] + "/moto-api/reset", timeout=5).raise_for_status()
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
    route53 = boto3.client("route53", endpoint_url=lab["LAB_MOTO_URL"], **keys)
    iam = boto3.client("iam", endpoint_url=lab["LAB_MOTO_URL"], **keys)
    zone_id = route53.create_hosted_zone(Name="example.com", CallerReference=uuid.uuid4().hex)["HostedZone"]["Id"]
    role = iam.create_role(RoleName="dns01", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    return route53, zone_id, role


def test_route53_on_moto_with_assumed_role(lab, moto, tmp_path):
    route53, zone_id, role = moto
    provider = {"name": "aws", "type": "route53", "zone": None, "retries": None,
                "route53": {"zone_name": "example.com", "endpoint_url": lab["LAB_MOTO_URL"], "sts_endpoint_url": lab["LAB_MOTO_URL"],
                            "access_key": "testing", "secret_key": "testing", "region": "us-east-1", "role_arn": role,
                            "external_id": "lab", "role_session_name": "lab", "duration_seconds": 900, "wait_insync": True,
                            "private_zone": False}}
    name = "_acme-challenge.www.example.com"
    check_backend(lab, provider, name, tmp_path, None, follow_cnames=False)
    sets = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    assert [s for s in sets if s["Type"] == "TXT"] == []


@pytest.fixture
def acme_dns(lab: dict[str, str]) -> t.Iterator[tuple[dict[str, t.Any], str]]:
    """A registered acme-dns account and a CNAME in example.test that delegates to it."""
    account = requests.post(lab["LAB_ACMEDNS_URL"] + "/register", timeout=5).json()
    name = unique(lab["LAB_PDNS_ZONE"])
    pdns_rrset(lab, name, "REPLACE", [account["fulldomain"] + "."])
    provider = {"name": "acmedns", "type": "acme_dns", "zone": None, "retries": None,
                "acme_dns": {"api_url": lab["LAB_ACMEDNS_URL"], "username": account["username"], "password": account["password"],
                             "subdomain": account["subdomain"], "ca_bundle": None}}
    yield provider, name
    pdns_rrset(lab, name, "DELETE", [])


def pdns_rrset(lab: dict[str, str], name: str, change: str, targets: list[str]) -> None:
    """Set up a CNAME straight through the PowerDNS API (not through the fault proxy)."""
    zone = lab["LAB_PDNS_ZONE"] + "."
    rrset = {"name": name + ".", "type": "CNAME", "ttl": 60, "changetype": change,
             "records": [{"content": target, "disabled": False} for target in targets]}
    response = requests.patch(f"{lab['LAB_PDNS_API_DIRECT_URL']}/api/v1/servers/localhost/zones/{zone}", json={"rrsets": [rrset]},
                              headers={"X-API-Key": lab["LAB_PDNS_API_KEY"]}, timeout=5)
    response.raise_for_status()


def test_acme_dns_through_its_cname(lab, acme_dns, tmp_path):
    provider, name = acme_dns
    values = [token(), token()]
    first = publish(lab, [pdns_api(lab), provider], [{"name": name, "values": values}], tmp_path)
    record = first["records"][0]
    assert record["target"] == provider["acme_dns"]["subdomain"] + "." + lab["LAB_ACMEDNS_DOMAIN"]
    assert [(a["provider"], a["outcome"]) for a in record["attempts"]] == [("pdns", "skipped"), ("acmedns", "published")]
    assert served(lab["LAB_ACMEDNS_DNS"], record["target"]) == set(values)
    again = publish(lab, [pdns_api(lab), provider], [{"name": name, "values": values}], tmp_path)
    assert again["changed"] is False
    gone = publish(lab, [provider], [{"name": name, "values": values}], tmp_path, state="absent")
    assert gone["changed"] is False and gone["warnings"]
