# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The renewal role's per-certificate hooks, on the lab: playbooks/renew.yml against Pebble and PowerDNS."""

from __future__ import annotations

import pathlib

import pytest

from ansible_collections.portable.dns01.tests.integration.lab.test_health_playbook_lab import custom_stats

pytestmark = pytest.mark.lab


def marker_command(marker: pathlib.Path) -> list[str]:
    """An argv that appends one line to ``marker`` each time it runs."""
    return ["/bin/sh", "-c", f"echo renewed >> {marker}"]


def test_a_command_hook_runs_when_renewed_and_not_when_not_due_or_dry(renewal):
    marker = renewal.tmp / "marker"
    renewal.certificate("hooked", ["primary"])["hooks"] = {"commands": [marker_command(marker)]}

    first = renewal.run()
    assert first.rc == 0, first
    assert first.certificate("hooked")["status"] == "renewed"
    assert marker.read_text() == "renewed\n"
    assert first.report["hooks"] == [{"certificate": "hooked", "hook": "command " + " ".join(marker_command(marker)),
                                      "status": "ok", "msg": None,
                                      "line": "hook ok: hooked: command " + " ".join(marker_command(marker))}]

    # The new certificate is valid for long: nothing is due, nothing runs.
    again = renewal.run(extra={"dns01_renewal_renew_before_days": 1})
    assert again.rc == 0, again
    assert again.certificate("hooked")["status"] == "not due"
    assert marker.read_text() == "renewed\n"

    dry = renewal.run(extra={"dns01_renewal_dry_run": True})
    assert dry.rc == 0, dry
    assert marker.read_text() == "renewed\n"


def test_a_failed_hook_keeps_the_certificate_and_the_other_hooks_and_fails_the_run(renewal, monkeypatch):
    monkeypatch.setenv("ANSIBLE_SHOW_CUSTOM_STATS", "1")
    marker = renewal.tmp / "marker"
    broken = renewal.certificate("broken", ["primary"])
    broken["hooks"] = {"commands": [["/bin/sh", "-c", "echo deploy refused >&2; exit 3"], marker_command(marker)]}
    renewal.certificate("other", ["primary"])["hooks"] = {"commands": [marker_command(marker)]}
    old = pathlib.Path(broken["cert_path"]).read_bytes()

    result = renewal.run()
    assert result.rc == 2, result
    assert result.certificate("broken")["status"] == "renewed"
    assert result.certificate("other")["status"] == "renewed"
    # Installed, and not rolled back by the failed hook.
    assert pathlib.Path(broken["cert_path"]).read_bytes() != old
    assert b"BEGIN CERTIFICATE" in pathlib.Path(broken["cert_path"]).read_bytes()
    # The broken certificate's second hook and the other certificate's hook both ran.
    assert marker.read_text() == "renewed\nrenewed\n"
    failed = [hook for hook in result.report["hooks"] if hook["status"] == "failed"]
    assert [(hook["certificate"], hook["msg"]) for hook in failed] == [("broken", "exit code 3: deploy refused")]
    assert "hook failed: broken: command /bin/sh -c echo deploy refused >&2; exit 3: exit code 3" in result.output
    # AWX sees it too.
    stats = custom_stats(result.output)["dns01_renewal_stats"]["localhost"]
    assert [(hook["certificate"], hook["status"]) for hook in stats["hooks"]] == [("broken", "failed"), ("broken", "ok"), ("other", "ok")]
    # The run failed: the workflow's failure node must see a failed status to alert (notify_failure.yml skips "ok").
    assert stats["status"] == "failed" and stats["failed"] == []


def test_hooks_are_checked_before_any_order(renewal):
    definition = renewal.certificate("hooked", ["primary"])
    definition["hooks"] = {"scripts": ["/bin/true"]}
    before = renewal.files()
    result = renewal.run()
    assert result.rc == 2, result
    assert "unknown hook kinds scripts" in result.output
    assert renewal.files() == before
