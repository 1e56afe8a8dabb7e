# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module end to end: Route 53 on moto in process; input errors before any call."""

from __future__ import annotations

import json
import typing as t

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.portable.dns01.plugins.modules import challenge_delegation

SECRET = "route53-secret-that-must-not-leak"
ROUTE53 = {"name": "aws", "type": "route53",
           "route53": {"zone_name": "example.com", "access_key": "testing", "secret_key": SECRET, "region": "us-east-1"}}


@pytest.fixture
def aws(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    with mock_aws():
        client = boto3.client("route53", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        client.create_hosted_zone(Name="example.com", CallerReference="unit")
        yield client


def run_module(capsys: pytest.CaptureFixture[str], **module_args: t.Any) -> dict[str, t.Any]:
    # Nothing listens on this resolver: the loop check turns into a warning at once.
    base = {"domain": "www.example.com", "target": "www.example.com.acme.example.net", "provider": ROUTE53, "wait": False,
            "bootstrap_resolvers": ["127.0.9.9"], "query_timeout": 0.2, "timeout": 10}
    with patch_module_args({**base, **module_args}), pytest.raises(SystemExit):
        challenge_delegation.main()
    return json.loads(capsys.readouterr().out)


def test_set_then_unchanged_then_absent(aws, capsys):
    first = run_module(capsys, _ansible_diff=True)
    assert first["changed"] is True and first["after"] == {"CNAME": ["www.example.com.acme.example.net"]}
    assert "IN CNAME www.example.com.acme.example.net" in first["diff"]["after"]
    assert SECRET not in json.dumps(first)
    assert run_module(capsys)["changed"] is False
    gone = run_module(capsys, state="absent")
    assert gone["changed"] is True and gone["after"] == {}


def test_check_mode_changes_nothing(aws, capsys):
    assert run_module(capsys, _ansible_check_mode=True)["changed"] is True
    assert run_module(capsys, _ansible_check_mode=True)["before"] == {}


def test_txt_at_the_name_fails_with_the_records(aws, capsys):
    zone_id = aws.list_hosted_zones()["HostedZones"][0]["Id"]
    aws.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": "_acme-challenge.www.example.com", "Type": "TXT", "TTL": 60, "ResourceRecords": [{"Value": '"stale"'}]}}]})
    failed = run_module(capsys)
    assert failed["failed"] is True and failed["error_class"] == "RecordConflict"
    assert failed["existing"] == {"TXT": ["stale"]}
    assert run_module(capsys, force_replace=True)["removed"] == [{"type": "TXT", "values": ["stale"]}]


def test_acme_dns_provider_is_refused_before_any_call(capsys):
    provider = {"name": "acme", "type": "acme_dns",
                "acme_dns": {"api_url": "http://127.0.0.1:9", "username": "u", "password": "a-long-password", "subdomain": "s"}}
    failed = run_module(capsys, provider=provider)
    assert failed["failed"] is True and failed["field"] == "provider.type"
    assert "acme_dns" in failed["msg"]


def test_target_is_required_when_present(capsys):
    failed = run_module(capsys, target=None)
    assert failed["failed"] is True and "target" in failed["msg"]
