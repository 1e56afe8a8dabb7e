# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What one alert reached, as the renewal report keeps it."""

from __future__ import annotations

from ansible_collections.portable.dns01.plugins.filter.notify_outcome import notify_outcome


def test_a_partly_delivered_alert_names_the_destination_that_failed():
    result = {"item": {"id": "www"}, "event_action": "trigger", "delivered": 1, "sent": [
        {"name": "pd", "ok": True, "skipped": False, "error": None},
        {"name": "team", "ok": False, "skipped": False, "error": "HTTP 500 Internal Server Error"}]}
    assert notify_outcome(result) == {"certificate": "www", "action": "trigger", "delivered": 1,
                                      "failed": [{"name": "team", "error": "HTTP 500 Internal Server Error"}],
                                      "error": None}


def test_a_notify_task_that_failed_as_a_whole_delivered_to_none():
    result = {"item": {"id": "www"}, "failed": True, "msg": "1 of 1 destinations failed: pager: Timeout",
              "sent": [{"name": "pager", "ok": False, "skipped": False, "error": "Timeout"}]}
    outcome = notify_outcome(result, "resolve")
    assert outcome["delivered"] == 0 and outcome["action"] == "resolve"
    assert outcome["error"] == "1 of 1 destinations failed: pager: Timeout"
    # Registered under failed_when: false, as the renewal role does.
    bad_input = notify_outcome({"item": {"id": "www"}, "failed": False, "msg": "a routing_key is needed"})
    assert bad_input["delivered"] == 0 and bad_input["failed"] == [] and bad_input["error"] == "a routing_key is needed"
