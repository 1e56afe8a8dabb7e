# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""names.py: one conversion of user-given names for every area (named apart from _acme/test_names.py)."""

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._acme.names import normalize_names, record_name
from ansible_collections.portable.dns01.plugins.module_utils._common import names as common_names
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DependencyError, InputError
from ansible_collections.portable.dns01.plugins.module_utils._common.names import (
    CHALLENGE_LABEL,
    challenge_name,
    dns_name,
    to_ascii,
)
from ansible_collections.portable.dns01.plugins.module_utils._delegation.names import challenge_name as delegated_name
from ansible_collections.portable.dns01.plugins.module_utils._dns.names import name_text, parse_name
from ansible_collections.portable.dns01.plugins.module_utils._publish.names import check_name

FIELD = "records[0].name"


@pytest.mark.parametrize("name, ascii_name", [
    ("faß.de", "xn--fa-hia.de"),
    ("FAß.DE.", "xn--fa-hia.de"),
    ("bücher.example.test", "xn--bcher-kva.example.test"),
    ("βόλος.com", "xn--nxasmm1c.com"),
    ("例え。テスト", "xn--r8jz45g.xn--zckzah"),
    ("xn--fa-hia.de", "xn--fa-hia.de"),
    ("Example.TEST", "example.test"),
])
def test_uts46_non_transitional(name, ascii_name):
    """IDNA 2008 with UTS 46 mapping: ß and ς stay themselves, full-width dots separate labels."""
    assert to_ascii(name, FIELD) == ascii_name


@pytest.mark.parametrize("name, words", [
    ("☃.example.test", "not allowed"),           # a symbol IDNA 2003 accepted
    ("a\u200db.example.test", "not allowed"),     # a joiner out of context
    ("xn--zz.example.test", "Invalid A-label"),
    ("a..example.test", "empty label"),
    ("x" * 64 + ".example.test", "longer than 63 octets"),
    ("ü" * 60 + ".example.test", "too long"),     # fits in characters, not in octets once encoded
    (".".join(["a" * 63] * 4), "longer than 253 octets"),
])
def test_invalid_names_say_why(name, words):
    with pytest.raises(InputError) as caught:
        to_ascii(name, FIELD)
    assert "is not a valid domain name" in caught.value.msg and words in caught.value.msg
    assert caught.value.details["field"] == FIELD


def test_longest_name_and_label_pass():
    longest = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])
    assert len(longest) == 253 and to_ascii(longest, FIELD) == longest


@pytest.mark.parametrize("name", ["", "   ", None, 5, "exa mple.test", "-lead.example.test", "*.example.test"])
def test_dns_name_refuses(name):
    with pytest.raises(InputError) as caught:
        dns_name(name, FIELD)
    assert caught.value.details["field"] == FIELD


def test_challenge_label_is_one_constant():
    assert challenge_name("*.faß.de") == f"{CHALLENGE_LABEL}.faß.de"
    assert record_name("*.a.example.test") == challenge_name("a.example.test") == "_acme-challenge.a.example.test"


def test_every_area_converts_the_same_way():
    """Certificates, records, propagation names and delegation agree on the A-label."""
    assert normalize_names(["faß.de", "*.faß.de"], "certificates[0].names") == ["xn--fa-hia.de", "*.xn--fa-hia.de"]
    assert check_name("_acme-challenge.faß.de", FIELD) == "_acme-challenge.xn--fa-hia.de"
    assert name_text(parse_name("_acme-challenge.Faß.de.", FIELD)) == "_acme-challenge.xn--fa-hia.de"
    assert delegated_name("*.faß.de") == "_acme-challenge.xn--fa-hia.de"


@pytest.mark.parametrize("area", ["acme", "publish", "dns", "delegation"])
def test_every_area_refuses_idna_2003_only_names(area):
    name = "☃.example.test"
    with pytest.raises(InputError, match="not a valid domain name"):
        if area == "acme":
            normalize_names([name], "certificates[0].names")
        elif area == "publish":
            check_name(name, FIELD)
        elif area == "dns":
            parse_name(name, FIELD)
        else:
            delegated_name(name)


def test_without_idna_ascii_names_still_work(monkeypatch):
    """The library is needed only for Unicode and xn-- labels; its absence is a DependencyError."""
    monkeypatch.setattr(common_names, "IDNA_IMPORT_ERROR", ImportError("No module named 'idna'"))
    assert to_ascii("Example.TEST.", FIELD) == "example.test"
    for name in ("faß.de", "xn--fa-hia.de"):
        with pytest.raises(DependencyError) as caught:
            to_ascii(name, FIELD)
        assert caught.value.msg == "idna"
