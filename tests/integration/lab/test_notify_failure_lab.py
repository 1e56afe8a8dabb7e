# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/notify_failure.yml, the AWX workflow's failure node, against the lab's webhook receiver.

docs/awx.md: the workflow runs renew and, when it fails, notify failure, which reads the renewal's set_stats
artifacts and sends to the destinations the inventory sets (dns01_renewal_notify_destinations).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import uuid

import pytest
import yaml

from ansible_collections.portable.dns01.tests.integration.lab.webhook import Receiver

pytestmark = pytest.mark.lab

ROOT = pathlib.Path(__file__).resolve().parents[3]
STATS = {
    "web1": {"status": "failed", "failed": ["www"], "report_path": "/var/lib/portable-dns01/renewal-report.json",
             "certificates": [{"id": "www", "status": "failed", "phase": "publish", "msg": "no provider could publish",
                               "carried_by": [], "not_after": None}]},
    "web2": {"status": "ok", "failed": [], "report_path": "", "certificates": []},
}


@pytest.fixture
def receiver(lab_config):
    receiver = Receiver(lab_config["LAB_WEBHOOK_URL"])
    yield receiver
    receiver.reset()


def run(tmp_path: pathlib.Path, inventory_vars: dict, stats: dict | bool | None = None) -> subprocess.CompletedProcess:
    """The playbook as AWX runs it: destinations from the inventory, the renewal's artifacts as extra vars."""
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"vars": inventory_vars, "hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}}))
    command = ["ansible-playbook", "-i", str(inventory), str(ROOT / "playbooks/notify_failure.yml")]
    if stats is not False:
        command += ["-e", json.dumps({"dns01_renewal_stats": STATS if stats is None else stats})]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=os.environ, check=False)


def test_a_failed_renewal_reaches_the_destinations_the_inventory_sets(tmp_path, receiver, lab_config):
    prefix = f"/workflow-{uuid.uuid4().hex[:8]}"
    hook = {"name": "hook", "type": "webhook", "url": lab_config["LAB_WEBHOOK_URL"] + prefix + "/hook"}
    done = run(tmp_path, {"dns01_renewal_notify_destinations": [hook]})
    assert done.returncode == 0, done.stdout[-3000:]
    bodies = [entry["body"] for entry in receiver.received(prefix)]
    assert [(body["action"], body["dedup_key"]) for body in bodies] == [("trigger", "dns01/web1/www/renewal-workflow")]
    assert bodies[0]["summary"].startswith("renewal failed on web1: www")


@pytest.mark.parametrize("stats", [False, {}, {"web2": STATS["web2"]}],
                         ids=["no artifacts", "empty artifacts", "only hosts that were fine"])
def test_a_renewal_that_failed_before_its_report_still_reaches_a_person(tmp_path, receiver, lab_config, stats):
    # The renewal job failed (else this node would not run) but named no failed host: it stopped before
    # set_stats (the role's argument check, an unreachable host, a crash).
    prefix = f"/workflow-{uuid.uuid4().hex[:8]}"
    hook = {"name": "hook", "type": "webhook", "url": lab_config["LAB_WEBHOOK_URL"] + prefix + "/hook"}
    done = run(tmp_path, {"dns01_renewal_notify_destinations": [hook]}, stats)
    assert done.returncode == 0, done.stdout[-3000:]
    bodies = [entry["body"] for entry in receiver.received(prefix)]
    assert [(body["action"], body["kind"]) for body in bodies] == [("trigger", "renewal-workflow")]
    assert "renewal job failed" in bodies[0]["summary"] and "no report" in bodies[0]["summary"]
