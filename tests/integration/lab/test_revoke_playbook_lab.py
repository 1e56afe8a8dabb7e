# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/revoke.yml on the lab: the compromised certificate is revoked at Pebble, a new one with a new key installed."""

from __future__ import annotations

import json
import os
import pathlib
import ssl
import subprocess
import urllib.error
import urllib.request
import uuid

import pytest
import yaml

from ansible_collections.portable.dns01.plugins.module_utils._acme import certs, keys

pytestmark = pytest.mark.lab

ROOT = pathlib.Path(__file__).resolve().parents[3]


def play(tmp_path, playbook, extra):
    vars_file = tmp_path / f"{playbook}.vars.yml"
    vars_file.write_text(yaml.safe_dump(extra))
    command = ["ansible-playbook", "-i", str(ROOT / "tests/lab/state/inventory.yml"), "-i", str(ROOT / "inventories/lab"),
               str(ROOT / "playbooks" / playbook), "-e", f"@{vars_file}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=os.environ, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return done.stdout


def status_at_pebble(lab, number):
    """Pebble's management API; it may spell the serial with or without a leading zero."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    serial = format(number, "x")
    for spelling in dict.fromkeys([serial, serial.zfill(len(serial) + len(serial) % 2)]):
        try:
            with urllib.request.urlopen(f"{lab['LAB_PEBBLE_MGMT_URL']}/cert-status-by-serial/{spelling}", context=context) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError:
            continue
    raise AssertionError(f"Pebble knows no certificate {serial}")


def test_revoke_reissue_and_deploy(lab_config, tmp_path):
    name = f"r{uuid.uuid4().hex[:10]}.{lab_config['LAB_BIND_ZONE']}"
    cert = {"id": "leaked", "names": [name], "providers": ["fallback"], "cert_path": str(tmp_path / "leaked.crt"),
            "key_path": str(tmp_path / "leaked.key"), "fullchain_path": str(tmp_path / "leaked.fullchain.crt")}
    extra = {"dns01_renewal_certificates": [cert], "dns01_renewal_lock_directory": str(tmp_path / "lock")}
    play(tmp_path, "renew.yml", extra)
    old = certs.read_cert(cert["cert_path"])
    old_key = (tmp_path / "leaked.key").read_bytes()

    play(tmp_path, "revoke.yml", dict(extra, dns01_revoke_ids=["leaked"]))
    new = certs.read_cert(cert["cert_path"])
    new_key = (tmp_path / "leaked.key").read_bytes()
    assert new.serial_number != old.serial_number and new_key != old_key
    assert certs.same_public_key(new, keys.load_key(new_key, "key"))
    revoked = status_at_pebble(lab_config, old.serial_number)
    assert revoked["Status"] == "Revoked" and revoked["Reason"] == 1
    assert status_at_pebble(lab_config, new.serial_number)["Status"] == "Valid"
