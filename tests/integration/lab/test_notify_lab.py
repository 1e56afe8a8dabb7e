# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""portable.dns01.notify in a playbook against the lab's webhook receiver."""

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
ROUTING_KEY = "lab-routing-key-never-printed"


@pytest.fixture
def receiver(lab_config) -> Receiver:
    receiver = Receiver(lab_config["LAB_WEBHOOK_URL"])
    yield receiver
    receiver.reset()


def play(tmp_path: pathlib.Path, tasks: list[dict], *args: str) -> subprocess.CompletedProcess:
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{"name": "notify", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    command = ["ansible-playbook", "-i", str(ROOT / "tests/lab/state/inventory.yml"), str(playbook), "-v", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=os.environ, check=False)


def notify_task(base: str, action: str = "trigger", **extra) -> dict:
    return {"name": f"notify {action}", "portable.dns01.notify": {
        "destinations": [
            {"name": "hook", "type": "webhook", "url": f"{base}/hook", "headers": {"Authorization": "Bearer lab"}},
            {"name": "chat", "type": "slack", "url": f"{base}/slack"},
            {"name": "pd", "type": "pagerduty", "url": f"{base}/pd/v2/enqueue", "routing_key": ROUTING_KEY},
        ],
        "action": action, "summary": "www: renewal failed - HTTP 503 from primary", "severity": "error",
        "source": "{{ inventory_hostname }}", "subject": "www", "kind": "renewal", "retries": 2, "deadline": 20,
        "details": {"names": ["www.example.test"]}, **extra}}


def test_trigger_reaches_every_destination_through_429_and_500(tmp_path, receiver, lab_config):
    base = f"{lab_config['LAB_WEBHOOK_URL']}/t-{uuid.uuid4().hex[:8]}"
    prefix = base.split("8080", 1)[1]
    receiver.fail_next(f"{prefix}/slack", 1, status=429, retry_after="1")
    receiver.fail_next(f"{prefix}/pd", 1, status=500)
    done = play(tmp_path, [notify_task(base), notify_task(base, "resolve")])
    assert done.returncode == 0, done.stdout[-3000:]
    assert ROUTING_KEY not in done.stdout and "Bearer lab" not in done.stdout
    got = receiver.received(prefix)
    by_path = {}
    for entry in got:
        by_path.setdefault(entry["path"].rsplit(prefix, 1)[1], []).append(entry)
    assert [e["answered"] for e in by_path["/slack"]] == [429, 200, 200]
    assert [e["answered"] for e in by_path["/pd/v2/enqueue"]] == [500, 202, 202]
    hook = by_path["/hook"][0]
    assert hook["headers"]["Authorization"] == "Bearer lab"
    assert hook["body"]["dedup_key"] == "dns01/localhost/www/renewal" and hook["body"]["severity"] == "error"
    assert "blocks" in by_path["/slack"][1]["body"] and by_path["/slack"][1]["body"]["text"].startswith("[ERROR]")
    trigger, resolve = (e["body"] for e in by_path["/pd/v2/enqueue"][1:])
    assert trigger["event_action"] == "trigger" and trigger["payload"]["source"] == "localhost"
    assert resolve == {"routing_key": ROUTING_KEY, "event_action": "resolve", "dedup_key": trigger["dedup_key"]}


def test_a_dead_destination_is_reported_and_the_others_still_hear(tmp_path, receiver, lab_config):
    base = f"{lab_config['LAB_WEBHOOK_URL']}/d-{uuid.uuid4().hex[:8]}"
    prefix = base.split("8080", 1)[1]
    receiver.fail_next(f"{prefix}/hook", 10, status=503)
    task = notify_task(base)
    task["register"] = "sent"
    done = play(tmp_path, [task, {"name": "show", "ansible.builtin.debug": {"msg": "{{ sent.sent | to_json }}"}}])
    assert done.returncode == 0, done.stdout[-3000:]
    paths = [entry["path"].rsplit(prefix, 1)[1] for entry in receiver.received(prefix)]
    assert paths.count("/hook") == 3 and paths.count("/slack") == 1 and paths.count("/pd/v2/enqueue") == 1
    assert '\\"ok\\": false' in done.stdout or '"ok": false' in done.stdout


def test_all_dead_fails_the_task_and_check_mode_sends_nothing(tmp_path, receiver, lab_config):
    base = f"{lab_config['LAB_WEBHOOK_URL']}/f-{uuid.uuid4().hex[:8]}"
    prefix = base.split("8080", 1)[1]
    checked = play(tmp_path, [notify_task(base)], "--check")
    assert checked.returncode == 0 and receiver.received(prefix) == []
    receiver.fail_next(prefix, 30, status=500)
    done = play(tmp_path, [notify_task(base, retries=0)])
    assert done.returncode == 2 and "3 of 3 destinations failed" in done.stdout
    assert ROUTING_KEY not in done.stdout
    assert json.dumps(receiver.received(prefix)).count('"answered": 500') == 3


def test_no_secret_at_vvv_when_destinations_fail(tmp_path, receiver, lab_config):
    token, credential = "url-token-never-printed", "bearer-credential-never-printed"
    base = f"{lab_config['LAB_WEBHOOK_URL']}/s-{uuid.uuid4().hex[:8]}"
    prefix = base.split("8080", 1)[1]
    receiver.fail_next(prefix, 30, status=500)
    task = {"name": "notify", "portable.dns01.notify": {
        "destinations": [
            {"name": "refused", "type": "webhook", "url": f"http://127.0.0.1:9/hook/{token}",
             "headers": {"Authorization": f"Bearer {credential}"}},
            {"name": "chat", "type": "slack", "url": f"{base}/slack/{token}"},
            {"name": "pd", "type": "pagerduty", "url": f"{base}/pd/v2/enqueue", "routing_key": ROUTING_KEY},
        ],
        "summary": "www: renewal failed", "source": "{{ inventory_hostname }}", "subject": "www", "kind": "renewal",
        "retries": 0, "deadline": 20}}
    done = play(tmp_path, [task], "-vvv")
    assert done.returncode == 2 and "3 of 3 destinations failed" in done.stdout, done.stdout[-3000:]
    output = done.stdout + done.stderr
    for secret in (token, credential, ROUTING_KEY):
        assert secret not in output
