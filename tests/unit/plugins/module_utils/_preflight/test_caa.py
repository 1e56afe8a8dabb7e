# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._preflight.caa import (
    CaaChecker,
    CaaPolicy,
    identities_for,
    parse_issue,
)

ACCOUNT = "https://acme-v02.api.letsencrypt.org/acme/acct/123"


def caa(world, zone: str, name: str, *values: str) -> None:
    for server in world.zones[zone]:
        server.add(name, "CAA", *values)


def check(resolver, name: str, identities=("letsencrypt.org",), account_uri=None):
    return CaaChecker(resolver, CaaPolicy(tuple(identities), account_uri)).check(name)


def test_no_caa_anywhere_allows_any_ca(resolver):
    result = check(resolver, "www.example.test")
    assert result["allowed"] and result["relevant_name"] is None and result["records"] == []


def test_the_closest_rrset_climbing_the_tree_decides(world, resolver):
    caa(world, "example.test", "example.test", '0 issue "sectigo.com"')
    caa(world, "example.test", "shop.example.test", '0 issue "letsencrypt.org"')
    assert check(resolver, "a.b.shop.example.test")["allowed"]
    refused = check(resolver, "www.example.test")
    assert not refused["allowed"]
    assert refused["relevant_name"] == "example.test"
    assert refused["records"] == ['0 issue "sectigo.com"']
    assert "names sectigo.com, not letsencrypt.org" in refused["reason"]


def test_caa_in_the_parent_zone_is_found(world, resolver):
    caa(world, "test", "test", '0 issue "pki.goog"')
    result = check(resolver, "www.example.test")
    assert not result["allowed"] and result["relevant_name"] == "test"


def test_a_cname_on_the_name_is_followed(world, resolver):
    world.cname("example.test", "www.example.test", "cdn.other.test")
    caa(world, "other.test", "cdn.other.test", '0 issue "sectigo.com"')
    caa(world, "example.test", "example.test", '0 issue "letsencrypt.org"')
    result = check(resolver, "www.example.test")
    assert not result["allowed"]
    assert result["relevant_name"] == "cdn.other.test"
    assert result["cname_chain"] == ["www.example.test", "cdn.other.test"]


def test_the_climb_goes_up_from_the_name_not_from_the_cname_target(world, resolver):
    # RFC 8659 climbs the parents of the name asked for; the target's parents are not consulted.
    world.cname("example.test", "www.example.test", "cdn.other.test")
    caa(world, "other.test", "other.test", '0 issue "sectigo.com"')
    caa(world, "example.test", "example.test", '0 issue "letsencrypt.org"')
    result = check(resolver, "www.example.test")
    assert result["allowed"] and result["relevant_name"] == "example.test"


def test_wildcards_honour_issuewild_and_plain_names_ignore_it(world, resolver):
    caa(world, "example.test", "example.test", '0 issue "letsencrypt.org"', '0 issuewild ";"')
    assert check(resolver, "example.test")["allowed"]
    wildcard = check(resolver, "*.example.test")
    assert not wildcard["allowed"] and wildcard["lookup_name"] == "example.test"
    assert "no CA may issue" in wildcard["reason"]


def test_wildcards_fall_back_to_issue_without_issuewild(world, resolver):
    caa(world, "example.test", "example.test", '0 issue "sectigo.com"')
    assert not check(resolver, "*.example.test")["allowed"]


@pytest.mark.parametrize("value, account, allowed", [
    (f'0 issue "letsencrypt.org; accounturi={ACCOUNT}"', ACCOUNT, True),
    (f'0 issue "letsencrypt.org; accounturi={ACCOUNT}"', ACCOUNT + "9", False),
    ('0 issue "letsencrypt.org; validationmethods=http-01,tls-alpn-01"', None, False),
    ('0 issue "letsencrypt.org; validationmethods=http-01, dns-01"', None, True),
    ('0 issue "letsencrypt.org;validationmethods=dns-01;accounturi=' + ACCOUNT + '"', ACCOUNT, True),
    ('0 issue "letsencrypt.org; broken"', None, False),
    ('128 tbs "unknown"', None, False),
    ('0 tbs "unknown"', None, True),
    ('0 iodef "mailto:hostmaster@example.test"', None, True),
])
def test_parameters_and_flags(world, resolver, value, account, allowed):
    caa(world, "example.test", "example.test", value)
    assert check(resolver, "example.test", account_uri=account)["allowed"] is allowed


def test_one_authorizing_record_among_several_is_enough(world, resolver):
    caa(world, "example.test", "example.test", '0 issue "sectigo.com"', '0 issue "letsencrypt.org"')
    assert check(resolver, "example.test")["allowed"]


def test_accounturi_without_a_known_account_passes_with_a_note(world, resolver):
    caa(world, "example.test", "example.test", f'0 issue "letsencrypt.org; accounturi={ACCOUNT}"')
    result = check(resolver, "example.test")
    assert result["allowed"] and "account_uri" in result["notes"][0]


def test_a_failing_lookup_is_a_refusal(world, resolver):
    for server in world.zones["example.test"]:
        server.rcode = "SERVFAIL"
    result = check(resolver, "www.example.test")
    assert not result["allowed"] and "CAA lookup failed" in result["reason"]


def test_parse_issue():
    assert parse_issue(" Letsencrypt.org ; accounturi = x ; validationmethods=dns-01 ") == (
        "letsencrypt.org", {"accounturi": "x", "validationmethods": "dns-01"})
    assert parse_issue(";") == ("", {})


@pytest.mark.parametrize("directory, expected", [
    ("letsencrypt", ("letsencrypt.org",)),
    ("letsencrypt_staging", ("letsencrypt.org",)),
    ("google", ("pki.goog",)),
    ("zerossl", ("sectigo.com",)),
    ("https://acme-v02.api.letsencrypt.org/directory", ("letsencrypt.org",)),
    ("https://acme.zerossl.com/v2/DV90", ("sectigo.com",)),
])
def test_identities_by_directory(directory, expected):
    assert identities_for(directory, None) == expected


def test_identities_given_win_and_unknown_directories_need_them():
    assert identities_for("https://pebble.test/dir", ["Pebble.Test."]) == ("pebble.test",)
    with pytest.raises(InputError, match="ca_identities"):
        identities_for("https://pebble.test/dir", [])
