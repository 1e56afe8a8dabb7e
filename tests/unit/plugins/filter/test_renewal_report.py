# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.portable.dns01.plugins.filter.renewal_report import renewal_report

CREATED = [
    {"id": "web", "needs_order": True, "reason": "no certificate is installed", "names": ["example.test", "*.example.test"],
     "records": [{"name": "_acme-challenge.example.test", "values": ["a", "b"]}]},
    {"id": "mail", "needs_order": False, "reason": "valid for 80 more days", "names": ["mail.example.test"], "records": [],
     "certificate": {"names": ["mail.example.test"], "issuer": "CN=Old CA", "not_after": "2027-02-01T00:00:00Z"}},
]
PUBLISHED = [{"records": [{"name": "_acme-challenge.example.test", "providers": ["fallback"], "attempts": [
    {"provider": "primary", "outcome": "skipped", "message": "not in zone example.test"},
    {"provider": "fallback", "outcome": "published"}]}]}]
COMPLETED = [{"id": "web", "cert_path": "/etc/ssl/web.crt", "certificate": {
    "names": ["*.example.test", "example.test"], "issuer": "CN=Pebble Intermediate CA", "not_after": "2027-02-26T00:00:00Z", "serial": "0a"}}]


def test_renewed_certificate_names_the_provider_that_carried_it_and_the_others():
    web = renewal_report(CREATED, PUBLISHED, COMPLETED)[0]
    assert web["status"] == "renewed"
    assert web["carried_by"] == ["fallback"]
    assert web["attempts"] == ["primary: skipped (not in zone example.test)", "fallback: published"]
    assert web["issuer"] == "CN=Pebble Intermediate CA"
    assert web["not_after"] == "2027-02-26T00:00:00Z"
    assert web["cert_path"] == "/etc/ssl/web.crt"
    assert web["msg"] == "ordered because no certificate is installed"


def test_certificate_not_due_says_why_and_keeps_its_current_facts():
    mail = renewal_report(CREATED, PUBLISHED, COMPLETED)[1]
    assert mail["status"] == "not due"
    assert mail["carried_by"] == []
    assert mail["msg"] == "valid for 80 more days"
    assert mail["issuer"] == "CN=Old CA"


def test_failed_and_pending_orders():
    failed = renewal_report([{**CREATED[0], "failed": True, "msg": "rateLimited"}])[0]
    assert failed["status"] == "failed" and failed["msg"] == "rateLimited"
    assert renewal_report([CREATED[0]])[0]["status"] == "pending"


def test_time_spent_per_provider_sums_every_attempt():
    published = [{"records": [{"name": "_acme-challenge.example.test", "providers": ["fallback"], "attempts": [
        {"provider": "primary", "outcome": "failed", "elapsed_ms": 1200, "message": "refused"},
        {"provider": "primary", "outcome": "failed", "elapsed_ms": 800, "message": "refused"},
        {"provider": "fallback", "outcome": "published", "elapsed_ms": 45}]}]}]
    web = renewal_report(CREATED, published, COMPLETED)[0]
    assert web["publish_ms"] == {"primary": 2000, "fallback": 45}
    assert renewal_report(CREATED, PUBLISHED, COMPLETED)[1]["publish_ms"] == {}
