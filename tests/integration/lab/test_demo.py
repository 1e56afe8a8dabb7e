# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make demo` shows what the README promises: with the primary's API refusing
connections, a delegated certificate that never needs that API, and a
certificate whose challenge the chain fails over to the primary's RFC 2136
interface, each with its provider attempts and their times."""

from __future__ import annotations

import fcntl
import os
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[3]
LOCK = ROOT / "tests" / "lab" / "state" / "lab.lock"


def test_demo_shows_delegation_and_failover_side_by_side(lab_config):
    # The demo switches the primary's fault: hold the lab exclusively.
    with open(LOCK, "a", encoding="ascii") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = subprocess.run([str(ROOT / "scripts" / "demo.sh")], cwd=ROOT, capture_output=True, text=True,
                              timeout=600, env=os.environ, check=False)
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-2000:]
    example, www = out.split("  example: delegated", 1)[1].split("  www: not delegated", 1)
    assert re.search(r"primary +skipped +\d+ ms", example)
    assert re.search(r"fallback +published +\d+ ms", example)
    assert "the primary's API was not called" in example
    assert re.search(r"primary +failed +\d+ ms  ProviderError: \[Errno 111\] Connection refused", www)
    assert re.search(r"primary-rfc2136 +published +\d+ ms", www)
    assert re.search(r"the primary failed \d+ time\(s\) in \d+ ms, then primary-rfc2136 published", www)
    assert out.count(": OK") == 2
    assert lab_config["LAB_PDNS_API_KEY"] not in out + done.stderr
    fault = ROOT / "tests" / "lab" / "state" / "faults" / "pdns"
    assert fault.read_text().strip() == "none"
