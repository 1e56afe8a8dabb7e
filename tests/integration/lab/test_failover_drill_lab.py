# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/failover_drill.yml on the lab: simulated outages, then a real fault from the lab's switch,
with the report's claims checked against what the lab saw."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import typing as t
import uuid

import pytest
import yaml
from cryptography import x509

from ansible_collections.portable.dns01.tests.integration.lab.test_delegation_providers import delegate, pdns_api
from ansible_collections.portable.dns01.tests.integration.lab.test_health_playbook_lab import custom_stats
from ansible_collections.portable.dns01.tests.integration.lab.test_publish_providers import served
from ansible_collections.portable.dns01.tests.integration.lab.hook_receiver import receiver

pytestmark = pytest.mark.lab

ROOT = pathlib.Path(__file__).resolve().parents[3]


def drill(tmp_path: pathlib.Path, extra: dict[str, t.Any],
          inventory_vars: dict[str, t.Any] | None = None) -> tuple[int, str, dict[str, t.Any]]:
    """Run the drill; (exit code, output, the JSON report). ``inventory_vars`` go in an inventory of their own."""
    report_dir = tmp_path / "report"
    extra = {"dns01_drill_report_dir": str(report_dir), "dns01_renewal_lock_backend": "none", **extra}
    vars_file = tmp_path / "vars.yml"
    vars_file.write_text(yaml.safe_dump(extra))
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"vars": inventory_vars or {}}}))
    command = ["ansible-playbook", "-i", str(ROOT / "tests/lab/state/inventory.yml"), "-i", str(ROOT / "inventories/lab"),
               "-i", str(inventory), str(ROOT / "playbooks/failover_drill.yml"), "-e", f"@{vars_file}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "ANSIBLE_SHOW_CUSTOM_STATS": "1"}, check=False)
    report_file = report_dir / "failover-drill.json"
    assert report_file.exists(), done.stdout[-3000:] + done.stderr[-2000:]
    return done.returncode, done.stdout, json.loads(report_file.read_text())


def certificate(tmp_path: pathlib.Path, cert_id: str, name: str, providers: list[str]) -> dict[str, t.Any]:
    base = tmp_path / "certs" / cert_id
    return {"id": cert_id, "names": [name, f"*.{name}"], "providers": providers, "key_type": "ec256",
            "cert_path": f"{base}.crt", "key_path": f"{base}.key", "fullchain_path": f"{base}.fullchain.crt"}


@pytest.fixture
def webhook() -> t.Iterator[tuple[str, list[dict[str, t.Any]]]]:
    with receiver() as hook:
        yield hook


def test_every_scenario_runs_and_a_broken_fallback_fails_loudly(lab_config, tmp_path, webhook):
    lab = lab_config
    url, received = webhook
    name = f"dr-{uuid.uuid4().hex[:8]}.{lab['LAB_PDNS_ZONE']}"
    delegate(lab, pdns_api(lab), domain=name, target=f"{name}.{lab['LAB_BIND_ZONE']}")
    # The last real renewal's report, where the inventory keeps it: the drill leaves it as it was.
    last_report = tmp_path / "renewal-report.json"
    last_report.write_text('{"status": "ok", "from": "the last real renewal"}\n')
    try:
        code, out, report = drill(tmp_path, {"dns01_renewal_certificates": [
            certificate(tmp_path, "delegated", name, ["primary", "fallback"])],
            "dns01_drill_notify_destinations": [{"name": "ops", "type": "webhook", "url": url}]},
            inventory_vars={"dns01_renewal_report_path": str(last_report)})
    finally:
        delegate(lab, pdns_api(lab), domain=name, state="absent")
    assert last_report.read_text() == '{"status": "ok", "from": "the last real renewal"}\n'
    assert code != 0 and "Failover drill FAILED (2 of 3 scenarios passed)" in out
    # What AWX hands to the next node, published before the play fails.
    (stats,) = custom_stats(out)["dns01_drill_stats"].values()
    assert stats["passed"] is False and stats["summary"] == "2 of 3 scenarios passed"
    assert stats["scenarios"] == {"baseline: every provider up": "passed", "primary down": "passed", "fallback down": "failed"}
    assert stats["report_paths"]["html"] == str(tmp_path / "report" / "failover-drill.html")
    assert [s["name"] for s in report["scenarios"]] == ["baseline: every provider up", "primary down", "fallback down"]
    baseline, primary_down, fallback_down = report["scenarios"]
    # Once delegated, the challenge lives in the fallback zone: it carries every time...
    for scenario in (baseline, primary_down):
        assert scenario["passed"], scenario
        assert scenario["certificates"][0]["carried_by"] == ["fallback"]
    assert primary_down["provider_states"]["primary"]["state"] == "simulated_outage"
    # ...and is the single point of failure the drill exists to find.
    assert not fallback_down["passed"]
    # The run reports the certificate's failure itself: the scenario fails on it, not on the run's exit.
    broken = fallback_down["certificates"][0]
    assert "no provider can publish" in broken["problem"] and fallback_down["error"] is None
    assert report["failures"] == [f"fallback down: {broken['id']}: {broken['problem']}"]
    assert all(s["duration_s"] > 0 for s in report["scenarios"])
    assert len(received) == 1 and "failover drill failed (2 of 3 scenarios passed) - fallback down" in json.dumps(received[0])
    html = (tmp_path / "report" / "failover-drill.html").read_text()
    assert "fallback down" in html and "FAILED" in html
    assert not re.search(r"<(script|link|img)\b|src=|url\(|href=\"http", html), "the page must not load anything"
    markdown = (tmp_path / "report" / "failover-drill.md").read_text()
    assert "| fallback down | fallback | FAILED |" in markdown


def iptables_rejected(rule_tag: str) -> int:
    listing = subprocess.run(["iptables", "-w", "-L", "INPUT", "-v", "-x", "-n"], capture_output=True, text=True, check=True).stdout
    counts = [int(line.split()[0]) for line in listing.splitlines() if f"/* {rule_tag} */" in line]
    assert counts, f"no iptables rule {rule_tag}: the lab's fault switch did not use iptables"
    return sum(counts)


def test_a_drill_during_a_real_fault_reports_what_the_lab_saw(lab_config, tmp_path):
    lab = lab_config
    name = f"rf-{uuid.uuid4().hex[:8]}.{lab['LAB_PDNS_ZONE']}"
    api = {**pdns_api(lab), "name": "pdns-api"}
    rfc2136 = {"name": "pdns-rfc2136", "type": "rfc2136", "zone": lab["LAB_PDNS_ZONE"],
               "rfc2136": {"server": lab["LAB_PDNS_DNS"], "key_name": lab["LAB_PDNS_TSIG_NAME"],
                           "key_secret": lab["LAB_PDNS_TSIG_SECRET"], "key_algorithm": lab["LAB_PDNS_TSIG_ALGORITHM"]}}
    extra = {"dns01_renewal_providers": [api, rfc2136], "dns01_renewal_dry_run_keep": True,
             "dns01_renewal_certificates": [certificate(tmp_path, "direct", name, ["pdns-api", "pdns-rfc2136"])],
             "dns01_drill_outages": [{"name": "real fault: PowerDNS API refused", "outage": []}]}
    subprocess.run([lab["LAB_SCRIPT"], "fault", "pdns", "refused"], check=True, capture_output=True, timeout=30)
    try:
        code, out, report = drill(tmp_path, extra)
        rejected = iptables_rejected("dns01-lab:pdns")
    finally:
        subprocess.run([lab["LAB_SCRIPT"], "fault", "pdns", "none"], check=True, capture_output=True, timeout=30)
    assert code == 0, out[-3000:]
    scenario = report["scenarios"][0]
    cert = scenario["certificates"][0]
    # The report says: the API failed (refused), the RFC 2136 path carried, the certificate was issued.
    api_attempts = [a for a in cert["attempts"] if a["provider"] == "pdns-api"]
    assert api_attempts and all(a["outcome"] == "failed" for a in api_attempts), cert
    assert all("refused" in a["message"].lower() for a in api_attempts), api_attempts
    assert cert["carried_by"] == ["pdns-rfc2136"] and cert["fallback"] and cert["status"] == "renewed"
    assert scenario["provider_states"]["pdns-api"]["state"] == "failed"
    assert scenario["provider_states"]["pdns-rfc2136"]["state"] == "carried"
    assert sorted(cert["publish_ms"]) == ["pdns-api", "pdns-rfc2136"]
    # The lab saw: its switch rejected connections to the API during the drill...
    assert rejected >= len(api_attempts)
    # ...Pebble issued the certificate for these names...
    issued = pathlib.Path(cert["cert_path"])
    leaf = x509.load_pem_x509_certificate(issued.read_bytes())
    shutil.rmtree(issued.parent)
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    assert sorted(sans) == sorted([name, f"*.{name}"])
    intermediate = x509.load_pem_x509_certificate(pathlib.Path(lab["LAB_PEBBLE_INTERMEDIATE"]).read_bytes())
    assert leaf.issuer == intermediate.subject
    # ...and PowerDNS serves no challenge value any more: cleanup went through the path that carried.
    assert served(lab["LAB_PDNS_DNS"], f"_acme-challenge.{name}") == set()
