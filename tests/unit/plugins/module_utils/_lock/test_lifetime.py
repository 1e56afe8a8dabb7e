# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A lock's lifetime: who holds it, dead holders, the heartbeat, clearing it by hand, its directory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import LockError
from ansible_collections.portable.dns01.plugins.module_utils._lock import heartbeat, process
from ansible_collections.portable.dns01.plugins.module_utils._lock.actions import run_lock_action
from ansible_collections.portable.dns01.plugins.module_utils._lock.file import DEFAULT_DIRECTORY, FileLocks
from ansible_collections.portable.dns01.plugins.module_utils._lock.journal import entry
from ansible_collections.portable.dns01.plugins.module_utils._lock.lock import acquire


@pytest.fixture
def locks(tmp_path, fake_clock):
    return FileLocks(str(tmp_path / "locks"), fake_clock)


def params(locks, **extra):
    base = {"name": "renewal", "state": "acquired", "owner": None, "backend": "file", "redis_url": None,
            "directory": locks.directory, "ttl": 60, "wait": 0, "force": False, "heartbeat": False}
    return {**base, **extra}


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stream:
            return stream.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def test_the_holder_names_its_process_and_the_error_names_the_lock_file(locks, fake_clock, run):
    owner = process.describe(run.pid)
    locks.try_acquire("renewal", "a" * 32, 600, owner)
    holder = locks.holder("renewal")
    assert (holder.host, holder.pid, holder.started) == (socket.gethostname(), run.pid, owner.started)
    assert holder.boot_id == process.boot_id() and holder.since == fake_clock.now().timestamp()
    with pytest.raises(LockError) as caught:
        acquire(locks, "renewal", "b", 60, wait=0, clock=fake_clock)
    assert os.path.join(locks.directory, "renewal.lock") in caught.value.msg
    assert f"by pid {run.pid} on {socket.gethostname()} since 2026-11-28T" in caught.value.msg
    assert caught.value.details["holder"]["alive"] is True


def test_a_dead_holder_on_this_host_is_taken_over_without_waiting_for_the_ttl(locks, run):
    locks.try_acquire("renewal", "a", 3600, process.describe(run.pid))
    assert locks.try_acquire("renewal", "b", 60).owner == "a"
    run.kill()
    run.wait()
    assert locks.try_acquire("renewal", "b", 60) is None
    assert locks.holder("renewal").owner == "b"


def test_a_holder_killed_but_not_yet_reaped_is_dead(locks, run):
    """A killed ansible-playbook whose parent has not collected it yet is a zombie: it holds nothing."""
    holder = process.describe(run.pid)
    locks.try_acquire("renewal", "a", 3600, holder)
    run.kill()
    deadline = time.monotonic() + 10
    while not gone(run.pid):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert os.path.exists(f"/proc/{run.pid}")  # not reaped: the fixture waits for it only afterwards
    assert process.alive(holder) is False and process.describe(run.pid) is None
    assert locks.try_acquire("renewal", "b", 60) is None
    assert locks.holder("renewal").owner == "b"


def test_a_reused_pid_or_another_boot_reads_as_dead(locks):
    me = process.describe(os.getpid())
    reused = process.Process(me.host, me.pid, str(int(me.started) + 1), me.boot_id)
    rebooted = process.Process(me.host, me.pid, me.started, "another-boot")
    assert process.alive(me) is True
    assert process.alive(reused) is False and process.alive(rebooted) is False
    assert process.alive(process.Process("elsewhere.example", me.pid, me.started, me.boot_id)) is None
    locks.try_acquire("renewal", "a", 3600, reused)
    assert locks.try_acquire("renewal", "b", 60) is None


def test_the_controller_is_the_outermost_ansible_process(tmp_path):
    script = tmp_path / "ansible-playbook"
    script.write_text("import subprocess, sys\n"
                      "print(subprocess.run([sys.executable, '-c', sys.argv[1]], capture_output=True, text=True).stdout)\n")
    probe = ("import os; from ansible_collections.portable.dns01.plugins.module_utils._lock.process import controller; "
             "print(controller().pid, os.getppid())")
    out = subprocess.run([sys.executable, str(script), probe], capture_output=True, text=True, check=True, env=os.environ).stdout
    found, parent = out.split()
    assert found == parent
    assert process.controller() is None


class DyingClock:
    """Sleeps instantly and runs ``on_sleep`` (kill a process, steal the lock) at the n-th sleep."""

    def __init__(self, clock, at, on_sleep):
        self.clock, self.at, self.on_sleep, self.sleeps = clock, at, on_sleep, 0

    def sleep(self, seconds):
        self.sleeps += 1
        self.clock.advance(seconds)
        if self.sleeps == self.at:
            self.on_sleep()

    def now(self):
        return self.clock.now()

    def monotonic(self):
        return self.clock.monotonic()


def test_heartbeat_extends_while_the_run_lives_and_stops_when_it_dies(locks, fake_clock, run):
    controller = process.describe(run.pid)
    locks.try_acquire("renewal", "a", 30, controller)

    def die():
        run.kill()
        run.wait()

    clock = DyingClock(fake_clock, 4, die)
    assert heartbeat.keep_alive(locks, "renewal", "a", 30, controller, clock) == "controller gone"
    assert clock.sleeps == 4
    # Three renewals of ten seconds each kept the 30 s lock alive for 40 s.
    assert locks.holder("renewal").expires == pytest.approx(fake_clock.now().timestamp() + 20)


def test_heartbeat_stops_when_the_lock_is_no_longer_ours(locks, fake_clock, run):
    controller = process.describe(run.pid)
    locks.try_acquire("renewal", "a", 30, controller)
    clock = DyingClock(fake_clock, 2, lambda: locks.remove("renewal", locks.holder("renewal")) and locks.try_acquire("renewal", "b", 30))
    assert heartbeat.keep_alive(locks, "renewal", "a", 30, controller, clock) == "lock lost"
    assert locks.holder("renewal").owner == "b"


def test_detached_heartbeat_keeps_a_short_lock_for_a_long_run_and_exits_with_the_run(tmp_path, run):
    locks = FileLocks(str(tmp_path / "locks"), Clock())
    result = run_lock_action(params(locks, ttl=3, heartbeat=True), False, Clock(), controller=process.describe(run.pid))
    assert result["heartbeat"] and result["owner"]
    time.sleep(4.5)
    holder = locks.holder("renewal")
    assert holder.owner == result["owner"] and holder.expires > time.time()
    run.kill()
    run.wait()
    deadline = time.time() + 5
    while not gone(result["heartbeat"]) and time.time() < deadline:
        time.sleep(0.1)
    assert gone(result["heartbeat"])


def test_without_a_controller_no_heartbeat_starts_and_a_warning_says_so(locks, fake_clock):
    result = run_lock_action(params(locks, heartbeat=True), False, fake_clock, controller=None)
    assert result["heartbeat"] is None
    assert "not renewed" in result["warnings"][0]


def test_broken_refuses_a_live_holder_unless_forced(locks, fake_clock, run):
    locks.try_acquire("renewal", "a", 600, process.describe(run.pid))
    with pytest.raises(LockError, match=f"renewal.lock.*pid {run.pid}.*force=true"):
        run_lock_action(params(locks, state="broken"), False, fake_clock)
    assert locks.holder("renewal").owner == "a"
    check = run_lock_action(params(locks, state="broken", force=True), True, fake_clock)
    assert check["changed"] and locks.holder("renewal").owner == "a"
    cleared = run_lock_action(params(locks, state="broken", force=True), False, fake_clock)
    assert cleared["changed"] and cleared["holder"]["pid"] == run.pid
    assert locks.holder("renewal") is None


def test_broken_clears_a_dead_or_expired_holder_without_force(locks, fake_clock, run):
    locks.try_acquire("renewal", "a", 600, process.describe(run.pid))
    run.kill()
    run.wait()
    assert run_lock_action(params(locks, state="broken"), False, fake_clock)["changed"]
    locks.try_acquire("renewal", "b", 60)
    fake_clock.advance(61)
    assert run_lock_action(params(locks, state="broken"), False, fake_clock)["changed"]
    assert not run_lock_action(params(locks, state="broken"), False, fake_clock)["changed"]


def test_a_holder_on_another_host_needs_force(locks, fake_clock):
    remote = process.Process("elsewhere.example", 4242, "1", "b")
    locks.try_acquire("renewal", "a", 600, remote)
    with pytest.raises(LockError, match="another host"):
        run_lock_action(params(locks, state="broken"), False, fake_clock)


def test_default_directory_is_not_world_writable_tmpfs():
    assert DEFAULT_DIRECTORY == "/var/lib/portable-dns01/locks"


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777])
def test_a_directory_others_can_write_is_refused(tmp_path, fake_clock, mode):
    directory = tmp_path / "shared"
    directory.mkdir()
    directory.chmod(mode)
    with pytest.raises(LockError, match="writable by group or others"):
        FileLocks(str(directory), fake_clock).try_acquire("renewal", "a", 60)
    assert os.listdir(directory) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the directory away")
def test_a_directory_of_another_user_is_refused(tmp_path, fake_clock):
    directory = tmp_path / "theirs"
    directory.mkdir(mode=0o700)
    os.chown(directory, 65534, 65534)
    with pytest.raises(LockError, match="belongs to uid 65534"):
        FileLocks(str(directory), fake_clock).try_acquire("renewal", "a", 60)


def test_a_symlinked_directory_is_refused(tmp_path, fake_clock):
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(LockError, match="symlink"):
        FileLocks(str(tmp_path / "link"), fake_clock).try_acquire("renewal", "a", 60)


def test_the_directory_is_created_private(tmp_path, fake_clock):
    FileLocks(str(tmp_path / "new" / "locks"), fake_clock).try_acquire("renewal", "a", 60)
    assert os.stat(tmp_path / "new" / "locks").st_mode & 0o777 == 0o700


def test_acquiring_counts_the_values_dead_runs_left_in_the_journal(locks, fake_clock):
    """The renewal sweeps only when there is something to sweep: the count comes with the lock."""
    first = run_lock_action(params(locks), False, fake_clock, controller=None)
    assert first["left_behind"] == 0
    locks.journal("renewal").add([entry(first["owner"], "primary", "rfc2136", "rfc2136:ns", "_acme-challenge.a.test",
                                        value, 1.0) for value in ("one", "two")])
    locks.release("renewal", first["owner"])
    second = run_lock_action(params(locks), False, fake_clock, controller=None)
    assert second["left_behind"] == 2
    locks.journal("renewal").add([entry(second["owner"], "primary", "rfc2136", "rfc2136:ns", "_acme-challenge.b.test",
                                        "three", 2.0)])
    locks.release("renewal", second["owner"])
    assert run_lock_action(params(locks), False, fake_clock, controller=None)["left_behind"] == 3
