# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbooks take their settings from the inventory, and -e still wins.

Each playbook runs on localhost against a small inventory whose host_vars or
group_vars set one of its variables; the run shows which value it used. No
DNS provider or CA is reached: every case stops, or finishes, before that.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]


def run(tmp_path: pathlib.Path, playbook: str, host_vars: dict, group_vars: dict | None = None,
        extra_vars: dict | None = None) -> subprocess.CompletedProcess:
    inventory = tmp_path / "inventory"
    (inventory / "host_vars").mkdir(parents=True)
    (inventory / "group_vars").mkdir()
    (inventory / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))
    (inventory / "host_vars" / "localhost.yml").write_text(yaml.safe_dump(host_vars))
    (inventory / "group_vars" / "all.yml").write_text(yaml.safe_dump(group_vars or {}))
    command = [sys.executable, "-m", "ansible.cli.playbook", "-i", str(inventory), str(ROOT / "playbooks" / playbook)]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)


def test_health_probes_the_providers_the_inventory_names(tmp_path):
    result = run(tmp_path, "health.yml", {"dns01_renewal_providers": [], "dns01_health_providers": ["ghost"]})
    assert result.returncode != 0
    assert "no provider named ghost" in result.stdout, result.stdout


def test_health_extra_vars_win_over_the_inventory(tmp_path):
    result = run(tmp_path, "health.yml", {"dns01_renewal_providers": [], "dns01_health_providers": ["ghost"]},
                 extra_vars={"dns01_health_providers": ["phantom"]})
    assert result.returncode != 0
    assert "no provider named phantom" in result.stdout, result.stdout


def test_drill_writes_its_report_where_the_inventory_says(tmp_path):
    reports = tmp_path / "reports"
    result = run(tmp_path, "failover_drill.yml", {"dns01_renewal_certificates": [], "dns01_renewal_providers": []},
                 group_vars={"dns01_drill_report_dir": str(reports), "dns01_drill_baseline": False})
    # No baseline and no certificate: no scenario, a report saying so, and a failed drill.
    assert result.returncode != 0
    report = json.loads((reports / "failover-drill.json").read_text())
    assert report["scenarios"] == []
    assert f"Report: {reports}/failover-drill.html" in result.stdout, result.stdout


def test_revoke_picks_the_ids_the_inventory_names(tmp_path):
    result = run(tmp_path, "revoke.yml", {"dns01_renewal_certificates": [{"id": "other"}]},
                 group_vars={"dns01_revoke_ids": ["web"]})
    assert result.returncode != 0
    assert "dns01_revoke_ids ['web'] must name" in result.stdout, result.stdout


def test_drill_survey_answer_wins_over_the_inventory(tmp_path):
    inventory = {"dns01_renewal_certificates": [], "dns01_renewal_providers": [], "dns01_drill_baseline": False,
                 "dns01_drill_report_dir": str(tmp_path / "reports"), "dns01_drill_providers": "a, b"}
    from_inventory = run(tmp_path / "inventory-only", "failover_drill.yml", {}, group_vars=inventory)
    assert "TASK [Start scenario: a + b down]" in from_inventory.stdout, from_inventory.stdout
    # The AWX survey sends dns01_drill_providers as an extra variable.
    from_survey = run(tmp_path / "survey", "failover_drill.yml", {}, group_vars=inventory,
                      extra_vars={"dns01_drill_providers": "c"})
    assert "TASK [Start scenario: c down]" in from_survey.stdout, from_survey.stdout
    assert "a + b down" not in from_survey.stdout


def test_drill_switch_given_as_a_string_means_what_it_says(tmp_path):
    reports = tmp_path / "reports"
    # -e dns01_drill_baseline=false passes the string "false".
    result = run(tmp_path, "failover_drill.yml", {"dns01_renewal_certificates": [], "dns01_renewal_providers": []},
                 group_vars={"dns01_drill_report_dir": str(reports)}, extra_vars={"dns01_drill_baseline": "false"})
    assert result.returncode != 0
    assert json.loads((reports / "failover-drill.json").read_text())["scenarios"] == []
