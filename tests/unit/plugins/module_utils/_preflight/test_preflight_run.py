# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, PreflightError
from ansible_collections.portable.dns01.plugins.module_utils._preflight.run import Preflight
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._preflight.fakes import Key, Signed


@pytest.fixture
def signed(clock) -> Signed:
    lab = Signed(clock)
    lab.world.zone("other.test", {"ns.other.test": ["10.0.2.1"]}, parent="test")
    return lab


def preflight(signed: Signed, names: list[str], **params):
    params = {"names": names, "ca_identities": ["letsencrypt.org"], "dnssec_trust_anchors": [signed.keys["."].ds()], **params}
    return Preflight(params, signed.resolver, signed.clock).run()


def test_all_names_pass_with_notes(signed):
    signed.serve()
    result = preflight(signed, ["example.test", "*.example.test"])
    assert result["problems"] == []
    assert [entry["caa"]["allowed"] for entry in result["names"]] == [True, True]
    assert result["names"][0]["dnssec"]["status"] == "secure"
    assert "example.test: signed and validates" in result["notes"]


def test_every_problem_is_reported_at_once_before_ordering(signed):
    signed.serve(example_ds=Key("example.test.").ds())
    for server in signed.world.zones["example.test"]:
        server.add("example.test", "CAA", '0 issue "letsencrypt.org"', '0 issuewild "sectigo.com"')
    with pytest.raises(PreflightError) as failure:
        preflight(signed, ["example.test", "*.example.test"])
    problems = failure.value.details["problems"]
    assert len(problems) == 3, problems
    assert any(p.startswith("*.example.test: the CA may not issue") and '0 issuewild "sectigo.com"' in p for p in problems)
    assert sum("DNSSEC of example.test is bogus" in p for p in problems) == 2
    assert "3 problem(s)" in failure.value.msg


def test_dnssec_is_judged_where_the_challenge_cname_leads(signed):
    # The certificate's own zone is fine; its challenge is delegated into an unsigned zone.
    signed.serve()
    signed.world.cname("example.test", "_acme-challenge.example.test", "example.test.other.test")
    result = preflight(signed, ["example.test"])
    dnssec = result["names"][0]["dnssec"]
    assert dnssec["zone"] == "other.test" and dnssec["status"] == "insecure"
    assert dnssec["cname_chain"] == ["_acme-challenge.example.test", "example.test.other.test"]
    assert any(note.startswith("other.test: not signed") for note in result["notes"])


def test_checks_can_be_turned_off(signed):
    signed.serve(example_ds=Key("example.test.").ds())
    result = preflight(signed, ["example.test"], dnssec=False, caa=False)
    assert result["names"] == [{"name": "example.test", "caa": None}]


def test_bad_names_fail_before_any_query(signed):
    with pytest.raises(InputError, match=r"names\[1\]"):
        preflight(signed, ["example.test", "bad name.test"])
    assert signed.world.transport.log == []
