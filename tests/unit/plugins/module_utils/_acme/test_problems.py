# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from acme import messages

from ansible_collections.portable.dns01.plugins.module_utils._acme import problems


def test_library_error_keeps_type_detail_and_subproblems():
    error = messages.Error.from_json({
        "type": "urn:ietf:params:acme:error:rejectedIdentifier", "detail": "policy forbids",
        "subproblems": [{"type": "urn:ietf:params:acme:error:caa", "detail": "CAA forbids",
                         "identifier": {"type": "dns", "value": "b.example.test"}}]})
    problem = problems.from_error(error)
    assert problem["type"].endswith("rejectedIdentifier")
    assert problem["subproblems"][0]["identifier"] == {"type": "dns", "value": "b.example.test"}
    assert problems.short(problem) == "rejectedIdentifier: policy forbids"


def test_failed_validation_gives_a_subproblem_per_identifier():
    failed = [
        {"identifier": {"type": "dns", "value": "x.example.test"}, "status": "invalid",
         "challenges": [{"type": "dns-01", "status": "invalid",
                         "error": {"type": "urn:ietf:params:acme:error:unauthorized", "detail": "no TXT record", "status": 403}}]},
        {"identifier": {"type": "dns", "value": "y.example.test"}, "status": "deactivated", "challenges": []},
    ]
    problem = problems.validation_problem(failed)
    assert problem["type"] == "urn:ietf:params:acme:error:unauthorized"
    assert problem["detail"] == "validation failed for x.example.test, y.example.test"
    assert problem["subproblems"][0] == {"type": "urn:ietf:params:acme:error:unauthorized", "detail": "no TXT record",
                                         "status": 403, "identifier": {"type": "dns", "value": "x.example.test"}}
    assert problem["subproblems"][1]["detail"] == "authorization is deactivated"


def test_non_dict_documents_are_kept_as_text():
    assert problems.from_json("boom") == {"type": "about:blank", "detail": "boom"}
