# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/renew.yml on the lab when a renewal fails: the alert a person gets at each phase, and what
happens when the alert itself reaches nobody (docs/runbook.md, "Renewal failed" and "Notifications that failed")."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._lock.file import FileLocks
from ansible_collections.portable.dns01.tests.integration.lab.webhook import Receiver

pytestmark = pytest.mark.lab

TOKEN = "alert-token-never-printed"


@pytest.fixture
def hook(lab_config):
    """A webhook destination of the test's own, with a token in its URL, and what it received."""
    receiver = Receiver(lab_config["LAB_WEBHOOK_URL"])
    prefix = f"/alerts-{uuid.uuid4().hex[:8]}"
    destination = {"name": "hook", "type": "webhook", "url": f"{lab_config['LAB_WEBHOOK_URL']}{prefix}/{TOKEN}"}
    yield destination, lambda: [entry["body"] for entry in receiver.received(prefix)]
    receiver.reset()


# (phase, what breaks it): each stops the certificate before it renews.
PHASES = {
    "validate": ({"providers": ["no-such-provider"]}, {}),
    # Held by another run (below).
    "lock": ({}, {}),
    "create": ({}, {"dns01_renewal_directory": "https://127.0.0.1:9/dir"}),
    "publish": ({"providers": ["dead"]}, {}),
    # A resolver that never answers: the values are never seen served.
    "wait": ({}, {"dns01_renewal_check_resolvers": ["127.0.1.99"], "dns01_renewal_propagation_timeout": 3}),
}


@pytest.mark.parametrize("phase", sorted(PHASES))
def test_a_failed_renewal_alerts_with_what_a_person_needs(renewal, hook, phase):
    change, extra = PHASES[phase]
    renewal.certificate("www", ["primary"]).update(change)
    destination, received = hook
    if phase == "lock":
        settings = renewal.settings
        locks = FileLocks(settings["dns01_renewal_lock_directory"], Clock())
        assert locks.try_acquire(settings["dns01_renewal_lock_name"], "another-run", 600) is None
    result = renewal.run(extra={"dns01_renewal_notify_destinations": [destination], **extra})
    assert result.rc == 2, result.output[-3000:]
    entry = result.certificate("www")
    assert entry["status"] == "failed" and entry["phase"] == phase
    bodies = received()
    assert [(body["action"], body["subject"]) for body in bodies] == [("trigger", "www")], result.output[-3000:]
    details = bodies[0]["details"]
    assert details["phase"] == phase and details["error"] == entry["error"] and details["error"]
    assert details["report"] == str(result.report_path)
    assert details["certificate file"] == entry["cert_path"] and details["names"] == entry["names"]
    assert f"renewal failed in {phase}" in bodies[0]["summary"]
    if phase == "publish":
        assert details["provider attempts"] and all(line.startswith("dead:") for line in details["provider attempts"])
    assert TOKEN not in result.output


def test_an_alert_nobody_takes_neither_hides_the_renewal_outcome_nor_itself(renewal):
    renewal.certificate("www", ["primary"])["providers"] = ["no-such-provider"]
    refused = {"name": "pager", "type": "webhook", "url": f"http://127.0.0.1:9/{TOKEN}",
               "headers": {"Authorization": f"Bearer {TOKEN}"}}
    result = renewal.run(extra={"dns01_renewal_notify_destinations": [refused]})
    assert result.rc == 2
    # The renewal's own outcome, as without notifications: the last task names the certificate.
    assert "failed: www" in result.output, result.output[-3000:]
    assert "no notification destination took the alert about the failed renewal of www" in result.output
    # The report says both.
    report = result.report
    assert report["status"] == "failed" and report["failed"] == ["www"]
    assert [(item["certificate"], item["action"], item["delivered"]) for item in report["notifications"]] == [
        ("www", "trigger", 0)]
    assert report["notifications"][0]["failed"] == [{"name": "pager", "error": "ConnectionError: could not connect"}]
    assert TOKEN not in result.output and TOKEN not in json.dumps(report)


def test_a_destination_set_up_wrong_neither_hides_the_renewal_outcome_nor_itself(renewal, monkeypatch):
    monkeypatch.delenv("DNS01_NOTIFY_WEBHOOK_URL", raising=False)
    renewal.certificate("www", ["primary"])["providers"] = ["no-such-provider"]
    result = renewal.run(extra={"dns01_renewal_notify_destinations": [{"name": "nowhere", "type": "webhook"}]})
    assert result.rc == 2
    assert "failed: www" in result.output, result.output[-3000:]
    assert "no notification destination took the alert about the failed renewal of www" in result.output
    assert "destination nowhere: a URL is needed for type webhook" in result.output
    notification = result.report["notifications"][0]
    assert notification["delivered"] == 0 and "a URL is needed" in notification["error"]


@pytest.fixture
def silent():
    """A destination that takes the connection and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return
    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook/{TOKEN}"
    listener.close()
    for conn in held:
        conn.close()


def test_a_destination_that_never_answers_holds_the_run_no_longer_than_the_notify_deadline(renewal, silent):
    renewal.certificate("www", ["primary"])["providers"] = ["no-such-provider"]
    settings = {"dns01_renewal_notify_destinations": [{"name": "silent", "type": "webhook", "url": silent}]}
    started = time.monotonic()
    quick = renewal.run(extra={**settings, "dns01_renewal_notify_timeout": 1, "dns01_renewal_notify_deadline": 2})
    elapsed = time.monotonic() - started
    assert quick.rc == 2 and "failed: www" in quick.output
    notification = quick.report["notifications"][0]
    assert notification["delivered"] == 0 and "no answer within" in notification["failed"][0]["error"]
    # The run without notifications takes a few seconds; the default deadline would add 60.
    assert elapsed < 20, elapsed
    assert TOKEN not in quick.output


def test_the_notify_deadline_bounds_the_alerts_of_a_run_together_and_a_healthy_destination_hears_them_all(
        renewal, silent, hook):
    for name in ("a", "b", "c", "d", "e"):
        renewal.certificate(name, ["primary"])["providers"] = ["no-such-provider"]
    destination, received = hook
    settings = {"dns01_renewal_notify_destinations": [{"name": "silent", "type": "webhook", "url": silent}, destination],
                "dns01_renewal_notify_deadline": 6}
    started = time.monotonic()
    result = renewal.run(extra=settings)
    elapsed = time.monotonic() - started
    assert result.rc == 2 and "failed: a, b, c, d, e" in result.output, result.output[-3000:]
    # Five alerts of 6 s each would take 30 s; together they take 6 s and 2 s for each alert after that.
    assert elapsed < 28, elapsed
    assert sorted(body["subject"] for body in received()) == ["a", "b", "c", "d", "e"]
    assert [item["delivered"] for item in result.report["notifications"]] == [1] * 5
