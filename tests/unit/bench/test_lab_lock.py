# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/dns01bench/lab.py: waiting for the lab lock is never silent."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "bench"))

# pylint: disable=wrong-import-position
from dns01bench.lab import Lab, LabError  # noqa: E402


@pytest.fixture
def lab(tmp_path):
    state = tmp_path / "tests" / "lab" / "state"
    state.mkdir(parents=True)
    (state / "lab.json").write_text(json.dumps({}))
    return Lab(str(tmp_path))


def hold(lock: pathlib.Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(["flock", str(lock), "sleep", str(seconds)])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not Lab.holders(str(lock)):
        time.sleep(0.02)
    return holder


def test_a_wait_for_the_lock_names_its_holder(lab):
    lines: list[str] = []
    lab.say = lines.append
    holder = hold(pathlib.Path(lab.state_dir) / "lab.lock", 1.0)
    try:
        with lab.locked(exclusive=True, wait=10):
            pass
    finally:
        holder.wait()
    assert len(lines) == 1
    assert "waiting for" in lines[0] and "lab.lock" in lines[0]
    assert f"pid {holder.pid}" in lines[0] or "sleep" in lines[0]


def test_a_free_lock_is_taken_without_a_word(lab):
    lines: list[str] = []
    lab.say = lines.append
    with lab.locked(exclusive=True, wait=1):
        pass
    assert lines == []


def test_a_lock_held_too_long_fails_naming_the_holder(lab):
    holder = hold(pathlib.Path(lab.state_dir) / "lab.lock", 3.0)
    try:
        with pytest.raises(LabError, match="held by"):
            with lab.locked(wait=0.5):
                pass
    finally:
        holder.wait()


def test_a_fault_is_switched_on_and_back_off_with_its_marker_in_a_directory_not_made_yet(lab, tmp_path):
    # bench/run.py started directly (not through scripts/bench.sh) finds no bench/results yet.
    calls = tmp_path / "calls"
    script = pathlib.Path(lab.script)
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(f"#!/bin/sh\necho \"$*\" >> {calls}\n")
    script.chmod(0o755)
    marker = tmp_path / "bench" / "results" / ".fault-active"
    with lab.fault("pdns", "blackhole", str(marker)):
        assert marker.read_text() == "pdns\n"
    assert not marker.exists()
    assert calls.read_text().splitlines() == ["fault pdns blackhole", "fault pdns none"]
