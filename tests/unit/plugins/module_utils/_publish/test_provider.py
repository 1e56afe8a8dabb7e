# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the provider interface gives backends that do not override it."""

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._publish.acme_dns import AcmeDnsProvider
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._publish.fakes import FakeProvider

ACME_DNS = {"api_url": "http://127.0.0.1:9", "username": "u", "password": "p", "subdomain": "s"}


@pytest.mark.parametrize("call", [
    lambda provider: provider.require_cname(),
    lambda provider: provider.rrsets("_acme-challenge.example.test"),
    lambda provider: provider.set_cname("_acme-challenge.example.test", "t.acme.test", 300),
    lambda provider: provider.delete_rrset("_acme-challenge.example.test", "CNAME", ["t.acme.test"]),
])
def test_cname_calls_fail_with_the_type_on_backends_without_them(ctx, call):
    with pytest.raises(InputError, match="type acme_dns cannot write CNAME records") as caught:
        call(AcmeDnsProvider("acme", ctx, ACME_DNS))
    assert caught.value.details["field"] == "provider.type"


def test_a_backend_that_does_not_opt_in_cannot_write_cnames(ctx):
    assert FakeProvider("fake", ctx).can_cname is False
