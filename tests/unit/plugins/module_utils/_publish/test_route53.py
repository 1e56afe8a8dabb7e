# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Route 53 backend against moto (in process) and botocore's Stubber for errors moto cannot make."""

from __future__ import annotations

import copy
import threading
import time
import typing as t

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderTimeout,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context
from ansible_collections.portable.dns01.plugins.module_utils._publish.route53 import (
    INSYNC_DELAY,
    Route53Provider,
    quote,
    unquote,
    waiter_config,
)
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._publish.fakes import blackholed_port, workers
from ansible_collections.portable.dns01.tests.unit import fake_clock

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


def stubbed(seconds: float) -> tuple[Route53Provider, Stubber, list[float]]:
    """A provider on a real botocore client whose answers a Stubber gives; the instants of its GetChange calls."""
    clock = Clock()
    # Socket time-outs shorter than the deadline: the client is not rebuilt (unstubbed) while the test runs.
    ctx = Context(clock, Deadline(clock, seconds), connect_timeout=0.2, read_timeout=0.2)
    provider = Route53Provider("aws", ctx, {**KEYS, "zone_id": "Z1"})
    api = provider._client()  # pylint: disable=protected-access
    ctx.deadline = Deadline(clock, seconds)  # from now: building the client took time of its own
    polls: list[float] = []
    api.meta.events.register("before-parameter-build.route-53.GetChange", lambda **_kwargs: polls.append(time.monotonic()))
    stub = Stubber(api)
    stub.add_response("list_resource_record_sets", {"ResourceRecordSets": [], "IsTruncated": False, "MaxItems": "1"})
    stub.add_response("change_resource_record_sets", {"ChangeInfo": change("PENDING")})
    return provider, stub, polls


def change(status: str) -> dict:
    return {"Id": "/change/C1", "Status": status, "SubmittedAt": "2026-11-01T00:00:00Z"}


def test_waits_for_insync_with_botocores_waiter():
    provider, stub, polls = stubbed(2.0)
    stub.add_response("get_change", {"ChangeInfo": change("PENDING")}, {"Id": "/change/C1"})
    stub.add_response("get_change", {"ChangeInfo": change("INSYNC")}, {"Id": "/change/C1"})
    with stub:
        provider.publish(NAME, {"a"}, 60)
        stub.assert_no_pending_responses()
    # Under 40 seconds left, four polls fit: a quarter of the 2 s left apart.
    assert len(polls) == 2 and 0.4 <= polls[1] - polls[0] < 1.0


def test_waits_for_insync_within_the_deadline():
    provider, stub, polls = stubbed(1.0)
    for _poll in range(10):
        stub.add_response("get_change", {"ChangeInfo": change("PENDING")})
    start = time.monotonic()
    with stub, pytest.raises(ProviderTimeout, match=r"change /change/C1 still PENDING at the deadline, after 0\.[5-9]s"):
        provider.publish(NAME, {"a"}, 60)
    assert time.monotonic() - start < 1.0 and len(polls) >= 3
    assert all(later - earlier >= 0.2 for earlier, later in zip(polls, polls[1:]))


def test_a_refused_poll_is_mapped_like_any_call():
    provider, stub, _polls = stubbed(2.0)
    stub.add_client_error("get_change", service_error_code="AccessDenied", http_status_code=403)
    with stub, pytest.raises(ProviderAuthError, match="AccessDenied") as caught:
        provider.publish(NAME, {"a"}, 60)
    assert caught.value.details["provider"] == "aws" and "testing-secret" not in caught.value.msg


def test_waiter_config_never_outlives_the_time_left():
    for remaining in (0.5, 3.0, 39.0, 40.0, 41.0, 300.0, 3600.0):
        config = waiter_config(remaining)
        # The last poll starts at (MaxAttempts - 1) * Delay and leaves a Delay for itself.
        assert (config["MaxAttempts"] - 1) * config["Delay"] + config["Delay"] <= remaining
        assert config["Delay"] <= INSYNC_DELAY and config["MaxAttempts"] >= 1
    assert waiter_config(300.0) == {"Delay": 10.0, "MaxAttempts": 30}


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


class StrictRoute53:
    """Route 53 as AWS runs it, at the botocore client seam: one zone, record sets stored as units.

    A change batch is atomic; CREATE fails when the set exists, DELETE when the
    set given is not exactly the stored one (TTL and every value). moto accepts
    a DELETE of any set it ever stored, so it cannot show lost updates.
    ``before_change`` runs once before the next change batch is applied: the
    other writer's turn.
    """

    def __init__(self, store: dict[tuple[str, str], dict] | None = None, lock: threading.Lock | None = None,
                 status: str = "INSYNC") -> None:
        self.store = {} if store is None else store
        self.status = status
        self.polls = 0
        self.lock = lock or threading.Lock()
        self.before_change: t.Callable[[], None] | None = None
        self.batches: list[list[dict]] = []

    def view(self) -> "StrictRoute53":
        """Another client of the same zone (another controller)."""
        return StrictRoute53(self.store, self.lock)

    def list_resource_record_sets(self, HostedZoneId, StartRecordName, StartRecordType=None, MaxItems="100"):  # pylint: disable=invalid-name
        with self.lock:
            found = [copy.deepcopy(rrset) for (name, rtype), rrset in sorted(self.store.items())
                     if name == StartRecordName.rstrip(".") + "." and rtype == (StartRecordType or rtype)]
        return {"ResourceRecordSets": found[:int(MaxItems)], "IsTruncated": False, "MaxItems": MaxItems}

    def change_resource_record_sets(self, HostedZoneId, ChangeBatch):  # pylint: disable=invalid-name
        if self.before_change:
            turn, self.before_change = self.before_change, None
            turn()
        with self.lock:
            staged = dict(self.store)
            for change in ChangeBatch["Changes"]:
                rrset = dict(change["ResourceRecordSet"], Name=change["ResourceRecordSet"]["Name"].rstrip(".") + ".")
                key = (rrset["Name"], rrset["Type"])
                if change["Action"] == "CREATE" and key in staged:
                    raise conflict(f"Tried to create resource record set [name='{key[0]}', type='{key[1]}'] but it already exists")
                if change["Action"] == "DELETE" and staged.get(key) != rrset:
                    raise conflict(f"Tried to delete resource record set [name='{key[0]}', type='{key[1]}'] but the values"
                                   " provided do not match the current values")
                if change["Action"] == "DELETE":
                    del staged[key]
                else:
                    staged[key] = rrset
            self.store.clear()
            self.store.update(staged)
            self.batches.append(ChangeBatch["Changes"])
        return {"ChangeInfo": {"Id": "C1", "Status": self.status}}

    def get_change(self, Id):  # pylint: disable=invalid-name
        self.polls += 1
        return {"ChangeInfo": {"Id": Id, "Status": self.status}}

    def values(self, name: str = NAME) -> set[str]:
        rrset = self.store.get((name + ".", "TXT"))
        return {unquote(item["Value"]) for item in rrset["ResourceRecords"]} if rrset else set()


def conflict(message: str) -> Exception:
    return ClientError({"Error": {"Code": "InvalidChangeBatch", "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": 400}}, "ChangeResourceRecordSets")


def writer(clock, api: StrictRoute53) -> Route53Provider:
    provider = route53(clock, zone_id="Z1")
    provider._api = api  # pylint: disable=protected-access
    return provider


def test_a_concurrent_writer_keeps_its_value_on_publish(clock):
    aws = StrictRoute53()
    first, second = writer(clock, aws), writer(clock, aws.view())
    aws.before_change = lambda: second.publish(NAME, {"from-b"}, 60)
    first.publish(NAME, {"from-a"}, 60)
    assert aws.values() == {"from-a", "from-b"}


def test_a_concurrent_writer_keeps_its_value_on_remove(clock):
    aws = StrictRoute53()
    first, second = writer(clock, aws), writer(clock, aws.view())
    first.publish(NAME, {"old", "keep"}, 60)
    aws.before_change = lambda: second.publish(NAME, {"from-b"}, 60)
    first.remove(NAME, {"old"})
    assert aws.values() == {"keep", "from-b"}
    aws.before_change = lambda: second.remove(NAME, {"from-b"})
    first.remove(NAME, {"keep"})
    assert aws.values() == set() and (NAME + ".", "TXT") not in aws.store


def test_change_batches_name_the_set_read(clock):
    aws = StrictRoute53()
    provider = writer(clock, aws)
    provider.publish(NAME, {"a"}, 60)
    provider.publish(NAME, {"b"}, 60)
    provider.remove(NAME, {"a", "b"})
    assert [[change["Action"] for change in batch] for batch in aws.batches] == [["CREATE"], ["DELETE", "CREATE"], ["DELETE"]]
    assert aws.batches[1][0]["ResourceRecordSet"]["ResourceRecords"] == [{"Value": '"a"'}]


class ScaledClock(fake_clock.FakeClock):
    """Fake time, but a backoff really waits (a hundredth of it), as two controllers' backoffs do."""

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds) / 100)
        super().sleep(seconds)


def test_two_writers_at_once_lose_no_value():
    aws = StrictRoute53()
    # Each controller has its own clock; with a shared instant fake clock the writers would retry in lockstep.
    providers = [writer(ScaledClock(), aws.view()) for _writer in range(2)]
    errors: list[Exception] = []

    def run(provider: Route53Provider, prefix: str) -> None:
        try:
            for index in range(15):
                provider.publish(NAME, {f"{prefix}{index}"}, 60)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(provider, prefix)) for provider, prefix in zip(providers, "ab")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert aws.values() == {f"{prefix}{index}" for prefix in "ab" for index in range(15)}


def test_conflicts_until_the_deadline_fail_in_time(clock):
    aws = StrictRoute53()
    provider = writer(clock, aws)
    provider.publish(NAME, {"a"}, 60)
    other = writer(clock, aws.view())

    def meddle() -> None:
        other.publish(NAME, {f"x{clock.time}"}, 60)
        aws.before_change = meddle

    aws.before_change = meddle
    with pytest.raises(ProviderError, match="changed by another writer") as caught:
        provider.publish(NAME, {"b"}, 60)
    assert caught.value.transient is True
    assert clock.time - 1000.0 <= 30.0 and len(clock.sleeps) >= 2
    assert all(0 <= sleep <= 5.0 for sleep in clock.sleeps)


def real_route53(seconds: float, **options) -> Route53Provider:
    clock = Clock()
    ctx = Context(clock, Deadline(clock, seconds), connect_timeout=5.0, read_timeout=5.0)
    return Route53Provider("aws", ctx, {**KEYS, "zone_id": "Z1", **options})


def test_a_black_holed_sts_is_bounded_by_the_deadline(monkeypatch):
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with blackholed_port() as port:
        provider = real_route53(1.0, role_arn="arn:aws:iam::123456789012:role/dns01", sts_endpoint_url=f"http://127.0.0.1:{port}",
                                endpoint_url=f"http://127.0.0.1:{port}")
        start = time.monotonic()
        with pytest.raises(ProviderTimeout):
            provider.list(NAME)
        assert time.monotonic() - start < 3.0
        assert workers(grace=1.5) == []


def test_a_black_holed_api_leaves_no_thread_behind(monkeypatch):
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with blackholed_port() as port:
        provider = real_route53(1.0, endpoint_url=f"http://127.0.0.1:{port}")
        with pytest.raises(ProviderTimeout):
            provider.list(NAME)
        assert workers(grace=1.5) == []


def validated(route53_options: dict) -> dict:
    """The provider's route53 options after Ansible's argument validation (aliases, env fallbacks)."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator  # pylint: disable=import-outside-toplevel

    from ansible_collections.portable.dns01.plugins.module_utils._publish.argspec import publish_spec  # pylint: disable=import-outside-toplevel

    params = {"records": [{"name": NAME, "values": ["v"]}],
              "providers": [{"name": "aws", "type": "route53", "route53": route53_options}]}
    result = ArgumentSpecValidator(publish_spec()).validate(params)
    assert result.error_messages == []
    return result.validated_parameters["providers"][0]["route53"]


def test_aws_options_take_the_amazon_aws_names(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(key, raising=False)
    options = validated({"aws_access_key_id": "AKID", "aws_secret_access_key": "SECRET", "aws_session_token": "TOKEN",
                         "aws_profile": "dns", "aws_region": "eu-west-1", "aws_endpoint_url": "http://127.0.0.1:5000"})
    assert {key: options[key] for key in ("access_key", "secret_key", "session_token", "profile", "region", "endpoint_url")} == {
        "access_key": "AKID", "secret_key": "SECRET", "session_token": "TOKEN", "profile": "dns", "region": "eu-west-1",
        "endpoint_url": "http://127.0.0.1:5000"}


def test_aws_options_fall_back_to_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "from-env")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    monkeypatch.delenv("AWS_REGION", raising=False)
    options = validated({"zone_name": "example.com"})
    assert options["profile"] == "from-env" and options["region"] == "ap-south-1"


def test_a_named_profile_supplies_the_credentials(clock, aws, tmp_path, monkeypatch):
    zone_id = zone(aws, "example.com")
    credentials = tmp_path / "credentials"
    credentials.write_text("[dns]\naws_access_key_id = profile-key\naws_secret_access_key = profile-secret\n", encoding="utf-8")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    provider = Route53Provider("aws", Context(clock, Deadline(clock, 30.0)), {"profile": "dns", "region": "us-east-1"})
    provider.publish(NAME, {"via-profile"}, 60)
    assert txt(aws, zone_id)[NAME + "."][1] == ['"via-profile"']
    missing = Route53Provider("aws", Context(clock, Deadline(clock, 30.0)), {"profile": "nope", "region": "us-east-1"})
    with pytest.raises(ProviderError, match="nope"):
        missing.publish(NAME, {"x"}, 60)
