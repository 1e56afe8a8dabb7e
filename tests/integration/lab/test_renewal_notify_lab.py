# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""roles/renewal/tasks/notify.yml with a renewal report, against the lab's webhook receiver."""

from __future__ import annotations

import os
import pathlib
import subprocess
import uuid

import pytest
import yaml

from ansible_collections.portable.dns01.tests.integration.lab.webhook import Receiver

pytestmark = pytest.mark.lab

ROOT = pathlib.Path(__file__).resolve().parents[3]
ROUTING_KEY = "renewal-routing-key-never-printed"
REPORT = [
    {"id": "www", "status": "failed", "msg": "publishing failed on every provider", "names": ["www.example.test"],
     "carried_by": [], "attempts": ["primary: failed (HTTP 503)", "fallback: failed (REFUSED)"],
     "cert_path": "/etc/ssl/www.crt", "issuer": None, "not_after": None},
    {"id": "api", "status": "renewed", "msg": "ordered because 20 days left", "names": ["api.example.test"],
     "carried_by": ["fallback"], "attempts": ["fallback: published"], "cert_path": "/etc/ssl/api.crt",
     "issuer": "CN=Pebble Intermediate", "not_after": "2027-02-28T00:00:00+00:00"},
    {"id": "mail", "status": "not due", "msg": "61 days left", "names": ["mail.example.test"], "carried_by": [],
     "attempts": [], "cert_path": "/etc/ssl/mail.crt", "issuer": None, "not_after": None},
]


@pytest.fixture
def receiver(lab_config):
    receiver = Receiver(lab_config["LAB_WEBHOOK_URL"])
    yield receiver
    receiver.reset()


def play(tmp_path: pathlib.Path, extra: dict, *args: str) -> subprocess.CompletedProcess:
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{"name": "notify", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "Notify", "ansible.builtin.include_role": {"name": "portable.dns01.renewal", "tasks_from": "notify.yml"}}]}]))
    vars_file = tmp_path / "vars.yml"
    vars_file.write_text(yaml.safe_dump({"dns01_renewal_report": REPORT, **extra}))
    command = ["ansible-playbook", "-i", str(ROOT / "tests/lab/state/inventory.yml"), str(playbook), "-e", f"@{vars_file}", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=os.environ, check=False)


def destinations(base: str) -> list[dict]:
    return [{"name": "hook", "type": "webhook", "url": f"{base}/hook"},
            {"name": "pd", "type": "pagerduty", "url": f"{base}/pd/v2/enqueue", "routing_key": ROUTING_KEY}]


def setup(lab_config, tag):
    prefix = f"/{tag}-{uuid.uuid4().hex[:8]}"
    return prefix, lab_config["LAB_WEBHOOK_URL"] + prefix


def test_failure_alerts_everywhere_and_renewal_resolves_on_pagerduty(tmp_path, receiver, lab_config):
    prefix, base = setup(lab_config, "renew")
    done = play(tmp_path, {"dns01_renewal_notify_destinations": destinations(base)})
    assert done.returncode == 0, done.stdout[-3000:]
    assert ROUTING_KEY not in done.stdout
    got = receiver.received(prefix)
    hook = [entry["body"] for entry in got if entry["path"].endswith("/hook")]
    pd = [entry["body"] for entry in got if entry["path"].endswith("/enqueue")]
    assert [(b["action"], b["dedup_key"]) for b in hook] == [("trigger", "dns01/localhost/www/renewal")]
    assert hook[0]["summary"] == "www on localhost: renewal failed - publishing failed on every provider"
    assert hook[0]["details"]["provider attempts"] == ["primary: failed (HTTP 503)", "fallback: failed (REFUSED)"]
    assert [(b["event_action"], b["dedup_key"]) for b in pd] == [
        ("trigger", "dns01/localhost/www/renewal"), ("resolve", "dns01/localhost/api/renewal")]
    assert pd[0]["payload"]["severity"] == "error" and pd[0]["payload"]["component"] == "www"


def test_success_is_posted_everywhere_when_asked(tmp_path, receiver, lab_config):
    prefix, base = setup(lab_config, "success")
    done = play(tmp_path, {"dns01_renewal_notify_destinations": destinations(base), "dns01_renewal_notify_on_success": True})
    assert done.returncode == 0, done.stdout[-3000:]
    hook = [e["body"] for e in receiver.received(prefix) if e["path"].endswith("/hook")]
    assert [(b["action"], b["subject"]) for b in hook] == [("trigger", "www"), ("resolve", "api")]
    assert hook[1]["summary"] == "api on localhost: renewed, expires 2027-02-28T00:00:00+00:00"


def test_an_alert_that_reached_nobody_fails_the_run(tmp_path, receiver, lab_config):
    prefix, base = setup(lab_config, "unheard")
    receiver.fail_next(prefix, 40, status=500)
    done = play(tmp_path, {"dns01_renewal_notify_destinations": destinations(base)})
    assert done.returncode == 2
    assert "no notification destination took the alert about the failed renewal of www" in done.stdout
    # What the runbook tells the person on call to look for: the certificate, then each destination and why.
    assert "www (trigger): 2 of 2 destinations failed: hook: HTTP 500 Internal Server Error: lab failure 500; pd: HTTP 500" in done.stdout
    assert ROUTING_KEY not in done.stdout


def test_no_destinations_sends_nothing(tmp_path, receiver, lab_config):
    before = len(receiver.received("/"))
    done = play(tmp_path, {})
    assert done.returncode == 0, done.stdout[-3000:]
    assert len(receiver.received("/")) == before


def test_check_mode_sends_nothing_and_does_not_fail(tmp_path, receiver, lab_config):
    prefix, base = setup(lab_config, "check")
    done = play(tmp_path, {"dns01_renewal_notify_destinations": destinations(base)}, "--check")
    assert done.returncode == 0, done.stdout[-3000:]
    assert receiver.received(prefix) == []


def test_dry_runs_use_their_own_kind_and_never_touch_a_real_alert(tmp_path, receiver, lab_config):
    """docs/runbook.md: dry runs use kind renewal-dry-run."""
    prefix, base = setup(lab_config, "dry")
    done = play(tmp_path, {"dns01_renewal_notify_destinations": destinations(base), "dns01_renewal_dry_run": True})
    assert done.returncode == 0, done.stdout[-3000:]
    got = receiver.received(prefix)
    hook = [entry["body"] for entry in got if entry["path"].endswith("/hook")]
    pd = [entry["body"] for entry in got if entry["path"].endswith("/enqueue")]
    assert [(b["action"], b["dedup_key"]) for b in hook] == [("trigger", "dns01/localhost/www/renewal-dry-run")]
    assert [(b["event_action"], b["dedup_key"]) for b in pd] == [
        ("trigger", "dns01/localhost/www/renewal-dry-run"), ("resolve", "dns01/localhost/api/renewal-dry-run")]
