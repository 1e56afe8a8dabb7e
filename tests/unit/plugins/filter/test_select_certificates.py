# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.portable.dns01.plugins.filter.select_certificates import select_certificates

CERTS = [{"id": "www", "names": ["example.test"]}, {"names": ["intranet.test"]}, {"id": "mail", "names": ["mail.test"]}]


@pytest.mark.parametrize("ids", [[], "", None, " , "])
def test_nothing_asked_keeps_every_certificate(ids):
    assert select_certificates(CERTS, ids) == CERTS


@pytest.mark.parametrize("ids", [["mail", "intranet.test"], "intranet.test, mail", " mail ,intranet.test"])
def test_ids_as_list_or_survey_string_keep_the_original_order(ids):
    assert [cert["names"][0] for cert in select_certificates(CERTS, ids)] == ["intranet.test", "mail.test"]


def test_an_unknown_id_is_an_error_naming_what_exists():
    with pytest.raises(AnsibleFilterError, match=r"no certificate with id wwww; the inventory has www, intranet.test, mail"):
        select_certificates(CERTS, "wwww")
