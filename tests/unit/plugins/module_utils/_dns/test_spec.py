# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._dns.spec import RecordSpec, parse_records, parse_settings


def test_names_are_normalised_and_values_deduplicated() -> None:
    specs = parse_records([{"name": "_ACME-Challenge.Example.TEST.", "values": ["a", "b", "a"]}])
    assert specs == [RecordSpec("_acme-challenge.example.test", ("a", "b"), "subset")]


@pytest.mark.parametrize(("raw", "field"), [
    ([], "records"),
    (["just a string"], "records[0]"),
    ([{"name": "", "values": ["a"]}], "records[0].name"),
    ([{"name": "a..test", "values": ["a"]}], "records[0].name"),
    ([{"name": f"{'x' * 64}.test", "values": ["a"]}], "records[0].name"),
    ([{"name": "ok.test", "values": "a"}], "records[0].values"),
    ([{"name": "ok.test", "values": ["a"], "mode": "superset"}], "records[0].mode"),
])
def test_bad_records_name_the_field(raw: list, field: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_records(raw)
    assert raised.value.details["field"] == field


def test_subset_and_equal() -> None:
    assert RecordSpec("n", ("a",), "subset").satisfied_by(["a", "b"])
    assert not RecordSpec("n", ("a",), "equal").satisfied_by(["a", "b"])
    assert RecordSpec("n", ("a", "b"), "equal").satisfied_by(["b", "a"])
    assert not RecordSpec("n", ("a", "b"), "subset").satisfied_by(["a"])


def test_settings_defaults_and_quorum() -> None:
    settings = parse_settings({"resolvers": ["127.0.1.53", "::1", "127.0.1.53"]})
    assert settings.resolvers == ["127.0.1.53", "::1"]
    assert settings.quorum() == 2 and settings.timeout == 300.0 and settings.servfail_retries == 3


@pytest.mark.parametrize(("params", "field"), [
    ({"servfail_retries": -1}, "servfail_retries"),
    ({"query_timeout": 0}, "query_timeout"),
    ({"bootstrap_resolvers": ["resolver.example"]}, "bootstrap_resolvers[0]"),
    ({"resolver_quorum": 1}, "resolver_quorum"),
    ({"resolvers": ["127.0.1.53", "resolver.example"]}, "resolvers[1]"),
    ({"resolvers": ["127.0.1.53", "https://doh.test/q", "http://doh.test/q"]}, "resolvers[2]"),
    ({"resolvers": ["https://doh.test/q"], "doh_method": "PUT"}, "doh_method"),
    ({"resolvers": ["https://doh.test/q"], "doh_ca_bundle": "/nonexistent/ca.pem"}, "doh_ca_bundle"),
])
def test_bad_settings_name_the_field(params: dict, field: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_settings(params)
    assert raised.value.details["field"] == field


def test_resolvers_mix_addresses_and_doh_urls() -> None:
    settings = parse_settings({"resolvers": ["127.0.1.53", "https://doh.test/dns-query{?dns}", "https://doh.test/dns-query"],
                               "resolver_quorum": 1})
    assert settings.resolvers == ["127.0.1.53", "https://doh.test/dns-query"]
    assert settings.quorum() == 1 and settings.doh_method == "POST" and settings.doh_verify is True


def test_doh_certificate_settings(tmp_path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    assert parse_settings({"doh_ca_bundle": str(bundle), "validate_certs": False}).doh_verify == str(bundle)
    assert parse_settings({"validate_certs": False, "doh_method": "get"}).doh_verify is False
    assert parse_settings({"doh_method": "get"}).doh_method == "GET"


def test_a_bad_resolver_says_what_is_accepted() -> None:
    with pytest.raises(InputError, match=r"resolvers\[0\]: 'dns.google' is neither an IP address nor an https:// DoH URL"):
        parse_settings({"resolvers": ["dns.google"]})
