# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/health.yml on the lab inventory: healthy, then the PowerDNS API refused, notified through a webhook."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import typing as t

import pytest
import yaml

from ansible_collections.portable.dns01.tests.integration.lab.test_publish_providers import served
from ansible_collections.portable.dns01.tests.integration.lab.hook_receiver import receiver

pytestmark = pytest.mark.lab

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture
def webhook() -> t.Iterator[tuple[str, list[dict[str, t.Any]]]]:
    with receiver() as hook:
        yield hook


def health(tmp_path: pathlib.Path, extra: dict[str, t.Any]) -> subprocess.CompletedProcess:
    (tmp_path / "vars.yml").write_text(yaml.safe_dump(extra))
    command = ["ansible-playbook", "-i", str(ROOT / "tests/lab/state/inventory.yml"), "-i", str(ROOT / "inventories/lab"),
               str(ROOT / "playbooks/health.yml"), "-e", f"@{tmp_path / 'vars.yml'}"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ANSIBLE_SHOW_CUSTOM_STATS": "1"}, check=False)


def custom_stats(output: str) -> dict[str, t.Any]:
    """The set_stats artifacts the default callback prints at the end (what AWX hands to the next node)."""
    lines = [line.strip() for line in output.splitlines() if line.strip().startswith("RUN: ")]
    assert lines, output[-3000:]
    return json.loads(lines[-1][len("RUN: "):])


def test_healthy_then_a_refusing_api_notifies_and_fails(lab_config, webhook, tmp_path):
    url, received = webhook
    extra = {"dns01_health_delegations": [], "dns01_health_propagation_timeout": 20, "dns01_health_timeout": 10,
             "dns01_health_notify_destinations": [{"name": "ops", "type": "webhook", "url": url}]}
    healthy = health(tmp_path, extra)
    assert healthy.returncode == 0, healthy.stdout[-3000:]
    assert "primary: healthy - publish ok" in healthy.stdout and "fallback: healthy - publish ok" in healthy.stdout
    assert received == []
    (host, ok), = custom_stats(healthy.stdout)["dns01_health_stats"].items()
    assert ok["healthy"] is True and ok["providers"]["primary"] == "ok"

    subprocess.run([lab_config["LAB_SCRIPT"], "fault", "pdns", "refused"], check=True, capture_output=True, timeout=30)
    try:
        broken = health(tmp_path, extra)
    finally:
        subprocess.run([lab_config["LAB_SCRIPT"], "fault", "pdns", "none"], check=True, capture_output=True, timeout=30)
    assert broken.returncode != 0
    assert "primary: FAILING - publish failed" in broken.stdout
    assert "fallback: healthy" in broken.stdout
    # Published before the play fails, so a workflow can branch on it.
    stats = custom_stats(broken.stdout)["dns01_health_stats"][host]
    assert stats["healthy"] is False
    assert stats["providers"]["primary"] == "failed" and stats["providers"]["fallback"] == "ok"
    assert len(received) == 1, received
    event = json.dumps(received[0])
    assert "provider primary: publish: ProviderError" in event
    assert lab_config["LAB_PDNS_API_KEY"] not in broken.stdout + event
    assert served(lab_config["LAB_PDNS_DNS"], f"_dns01-canary.{lab_config['LAB_PDNS_ZONE']}") == set()
