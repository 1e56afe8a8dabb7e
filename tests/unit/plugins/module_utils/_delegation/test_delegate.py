# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The delegator against a fake provider and a fake DNS: plan, write, wait."""

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    Dns01Error,
    InputError,
    PropagationTimeout,
    RecordConflict,
)
from ansible_collections.portable.dns01.plugins.module_utils._delegation.delegate import plan_absent, plan_present
from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Resolver
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._dns.fakes import World

RECORD = "_acme-challenge.www.example.test"


def test_sets_the_cname_and_waits_for_every_server(delegate, store):
    result = delegate(diff=True)
    assert result["changed"] is True
    assert (result["record"], result["target"], result["provider"]) == (RECORD, "www.acme.test", "primary")
    assert result["before"] == {} and result["after"] == {"CNAME": ["www.acme.test"]}
    assert store[RECORD] == {"CNAME": ["www.acme.test"]}
    assert result["zone"] == "example.test"
    assert [(row["address"], row["serving"]) for row in result["nameservers"]] == [("10.0.1.1", True), ("10.0.1.2", True)]
    assert result["diff"]["after"] == f"{RECORD}. IN CNAME www.acme.test\n"


def test_second_run_changes_nothing(delegate):
    delegate()
    again = delegate()
    assert again["changed"] is False
    assert again["before"] == again["after"] == {"CNAME": ["www.acme.test"]}


def test_a_wrong_cname_is_replaced(delegate, store):
    store[RECORD] = {"CNAME": ["old.acme.test"]}
    result = delegate(diff=True)
    assert result["changed"] is True
    assert result["before"] == {"CNAME": ["old.acme.test"]} and result["after"] == {"CNAME": ["www.acme.test"]}
    assert "old.acme.test" in result["diff"]["before"]


def test_check_mode_writes_nothing_and_does_not_wait(delegate, store, world):
    store[RECORD] = {"CNAME": ["old.acme.test"]}
    result = delegate(check_mode=True, diff=True)
    assert result["changed"] is True and "nameservers" not in result
    assert store[RECORD] == {"CNAME": ["old.acme.test"]}


def test_txt_at_the_name_is_refused_with_what_is_there(delegate, store):
    store[RECORD] = {"TXT": ["stale-value"]}
    with pytest.raises(RecordConflict) as caught:
        delegate()
    assert caught.value.details["existing"] == {"TXT": ["stale-value"]}
    assert "TXT stale-value" in caught.value.msg
    assert store[RECORD] == {"TXT": ["stale-value"]}


def test_force_replace_removes_other_data_first(delegate, store):
    store[RECORD] = {"TXT": ["stale-value"], "A": ["192.0.2.1"]}
    result = delegate(force_replace=True)
    assert result["removed"] == [{"type": "A", "values": ["192.0.2.1"]}, {"type": "TXT", "values": ["stale-value"]}]
    assert store[RECORD] == {"CNAME": ["www.acme.test"]}


def test_waits_for_a_lagging_server(delegate, clock):
    result = delegate(lag=4.0)
    assert all(row["serving"] for row in result["nameservers"])
    assert clock.sleeps and sum(clock.sleeps) >= 4.0


def test_gives_up_at_the_wait_timeout(delegate):
    with pytest.raises(PropagationTimeout) as caught:
        delegate(lag=60.0, wait_timeout=5.0)
    lagging = [row for row in caught.value.details["nameservers"] if not row["serving"]]
    assert [row["address"] for row in lagging] == ["10.0.1.2"]


def test_absent_removes_only_a_cname_to_the_target(delegate, store):
    store[RECORD] = {"CNAME": ["other.acme.test"]}
    kept = delegate(state="absent")
    assert kept["changed"] is False and kept["warnings"]
    assert store[RECORD] == {"CNAME": ["other.acme.test"]}
    removed = delegate(state="absent", target=None)
    assert removed["changed"] is True and store[RECORD] == {}
    assert all(row["target"] is None for row in removed["nameservers"])


def test_absent_when_nothing_is_there(delegate):
    result = delegate(state="absent")
    assert result["changed"] is False and "nameservers" not in result


@pytest.mark.parametrize("overrides, field", [
    ({"target": "_acme-challenge.www.example.test"}, "target"),
    ({"target": None}, "target"),
    ({"domain": "bad domain"}, "domain"),
    ({"ttl": 0}, "ttl"),
    ({"provider": {"name": "acme", "type": "acme_dns", "acme_dns": {
        "api_url": "http://127.0.0.1:9", "username": "u", "password": "p", "subdomain": "s"}}}, "provider.type"),
    ({"provider": {"name": "p", "type": "lexicon"}}, "provider.lexicon"),
])
def test_input_errors_come_before_any_provider_call(delegate, store, overrides, field):
    with pytest.raises(InputError) as caught:
        delegate(**overrides)
    assert caught.value.details["field"] == field
    assert store == {}


def test_acme_dns_error_names_the_type(delegate):
    provider = {"name": "acme", "type": "acme_dns",
                "acme_dns": {"api_url": "http://127.0.0.1:9", "username": "u", "password": "p", "subdomain": "s"}}
    with pytest.raises(InputError, match="type acme_dns cannot write CNAME"):
        delegate(provider=provider)


def test_a_name_outside_the_provider_zone_is_refused(delegate):
    with pytest.raises(InputError) as caught:
        delegate(domain="www.other.test")
    assert caught.value.details["field"] == "provider.zone"


def test_a_cname_loop_is_refused_before_writing(delegate, world, store):
    for server in world.zones["acme.test"]:
        server.add("www.acme.test", "CNAME", RECORD + ".")
    with pytest.raises(InputError, match="loop") as caught:
        delegate()
    assert caught.value.details["field"] == "target"
    assert store == {}


def test_target_in_the_provider_zone_warns(delegate):
    result = delegate(target="acme.www.example.test", wait=False)
    assert any("would still need" in warning for warning in result["warnings"])


def test_plans_keep_dnssec_records():
    plan = plan_present(RECORD, "t.acme.test", {"RRSIG": ["sig"], "NSEC": ["n"]}, force=False)
    assert plan.write and plan.removals == [] and plan.after["RRSIG"] == ["sig"]
    assert plan_absent(RECORD, None, {"CNAME": ["t.acme.test"], "RRSIG": ["sig"]}).after == {"RRSIG": ["sig"]}


def test_a_loop_behind_the_target_is_refused(delegate, world, store):
    for server in world.zones["acme.test"]:
        server.add("www.acme.test", "CNAME", "loop.acme.test.")
        server.add("loop.acme.test", "CNAME", "www.acme.test.")
    with pytest.raises(InputError, match="CNAME loop") as caught:
        delegate()
    assert caught.value.details["cname_chain"][0] == "www.acme.test"
    assert store == {}


def test_an_unresolvable_target_only_warns(delegate, world):
    world.transport.servers[world.RESOLVER].silent = True
    result = delegate(wait=False)
    assert result["changed"] is True
    assert any("cannot follow the CNAMEs" in warning for warning in result["warnings"])


# The worst day: servers that never answer, each query costing its whole time-out on the clock.

def slow_resolver(world, clock, query_timeout=5.0):
    world.transport.timeouts_take_time = True
    return Resolver(world.transport, bootstrap=[World.RESOLVER], clock=clock, query_timeout=query_timeout)


def test_the_wait_ends_at_wait_timeout_when_a_server_never_answers(delegate, world, clock):
    world.server("10.0.1.2").silent = True
    start = clock.monotonic()
    with pytest.raises(PropagationTimeout, match="10.0.1.2"):
        delegate(wait_timeout=7.0, resolver=slow_resolver(world, clock))
    assert clock.monotonic() - start <= 7.0
    assert all(sent + wait <= start + 7.0 for sent, wait in world.transport.waits)


def test_the_wait_ends_at_wait_timeout_when_the_zone_cannot_be_found(delegate, world, clock):
    start = clock.monotonic()
    # The provider's calls are done; then every nameserver of the zone falls silent.
    world.transport.at(0.0, lambda: [setattr(server, "silent", True) for server in world.zones["example.test"]])
    with pytest.raises(PropagationTimeout, match="10.0.1.1"):
        delegate(wait_timeout=7.0, resolver=slow_resolver(world, clock), lag=1.0)
    assert clock.monotonic() - start <= 7.0


def test_provider_lookups_end_within_timeout(delegate, world, clock):
    """A provider that finds its zone through the DNS keeps to ``timeout`` like its API calls."""
    world.recursor.silent = True
    provider = {"name": "primary", "type": "fake", "fake": {"store": {}, "servers": world.zones["example.test"]}}
    start = clock.monotonic()
    with pytest.raises(Dns01Error):
        delegate(provider=provider, timeout=3.0, wait=False, resolver=slow_resolver(world, clock))
    assert clock.monotonic() - start <= 3.0
