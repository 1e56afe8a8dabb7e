# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""scripts/check-secrets.sh, the judge of docs/reliability.md's "No secret at any verbosity"."""

from __future__ import annotations

import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[3]
SCRIPT = str(ROOT / "scripts" / "check-secrets.sh")


def check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=60, check=False)


def test_a_log_with_a_lab_secret_fails_and_a_clean_one_passes(lab_config, tmp_path):
    clean, leaked = tmp_path / "clean.log", tmp_path / "leaked.log"
    clean.write_text("ok: [localhost]\n")
    leaked.write_text(f"api_key={lab_config['LAB_PDNS_API_KEY']}\n")
    assert check(str(clean)).returncode == 0
    done = check(str(clean), str(leaked))
    assert done.returncode == 1 and f"a lab secret appears in {leaked}" in done.stderr


def test_a_log_that_does_not_exist_is_an_error_not_a_pass(lab_config, tmp_path):
    done = check(str(tmp_path / "never-written.log"))
    assert done.returncode == 2, done.stdout
    assert "never-written.log" in done.stderr
