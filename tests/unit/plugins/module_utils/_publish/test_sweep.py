# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fencing, the durable journal and the sweep, against real lock files."""

from __future__ import annotations

import json
import pathlib
import typing as t

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, LockLostError, ProviderTimeout, PublishError
from ansible_collections.portable.dns01.plugins.module_utils._lock.file import FileLocks
from ansible_collections.portable.dns01.plugins.module_utils._publish.action import Publisher
from ansible_collections.portable.dns01.plugins.module_utils._publish.argspec import publish_spec
from ansible_collections.portable.dns01.plugins.module_utils._publish.factory import TYPES
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._publish.fakes import FakeProvider, FakeResolver

NAME = "_acme-challenge.example.test"
TYPES_WITH_FAKE = {**TYPES, "fake": FakeProvider}


@pytest.fixture
def locks(tmp_path, clock):
    return FileLocks(str(tmp_path / "locks"), clock)


def fake(name: str, store: dict, endpoint: str = "https://dns.example.test", **options: t.Any) -> dict[str, t.Any]:
    return {"name": name, "type": "fake", "zone": None, "retries": 0, "fake": {"store": store, "endpoint": endpoint, **options}}


def params(locks, owner, providers, state="present", values=("a", "b"), **extra) -> dict[str, t.Any]:
    base = {key: spec.get("default") for key, spec in publish_spec().items()}
    base.update(records=[{"name": NAME, "values": list(values)}] if state != "swept" else None, providers=providers, state=state,
                follow_cnames=False, breaker_threshold=0, timeout=30.0,
                run_lock={"backend": "file", "name": "renewal", "owner": owner, "directory": locks.directory, "redis_url": None})
    base.update(extra)
    return base


def run(clock, parameters, check_mode=False) -> dict[str, t.Any]:
    return Publisher(parameters, check_mode=check_mode, clock=clock, resolver=FakeResolver(), types=TYPES_WITH_FAKE).run()


def journal(locks) -> list[dict[str, t.Any]]:
    return locks.journal("renewal").entries()


def killed_run(clock, locks, store, ttl=60) -> None:
    """Run "dead" takes the lock, publishes, and dies without removing its values."""
    assert locks.try_acquire("renewal", "dead", ttl) is None
    run(clock, params(locks, "dead", [fake("primary", store)]))
    clock.advance(ttl + 1)


class Killed(BaseException):
    """The run dies inside the provider call (SIGKILL, OOM): nothing after it runs."""


class DiesWhilePublishing(FakeProvider):
    """Reads the journal at the moment of the write, as a SIGKILL there would leave it, then dies."""

    type_name = "fake"
    journal_at_write: list[dict] = []

    def publish(self, name: str, values: set[str], ttl: int) -> None:
        DiesWhilePublishing.journal_at_write = journal(self.locks)
        self.store.setdefault(name, set()).update(values)
        raise Killed()


def test_publish_journals_each_value_before_the_provider_is_called(clock, locks):
    store: dict[str, set[str]] = {}
    locks.try_acquire("renewal", "me", 60)
    parameters = params(locks, "me", [fake("primary", store)])
    DiesWhilePublishing.locks = locks
    with pytest.raises(Killed):
        Publisher(parameters, clock=clock, resolver=FakeResolver(), types={"fake": DiesWhilePublishing}).run()
    # Had the run died inside the publish call, what it was writing was already on disk for a later sweep.
    entries = DiesWhilePublishing.journal_at_write
    assert sorted(item["value"] for item in entries) == ["a", "b"]
    assert {item["owner"] for item in entries} == {"me"}
    assert {item["name"] for item in entries} == {NAME}
    assert {item["provider"] for item in entries} == {"primary"}
    assert entries[0]["identity"] == "fake|https://dns.example.test|zone="


def test_the_journal_is_one_json_file_per_value_beside_the_lock(clock, locks):
    """docs/runbook.md: <directory>/<name>.journal/, one JSON file per value: owner, provider, endpoint, name, value, time."""
    store: dict[str, set[str]] = {}
    killed_run(clock, locks, store)
    directory = pathlib.Path(locks.directory) / "renewal.journal"
    files = sorted(directory.glob("*.json"))
    assert len(files) == 2 and sorted(path.name for path in directory.iterdir()) == [path.name for path in files]
    entries = [json.loads(path.read_text()) for path in files]
    assert sorted(item["value"] for item in entries) == ["a", "b"]
    for item in entries:
        assert {"owner", "provider", "identity", "name", "value", "time"} <= set(item)
        assert (item["owner"], item["provider"], item["name"]) == ("dead", "primary", NAME)
        assert item["identity"] == "fake|https://dns.example.test|zone="


def test_a_failed_publish_rolls_back_and_drops_the_entries(clock, locks):
    store: dict[str, set[str]] = {}
    locks.try_acquire("renewal", "me", 60)
    parameters = params(locks, "me", [fake("primary", store), fake("second", store, endpoint="https://b.test", fail_on=[NAME])],
                        strategy="all", min_success=2)
    with pytest.raises(PublishError) as caught:
        run(clock, parameters)
    assert [item["outcome"] for item in caught.value.details["rolled_back"]] == ["removed"]
    assert journal(locks) == []


def test_removal_by_the_owner_drops_its_entries(clock, locks):
    store: dict[str, set[str]] = {}
    locks.try_acquire("renewal", "me", 60)
    run(clock, params(locks, "me", [fake("primary", store)]))
    assert len(journal(locks)) == 2
    run(clock, params(locks, "me", [fake("primary", store)], state="absent"))
    assert journal(locks) == [] and store[NAME] == set()


def test_a_run_that_lost_its_lock_writes_nothing_more(clock, locks):
    store: dict[str, set[str]] = {}
    killed_run(clock, locks, store)
    assert locks.try_acquire("renewal", "next", 60) is None
    before = {key: set(values) for key, values in store.items()}
    entries = journal(locks)
    with pytest.raises(LockLostError, match=r"run lock 'renewal' \(lock file .*renewal.lock\).*another run holds it: owner next") as caught:
        run(clock, params(locks, "dead", [fake("primary", store)], values=("c",)))
    assert store == before and journal(locks) == entries
    assert caught.value.details["holder"]["owner"] == "next"
    with pytest.raises(LockLostError):
        run(clock, params(locks, "dead", [fake("primary", store)], state="absent"))
    assert store == before


def test_expired_lock_is_lost_even_when_nobody_took_it(clock, locks):
    locks.try_acquire("renewal", "me", 60)
    clock.advance(61)
    with pytest.raises(LockLostError, match="nobody holds it|it expired"):
        run(clock, params(locks, "me", [fake("primary", {})]))


def test_sweep_removes_what_a_dead_owner_left_through_the_provider_with_the_same_endpoint(clock, locks):
    store = {NAME: {"foreign"}}
    killed_run(clock, locks, store)
    assert store[NAME] == {"a", "b", "foreign"}
    locks.try_acquire("renewal", "next", 60)
    # The catalog of this inventory names the provider differently: the endpoint decides.
    catalog = [fake("other-endpoint", {}, endpoint="https://elsewhere.test"), fake("cloud", store)]
    result = run(clock, params(locks, "next", catalog, state="swept"))
    assert result["changed"] is True
    assert result["swept"] == [{"provider": "cloud", "name": NAME, "values": ["a", "b"], "outcome": "removed", "message": None}]
    assert store[NAME] == {"foreign"} and journal(locks) == []


def test_sweep_keeps_its_own_entries_and_reports_missing_or_failed_providers(clock, locks):
    store: dict[str, set[str]] = {}
    killed_run(clock, locks, store)
    locks.try_acquire("renewal", "next", 60)
    run(clock, params(locks, "next", [fake("primary", store)], values=("mine",)))
    missing = run(clock, params(locks, "next", [fake("primary", {}, endpoint="https://elsewhere.test")], state="swept"))
    assert [item["outcome"] for item in missing["swept"]] == ["provider_missing"]
    failed = run(clock, params(locks, "next", [fake("primary", store, fail_remove=True)], state="swept"))
    assert [item["outcome"] for item in failed["swept"]] == ["failed"]
    assert sorted(item["value"] for item in journal(locks)) == ["a", "b", "mine"]
    assert store[NAME] == {"a", "b", "mine"}


@pytest.mark.parametrize("outcome, options, store_after", [
    # Someone removed the values already: nothing to do, the entries go.
    ("absent", {}, set()),
    # acme-dns has no delete call: later updates replace the values, the entries go.
    ("not_removable", {"can_remove": False}, {"a", "b"}),
])
def test_sweep_drops_entries_that_are_gone_or_cannot_be_removed(clock, locks, outcome, options, store_after):
    store: dict[str, set[str]] = {}
    killed_run(clock, locks, store)
    if outcome == "absent":
        store[NAME] = set()
    locks.try_acquire("renewal", "next", 60)
    result = run(clock, params(locks, "next", [fake("primary", store, **options)], state="swept"))
    assert [item["outcome"] for item in result["swept"]] == [outcome]
    assert journal(locks) == [] and store[NAME] == store_after


def test_sweep_in_check_mode_reports_and_removes_nothing(clock, locks):
    store: dict[str, set[str]] = {}
    killed_run(clock, locks, store)
    locks.try_acquire("renewal", "next", 60)
    result = run(clock, params(locks, "next", [fake("primary", store)], state="swept"), check_mode=True)
    assert [item["outcome"] for item in result["swept"]] == ["would_remove"]
    assert store[NAME] == {"a", "b"} and len(journal(locks)) == 2


def test_sweep_needs_the_lock_and_holds_it(clock, locks):
    store: dict[str, set[str]] = {}
    killed_run(clock, locks, store)
    with pytest.raises(LockLostError):
        run(clock, params(locks, "next", [fake("primary", store)], state="swept"))
    no_lock = params(locks, "next", [fake("primary", store)], state="swept", run_lock=None)
    with pytest.raises(InputError, match="run_lock"):
        run(clock, no_lock)
    assert store[NAME] == {"a", "b"}


def test_check_mode_writes_no_journal(clock, locks):
    locks.try_acquire("renewal", "me", 60)
    run(clock, params(locks, "me", [fake("primary", {})]), check_mode=True)
    assert journal(locks) == []


@pytest.mark.parametrize("run_lock, match", [({"name": "../x", "owner": "me"}, "not a usable lock name"),
                                             ({"name": "renewal", "owner": ""}, "run_lock.owner is required")])
def test_a_bad_run_lock_is_an_input_error_before_any_call(clock, locks, run_lock, match):
    store: dict[str, set[str]] = {}
    parameters = params(locks, "me", [fake("primary", store)])
    parameters["run_lock"].update(run_lock)
    publisher = Publisher(parameters, clock=clock, resolver=FakeResolver(), types=TYPES_WITH_FAKE)
    with pytest.raises(InputError, match=match):
        publisher.run()
    assert store == {}


def test_sweep_stops_calling_a_provider_that_timed_out_and_keeps_its_entries(clock, locks):
    store: dict[str, set[str]] = {}
    names = [f"_acme-challenge.r{index}.example.test" for index in range(4)]
    assert locks.try_acquire("renewal", "dead", 60) is None
    run(clock, params(locks, "dead", [fake("primary", store)], records=[{"name": name, "values": ["a"]} for name in names]))
    clock.advance(61)
    locks.try_acquire("renewal", "next", 60)
    calls: list[tuple[str, str]] = []
    outage = ProviderTimeout("connect timed out", reason="unreachable")
    result = run(clock, params(locks, "next", [fake("primary", store, calls=calls, failures=[outage] * 4)], state="swept"))
    assert len(calls) == 1
    assert [item["outcome"] for item in result["swept"]] == ["failed"] * 4
    assert all("not tried again" in item["message"] for item in result["swept"][1:])
    assert len(journal(locks)) == 4 and all(store[name] == {"a"} for name in names)
