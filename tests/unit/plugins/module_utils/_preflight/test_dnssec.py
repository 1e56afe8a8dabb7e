# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._preflight.dnssec import ROOT_ANCHORS, parse_anchors
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._preflight.fakes import Key, Signed


@pytest.fixture
def signed(clock) -> Signed:
    return Signed(clock)


def test_a_good_chain_is_secure(signed):
    signed.serve()
    result = signed.check()
    assert result["status"] == "secure", result
    assert [step["zone"] for step in result["chain"]] == [".", "test", "example.test"]


def test_a_ds_that_matches_no_key_is_bogus(signed):
    other = Key("example.test.")
    signed.serve(example_ds=other.ds())
    result = signed.check()
    assert result["status"] == "bogus"
    assert "no DNSKEY of example.test matches the DS records in test" in result["detail"]


def test_expired_signatures_are_bogus(signed):
    signed.serve(example_expiration=500)
    result = signed.check()
    assert result["status"] == "bogus" and "does not validate" in result["detail"], result


def test_a_ds_for_a_zone_without_keys_is_bogus(signed):
    signed.serve(example_key=False)
    result = signed.check()
    assert result["status"] == "bogus" and "serves no DNSKEY" in result["detail"]


def test_a_signed_zone_without_ds_is_insecure(signed):
    signed.serve(example_ds="")
    result = signed.check()
    assert result["status"] == "insecure"
    assert "example.test has no DS record in test" in result["detail"]


def test_an_unsigned_root_makes_everything_insecure(signed):
    signed.serve(root=False)
    assert signed.check()["status"] == "insecure"


def test_a_root_that_does_not_match_the_anchor_is_bogus(signed):
    signed.serve()
    signed.keys["."] = Key(".")
    result = signed.check()
    assert result["status"] == "bogus" and "trust anchors" in result["detail"]


def test_bad_trust_anchors_are_input_errors():
    with pytest.raises(InputError, match="dnssec_trust_anchors"):
        parse_anchors(["not a ds"])


def test_a_trust_anchor_below_the_root_starts_the_chain_there(signed):
    signed.serve(root=False)
    result = signed.check(anchors=[f"example.test. 3600 IN DS {signed.keys['example.test.'].ds()}"])
    assert result["status"] == "secure" and result["chain"] == [{"zone": "example.test", "status": "secure"}]
    assert "from example.test down to example.test" in result["detail"]


def test_the_closest_anchor_wins_and_a_wrong_one_is_bogus(signed):
    signed.serve()
    wrong = Key("example.test.").ds()
    result = signed.check(anchors=[signed.keys["."].ds(), f"example.test. DS {wrong}"])
    assert result["status"] == "bogus" and "matches the trust anchors" in result["detail"]


def test_a_zone_no_anchor_covers_is_insecure(signed):
    signed.serve()
    result = signed.check(anchors=[f"other.test. DS {Key('other.test.').ds()}"])
    assert result["status"] == "insecure" and "no trust anchor covers example.test" in result["detail"]


def test_the_default_anchors_are_the_root_ksks():
    anchors = parse_anchors(ROOT_ANCHORS)
    assert list(anchors) == ["."]
    assert [(ds.key_tag, ds.algorithm, ds.digest_type) for ds in anchors["."]] == [(20326, 8, 2), (38696, 8, 2)]
