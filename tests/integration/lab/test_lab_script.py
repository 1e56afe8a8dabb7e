# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/lab/lab.sh itself: what `up` checks before it starts anything, what
it leaves behind when it fails, and what its daemons inherit.

These tests stop and start lab services; they restore the lab (`lab.sh up`)
when they end.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pathlib
import re
import socket
import subprocess
import sys
import time

import pytest

STATE_DIR = pathlib.Path(__file__).resolve().parents[2] / "lab" / "state"
LOCK = STATE_DIR / "lab.lock"


@pytest.fixture
def lab(lab_config):
    """Run lab.sh; the lab is brought back up after the test."""
    def run(*args, env=None, timeout=120):
        return subprocess.run([lab_config["LAB_SCRIPT"], *args], capture_output=True, text=True,
                              timeout=timeout, env={**os.environ, **(env or {})}, check=False)
    yield run
    restored = run("up")
    assert restored.returncode == 0, restored.stderr


def service_running(name: str) -> bool:
    """The lab's own view (its pid file) and the kernel's (the pid exists)."""
    pid_file = STATE_DIR / "pids" / f"{name}.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().split()[0])
    return pathlib.Path(f"/proc/{pid}").exists()


def listening(address: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((address, port), timeout=1):
        return True
    return False


def lock_holders() -> list[str]:
    """Every process with an open file descriptor on state/lab.lock."""
    holders = []
    for fd_dir in pathlib.Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            for fd in fd_dir.iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == str(LOCK):
                        holders.append((fd_dir.parent / "comm").read_text().strip() + " " + fd_dir.parent.name)
    return holders


def test_up_refuses_a_twin_listening_beside_a_lab_server(lab):
    # SO_REUSEPORT lets a second process bind the same UDP address as BIND:
    # queries would then be shared between the two servers.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as twin:
        twin.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        twin.bind(("127.0.1.2", 53))
        result = lab("up")
    assert result.returncode != 0
    assert "127.0.1.2:53/udp" in result.stderr
    assert f"pid {os.getpid()}" in result.stderr
    assert service_running("bind-fallback")


def test_up_names_the_holder_of_a_stopped_service_port_and_starts_nothing(lab):
    assert lab("stop", "redis").returncode == 0
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.1.11", 6379))
        squatter.listen()
        result = lab("up")
    assert result.returncode != 0
    assert "127.0.1.11:6379/tcp" in result.stderr
    assert f"pid {os.getpid()}" in result.stderr
    assert not service_running("redis")


def test_up_that_fails_stops_what_it_started_and_only_that(lab, tmp_path):
    assert lab("stop", "redis", "moto").returncode == 0
    # A moto that starts but never answers: up fails after starting redis and it.
    venv = tmp_path / "bin"
    venv.mkdir()
    (venv / "python").symlink_to(sys.executable)
    (venv / "moto_server").write_text("#!/bin/sh\nexec sleep 600\n", encoding="ascii")
    (venv / "moto_server").chmod(0o755)
    result = lab("up", env={"LAB_UP_TIMEOUT": "1", "DNS01_PYTHON": str(venv / "python")})
    assert result.returncode != 0
    assert "not answering" in result.stderr
    assert not service_running("redis") and not service_running("moto")
    assert not listening("127.0.1.11", 6379) and not listening("127.0.1.3", 15000)
    assert service_running("bind-fallback") and service_running("pebble")


def test_daemons_started_under_the_lab_lock_do_not_hold_it(lab):
    assert lab("stop", "redis").returncode == 0
    result = subprocess.run(["flock", "-w", "60", str(LOCK), str(STATE_DIR.parent / "lab.sh"), "up"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert service_running("redis")
    assert lock_holders() == []
    with open(LOCK, "a", encoding="ascii") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(handle, fcntl.LOCK_UN)


def test_stop_stops_only_the_named_service(lab):
    assert lab("stop", "moto").returncode == 0
    deadline = time.monotonic() + 5
    while listening("127.0.1.3", 15000) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not service_running("moto") and not listening("127.0.1.3", 15000)
    assert service_running("proxy-moto")


def lab_sockets() -> set[tuple[str, str]]:
    """(service, address:port/proto) of every socket a lab service's process group listens on."""
    groups = {}
    for pid_file in (STATE_DIR / "pids").glob("*.pid"):
        groups[int(pid_file.read_text().split()[0])] = pid_file.stem
    found = set()
    listing = subprocess.run(["ss", "-Hlnptu"], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        fields = line.split()
        for pid in (int(value) for value in re.findall(r"pid=(\d+)", line)):
            with contextlib.suppress(OSError):
                group = os.getpgid(pid)
                if group in groups:
                    found.add((groups[group], f"{fields[4]}/{fields[0]}"))
    return found


def test_every_socket_of_the_lab_is_declared(lab):
    declared = {tuple(line.split()) for line in lab("ports").stdout.splitlines()}
    assert lab_sockets() <= declared
