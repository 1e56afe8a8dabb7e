# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/delegate.yml with the lab inventory: check mode, a real run, a second run that changes nothing, absent."""

from __future__ import annotations

import json
import os
import pathlib
import stat
import subprocess
import uuid

import pytest
import yaml

pytestmark = pytest.mark.lab

ROOT = pathlib.Path(__file__).resolve().parents[3]


def play(tmp_path: pathlib.Path, extra: dict, *args: str) -> tuple[dict[str, int], str]:
    """Run the playbook; return the recap of localhost and the output."""
    vars_file = tmp_path / "vars.yml"
    vars_file.write_text(yaml.safe_dump(extra))
    command = ["ansible-playbook", "-i", str(ROOT / "tests/lab/state/inventory.yml"), "-i", str(ROOT / "inventories/lab"),
               str(ROOT / "playbooks/delegate.yml"), "-e", f"@{vars_file}", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=os.environ, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    recap = done.stdout.rsplit("PLAY RECAP", 1)[1].split("\n")[1]
    counts = {key: int(value) for key, value in (part.split("=") for part in recap.split(":", 1)[1].split())}
    return counts, done.stdout


def test_role_delegates_once_and_is_idempotent(tmp_path):
    label = uuid.uuid4().hex[:8]
    credentials = tmp_path / "accounts" / "acme-dns.json"
    extra = {
        "dns01_delegation_domains": [
            {"domain": f"d-{label}-zone.{{{{ lab_pdns_zone }}}}", "provider": "primary", "target_zone": "{{ lab_bind_zone }}"},
            {"domain": f"*.d-{label}-acme.{{{{ lab_pdns_zone }}}}", "provider": "primary",
             "acme_dns": {"api_url": "{{ lab_acmedns_url }}", "allowfrom": ["127.0.0.0/8"]}},
        ],
        "dns01_delegation_acme_dns_credentials_file": str(credentials),
    }
    try:
        checked, _out = play(tmp_path, extra, "--check")
        assert not credentials.exists()
        first, out = play(tmp_path, extra)
        assert first["changed"] >= 3, out
        assert f"_acme-challenge.d-{label}-zone.example.test -> d-{label}-zone.example.test.fallback.test: set" in out
        accounts = json.loads(credentials.read_text())
        assert sorted(accounts) == [f"d-{label}-acme.example.test"]
        assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
        assert accounts[f"d-{label}-acme.example.test"]["password"] not in out
        second, out = play(tmp_path, extra)
        assert second["changed"] == 0, out
        assert out.count("already in place") == 2
        assert json.loads(credentials.read_text()) == accounts
    finally:
        gone, out = play(tmp_path, {**extra, "dns01_delegation_state": "absent"})
    assert out.count(": removed") == 2, out
    assert checked["failed"] == 0 and gone["failed"] == 0
