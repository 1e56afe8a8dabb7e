# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""challenge_delegation on each backend against its lab service: set, again, replace, TXT in the way, absent.

Every test works on its own d-<random> domain and removes what it wrote; the
demo's _acme-challenge.example.test is never touched.
"""

from __future__ import annotations

import typing as t
import uuid

import boto3
import dns.message
import dns.query
import dns.rdatatype
import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import RecordConflict
from ansible_collections.portable.dns01.plugins.module_utils._delegation.argspec import delegation_spec
from ansible_collections.portable.dns01.plugins.module_utils._delegation.delegate import Delegator
from ansible_collections.portable.dns01.plugins.module_utils._publish.factory import TYPES, build_provider
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context

pytestmark = pytest.mark.lab


def domain(zone: str) -> str:
    return f"d-{uuid.uuid4().hex[:10]}.{zone}"


def delegate(lab: dict[str, str], provider: dict[str, t.Any], **params: t.Any) -> dict[str, t.Any]:
    values = {key: spec.get("default") for key, spec in delegation_spec().items()}
    values.update(provider=provider, bootstrap_resolvers=[lab["LAB_RESOLVER"]], timeout=20.0, connect_timeout=2.0,
                  read_timeout=5.0, wait_timeout=20.0)
    values.update(params)
    return Delegator(values, diff=True).run()


def cname_on(server: str, name: str) -> str | None:
    """The CNAME target one authoritative server answers with."""
    response = dns.query.tcp(dns.message.make_query(name, "CNAME"), server, timeout=3)
    return next((rrset[0].target.to_text().rstrip(".") for rrset in response.answer if rrset.rdtype == dns.rdatatype.CNAME), None)


def publish_txt(lab: dict[str, str], provider: dict[str, t.Any], name: str, value: str) -> None:
    clock = Clock()
    build_provider(provider, Context(clock, Deadline(clock, 20.0)), TYPES).publish(name, {value}, 60)


@pytest.fixture
def lab(lab_config: dict[str, str]) -> dict[str, str]:
    return lab_config


def pdns_api(lab: dict[str, str]) -> dict[str, t.Any]:
    return {"name": "primary", "type": "lexicon", "zone": lab["LAB_PDNS_ZONE"],
            "lexicon": {"provider": "powerdns", "options": {"auth_token": lab["LAB_PDNS_API_KEY"], "pdns_server": lab["LAB_PDNS_API_URL"],
                                                            "pdns_server_id": "localhost"}}}


def pdns_rfc2136(lab: dict[str, str]) -> dict[str, t.Any]:
    return {"name": "primary-rfc2136", "type": "rfc2136", "zone": lab["LAB_PDNS_ZONE"],
            "rfc2136": {"server": lab["LAB_PDNS_DNS"], "port": 53, "key_name": lab["LAB_PDNS_TSIG_NAME"],
                        "key_secret": lab["LAB_PDNS_TSIG_SECRET"], "key_algorithm": lab["LAB_PDNS_TSIG_ALGORITHM"], "timeout": 3.0}}


def bind(lab: dict[str, str]) -> dict[str, t.Any]:
    return {"name": "fallback", "type": "rfc2136", "zone": lab["LAB_BIND_ZONE"],
            "rfc2136": {"server": lab["LAB_BIND_SERVER"], "port": 53, "key_name": lab["LAB_BIND_TSIG_NAME"],
                        "key_secret": lab["LAB_BIND_TSIG_SECRET"], "key_algorithm": lab["LAB_BIND_TSIG_ALGORITHM"], "timeout": 3.0}}


BACKENDS = {
    "powerdns-lexicon": (pdns_api, "LAB_PDNS_ZONE", "LAB_BIND_ZONE", "LAB_PDNS_DNS"),
    "powerdns-rfc2136": (pdns_rfc2136, "LAB_PDNS_ZONE", "LAB_BIND_ZONE", "LAB_PDNS_DNS"),
    "bind-rfc2136": (bind, "LAB_BIND_ZONE", "LAB_PDNS_ZONE", "LAB_BIND_SERVER"),
}


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_set_again_replace_absent(lab, backend):
    make, zone, target_zone, server = BACKENDS[backend]
    provider, name = make(lab), domain(lab[zone])
    record, target = f"_acme-challenge.{name}", f"{name}.{lab[target_zone]}"
    try:
        first = delegate(lab, provider, domain=name, target=target)
        assert first["changed"] is True and first["after"] == {"CNAME": [target]}
        assert [row["serving"] for row in first["nameservers"]] == [True] * len(first["nameservers"])
        assert cname_on(lab[server], record) == target
        assert delegate(lab, provider, domain=name, target=target)["changed"] is False
        replaced = delegate(lab, provider, domain=name, target="other." + target)
        assert replaced["before"] == {"CNAME": [target]} and replaced["after"] == {"CNAME": ["other." + target]}
        assert cname_on(lab[server], record) == "other." + target
        assert delegate(lab, provider, domain=name, target=target, state="absent")["changed"] is False
    finally:
        gone = delegate(lab, provider, domain=name, state="absent")
    assert gone["changed"] is True and gone["after"] == {}
    assert cname_on(lab[server], record) is None


@pytest.mark.parametrize("backend", ["powerdns-lexicon", "bind-rfc2136"])
def test_txt_in_the_way_is_refused_then_replaced_with_force(lab, backend):
    make, zone, target_zone, server = BACKENDS[backend]
    provider, name = make(lab), domain(lab[zone])
    record, target = f"_acme-challenge.{name}", f"{name}.{lab[target_zone]}"
    publish_txt(lab, provider, record, "stale-challenge-value")
    try:
        with pytest.raises(RecordConflict) as caught:
            delegate(lab, provider, domain=name, target=target)
        assert caught.value.details["existing"] == {"TXT": ["stale-challenge-value"]}
        assert "TXT stale-challenge-value" in caught.value.msg
        assert cname_on(lab[server], record) is None
        forced = delegate(lab, provider, domain=name, target=target, force_replace=True)
        assert forced["removed"] == [{"type": "TXT", "values": ["stale-challenge-value"]}]
        assert cname_on(lab[server], record) == target
    finally:
        delegate(lab, provider, domain=name, state="absent")


def test_check_mode_reports_and_writes_nothing(lab):
    name = domain(lab["LAB_PDNS_ZONE"])
    values = {key: spec.get("default") for key, spec in delegation_spec().items()}
    values.update(provider=pdns_api(lab), domain=name, target=f"{name}.{lab['LAB_BIND_ZONE']}", bootstrap_resolvers=[lab["LAB_RESOLVER"]])
    result = Delegator(values, check_mode=True, diff=True).run()
    assert result["changed"] is True and result["diff"]["before"] == ""
    assert cname_on(lab["LAB_PDNS_DNS"], f"_acme-challenge.{name}") is None


@pytest.fixture
def hosted_zone(lab: dict[str, str]) -> t.Iterator[tuple[t.Any, str, str]]:
    """A hosted zone of our own on moto (no reset: other tests share the server)."""
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
    client = boto3.client("route53", endpoint_url=lab["LAB_MOTO_URL"], **keys)
    name = f"z{uuid.uuid4().hex[:8]}.example.com"
    zone_id = client.create_hosted_zone(Name=name, CallerReference=uuid.uuid4().hex)["HostedZone"]["Id"]
    yield client, zone_id, name
    client.delete_hosted_zone(Id=zone_id)


def test_route53_on_moto(lab, hosted_zone):
    client, zone_id, zone = hosted_zone
    provider = {"name": "aws", "type": "route53", "route53": {"zone_name": zone, "endpoint_url": lab["LAB_MOTO_URL"],
                                                              "access_key": "testing", "secret_key": "testing", "region": "us-east-1"}}
    target = f"{zone}.acme.example.net"
    first = delegate(lab, provider, domain=zone, target=target, wait=False)
    assert first["changed"] is True and "nameservers" not in first
    sets = client.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    assert [(s["Type"], s["ResourceRecords"][0]["Value"]) for s in sets if s["Name"].startswith("_acme")] == [("CNAME", target + ".")]
    assert delegate(lab, provider, domain=zone, target=target, wait=False)["changed"] is False
    assert delegate(lab, provider, domain=zone, target="x." + target, wait=False)["after"] == {"CNAME": ["x." + target]}
    assert delegate(lab, provider, domain=zone, state="absent", wait=False)["changed"] is True
    sets = client.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    assert [s for s in sets if s["Name"].startswith("_acme")] == []
