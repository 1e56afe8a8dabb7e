# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.portable.dns01.plugins.filter.renewal_hook_results import renewal_hook_results
from ansible_collections.portable.dns01.plugins.filter.renewal_hooks import renewal_hooks

CERTS = [
    {"id": "web", "names": ["web.example.test"], "cert_path": "/etc/ssl/web.crt", "key_path": "/etc/ssl/web.key",
     "hooks": {"services": [{"name": "nginx"}], "commands": ["/usr/local/bin/x", ["/bin/echo", "a b"]],
               "copy_to": [{"host": "web2", "owner": "root", "mode": "0640"}]}},
    {"id": "mail", "names": ["mail.example.test"], "cert_path": "/etc/ssl/mail.crt", "key_path": "/etc/ssl/mail.key",
     "hooks": {"commands": ["/usr/local/bin/mail"]}},
]


def test_only_renewed_certificates_get_actions():
    report = [{"id": "web", "status": "renewed"}, {"id": "mail", "status": "not due"}]
    actions = renewal_hooks(CERTS, report)
    assert [action["label"] for action in actions] == [
        "service nginx reloaded", "command /usr/local/bin/x", "command /bin/echo a b",
        "copy /etc/ssl/web.crt to web2", "copy /etc/ssl/web.key to web2"]
    assert {action["certificate"] for action in actions} == {"web"}
    assert actions[2]["argv"] == ["/bin/echo", "a b"]
    copies = [action for action in actions if action["kind"] == "copy"]
    assert [(copy["mode"], copy["secret"], copy["owner"], copy["group"]) for copy in copies] == [
        ("0640", False, "root", None), ("0600", True, "root", None)]
    assert renewal_hooks(CERTS, [{"id": "web", "status": "failed"}, {"id": "mail", "status": "would renew"}]) == []


def test_each_action_is_reported_and_a_failure_says_why():
    ok = {"item": {"certificate": "web", "label": "command /bin/true"}, "rc": 0, "changed": True}
    bad = {"item": {"certificate": "mail", "label": "command /bin/false"}, "rc": 1, "stderr": "no\n", "failed": True}
    service = {"item": {"certificate": "web", "label": "service nginx reloaded"}, "failed": True,
               "msg": "Could not find the requested service nginx"}
    results = renewal_hook_results([{"results": [ok, bad]}, {"results": [service]}, {"skipped": True, "results": []}])
    assert [(entry["certificate"], entry["status"], entry["msg"]) for entry in results] == [
        ("web", "ok", None), ("mail", "failed", "exit code 1: no"),
        ("web", "failed", "Could not find the requested service nginx")]
    assert results[1]["line"] == "hook failed: mail: command /bin/false: exit code 1: no"
