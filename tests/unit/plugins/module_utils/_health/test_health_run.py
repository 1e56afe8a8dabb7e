# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._health.argspec import health_argument_spec
from ansible_collections.portable.dns01.plugins.module_utils._health.run import HealthCheck, feed_breaker, parse_delegations
from ansible_collections.portable.dns01.plugins.module_utils._publish.breaker import Breaker
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._publish.fakes import FakeClock, FakeProvider, FakeResolver

TYPES = {"fake": FakeProvider}


def params(**extra):
    values = {key: spec.get("default") for key, spec in health_argument_spec().items()}
    values.update(providers=[{"name": "primary", "type": "fake", "zone": "example.test", "fake": {"cost": 0}},
                             {"name": "fallback", "type": "fake", "zone": "fallback.test", "fake": {"cost": 0}}])
    values.update(extra)
    return values


def check(check_mode=True, **extra):
    return HealthCheck(params(**extra), check_mode=check_mode, clock=FakeClock(), resolver=FakeResolver(), types=TYPES).run()


def test_check_mode_names_the_canaries_without_any_call():
    result = check(delegations=[{"domain": "*.Example.test", "target_zone": "fallback.test"}])
    assert [item["name"] for item in result["providers"]] == ["_dns01-canary.example.test", "_dns01-canary.fallback.test"]
    assert result["delegations"] == [{"domain": "*.example.test", "name": "_acme-challenge.example.test",
                                      "target": "example.test.fallback.test", "account": None}]
    assert result["healthy"] is None


def test_only_picks_providers_and_unknown_names_fail_first():
    assert [item["provider"] for item in check(only=["fallback"])["providers"]] == ["fallback"]
    with pytest.raises(InputError, match="only: no provider named nope"):
        check(check_mode=False, only=["nope"])


def test_a_bad_canary_label_fails_before_any_call():
    with pytest.raises(InputError, match="canary_label"):
        check(check_mode=False, canary_label="two.labels")


def test_delegation_targets_come_from_the_inventory_or_the_account():
    accounts = {"b.test": {"fulldomain": "sub.auth.acme-dns.test", "password": "secret"}}
    parsed = parse_delegations([{"domain": "a.test", "target": "x.fallback.test"}, {"domain": "b.test", "acme_dns": {}}], accounts)
    assert [(item.target, item.account is not None) for item in parsed] == [("x.fallback.test", False), ("sub.auth.acme-dns.test", True)]
    with pytest.raises(InputError, match=r"delegations\[0\]: no target"):
        parse_delegations([{"domain": "c.test", "acme_dns": {}}], accounts)


class Endpoint:
    """What the breaker keys a provider by."""

    def __init__(self, name: str, type_name: str = "fake") -> None:
        self.name, self.type_name = name, type_name


def probe_result(healthy: bool, error_class: str | None = None) -> dict:
    steps = [{"step": "publish", "ok": healthy, "ms": 3, "error_class": error_class, "message": None, "status": None}]
    return {"healthy": healthy, "steps": steps}


def test_probes_feed_the_breaker_shared_with_the_publish_chain(tmp_path):
    clock = FakeClock()
    state = str(tmp_path / "breaker.json")
    down, refused, up = Endpoint("primary"), Endpoint("keyed"), Endpoint("fallback")
    for _round in range(2):
        feed_breaker(Breaker(clock, 2, 300.0, state), [down, refused, up],
                     [probe_result(False, "ProviderTimeout"), probe_result(False, "ProviderAuthError"), probe_result(True)])
    breaker = Breaker(clock, 2, 300.0, state)
    assert breaker.is_open("fake:primary")
    # A refused credential is no outage, and a healthy probe keeps the breaker closed.
    assert not breaker.is_open("fake:keyed") and not breaker.is_open("fake:fallback")
    feed_breaker(Breaker(clock, 2, 300.0, state), [down], [probe_result(True)])
    assert not Breaker(clock, 2, 300.0, state).is_open("fake:primary")
