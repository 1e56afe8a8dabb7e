# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet summary: worst first, hosts without data are critical, one line per certificate."""

from __future__ import annotations

from ansible_collections.portable.dns01.plugins.filter.expiry_summary import expiry_summary

WEB1 = {"thresholds": [30, 14, 7, 2], "critical_days": 2, "certificates": [
    {"id": "ok", "status": "ok", "severity": "ok", "worst_days_left": 60.0, "worst_in": "file", "endpoints": []},
    {"id": "soon", "status": "warning", "severity": "error", "worst_days_left": 5.0, "worst_in": "www:443",
     "endpoints": [{"endpoint": "www:443", "status": "mismatch", "error": None}]},
]}
WEB2 = {"thresholds": [30, 14, 7, 2], "critical_days": 2, "certificates": [
    {"id": "gone", "status": "missing", "severity": "critical", "worst_days_left": None,
     "reason": "/etc/ssl/gone.crt does not exist", "endpoints": []},
    {"id": "late", "status": "expired", "severity": "critical", "worst_days_left": -1.25, "worst_in": "file",
     "endpoints": []},
]}


def test_worst_first_with_counts():
    summary = expiry_summary(["web1", "web2"], {"web1": WEB1, "web2": WEB2})
    assert [(c["host"], c["id"]) for c in summary["certificates"]] == [
        ("web2", "gone"), ("web2", "late"), ("web1", "soon"), ("web1", "ok")]
    assert summary["counts"] == {"ok": 1, "warning": 0, "error": 1, "critical": 2} and summary["critical"] is True
    assert summary["thresholds"] == [30, 14, 7, 2] and summary["hosts_without_data"] == []


def test_lines_say_what_and_why():
    lines = [c["line"] for c in expiry_summary(["web1", "web2"], {"web1": WEB1, "web2": WEB2})["certificates"]]
    assert lines == [
        "web2/gone: missing (critical) - /etc/ssl/gone.crt does not exist",
        "web2/late: expired (critical) - expired 1.2 days ago",
        "web1/soon: warning (error) - 5.0 days left at www:443; www:443 mismatch",
        "web1/ok: ok (ok) - 60.0 days left",
    ]


def test_a_host_without_data_makes_the_fleet_critical():
    summary = expiry_summary(["web1", "web3"], {"web1": {"certificates": WEB1["certificates"][:1]}, "web3": {}})
    assert summary["hosts_without_data"] == ["web3"] and summary["critical"] is True
    assert summary["counts"]["critical"] == 0


def test_undelivered_alerts_are_listed():
    summary = expiry_summary(["web1"], {"web1": WEB1}, {"web1": [{"summary": "soon on web1: expires"}]})
    assert summary["undelivered"] == ["web1: soon on web1: expires"]


def test_an_open_renewal_window_is_said():
    entry = {**WEB1["certificates"][0], "ari": {"start": "2026-11-20T00:00:00+00:00", "due": True}}
    summary = expiry_summary(["web1"], {"web1": {"certificates": [entry]}})
    assert summary["certificates"][0]["line"] == (
        "web1/ok: ok (ok) - 60.0 days left; the CA suggests renewing since 2026-11-20T00:00:00+00:00")
