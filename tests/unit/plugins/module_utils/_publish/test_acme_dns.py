# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    InputError,
    ProviderAuthError,
    ProviderError,
    ProviderTimeout,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.acme_dns import AcmeDnsProvider
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._publish.fakes import ScriptedAdapter, scripted_session

PASSWORD = "s3cr3t-password-0123456789abcdefghijklmn"
VALUE_A, VALUE_B = "A" * 43, "b-_" + "B" * 40
NAME = "sub-1.auth.acme-dns.test"


def provider(clock, script, lookup=None) -> AcmeDnsProvider:
    return provider_and_adapter(clock, script, lookup)[0]


def provider_and_adapter(clock, script, lookup=None) -> tuple[AcmeDnsProvider, ScriptedAdapter]:
    adapter = ScriptedAdapter(script)
    ctx = Context(clock, Deadline(clock, 30.0), connect_timeout=2.0, read_timeout=3.0,
                  session_factory=scripted_session(adapter), txt_lookup=lookup)
    options = {"api_url": "http://acme-dns.test:8080/", "username": "user-1", "password": PASSWORD, "subdomain": "sub-1"}
    return AcmeDnsProvider("acmedns", ctx, options), adapter


def test_publish_sends_one_update_per_value(clock):
    acme, adapter = provider_and_adapter(clock, [(200, {}, '{"txt": "x"}'), (200, {}, '{"txt": "y"}')])
    acme.publish(NAME, {VALUE_A, VALUE_B}, 60)
    bodies = [json.loads(request.body) for request in adapter.requests]
    assert bodies == [{"subdomain": "sub-1", "txt": VALUE_A}, {"subdomain": "sub-1", "txt": VALUE_B}]
    assert adapter.requests[0].url == "http://acme-dns.test:8080/update"
    assert adapter.requests[0].headers["X-Api-User"] == "user-1"
    assert adapter.timeouts[0] == (2.0, 3.0)


def test_wrong_credentials_are_an_auth_error_without_the_password(clock):
    acme = provider(clock, [(401, {}, '{"error": "forbidden"}')])
    with pytest.raises(ProviderAuthError) as caught:
        acme.publish(NAME, {VALUE_A}, 60)
    assert caught.value.status == 401 and caught.value.transient is False
    assert PASSWORD not in caught.value.msg and caught.value.provider == "acmedns"


def test_rate_limit_carries_retry_after(clock):
    acme = provider(clock, [(429, {"Retry-After": "12"}, "slow down")])
    with pytest.raises(ProviderError) as caught:
        acme.publish(NAME, {VALUE_A}, 60)
    assert caught.value.transient and caught.value.retry_after == 12.0


def test_timeouts_are_provider_timeouts(clock):
    acme = provider(clock, [requests.ConnectTimeout("connect timed out")])
    with pytest.raises(ProviderTimeout):
        acme.check_health()


def test_server_errors_are_transient(clock):
    acme = provider(clock, [(500, {}, "boom")])
    with pytest.raises(ProviderError) as caught:
        acme.check_health()
    assert caught.value.transient and caught.value.status == 500


@pytest.mark.parametrize("values, message", [
    ({"short"}, "43-character"),
    ({VALUE_A, VALUE_B, "C" * 43}, "holds 2 values"),
])
def test_values_are_checked_first(clock, values, message):
    acme, adapter = provider_and_adapter(clock, [])
    with pytest.raises(InputError, match=message):
        acme.publish(NAME, values, 60)
    assert adapter.requests == []


def test_applies_only_to_its_subdomain(clock):
    acme = provider(clock, [])
    assert acme.not_applicable(NAME) is None
    assert "not acme-dns subdomain" in acme.not_applicable("_acme-challenge.example.test")


def test_list_asks_the_authoritative_servers(clock):
    acme = provider(clock, [], lookup=lambda name: [VALUE_A])
    assert acme.list(NAME) == {VALUE_A}


def test_remove_is_a_no_op(clock):
    acme, adapter = provider_and_adapter(clock, [])
    acme.remove(NAME, {VALUE_A})
    assert adapter.requests == [] and acme.can_remove is False
