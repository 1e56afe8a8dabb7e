# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: renewal_report
short_description: The report of a renewal run, one entry per certificate, whatever happened
version_added: 0.1.0
description:
  - Combines the registered results of the renewal role's tasks into one document, with per certificate the
    decision, the status, the providers tried with their outcome and error, the timings and the error;
    for the run its status, the error that stopped it, the time of each step and the certificates that failed.
  - Works on a run that stopped anywhere (bad inventory, lock held, CA down); certificates the run never
    reached are reported as failed with the run's error.
options:
  _input:
    description:
      - The registered results of the run, by step. Every key is optional.
      - C(plan) (M(portable.dns01.renewal_plan)), C(preflight) (M(portable.dns01.preflight), or RV(portable.dns01.renewal_plan#module:preflight)),
        C(lock) (M(portable.dns01.run_lock), or RV(portable.dns01.renewal_plan#module:lock)) and C(released) (M(portable.dns01.run_lock)),
        C(swept), C(published) and C(cleaned) (M(portable.dns01.dns_challenge_publish), the last two loops),
        C(created) and C(completed) (M(portable.dns01.acme_order)), C(propagated) (M(portable.dns01.propagation_wait)),
        and C(error), C({task, msg}) of a task that stopped the run.
    type: dict
    required: true
  certificates:
    description: The certificate definitions of the run (C(dns01_renewal_certificates)).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Summarise the run
  ansible.builtin.set_fact:
    renewal_run_report: >-
      {{ {'plan': plan, 'created': created, 'published': published, 'propagated': propagated,
          'completed': completed} | portable.dns01.renewal_report(dns01_renewal_certificates) }}
"""

RETURN = r"""
_value:
  description: The run's report.
  type: dict
  contains:
    status:
      description: V(ok) when every certificate is renewed or not due, else V(failed).
      type: str
    error:
      description: What stopped the run before every certificate was worked (C(phase), C(task), C(msg)); V(null) otherwise.
      type: dict
    failed:
      description: The labels of the certificates that failed.
      type: list
      elements: str
    timings:
      description: Seconds each step took (C(validate), C(preflight), C(lock), C(sweep), C(create), C(publish), C(wait), C(complete), C(cleanup)).
      type: dict
    swept:
      description: Values a dead run had left, found in the journal by the sweep, with C(provider), C(name), C(values), C(outcome) and C(message).
      type: list
      elements: dict
    lines:
      description: The report as text, one line per certificate and one per provider attempt.
      type: list
      elements: str
    certificates:
      description: One entry per certificate.
      type: list
      elements: dict
      contains:
        id:
          description: The certificate's label.
          type: str
        status:
          description: V(renewed), V(not due), V(would renew) (check mode) or V(failed).
          type: str
        decision:
          description: Why it was (or was not) ordered.
          type: str
        phase:
          description: The step it failed in (V(validate), V(preflight), V(lock), V(create), V(publish), V(wait), V(complete)); V(null) when it did not fail.
          type: str
        error:
          description: Why it failed.
          type: str
        msg:
          description: The error, or else the decision.
          type: str
        carried_by:
          description: The providers that published its challenge values.
          type: list
          elements: str
        providers:
          description: Every attempt of every provider for its records, with C(provider), C(outcome), C(error_class), C(message), C(status), C(elapsed_ms).
          type: list
          elements: dict
        timings:
          description: Seconds its chain took to publish (C(publish)) and its records to be served everywhere (C(wait)).
          type: dict
        cleanup_error:
          description: Why removing its challenge values failed, when it did.
          type: str
        names:
          description: The names on the certificate.
          type: list
          elements: str
        issuer:
          description: The issuer of the new certificate.
          type: str
        not_after:
          description: When the new certificate expires.
          type: str
        cert_path:
          description: Where the certificate is.
          type: str
"""

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._renewal.certificates import label
from ansible_collections.portable.dns01.plugins.plugin_utils._renewal_run import (
    failed,
    loop_results,
    norm,
    orders,
    published_ok,
    ran,
    ready,
    served,
)

Result = t.Dict[str, t.Any]
STEPS = ("plan", "preflight", "lock", "swept", "created", "published", "propagated", "completed", "cleaned")
TIMING_NAMES = dict(zip(STEPS, ("validate", "preflight", "lock", "sweep", "create", "publish", "wait", "complete", "cleanup")))
# The steps that stop the run for every certificate when they fail. renewal_plan
# may run the checks and take the lock itself: then it failed too, and the
# step's own result says which phase stopped the run.
BLOCKING = (("preflight", "preflight"), ("lock", "lock"), ("plan", "validate"))
# Steps renewal_plan may run inside its own module run, each with its own duration.
IN_PLAN = ("preflight", "lock")


def _duration(result: Result | None) -> float | None:
    if not ran(result):
        return None
    if "results" in result:
        return round(sum(item.get("duration") or 0 for item in loop_results(result)), 3)
    return result.get("duration")


def _timings(run: Result) -> dict[str, float]:
    timings = {TIMING_NAMES[step]: _duration(run.get(step)) for step in STEPS}
    plan = run.get("plan") or {}
    inside = [plan[step].get("duration") or 0 for step in IN_PLAN if isinstance(plan.get(step), dict)]
    if timings.get("validate") is not None and inside:
        timings["validate"] = round(max(timings["validate"] - sum(inside), 0.0), 3)
    return {name: value for name, value in timings.items() if value is not None}


def _run_error(run: Result) -> Result | None:
    """What stopped the run for every certificate, if anything did."""
    for step, phase in BLOCKING:
        if failed(run.get(step)):
            return {"phase": phase, "task": None, "msg": _why(run[step])}
    created = run.get("created")
    if failed(created) and not created.get("certificates"):
        return {"phase": "create", "task": None, "msg": _why(created)}
    error = run.get("error")
    if error:
        return {"phase": "run", "task": error.get("task"), "msg": error.get("msg")}
    return None


class _Index:
    """The run's results by record name, read once: a run may hold thousands of certificates."""

    def __init__(self, run: Result) -> None:
        self.groups = loop_results(run.get("published"))
        # name -> (group, position, record result) of every record a publishing group reported
        self.records: dict[str, list[tuple[int, int, Result]]] = {}
        # name -> the groups whose records include it
        self.members: dict[str, set[int]] = {}
        for number, result in enumerate(self.groups):
            for record in (result.get("item") or {}).get("records") or []:
                self.members.setdefault(norm(record["name"]), set()).add(number)
            for position, record in enumerate(result.get("records") or []):
                self.records.setdefault(norm(record.get("name")), []).append((number, position, record))
        self.carried = published_ok(run.get("published"))
        self.seen = served(run.get("propagated"))
        self.elapsed: dict[str, list[float]] = {}
        for record in (run.get("propagated") or {}).get("records") or []:
            if record.get("elapsed") is not None:
                self.elapsed.setdefault(norm(record.get("name")), []).append(record["elapsed"])
        self.cleanup: dict[str, tuple[int, str | None]] = {}
        for number, result in enumerate(loop_results(run.get("cleaned"))):
            if failed(result):
                for record in (result.get("item") or {}).get("records") or []:
                    self.cleanup.setdefault(norm(record["name"]), (number, result.get("msg")))


def _names(order: Result) -> set[str]:
    return {norm(record["name"]) for record in order.get("records") or []}


def _attempts(order: Result, index: _Index) -> tuple[list[str], list[Result], Result | None, float | None]:
    """(carried by, attempts, the failed group result, publish seconds) of an order's records."""
    names = _names(order)
    groups = sorted(set().union(*(index.members.get(name, set()) for name in names)))
    broken, seconds = None, None
    for number in groups:
        seconds = index.groups[number].get("duration")
        if failed(index.groups[number]):
            broken = index.groups[number]
    carried: list[str] = []
    attempts: list[Result] = []
    members = set(groups)
    found = sorted((entry for name in names for entry in index.records.get(name, []) if entry[0] in members),
                   key=lambda entry: entry[:2])
    for _number, _position, record in found:
        carried.extend(name for name in record.get("providers") or [] if name not in carried)
        attempts.extend(record.get("attempts") or [])
    return carried, attempts, broken, seconds


def _wait_seconds(order: Result, index: _Index) -> float | None:
    times = [elapsed for name in _names(order) for elapsed in index.elapsed.get(name, [])]
    return max(times) if times else None


def _cleanup_error(order: Result, index: _Index) -> str | None:
    found = [index.cleanup[name] for name in _names(order) if name in index.cleanup]
    return min(found, key=lambda entry: entry[0])[1] if found else None


def _why(result: Result | None) -> str | None:
    """A failed result's message, with its error class."""
    result = result or {}
    msg = result.get("msg")
    return f"{result['error_class']}: {msg}" if result.get("error_class") and msg else msg


def _failure(order: Result, run: Result, index: _Index, broken: Result | None,
             done: Result | None) -> tuple[str | None, str | None]:
    """(phase, error) of a certificate whose order was created."""
    if failed(order):
        return "create", _why(order)
    if broken is not None:
        return "publish", _why(broken)
    if order.get("records") and order.get("needs_order") and not ready(order, index.carried, index.seen):
        propagated = run.get("propagated") or {}
        missing = sorted(_names(order) - index.seen)
        why = _why(propagated) if failed(propagated) else "the wait did not run"
        return "wait", f"not served everywhere: {', '.join(missing)} ({why})"
    if done is not None and failed(done):
        return "complete", _why(done)
    if order.get("needs_order") and order.get("order_url") and done is None:
        return "complete", "the order was not completed"
    return None, None


def _status(order: Result, phase: str | None, done: Result | None) -> str:
    if phase:
        return "failed"
    if done and (done.get("certificate") or {}).get("serial"):
        return "renewed"
    if order.get("needs_order"):
        return "would renew"
    return "not due"


def _entry(definition: Result, run: Result, index: _Index, opened: dict[str, Result], finished: dict[str, Result],
           run_error: Result | None) -> Result:
    cert_id = label(definition)
    order = opened.get(cert_id)
    entry: Result = {"id": cert_id, "names": definition.get("names") or [], "status": "failed", "decision": None,
                     "phase": None, "error": None, "msg": None, "carried_by": [], "providers": [], "attempts": [],
                     "timings": {},
                     "cleanup_error": None, "issuer": None, "not_after": None, "cert_path": definition.get("cert_path")}
    if order is None:
        error = run_error or {"phase": "create", "msg": "no order was created"}
        entry.update(phase=error["phase"], error=error["msg"], msg=error["msg"])
        return entry
    done = finished.get(cert_id)
    carried, attempts, broken, publish_seconds = _attempts(order, index)
    phase, error = _failure(order, run, index, broken, done)
    certificate = (done or order).get("certificate") or {}
    decision = order.get("reason")
    entry.update(status=_status(order, phase, done), decision=decision, phase=phase, error=error,
                 msg=error or decision, carried_by=carried, providers=attempts,
                 cleanup_error=_cleanup_error(order, index), issuer=certificate.get("issuer"),
                 not_after=certificate.get("not_after"), cert_path=(done or order).get("cert_path") or entry["cert_path"])
    entry["attempts"] = [_attempt_line(attempt).strip() for attempt in attempts]
    entry["timings"] = {key: value for key, value in (("publish", publish_seconds),
                                                      ("wait", _wait_seconds(order, index)))
                        if value is not None}
    return entry


def _attempt_line(attempt: Result) -> str:
    line = f"    {attempt.get('provider')}: {attempt.get('outcome')}"
    if attempt.get("error_class"):
        line += f" [{attempt['error_class']}]"
    return f"{line} ({attempt['message']})" if attempt.get("message") else line


def _swept(run: Result) -> list[Result]:
    """What the sweep found of dead runs: provider, name, values, outcome, message."""
    swept = run.get("swept") or {}
    return [{key: item.get(key) for key in ("provider", "name", "values", "outcome", "message")}
            for item in swept.get("swept") or []]


def _lines(entries: list[Result], error: Result | None, run: Result) -> list[str]:
    lines = []
    if error:
        lines.append(f"run stopped in {error['phase']}: {error['msg']}")
    if failed(run.get("swept")):
        lines.append(f"sweeping what dead runs left failed: {_why(run['swept'])}")
    for item in _swept(run):
        lines.append(f"swept from a dead run: {item['name']} through {item['provider']}: {item['outcome']}"
                     + (f" ({item['message']})" if item.get("message") else ""))
    for entry in entries:
        carried = ", ".join(entry["carried_by"]) or "-"
        lines.append(f"{entry['id']}: {entry['status']}" + (f" in {entry['phase']}" if entry["phase"] else "")
                     + f" - {entry['msg'] or '-'}; carried by {carried}")
        lines.extend(_attempt_line(attempt) for attempt in entry["providers"])
        if entry["cleanup_error"]:
            lines.append(f"    cleanup failed: {entry['cleanup_error']}")
    return lines or ["no certificate to renew"]


def renewal_report(run: Result, certificates: list[Result]) -> Result:
    """The run's report: per certificate what happened, and for the run what stopped it and the timings."""
    run = {key: value for key, value in (run or {}).items() if value}
    error = _run_error(run)
    opened = orders(run.get("created"))
    finished = {str(cert.get("id")): cert for cert in (run.get("completed") or {}).get("certificates") or []}
    index = _Index(run)
    entries = [_entry(definition, run, index, opened, finished, error) for definition in certificates or []]
    failures = [entry["id"] for entry in entries if entry["status"] == "failed"]
    return {"status": "failed" if failures or error else "ok", "error": error, "failed": failures,
            "timings": _timings(run), "swept": _swept(run), "lines": _lines(entries, error, run), "certificates": entries}


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict:
        return {"renewal_report": renewal_report}
