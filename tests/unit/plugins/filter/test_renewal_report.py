# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import copy
import pathlib
import re

from ansible_collections.portable.dns01.plugins.filter.renewal_published import renewal_published
from ansible_collections.portable.dns01.plugins.filter.renewal_ready import renewal_ready
from ansible_collections.portable.dns01.plugins.filter.renewal_report import renewal_report
from ansible_collections.portable.dns01.plugins.module_utils._publish.chain import Attempt

CERTS = [
    {"id": "web", "names": ["example.test", "*.example.test"], "providers": ["primary", "fallback"], "cert_path": "/etc/ssl/web.crt"},
    {"id": "dead", "names": ["dead.test"], "providers": ["deadzone"], "cert_path": "/etc/ssl/dead.crt"},
    {"id": "mail", "names": ["mail.example.test"], "providers": ["primary"], "cert_path": "/etc/ssl/mail.crt"},
]
WEB_RECORD = {"name": "_acme-challenge.example.test", "values": ["a", "b"]}
DEAD_RECORD = {"name": "_acme-challenge.dead.test", "values": ["c"]}
CREATED = {"certificates": [
    {"id": "web", "needs_order": True, "reason": "no certificate is installed", "order_url": "https://ca/order/1",
     "records": [WEB_RECORD]},
    {"id": "dead", "needs_order": True, "reason": "expires in 2 days", "order_url": "https://ca/order/2",
     "records": [DEAD_RECORD]},
    {"id": "mail", "needs_order": False, "reason": "valid for 80 more days", "records": [],
     "certificate": {"issuer": "CN=Old CA", "not_after": "2027-02-01T00:00:00Z"}},
], "duration": 1.5}
PUBLISHED = {"results": [
    {"item": {"chain": ["primary", "fallback"], "records": [WEB_RECORD]}, "duration": 2.0, "records": [
        {"name": "_acme-challenge.example.test", "providers": ["fallback"], "attempts": [
            {"provider": "primary", "outcome": "failed", "error_class": "ProviderTimeout", "message": "connect timed out"},
            {"provider": "fallback", "outcome": "published"}]}]},
    {"item": {"chain": ["deadzone"], "records": [DEAD_RECORD]}, "duration": 3.0, "failed": True, "error_class": "PublishError",
     "msg": "could not publish _acme-challenge.dead.test", "records": [
         {"name": "_acme-challenge.dead.test", "providers": [], "attempts": [
             {"provider": "deadzone", "outcome": "failed", "error_class": "ProviderError", "message": "HTTP 500"}]}]},
]}
PROPAGATED = {"records": [{"name": "_acme-challenge.example.test", "done": True, "elapsed": 0.7}], "duration": 0.8}
COMPLETED = {"certificates": [{"id": "web", "cert_path": "/etc/ssl/web.crt", "certificate": {
    "issuer": "CN=Pebble Intermediate CA", "not_after": "2027-02-26T00:00:00Z", "serial": "0a"}}], "duration": 2.5}
RUN = {"plan": {"duration": 0.1}, "lock": {"owner": "x", "duration": 0.0}, "created": CREATED, "published": PUBLISHED,
       "propagated": PROPAGATED, "completed": COMPLETED}


def by_id(report):
    return {entry["id"]: entry for entry in report["certificates"]}


def test_a_dead_chain_fails_only_its_certificate():
    report = renewal_report(RUN, CERTS)
    entries = by_id(report)
    assert entries["web"]["status"] == "renewed" and entries["web"]["carried_by"] == ["fallback"]
    assert entries["dead"]["status"] == "failed" and entries["dead"]["phase"] == "publish"
    assert entries["dead"]["error"].startswith("PublishError: could not publish")
    assert entries["mail"]["status"] == "not due" and entries["mail"]["msg"] == "valid for 80 more days"
    assert report["status"] == "failed" and report["failed"] == ["dead"] and report["error"] is None


def test_providers_tried_with_outcome_error_and_timings():
    web = by_id(renewal_report(RUN, CERTS))["web"]
    assert [(attempt["provider"], attempt["outcome"]) for attempt in web["providers"]] == [("primary", "failed"), ("fallback", "published")]
    assert web["providers"][0]["error_class"] == "ProviderTimeout"
    assert web["timings"] == {"publish": 2.0, "wait": 0.7}
    report = renewal_report(RUN, CERTS)
    assert report["timings"] == {"validate": 0.1, "lock": 0.0, "create": 1.5, "publish": 5.0, "wait": 0.8, "complete": 2.5}
    assert "    primary: failed [ProviderTimeout] (connect timed out)" in report["lines"]


def test_only_healthy_orders_are_completed():
    ready = renewal_ready(CERTS, CREATED, PUBLISHED, PROPAGATED)
    assert [(cert["id"], cert["order_url"]) for cert in ready] == [("web", "https://ca/order/1")]


def test_a_record_not_served_holds_back_its_certificate_only():
    created = copy.deepcopy(CREATED)
    other = {"name": "_acme-challenge.mail.example.test", "values": ["m"]}
    created["certificates"][2].update(needs_order=True, order_url="https://ca/order/3", records=[other])
    published = copy.deepcopy(PUBLISHED)
    published["results"][0]["item"]["records"].append(other)
    propagated = {"failed": True, "msg": "1 of 2 records not served everywhere", "error_class": "PropagationTimeout",
                  "records": [{"name": "_acme-challenge.example.test", "done": True}, {"name": other["name"], "done": False}]}
    assert [cert["id"] for cert in renewal_ready(CERTS, created, published, propagated)] == ["web"]
    mail = by_id(renewal_report({**RUN, "created": created, "published": published, "propagated": propagated}, CERTS))["mail"]
    assert mail["status"] == "failed" and mail["phase"] == "wait" and "PropagationTimeout" in mail["error"]


def test_a_rate_limited_order_fails_alone():
    created = copy.deepcopy(CREATED)
    created.update(failed=True, msg="1 of 3 certificates failed")
    created["certificates"][1] = {"id": "dead", "failed": True, "error_class": "RateLimitError", "msg": "too many new orders",
                                  "records": []}
    assert [cert["id"] for cert in renewal_ready(CERTS, created, PUBLISHED, PROPAGATED)] == ["web"]
    dead = by_id(renewal_report({**RUN, "created": created}, CERTS))["dead"]
    assert dead["phase"] == "create" and dead["error"] == "RateLimitError: too many new orders"


def test_a_run_stopped_before_ordering_fails_every_certificate_with_its_reason():
    plan = {"failed": True, "error_class": "InputError", "msg": "2 problems in the renewal inventory"}
    report = renewal_report({"plan": plan}, CERTS)
    assert report["error"]["phase"] == "validate"
    assert all(entry["status"] == "failed" and entry["phase"] == "validate" for entry in report["certificates"])
    locked = renewal_report({"plan": {"duration": 0.1}, "lock": {"failed": True, "msg": "lock 'x' is held by another run"}}, CERTS)
    assert locked["error"]["phase"] == "lock" and "held by another run" in locked["lines"][0]


def test_a_preflight_refusal_fails_every_certificate_before_any_order():
    preflight = {"failed": True, "error_class": "PreflightError", "msg": "the CA may not issue for example.test [CAA at example.test: 0 issue \"other.ca\"]",
                 "duration": 0.4}
    report = renewal_report({"plan": {"duration": 0.1}, "preflight": preflight}, CERTS)
    assert report["error"]["phase"] == "preflight" and "CAA at example.test" in report["lines"][0]
    assert {entry["phase"] for entry in report["certificates"]} == {"preflight"}
    assert report["timings"]["preflight"] == 0.4


def test_another_task_that_stopped_the_run_is_named_with_phase_run():
    """The runbook: `run` (another task stopped the run; the report's `error.task` names it)."""
    error = {"task": "Publish the challenge values through each provider chain", "msg": "template error in loop"}
    report = renewal_report({"plan": {"duration": 0.1}, "lock": {"owner": "x"}, "error": error}, CERTS)
    assert report["status"] == "failed"
    assert report["error"] == {"phase": "run", "task": error["task"], "msg": "template error in loop"}
    assert report["lines"][0] == "run stopped in run: template error in loop"
    assert {(entry["status"], entry["phase"]) for entry in report["certificates"]} == {("failed", "run")}


def test_nothing_to_renew():
    report = renewal_report({"plan": {"certificates": []}}, [])
    assert report["status"] == "ok" and report["lines"] == ["no certificate to renew"]


def test_published_chains_and_the_providers_to_clean_up_through():
    chains = renewal_published(PUBLISHED)
    assert chains == [{"chain": ["primary", "fallback"], "records": [WEB_RECORD], "tried": ["primary", "fallback"]}]


def test_checks_and_lock_taken_by_renewal_plan_report_their_own_phase_and_time():
    """renewal_plan checks, preflights and locks in one run: each step keeps its phase and its seconds."""
    preflight = {"failed": True, "msg": "the CA may not issue for example.test", "duration": 0.4}
    plan = {"failed": True, "step": "preflight", "msg": preflight["msg"], "preflight": preflight, "duration": 0.5}
    report = renewal_report({"plan": plan, "preflight": preflight}, CERTS)
    assert report["error"]["phase"] == "preflight"
    assert {entry["phase"] for entry in report["certificates"]} == {"preflight"}
    lock = {"failed": True, "msg": "lock 'x' is held by another run", "duration": 0.2}
    plan = {"failed": True, "step": "lock", "msg": lock["msg"], "preflight": {"duration": 0.3}, "lock": lock, "duration": 0.6}
    locked = renewal_report({"plan": plan, "preflight": plan["preflight"], "lock": lock}, CERTS)
    assert locked["error"]["phase"] == "lock" and "held by another run" in locked["lines"][0]
    assert locked["timings"] == {"validate": 0.1, "preflight": 0.3, "lock": 0.2}


class Walked(list):
    """A list of registered results that counts how often it is walked."""

    walks = 0

    def __iter__(self):
        self.walks += 1
        return super().__iter__()


def many_certificates(count):
    """A run of ``count`` renewed certificates, all published by one chain: every result list counts its walks."""
    certs = [{"id": f"c{index}", "names": [f"c{index}.test"], "providers": ["primary"]} for index in range(count)]
    records = [{"name": f"_acme-challenge.c{index}.test", "values": ["v"]} for index in range(count)]
    created = {"certificates": [{"id": f"c{index}", "needs_order": True, "order_url": f"https://ca/order/{index}",
                                 "records": [record]} for index, record in enumerate(records)]}
    published = {"results": Walked([{"item": {"chain": ["primary"], "records": records}, "duration": 1.0, "records": Walked(
        {"name": record["name"], "providers": ["primary"], "attempts": [{"provider": "primary", "outcome": "published"}]}
        for record in records)}])}
    propagated = {"records": Walked({"name": record["name"], "done": True, "elapsed": 0.1} for record in records)}
    completed = {"certificates": [{"id": f"c{index}", "certificate": {"serial": "0a"}} for index in range(count)]}
    cleaned = {"results": Walked([{"item": {"chain": ["primary"], "records": records}, "records": []}])}
    run = {"created": created, "published": published, "propagated": propagated, "completed": completed, "cleaned": cleaned}
    walked = [published["results"], published["results"][0]["records"], propagated["records"], cleaned["results"]]
    return certs, run, walked


def test_the_report_walks_the_run_once_not_once_per_certificate():
    """A thousand certificates in one run: the report must not grow with the square of their number."""
    certs, run, walked = many_certificates(50)
    report = renewal_report(run, certs)
    assert [entry["status"] for entry in report["certificates"]] == ["renewed"] * 50
    assert report["certificates"][7]["carried_by"] == ["primary"] and report["certificates"][7]["timings"] == {"publish": 1.0, "wait": 0.1}
    assert [results.walks <= 3 for results in walked] == [True] * 4, [results.walks for results in walked]


def test_finding_the_ready_orders_walks_the_run_once():
    certs, run, walked = many_certificates(50)
    ready = renewal_ready(certs, run["created"], run["published"], run["propagated"])
    assert len(ready) == 50
    assert [results.walks <= 3 for results in walked] == [True] * 4, [results.walks for results in walked]


def keys(value) -> set[str]:
    """Every key of every dictionary in ``value``."""
    if isinstance(value, dict):
        return set(value) | set().union(*(keys(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(keys(item) for item in value)) if value else set()
    return set()


def test_every_field_the_runbook_names_is_in_the_report():
    runbook = (pathlib.Path(__file__).resolve().parents[4] / "docs" / "runbook.md").read_text(encoding="utf-8")
    paragraph = runbook.split("for AWX and for\npeople", 1)[1].split("In a playbook it is the fact", 1)[0]
    named = set(re.findall(r"`([a-z_]+)`", paragraph))
    run = copy.deepcopy(RUN)
    attempt = Attempt("primary", "failed", 1200, "ProviderError", "HTTP 500", 500).as_dict()
    run["published"]["results"][0]["records"][0]["attempts"] = [attempt]
    for step in ("preflight", "swept", "cleaned"):
        run[step] = {"duration": 0.1}
    stopped = renewal_report({"plan": {"duration": 0.1}, "error": {"task": "t", "msg": "m"}}, CERTS)
    found = keys(renewal_report(run, CERTS)) | keys(stopped)
    assert len(named) > 25 and named - found == set()
