# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The start of a renewal in one module run: check, preflight, directories, lock; each only after the one before."""

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, LockError, PreflightError
from ansible_collections.portable.dns01.plugins.module_utils._lock import process
from ansible_collections.portable.dns01.plugins.module_utils._lock.actions import run_lock_action
from ansible_collections.portable.dns01.plugins.module_utils._lock.file import FileLocks
from ansible_collections.portable.dns01.plugins.module_utils._renewal.start import start
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._preflight.fakes import Key, Signed
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._renewal.test_plan import options


@pytest.fixture
def signed(clock) -> Signed:
    return Signed(clock)


@pytest.fixture
def locks(tmp_path, clock):
    return FileLocks(str(tmp_path / "locks"), clock)


def renewal(tmp_path, signed, locks, **changes):
    opts = options(tmp_path, **changes)
    opts["preflight"] = {"directory": "https://ca.test/dir", "ca_identities": ["letsencrypt.org"], "account_uri": None,
                         "caa": True, "dnssec": True, "dnssec_trust_anchors": [signed.keys["."].ds()],
                         "bootstrap_resolvers": [], "query_timeout": 1.0}
    opts["lock"] = {"name": "renewal", "heartbeat": False, "backend": "file", "redis_url": None,
                    "directory": locks.directory, "ttl": 60, "wait": 0}
    return opts


def start_renewal(opts, signed, locks, clock, check_mode=False):
    return start(opts, check_mode, clock, signed.resolver, locks, controller=None)


def test_checks_then_takes_the_lock_in_one_call(tmp_path, signed, locks, clock):
    signed.serve()
    result = start_renewal(renewal(tmp_path, signed, locks), signed, locks, clock)
    assert result["preflight"]["problems"] == [] and "example.test: signed and validates" in result["preflight"]["notes"]
    assert locks.holder("renewal").owner == result["lock"]["owner"]
    assert result["lock"]["left_behind"] == 0
    assert {"preflight", "lock"} <= set(result) and result["preflight"]["duration"] >= 0 and result["lock"]["duration"] >= 0
    assert (tmp_path / "account").is_dir()


def test_a_preflight_problem_stops_before_any_directory_or_lock(tmp_path, signed, locks, clock):
    signed.serve(example_ds=Key("example.test.").ds())
    with pytest.raises(PreflightError) as failure:
        start_renewal(renewal(tmp_path, signed, locks), signed, locks, clock)
    assert failure.value.details["step"] == "preflight"
    assert failure.value.details["preflight"]["failed"] and "bogus" in failure.value.details["preflight"]["msg"]
    assert locks.holder("renewal") is None
    assert not (tmp_path / "account").exists() and not (tmp_path / "certs").exists()


def test_a_lock_held_by_a_live_run_fails_with_step_lock_and_what_was_created(tmp_path, signed, locks, clock, run):
    signed.serve()
    held = run_lock_action({"name": "renewal", "state": "acquired", "owner": None, "backend": "file", "redis_url": None,
                            "directory": locks.directory, "ttl": 60, "wait": 0, "force": False, "heartbeat": False},
                           False, clock, locks, controller=process.describe(run.pid))
    with pytest.raises(LockError) as failure:
        start_renewal(renewal(tmp_path, signed, locks, dry_run=True), signed, locks, clock)
    details = failure.value.details
    assert details["step"] == "lock" and details["lock"]["failed"]
    assert details["dry_run_dir"] and str(tmp_path / "account") in details["created_directories"]
    assert locks.holder("renewal").owner == held["owner"]


def test_a_bad_inventory_fails_before_the_checks_and_the_lock(tmp_path, signed, locks, clock):
    opts = renewal(tmp_path, signed, locks)
    opts["settings"]["ttl"] = -1
    with pytest.raises(InputError) as failure:
        start_renewal(opts, signed, locks, clock)
    # The world serves nothing: had the checks run, they would have failed otherwise.
    assert "step" not in failure.value.details
    assert locks.holder("renewal") is None


def test_without_certificates_nothing_is_checked_or_locked(tmp_path, signed, locks, clock):
    result = start_renewal(renewal(tmp_path, signed, locks, certificates=[]), signed, locks, clock)
    assert "preflight" not in result and "lock" not in result
    assert locks.holder("renewal") is None


def test_check_mode_takes_no_lock(tmp_path, signed, locks, clock):
    signed.serve()
    result = start_renewal(renewal(tmp_path, signed, locks), signed, locks, clock, check_mode=True)
    assert "owner" not in result["lock"] and not result["lock"]["held_by_other"]
    assert locks.holder("renewal") is None
