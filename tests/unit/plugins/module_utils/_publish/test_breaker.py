# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._publish.action import Publisher
from ansible_collections.portable.dns01.plugins.module_utils._publish.argspec import publish_spec
from ansible_collections.portable.dns01.plugins.module_utils._publish.breaker import Breaker, default_state_file
from ansible_collections.portable.dns01.plugins.module_utils._publish.factory import TYPES
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._publish.fakes import FakeProvider, FakeResolver

NAME = "_acme-challenge.example.test"


def breaker(clock, path, **extra) -> Breaker:
    return Breaker(clock, **{"threshold": 2, "cooldown": 60, "path": str(path), **extra})


def test_opens_at_threshold_and_success_closes(clock, tmp_path):
    one = breaker(clock, tmp_path / "b.json")
    one.failure("lexicon:pdns")
    assert not one.is_open("lexicon:pdns")
    one.failure("lexicon:pdns")
    assert one.is_open("lexicon:pdns")
    one.success("lexicon:pdns")
    assert not one.is_open("lexicon:pdns")


def test_open_state_is_shared_through_the_file(clock, tmp_path):
    path = tmp_path / "b.json"
    breaker(clock, path).failure("a")
    breaker(clock, path).failure("a")
    assert breaker(clock, path).is_open("a")
    assert not breaker(clock, path).is_open("b")


def test_after_the_cooldown_one_call_tries_and_a_failure_reopens_across_calls(clock, tmp_path):
    path = tmp_path / "b.json"
    first = breaker(clock, path)
    first.failure("a")
    first.failure("a")
    clock.advance(61)
    trial, other = breaker(clock, path), breaker(clock, path)
    assert not trial.is_open("a")          # half-open: this call may try once
    assert other.is_open("a")              # while it tries, other calls still skip
    trial.failure("a")                     # the trial failed: open for a new cool-down
    assert breaker(clock, path).is_open("a")
    assert breaker(clock, path).open_until("a") >= clock.now().timestamp() + 59


def test_a_successful_trial_closes_for_everyone(clock, tmp_path):
    path = tmp_path / "b.json"
    for _attempt in range(2):
        breaker(clock, path).failure("a")
    clock.advance(61)
    trial = breaker(clock, path)
    assert not trial.is_open("a")
    trial.success("a")
    assert not breaker(clock, path).is_open("a") and not breaker(clock, path).is_open("a")


def test_a_trial_that_never_reports_back_is_retried_after_another_cooldown(clock, tmp_path):
    path = tmp_path / "b.json"
    for _attempt in range(2):
        breaker(clock, path).failure("a")
    clock.advance(61)
    assert not breaker(clock, path).is_open("a")
    assert breaker(clock, path).is_open("a")
    clock.advance(61)
    assert not breaker(clock, path).is_open("a")


def _fail_many(path: str, times: int, barrier: t.Any) -> None:
    one = Breaker(Clock(), threshold=1000, cooldown=600, path=path)
    barrier.wait()
    for _attempt in range(times):
        one.failure("a")


def test_concurrent_failures_of_many_processes_all_count(tmp_path):
    path = str(tmp_path / "b.json")
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(6)
    workers = [context.Process(target=_fail_many, args=(path, 20, barrier)) for _attempt in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert json.loads(open(path, encoding="utf-8").read())["providers"]["a"]["failures"] == 120


def test_check_mode_writes_nothing_but_still_counts_within_the_call(clock, tmp_path):
    path = tmp_path / "b.json"
    dry = breaker(clock, path, read_only=True)
    dry.failure("a")
    dry.failure("a")
    assert dry.is_open("a")
    assert not path.exists()
    for _attempt in range(2):
        breaker(clock, path).failure("b")
    clock.advance(61)
    before = path.read_bytes()
    assert not breaker(clock, path, read_only=True).is_open("b")
    assert path.read_bytes() == before


def test_broken_or_unwritable_state_is_ignored(clock, tmp_path):
    path = tmp_path / "b.json"
    path.write_text("not json")
    one = Breaker(clock, threshold=1, cooldown=60, path=str(path))
    one.failure("a")
    assert one.is_open("a")
    blocked = tmp_path / "file"
    blocked.write_text("")
    Breaker(clock, threshold=1, cooldown=60, path=str(blocked / "b.json")).failure("a")


def test_threshold_zero_disables(clock):
    one = Breaker(clock, threshold=0)
    one.failure("a")
    assert not one.is_open("a")


def test_default_state_file_is_per_project(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    one, two = default_state_file("/srv/inventory-a"), default_state_file("/srv/inventory-b")
    assert one != two and one == default_state_file("/srv/inventory-a")
    assert os.path.dirname(one) == os.path.join(str(tmp_path), "portable.dns01", "breaker")


def test_the_default_state_file_is_that_of_the_directory_ansible_playbook_was_started_in(tmp_path, monkeypatch):
    """The runbook's path: <XDG_CACHE_HOME or ~/.cache>/portable.dns01/breaker/<hash of where ansible-playbook ran>.json."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    project = tmp_path / "project"
    project.mkdir()
    script = tmp_path / "ansible-playbook"
    # A stand-in controller: it starts the module process in another directory, as Ansible's workers may.
    script.write_text("import subprocess, sys\n"
                      "print(subprocess.run([sys.executable, '-c', sys.argv[1]], capture_output=True, text=True, cwd='/').stdout)\n")
    probe = ("from ansible_collections.portable.dns01.plugins.module_utils._publish.action import _project_directory; "
             "from ansible_collections.portable.dns01.plugins.module_utils._publish.breaker import default_state_file; "
             "print(default_state_file(_project_directory()))")
    found = subprocess.run([sys.executable, str(script), probe], cwd=project, capture_output=True, text=True, check=True,
                           env=os.environ).stdout.strip()
    assert found == default_state_file(str(project)) != default_state_file("/")
    assert os.path.dirname(found) == str(tmp_path / "cache" / "portable.dns01" / "breaker")


def _publish(clock, state_file, endpoint, store, check_mode=False) -> dict[str, t.Any]:
    values = {key: spec.get("default") for key, spec in publish_spec().items()}
    values.update(records=[{"name": NAME, "values": ["a"]}], follow_cnames=False, timeout=30.0, retries=0,
                  breaker_threshold=1, breaker_cooldown=600, breaker_state_file=state_file, strategy="all",
                  providers=[{"name": "primary", "type": "fake", "zone": None, "retries": 0,
                              "fake": {"store": store, "endpoint": endpoint, "fail_on": [NAME] if store is None else []}}])
    try:
        return Publisher(values, check_mode=check_mode, clock=clock, resolver=FakeResolver(),
                         types={**TYPES, "fake": FakeProvider}).run()
    except Exception as exc:  # pylint: disable=broad-exception-caught
        return {"error": exc}


def test_two_inventories_calling_different_endpoints_primary_do_not_trip_each_other(clock, tmp_path):
    state_file = str(tmp_path / "b.json")
    assert "error" in _publish(clock, state_file, "https://dns-a.test", None)
    other = _publish(clock, state_file, "https://dns-b.test", {})
    assert other["records"][0]["attempts"][0]["outcome"] == "published"
    again = _publish(clock, state_file, "https://dns-a.test", None)
    assert again["error"].details["records"][0]["attempts"][0]["outcome"] == "breaker_open"
    keys = json.loads(open(state_file, encoding="utf-8").read())["providers"]
    assert list(keys) == ["fake|https://dns-a.test|zone="]


def test_a_check_mode_publish_writes_no_breaker_state(clock, tmp_path):
    state_file = tmp_path / "b.json"
    assert "error" in _publish(clock, str(state_file), "https://dns-a.test", None, check_mode=True)
    assert not state_file.exists()
