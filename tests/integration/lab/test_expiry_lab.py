# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/expiry.yml on the lab: certificates of chosen ages, alerts once per threshold, the summary, the exit code."""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import subprocess
import uuid

import pytest
import yaml

from ansible_collections.portable.dns01.tests.integration.lab.test_health_playbook_lab import custom_stats
from ansible_collections.portable.dns01.tests.integration.lab.webhook import Receiver
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._expiry.fakes import (
    make_cert,
    tls_server,
    write_cert,
)

pytestmark = pytest.mark.lab

ROOT = pathlib.Path(__file__).resolve().parents[3]
ROUTING_KEY = "expiry-routing-key-never-printed"
AGES = {"d40": 40, "d20": 20, "d10": 10, "d1": 1, "expired": -2}


def play(tmp_path: pathlib.Path, extra: dict, *args: str) -> subprocess.CompletedProcess:
    vars_file = tmp_path / "vars.yml"
    vars_file.write_text(yaml.safe_dump(extra))
    command = ["ansible-playbook", "-i", str(ROOT / "tests/lab/state/inventory.yml"),
               str(ROOT / "playbooks/expiry.yml"), "-e", f"@{vars_file}", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ANSIBLE_SHOW_CUSTOM_STATS": "1"}, check=False)


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


@pytest.fixture
def receiver(lab_config):
    receiver = Receiver(lab_config["LAB_WEBHOOK_URL"])
    yield receiver
    receiver.reset()


def events(receiver: Receiver, prefix: str, since: int = 0) -> list[tuple[str, str, str]]:
    """(destination, action, key) of each accepted request after the first ``since``."""
    out = []
    for entry in receiver.received(prefix)[since:]:
        if entry["answered"] >= 300:
            continue
        body = entry["body"]
        if entry["path"].endswith("/enqueue"):
            out.append(("pd", body["event_action"], body["dedup_key"]))
        else:
            out.append(("hook", body["action"], body["dedup_key"]))
    return sorted(out)


def test_expiry_alerts_once_per_threshold_and_resolves_on_renewal(tmp_path, receiver, lab_config):
    prefix = f"/expiry-{uuid.uuid4().hex[:8]}"
    base = lab_config["LAB_WEBHOOK_URL"] + prefix
    certs = [{"id": name, "cert_path": write_cert(tmp_path / "certs" / f"{name}.crt", make_cert(now(), days))}
             for name, days in AGES.items()]
    certs.append({"id": "missing", "cert_path": str(tmp_path / "certs" / "missing.crt")})
    stale = {"id": "stale", "names": ["www.example.test"],
             "cert_path": write_cert(tmp_path / "certs" / "stale.crt", make_cert(now(), 80))}
    report = tmp_path / "report"
    extra = {
        "dns01_expiry_certificates": certs + [stale],
        "dns01_expiry_state_path": str(tmp_path / "state" / "expiry.json"),
        "dns01_expiry_report_dir": str(report),
        "dns01_expiry_notify_destinations": [
            {"name": "hook", "type": "webhook", "url": f"{base}/hook"},
            {"name": "pd", "type": "pagerduty", "url": f"{base}/pd/v2/enqueue", "routing_key": ROUTING_KEY},
        ],
    }
    with tls_server(make_cert(now(), 5, names=["www.example.test"])) as (address, port, _sni):
        stale["endpoints"] = [f"{address}:{port}"]
        served_kind = f"served@{address}:{port}"

        first = play(tmp_path, extra)
        assert first.returncode == 2, first.stdout[-3000:]
        assert ROUTING_KEY not in first.stdout
        # The run fails at its last task, on purpose, and says why.
        assert "critical: 3 certificate(s); undelivered alerts: 0" in first.stdout, first.stdout[-3000:]
        assert "localhost/stale: warning (error) - 5.0 days left at" in first.stdout
        summary = json.loads((report / "expiry.json").read_text())
        assert summary["counts"] == {"ok": 1, "warning": 2, "error": 1, "critical": 3} and summary["critical"] is True
        by_id = {entry["id"]: entry for entry in summary["certificates"]}
        assert [entry["id"] for entry in summary["certificates"][:3]] == ["missing", "expired", "d1"]
        assert by_id["stale"]["endpoints"][0]["status"] == "mismatch" and by_id["stale"]["level"] == 7
        assert by_id["d10"]["issuer"] == "CN=Expiry Test CA" and 9.9 < by_id["d10"]["days_left"] <= 10
        markdown = (report / "expiry.md").read_text()
        assert "| localhost | d1 | critical | critical |" in markdown and f"{address}:{port} mismatch" in markdown
        # What AWX hands to the next node, published before the run fails.
        stats = custom_stats(first.stdout)
        published = {entry["id"]: entry for entry in stats["dns01_expiry_stats"]["localhost"]}
        assert published["d1"]["status"] == "critical" and published["missing"]["days_left"] is None
        assert 9.9 < published["d10"]["days_left"] <= 10 and published["stale"]["severity"] == "error"
        assert stats["dns01_expiry_summary_paths"] == {"json": str(report / "expiry.json"), "md": str(report / "expiry.md")}
        assert stats["dns01_expiry_critical"] is True
        expected = {f"dns01/localhost/{name}/expiry" for name in ("d20", "d10", "d1", "expired", "stale")}
        expected |= {"dns01/localhost/missing/missing", f"dns01/localhost/stale/{served_kind}"}
        got = events(receiver, prefix)
        assert {key for _dest, _action, key in got} == expected
        assert sorted(dest for dest, _a, _k in got) == ["hook"] * 7 + ["pd"] * 7
        assert all(action == "trigger" for _d, action, _k in got)
        pd_d1 = next(e["body"] for e in receiver.received(prefix + "/pd")
                     if e["body"]["dedup_key"] == "dns01/localhost/d1/expiry")
        assert pd_d1["payload"]["severity"] == "critical" and pd_d1["routing_key"] == ROUTING_KEY

        # The same world again: nothing new to say, still critical.
        seen = len(receiver.received(prefix))
        second = play(tmp_path, extra)
        assert second.returncode == 2 and events(receiver, prefix, seen) == []

        # d10 is renewed, but no destination answers: the resolve must not be lost.
        write_cert(tmp_path / "certs" / "d10.crt", make_cert(now(), 90))
        receiver.fail_next(prefix, 8, status=503)
        seen = len(receiver.received(prefix))
        third = play(tmp_path, extra)
        assert third.returncode == 2 and events(receiver, prefix, seen) == []
        assert "reached no destination" in (report / "expiry.md").read_text()

        seen = len(receiver.received(prefix))
        fourth = play(tmp_path, extra)
        assert fourth.returncode == 2
        assert events(receiver, prefix, seen) == [("hook", "resolve", "dns01/localhost/d10/expiry"),
                                                  ("pd", "resolve", "dns01/localhost/d10/expiry")]
        seen = len(receiver.received(prefix))
        assert play(tmp_path, extra).returncode == 2 and events(receiver, prefix, seen) == []


def test_nothing_critical_exits_zero(tmp_path, receiver, lab_config):
    prefix = f"/calm-{uuid.uuid4().hex[:8]}"
    certs = [{"id": "d40", "cert_path": write_cert(tmp_path / "d40.crt", make_cert(now(), 40))},
             {"id": "d20", "cert_path": write_cert(tmp_path / "d20.crt", make_cert(now(), 20))}]
    done = play(tmp_path, {"dns01_expiry_certificates": certs, "dns01_expiry_report_dir": str(tmp_path / "report"),
                           "dns01_expiry_state_path": str(tmp_path / "state.json"),
                           # The lab's Pebble serves no renewalInfo: asked, and said so, without failing.
                           "dns01_expiry_ari_directory": lab_config["LAB_PEBBLE_DIRECTORY"],
                           "dns01_expiry_ari_ca_path": lab_config["LAB_TLS_CA_BUNDLE"],
                           "dns01_expiry_notify_destinations": [
                               {"type": "webhook", "url": f"{lab_config['LAB_WEBHOOK_URL']}{prefix}/hook"}]})
    assert done.returncode == 0, done.stdout[-3000:]
    assert "localhost/d20: warning (warning) - 20.0 days left" in done.stdout
    summary = json.loads((tmp_path / "report" / "expiry.json").read_text())
    assert {c["ari"]["error"] for c in summary["certificates"]} == {"the CA's directory offers no renewalInfo"}
    assert summary["counts"] == {"ok": 1, "warning": 1, "error": 0, "critical": 0} and summary["critical"] is False
    assert events(receiver, prefix) == [("hook", "trigger", "dns01/localhost/d20/expiry")]


def test_check_mode_sends_and_records_nothing(tmp_path, receiver, lab_config):
    prefix = f"/check-{uuid.uuid4().hex[:8]}"
    certs = [{"id": "d20", "cert_path": write_cert(tmp_path / "d20.crt", make_cert(now(), 20))}]
    done = play(tmp_path, {"dns01_expiry_certificates": certs, "dns01_expiry_report_dir": str(tmp_path / "report"),
                           "dns01_expiry_state_path": str(tmp_path / "state.json"),
                           "dns01_expiry_notify_destinations": [
                               {"type": "webhook", "url": f"{lab_config['LAB_WEBHOOK_URL']}{prefix}/hook"}]}, "--check")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "localhost/d20: warning (warning) - 20.0 days left" in done.stdout
    assert receiver.received(prefix) == [] and not (tmp_path / "state.json").exists()


def test_a_destination_set_up_wrong_leaves_the_alert_undelivered_and_the_summary_written(tmp_path, monkeypatch):
    monkeypatch.delenv("DNS01_NOTIFY_WEBHOOK_URL", raising=False)
    certs = [{"id": "d20", "cert_path": write_cert(tmp_path / "d20.crt", make_cert(now(), 20))},
             {"id": "gone", "cert_path": str(tmp_path / "gone.crt")}]
    done = play(tmp_path, {"dns01_expiry_certificates": certs, "dns01_expiry_report_dir": str(tmp_path / "report"),
                           "dns01_expiry_state_path": str(tmp_path / "state.json"),
                           "dns01_expiry_notify_destinations": [{"name": "nowhere", "type": "webhook"}]})
    assert done.returncode == 2
    assert "destination nowhere: a URL is needed for type webhook" in done.stdout, done.stdout[-3000:]
    summary = json.loads((tmp_path / "report" / "expiry.json").read_text())
    assert summary["critical"] is True
    # Not recorded as sent: the next run raises them again.
    assert not (tmp_path / "state.json").exists() or "d20" not in (tmp_path / "state.json").read_text()
