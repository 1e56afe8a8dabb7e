# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ACME problem documents (RFC 8555 section 6.7) as plain dicts for results.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import json
import typing as t

VALIDATION_FAILED = "urn:ietf:params:acme:error:unauthorized"


def from_json(document: t.Any) -> dict[str, t.Any]:
    """Keep the fields a user acts on from a problem document in JSON form."""
    if not isinstance(document, dict):
        return {"type": "about:blank", "detail": str(document)}
    problem = {key: document[key] for key in ("type", "detail", "title", "status") if key in document}
    problem.setdefault("type", "about:blank")
    if isinstance(document.get("identifier"), dict):
        problem["identifier"] = document["identifier"]
    if document.get("subproblems"):
        problem["subproblems"] = [from_json(sub) for sub in document["subproblems"]]
    return problem


def from_error(error: t.Any) -> dict[str, t.Any]:
    """From an ``acme.messages.Error``."""
    return from_json(json.loads(error.json_dumps()))


def short(problem: dict[str, t.Any]) -> str:
    """One line: the type's last word and the detail."""
    kind = str(problem.get("type", "")).rsplit(":", 1)[-1]
    return f"{kind}: {problem.get('detail') or problem.get('title') or 'no detail given'}"


def authorization_problem(authorization: dict[str, t.Any]) -> dict[str, t.Any]:
    """The error of a failed authorization, tagged with its identifier."""
    errors = [chall["error"] for chall in authorization.get("challenges", []) if chall.get("error")]
    fallback = {"type": VALIDATION_FAILED, "detail": f"authorization is {authorization.get('status')}"}
    problem = from_json(errors[0]) if errors else fallback
    problem["identifier"] = authorization.get("identifier", {})
    return problem


def validation_problem(failed: list[dict[str, t.Any]]) -> dict[str, t.Any]:
    """One document for a failed order: a subproblem per failed identifier."""
    subproblems = [authorization_problem(authz) for authz in failed]
    values = ", ".join(str(sub["identifier"].get("value")) for sub in subproblems)
    return {
        "type": subproblems[0]["type"] if subproblems else VALIDATION_FAILED,
        "detail": f"validation failed for {values}",
        "subproblems": subproblems,
    }
