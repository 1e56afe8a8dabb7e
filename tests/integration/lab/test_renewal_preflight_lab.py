# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The renewal role's preflight task file on the lab inventory: names the CA would refuse fail before any order."""

from __future__ import annotations

import os
import pathlib
import subprocess
import typing as t
import uuid

import pytest
import requests
import yaml

pytestmark = pytest.mark.lab

ROOT = pathlib.Path(__file__).resolve().parents[3]
PLAY = """
- hosts: lab
  gather_facts: false
  tasks:
    - name: Run the checks before ordering
      ansible.builtin.include_role:
        name: portable.dns01.renewal
        tasks_from: preflight
"""


def play(tmp_path: pathlib.Path, extra: dict[str, t.Any]) -> subprocess.CompletedProcess:
    (tmp_path / "play.yml").write_text(PLAY)
    (tmp_path / "vars.yml").write_text(yaml.safe_dump(extra))
    command = ["ansible-playbook", "-i", str(ROOT / "tests/lab/state/inventory.yml"), "-i", str(ROOT / "inventories/lab"),
               str(tmp_path / "play.yml"), "-e", f"@{tmp_path / 'vars.yml'}"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=os.environ, check=False)


@pytest.fixture
def caa_record(lab_config: dict[str, str]) -> t.Iterator[t.Callable[[str, list[str]], None]]:
    url = f"{lab_config['LAB_PDNS_API_DIRECT_URL']}/api/v1/servers/localhost/zones/{lab_config['LAB_PDNS_ZONE']}."
    headers = {"X-API-Key": lab_config["LAB_PDNS_API_KEY"]}
    names: list[str] = []

    def put(name: str, contents: list[str], change: str = "REPLACE") -> None:
        rrset = {"name": f"{name}.", "type": "CAA", "ttl": 5, "changetype": change,
                 "records": [{"content": content, "disabled": False} for content in contents]}
        assert requests.patch(url, json={"rrsets": [rrset]}, headers=headers, timeout=10).status_code == 204
        if change == "REPLACE":
            names.append(name)

    yield put
    for name in names:
        put(name, [], "DELETE")


def test_refused_names_fail_before_ordering_and_allowed_ones_pass(lab_config, caa_record, tmp_path):
    zone = lab_config["LAB_PDNS_ZONE"]
    allowed, refused = (f"pf{uuid.uuid4().hex[:8]}-{index}.{zone}" for index in range(2))
    caa_record(allowed, ['0 issue "pebble.test; validationmethods=dns-01"'])
    caa_record(refused, ['0 issue "pebble.test; validationmethods=http-01"'])
    certificates = [{"id": "ok", "names": [allowed, f"*.{allowed}"], "providers": ["primary"]},
                    {"id": "bad", "names": [refused], "providers": ["primary"]}]
    extra = {"dns01_renewal_certificates": certificates, "dns01_renewal_caa_identities": ["pebble.test"]}
    failed = play(tmp_path, extra)
    assert failed.returncode != 0
    assert f"{refused}: the CA may not issue" in failed.stdout
    assert 'validationmethods=http-01 does not include dns-01' in failed.stdout
    assert f"{allowed}: the CA" not in failed.stdout
    passed = play(tmp_path, {**extra, "dns01_renewal_certificates": certificates[:1]})
    assert passed.returncode == 0, passed.stdout[-3000:]
    assert "example.test: not signed (insecure)" in passed.stdout
