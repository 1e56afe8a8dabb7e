# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""expiry.md has the sections the runbook sends the person on call to."""

from __future__ import annotations

import pathlib

import jinja2

from ansible_collections.portable.dns01.plugins.filter.expiry_summary import expiry_summary

ROOT = pathlib.Path(__file__).resolve().parents[3]
WEB1 = {"thresholds": [21, 14, 7, 2], "critical_days": 2, "certificates": [
    {"id": "soon", "status": "warning", "severity": "warning", "worst_days_left": 13.5, "worst_in": "file",
     "not_after": "2026-12-15T00:00:00+00:00", "endpoints": [], "alerts": ["14-day threshold"]},
]}


def render(summary: dict) -> str:
    # As ansible.builtin.template renders it (trim_blocks on).
    environment = jinja2.Environment(trim_blocks=True, undefined=jinja2.StrictUndefined)
    environment.filters["zip"] = lambda *lists: list(zip(*lists))  # ansible.builtin.zip
    template = environment.from_string((ROOT / "roles" / "expiry" / "templates" / "summary.md.j2").read_text())
    return template.render(_dns01_expiry_summary=summary, _dns01_expiry_generated_at="2026-12-01T06:00:00Z")


def test_hosts_without_data_and_alerts_that_reached_nobody_have_their_sections():
    summary = expiry_summary(["web1", "web3"], {"web1": WEB1, "web3": {}},
                             {"web1": [{"summary": "soon on web1: certificate expires in 13 days - 14-day threshold"}]})
    text = render(summary)
    assert "thresholds 21, 14, 7, 2 days, critical at 2." in text
    assert "| web1 | soon | warning | warning | 13.5 | 2026-12-15T00:00:00+00:00 |" in text
    assert "## Hosts without data\n\n- web3: unreachable or failed before its certificates were read\n" in text
    assert ("## Alerts that reached no destination\n\n"
            "- web1: soon on web1: certificate expires in 13 days - 14-day threshold\n") in text


def test_a_quiet_fleet_has_neither_section():
    text = render(expiry_summary(["web1"], {"web1": WEB1}))
    assert "Hosts without data" not in text and "reached no destination" not in text
