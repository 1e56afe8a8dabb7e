# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Route 53 backend against moto (in process) and botocore's Stubber for errors moto cannot make."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderTimeout,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context
from ansible_collections.portable.dns01.plugins.module_utils._publish.route53 import Route53Provider, quote, unquote

NAME = "_acme-challenge.www.example.com"
KEYS = {"access_key": "testing", "secret_key": "testing-secret", "region": "us-east-1"}


@pytest.fixture
def aws(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    with mock_aws():
        client = boto3.client("route53", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        yield client


def zone(client, name: str, private: bool = False) -> str:
    request = {"Name": name, "CallerReference": name + str(private)}
    if private:
        request["HostedZoneConfig"] = {"PrivateZone": True}
        request["VPC"] = {"VPCRegion": "us-east-1", "VPCId": "vpc-1"}
    return client.create_hosted_zone(**request)["HostedZone"]["Id"].rsplit("/", 1)[-1]


def txt(client, zone_id: str) -> dict[str, tuple[int, list[str]]]:
    sets = client.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {s["Name"]: (s["TTL"], sorted(r["Value"] for r in s["ResourceRecords"])) for s in sets if s["Type"] == "TXT"}


def route53(clock, **options) -> Route53Provider:
    return Route53Provider("aws", Context(clock, Deadline(clock, 30.0)), {**KEYS, **options})


def test_add_merges_and_remove_keeps_the_others(clock, aws):
    zone_id = zone(aws, "example.com")
    provider = route53(clock)
    provider.publish(NAME, {"one"}, 60)
    provider.publish(NAME, {"two"}, 60)
    assert txt(aws, zone_id)[NAME + "."] == (60, ['"one"', '"two"'])
    assert provider.list(NAME) == {"one", "two"}
    provider.remove(NAME, {"one"})
    assert txt(aws, zone_id)[NAME + "."] == (60, ['"two"'])
    provider.remove(NAME, {"two"})
    assert NAME + "." not in txt(aws, zone_id)


def test_longest_matching_zone_of_the_right_kind(clock, aws):
    zone(aws, "example.com")
    inner = zone(aws, "www.example.com")
    private = zone(aws, "www.example.com", private=True)
    route53(clock).publish(NAME, {"v"}, 60)
    route53(clock, private_zone=True).publish(NAME, {"p"}, 60)
    assert txt(aws, inner)[NAME + "."][1] == ['"v"']
    assert txt(aws, private)[NAME + "."][1] == ['"p"']


def test_zone_by_name_or_id(clock, aws):
    outer = zone(aws, "example.com")
    zone(aws, "www.example.com")
    route53(clock, zone_name="example.com").publish(NAME, {"a"}, 60)
    route53(clock, zone_id="/hostedzone/" + outer).publish(NAME, {"b"}, 60)
    assert txt(aws, outer)[NAME + "."][1] == ['"a"', '"b"']


def test_no_zone_is_a_final_error(clock, aws):
    with pytest.raises(ProviderError) as caught:
        route53(clock).publish(NAME, {"a"}, 60)
    assert caught.value.transient is False


def test_assume_role(clock, aws):
    zone_id = zone(aws, "example.com")
    iam = boto3.client("iam", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    role = iam.create_role(RoleName="dns01", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    provider = route53(clock, role_arn=role, external_id="ext", duration_seconds=900)
    provider.publish(NAME, {"via-role"}, 60)
    assert txt(aws, zone_id)[NAME + "."][1] == ['"via-role"']


@pytest.mark.parametrize("code, status, error, transient", [
    ("PriorRequestNotComplete", 400, ProviderError, True),
    ("Throttling", 400, ProviderError, True),
    ("AccessDenied", 403, ProviderAuthError, False),
    ("InvalidChangeBatch", 400, ProviderError, False),
])
def test_aws_errors_are_mapped(clock, code, status, error, transient):
    provider = route53(clock, zone_id="Z1")
    api = provider._client()  # pylint: disable=protected-access
    with Stubber(api) as stub:
        stub.add_client_error("list_resource_record_sets", service_error_code=code, http_status_code=status)
        with pytest.raises(error) as caught:
            provider.list(NAME)
    assert caught.value.transient is transient and caught.value.details["code"] == code
    assert "testing-secret" not in caught.value.msg


def test_waits_for_insync_within_the_deadline(clock):
    provider = route53(clock, zone_id="Z1")
    api = provider._client()  # pylint: disable=protected-access
    pending = {"ChangeInfo": {"Id": "C1", "Status": "PENDING", "SubmittedAt": "2026-01-01T00:00:00Z"}}
    with Stubber(api) as stub:
        stub.add_response("list_resource_record_sets", {"ResourceRecordSets": [], "IsTruncated": False, "MaxItems": "1"})
        stub.add_response("change_resource_record_sets", pending)
        for _poll in range(20):
            stub.add_response("get_change", pending)
        with pytest.raises(ProviderTimeout, match="still PENDING"):
            provider.publish(NAME, {"a"}, 60)
    assert sum(clock.sleeps) < 30.0 and len(clock.sleeps) >= 2


def test_txt_quoting_round_trips():
    for value in ('plain', 'with "quotes"', 'back\\slash'):
        assert unquote(quote(value)) == value
    assert unquote('"part one" "part two"') == "part onepart two"


def records(client, zone_id: str, rtype: str) -> dict[str, tuple[int, list[str]]]:
    sets = client.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {s["Name"]: (s["TTL"], sorted(r["Value"] for r in s["ResourceRecords"])) for s in sets if s["Type"] == rtype}


def test_cname_upsert_read_and_exact_delete(clock, aws):
    zone_id = zone(aws, "example.com")
    provider = route53(clock)
    provider.set_cname(NAME, "Target.Acme.Example.NET", 300)
    assert records(aws, zone_id, "CNAME")[NAME + "."] == (300, ["target.acme.example.net."])
    provider.set_cname(NAME, "other.acme.example.net", 300)
    assert provider.rrsets(NAME) == {"CNAME": ["other.acme.example.net"]}
    provider.delete_rrset(NAME, "CNAME", ["other.acme.example.net"])
    assert NAME + "." not in records(aws, zone_id, "CNAME")


def test_rrsets_lists_every_type_at_the_name_only(clock, aws):
    zone(aws, "example.com")
    provider = route53(clock)
    provider.publish(NAME, {"one", "two"}, 60)
    provider.publish("_acme-challenge.www2.example.com", {"other"}, 60)
    assert provider.rrsets(NAME) == {"TXT": ["one", "two"]}
    provider.delete_rrset(NAME, "TXT", ["one", "two"])
    assert provider.rrsets(NAME) == {}
