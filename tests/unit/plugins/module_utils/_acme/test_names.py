# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._acme.names import (
    base_name,
    normalize_names,
    record_name,
)
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError

FIELD = "certificates[0].names"


def test_apex_and_wildcard_are_kept_in_order_and_lower_cased():
    assert normalize_names(["Example.TEST.", "*.example.test"], FIELD) == ["example.test", "*.example.test"]


def test_idn_becomes_a_labels():
    assert normalize_names(["bücher.example.test", "*.münchen.example.test"], FIELD) == [
        "xn--bcher-kva.example.test", "*.xn--mnchen-3ya.example.test"]


@pytest.mark.parametrize("name, words", [
    ("a.*.example.test", "wildcard must be the whole leftmost label"),
    ("*a.example.test", "wildcard must be the whole leftmost label"),
    ("192.0.2.1", "IP address"),
    ("2001:db8::1", "IP address"),
    ("localhost", "not a fully qualified"),
    ("under_score.example.test", "invalid label"),
    ("-lead.example.test", "invalid label"),
    ("a..example.test", "not a valid domain name"),
    ("   ", "empty name"),
    ("x" * 64 + ".example.test", "not a valid domain name"),
])
def test_invalid_names_name_the_field(name, words):
    with pytest.raises(InputError) as caught:
        normalize_names([name], FIELD)
    assert words in caught.value.msg
    assert caught.value.details["field"] == FIELD


def test_duplicates_are_found_after_normalising():
    with pytest.raises(InputError, match="listed twice"):
        normalize_names(["example.test", "EXAMPLE.test."], FIELD)


def test_empty_list_and_more_than_100_names_are_refused():
    with pytest.raises(InputError, match="at least one"):
        normalize_names([], FIELD)
    with pytest.raises(InputError, match="at most 100"):
        normalize_names([f"n{i}.example.test" for i in range(101)], FIELD)
    assert len(normalize_names([f"n{i}.example.test" for i in range(100)], FIELD)) == 100


def test_record_name_drops_the_wildcard_label():
    assert base_name("*.a.example.test") == "a.example.test"
    assert record_name("*.a.example.test") == record_name("a.example.test") == "_acme-challenge.a.example.test"
