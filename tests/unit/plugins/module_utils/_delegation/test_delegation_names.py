# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""names.py: the delegated name and its target (named apart from _acme/test_names.py: pytest needs unique basenames here)."""

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._delegation.names import challenge_name, check_target, loop_through


@pytest.mark.parametrize("domain, record", [
    ("example.com", "_acme-challenge.example.com"),
    ("*.Example.COM.", "_acme-challenge.example.com"),
    ("  www.example.com ", "_acme-challenge.www.example.com"),
])
def test_challenge_name(domain, record):
    assert challenge_name(domain) == record


@pytest.mark.parametrize("domain", ["", None, "exa mple.com", "-bad.example.com", "_acme-challenge.example.com", "*.*.example.com"])
def test_bad_domains_name_the_field(domain):
    with pytest.raises(InputError) as caught:
        challenge_name(domain)
    assert caught.value.details["field"] == "domain"


@pytest.mark.parametrize("target", ["_acme-challenge.example.com", "x._acme-challenge.example.com.", "not valid"])
def test_targets_pointing_into_the_name_itself_are_refused(target):
    with pytest.raises(InputError) as caught:
        check_target(target, "_acme-challenge.example.com")
    assert caught.value.details["field"] == "target"


def test_target_is_normalised():
    assert check_target("Example.COM.acme.test.", "_acme-challenge.example.com") == "example.com.acme.test"


def test_loop_through_the_record():
    chain = ["t.acme.test", "_acme-challenge.example.com", "t.acme.test"]
    assert loop_through("_acme-challenge.example.com", chain) == \
        "_acme-challenge.example.com -> t.acme.test -> _acme-challenge.example.com"
    assert loop_through("_acme-challenge.example.com", ["t.acme.test"]) is None
