# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.portable.dns01.plugins.filter.drill_report import drill_report
from ansible_collections.portable.dns01.plugins.filter.drill_scenarios import drill_scenarios

CERTS = [{"id": "web", "names": ["example.test"], "providers": ["primary", "fallback"]},
         {"names": ["mail.example.test"], "providers": ["primary", "fallback"]},
         {"id": "lonely", "names": ["solo.test"], "providers": ["solo"]}]
CATALOG = [{"name": "primary"}, {"name": "fallback"}, {"name": "solo"}, {"name": "spare"}]


def entry(cert_id, carried, attempts, status="renewed", msg=None):
    return {"id": cert_id, "status": status, "carried_by": carried, "attempts": attempts, "msg": msg}


def run(name, outage, started, report, error=None, took=10.0):
    return {"scenario": {"name": name, "outage": outage}, "started": started, "finished": started + took,
            "report": report, "error": error}


def test_default_scenarios_are_a_baseline_and_each_provider_of_each_chain():
    assert drill_scenarios(CERTS) == [
        {"name": "baseline: every provider up", "outage": []}, {"name": "primary down", "outage": ["primary"]},
        {"name": "fallback down", "outage": ["fallback"]}, {"name": "solo down", "outage": ["solo"]}]
    assert drill_scenarios(CERTS, baseline=False)[0]["outage"] == ["primary"]


def test_chosen_scenarios_in_every_form():
    chosen = ["primary", ["primary", "solo"], {"name": "real fault: pdns refused", "outage": []}]
    assert drill_scenarios(CERTS, chosen) == [
        {"name": "primary down", "outage": ["primary"]}, {"name": "primary + solo down", "outage": ["primary", "solo"]},
        {"name": "real fault: pdns refused", "outage": []}]
    with pytest.raises(AnsibleFilterError, match=r"dns01_drill_outages\[0\]"):
        drill_scenarios(CERTS, [3])


def test_a_working_fallback_passes_and_says_who_carried():
    results = [run("primary down", ["primary"], 1000.0, [
        entry("web", ["fallback"], ["primary: simulated_outage (treated as down: listed in simulate_outage)", "fallback: published"]),
        entry("mail.example.test", ["fallback"], ["primary: simulated_outage (treated as down)", "fallback: unchanged"]),
        entry("lonely", ["solo"], ["solo: published"])])]
    report = drill_report(results, CERTS, CATALOG)
    assert report["passed"] and report["summary"] == "1 of 1 scenarios passed"
    scenario = report["scenarios"][0]
    assert [cert["fallback"] for cert in scenario["certificates"]] == [True, True, False]
    assert scenario["certificates"][0]["attempts"][0] == {
        "provider": "primary", "outcome": "simulated_outage", "message": "treated as down: listed in simulate_outage"}
    states = {lane["provider"]: lane["segments"][0]["state"] for lane in report["timeline"]}
    assert states == {"primary": "simulated_outage", "fallback": "carried", "solo": "carried", "spare": "unused"}


def test_every_scenario_is_judged_and_each_failure_named():
    results = [
        run("baseline", [], 1000.0, [entry("web", ["primary"], ["primary: published"]),
                                     entry("mail.example.test", ["primary"], ["primary: published"]),
                                     entry("lonely", ["solo"], ["solo: published"])]),
        run("solo down", ["solo"], 1010.0, [entry("web", ["primary"], ["primary: published"]),
                                            entry("mail.example.test", ["primary"], ["primary: published"]),
                                            entry("lonely", [], ["solo: simulated_outage (down)"], "failed", "no provider could publish")]),
        run("primary down", ["primary"], 1020.0, [], error="the CA refused the order"),
        run("fallback down", ["fallback"], 1030.0, [entry("web", ["fallback"], ["fallback: published"]),
                                                    entry("mail.example.test", ["primary"], ["primary: published"]),
                                                    entry("lonely", ["solo"], ["solo: published"])]),
    ]
    report = drill_report(results, CERTS, CATALOG)
    assert not report["passed"] and report["summary"] == "1 of 4 scenarios passed"
    assert report["failures"] == [
        "solo down: lonely: failed - no provider could publish",
        "primary down: the run failed: the CA refused the order",
        "fallback down: web: carried by fallback, which was down",
    ]
    assert [item["passed"] for item in report["scenarios"]] == [True, False, False, False]


def test_a_scenario_without_results_for_a_certificate_fails():
    report = drill_report([run("baseline", [], 1000.0, [entry("web", ["primary"], ["primary: published"])])], CERTS[:2])
    assert report["failures"] == ["baseline: no result for mail.example.test"]


def test_timeline_positions_follow_the_clock():
    results = [run("a", [], 1000.0, [], took=30.0), run("b", ["primary"], 1030.0, [], took=10.0)]
    lane = drill_report(results, [], [{"name": "primary"}])["timeline"][0]
    assert [(seg["left_pct"], seg["width_pct"]) for seg in lane["segments"]] == [(0.0, 75.0), (75.0, 25.0)]


def test_a_failed_attempt_makes_the_provider_failed_not_standby():
    results = [run("real fault", [], 1000.0, [entry("web", ["fallback"], [
        "primary: failed (could not reach http://127.0.1.1:8081: Connection refused)", "fallback: published"])])]
    report = drill_report(results, CERTS[:1], CATALOG[:2])
    scenario = report["scenarios"][0]
    assert scenario["provider_states"]["primary"] == {
        "state": "failed", "detail": ["web: failed (could not reach http://127.0.1.1:8081: Connection refused)"],
        "publish_ms": 0}
    assert report["passed"]


def test_skipped_and_unknown_states_are_told_apart_from_standby():
    attempts = ["primary: skipped (not in zone example.test)", "fallback: published"]
    skipped = [run("baseline", [], 1000.0, [entry("web", ["fallback"], attempts)])]
    assert drill_report(skipped, CERTS[:1])["scenarios"][0]["provider_states"]["primary"]["state"] == "skipped"
    broken = [run("fallback down", ["fallback"], 1000.0, [], error="no provider can publish")]
    states = drill_report(broken, CERTS[:1])["scenarios"][0]["provider_states"]
    assert states == {"primary": {"state": "unknown", "detail": [], "publish_ms": 0},
                      "fallback": {"state": "simulated_outage", "detail": [], "publish_ms": 0}}


def test_a_certificate_issued_without_a_challenge_proves_nothing():
    reused = [run("primary down", ["primary"], 1000.0, [entry("web", [], [])])]
    report = drill_report(reused, CERTS[:1])
    assert not report["passed"]
    assert report["failures"] == ["primary down: web: issued without a challenge (the CA reused an authorization):"
                                  " this scenario proved nothing for it"]


def test_a_failed_run_still_lists_every_certificate():
    broken = [run("fallback down", ["fallback"], 1000.0, [], error="no provider can publish")]
    scenario = drill_report(broken, CERTS[:2])["scenarios"][0]
    assert [(cert["id"], cert["status"]) for cert in scenario["certificates"]] == [
        ("mail.example.test", "not issued"), ("web", "not issued")]
    assert scenario["failures"] == ["the run failed: no provider can publish"]


def test_time_spent_publishing_is_summed_per_provider_and_shown_on_the_timeline():
    web = {**entry("web", ["fallback"], ["primary: failed (refused)", "fallback: published"]),
           "publish_ms": {"primary": 2000, "fallback": 45}}
    mail = {**entry("mail.example.test", ["fallback"], ["primary: failed (refused)", "fallback: published"]),
            "publish_ms": {"primary": 1000, "fallback": 30}}
    report = drill_report([run("real fault", [], 1000.0, [web, mail])], CERTS[:2], CATALOG[:2])
    assert report["scenarios"][0]["certificates"][0]["publish_ms"] == {"primary": 2000, "fallback": 45}
    assert [lane["segments"][0]["publish_ms"] for lane in report["timeline"]] == [3000, 75]


def test_structured_attempts_of_the_renewal_report_are_read():
    entry = {"id": "web", "status": "renewed", "carried_by": ["fallback"], "msg": None, "providers": [
        {"provider": "primary", "outcome": "failed", "message": "refused", "elapsed_ms": 12},
        {"provider": "primary", "outcome": "failed", "message": "refused", "elapsed_ms": 5},
        {"provider": "fallback", "outcome": "published", "message": None, "elapsed_ms": 40}]}
    result = {"scenario": {"name": "primary down", "outage": ["primary"]}, "started": 1.0, "finished": 2.0,
              "report": [entry], "error": None}
    cert = drill_report([result], [{"id": "web", "names": ["example.test"], "providers": ["primary", "fallback"]}])
    scenario = cert["scenarios"][0]["certificates"][0]
    assert [attempt["outcome"] for attempt in scenario["attempts"]] == ["failed", "failed", "published"]
    assert scenario["publish_ms"] == {"primary": 17, "fallback": 40}
