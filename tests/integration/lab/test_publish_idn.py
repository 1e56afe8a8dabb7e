# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Unicode name is published at its IDNA 2008 A-label, the name a CA will ask for."""

from __future__ import annotations

import uuid

import pytest

from ansible_collections.portable.dns01.tests.integration.lab.test_publish_providers import bind, publish, served, token

pytestmark = pytest.mark.lab


@pytest.fixture(name="lab")
def lab_fixture(lab_config: dict[str, str]) -> dict[str, str]:
    return lab_config


def test_sharp_s_is_published_at_its_idna_2008_a_label(lab, tmp_path):
    tag = uuid.uuid4().hex[:8]
    unicode_name = f"_acme-challenge.FAß.t{tag}.{lab['LAB_BIND_ZONE']}"
    a_label = f"_acme-challenge.xn--fa-hia.t{tag}.{lab['LAB_BIND_ZONE']}"
    value = token()
    result = publish(lab, [bind(lab)], [{"name": unicode_name, "values": [value]}], tmp_path)
    try:
        assert result["records"][0]["target"] == a_label
        assert served(lab["LAB_BIND_SERVER"], a_label) == {value}
        # IDNA 2003 would have written here instead.
        assert served(lab["LAB_BIND_SERVER"], f"_acme-challenge.fass.t{tag}.{lab['LAB_BIND_ZONE']}") == set()
    finally:
        publish(lab, [bind(lab)], [{"name": unicode_name, "values": [value]}], tmp_path, state="absent")
