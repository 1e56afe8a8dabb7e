# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Zone cuts and nameservers of the lab's zones, found through its resolver."""

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._dns.query import Transport
from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Nameserver, Resolver, Zone

pytestmark = pytest.mark.lab


@pytest.fixture
def resolver(lab_config: dict[str, str]) -> Resolver:
    return Resolver(Transport(), [lab_config["LAB_RESOLVER"]], query_timeout=2.0)


def test_zone_of_a_challenge_name_on_two_servers(resolver: Resolver, lab_config: dict[str, str]) -> None:
    zone = resolver.find_zone(f"_acme-challenge.www.{lab_config['LAB_MULTI_ZONE']}")
    assert zone == Zone(lab_config["LAB_MULTI_ZONE"], [
        Nameserver("ns1.multi.test", [lab_config["LAB_MULTI_PRIMARY"]]),
        Nameserver("ns2.multi.test", [lab_config["LAB_MULTI_SECONDARY"]]),
    ])


def test_zone_of_the_acme_dns_domain(resolver: Resolver, lab_config: dict[str, str]) -> None:
    zone = resolver.find_zone(f"d420c923-bbd7-4056-ab64-c3ca54c9b3cf.{lab_config['LAB_ACMEDNS_DOMAIN']}")
    assert zone.name == lab_config["LAB_ACMEDNS_DOMAIN"]
    assert [address for address, _ns in zone.addresses()] == [lab_config["LAB_ACMEDNS_DNS"]]


def test_lame_server_refuses(resolver: Resolver, lab_config: dict[str, str]) -> None:
    assert resolver.authoritative_txt(f"_acme-challenge.{lab_config['LAB_LAME_ZONE']}", lab_config["LAB_LAME_BAD_SERVER"]) == ("REFUSED", [])


def test_a_name_without_cname_is_its_own_chain(resolver: Resolver, lab_config: dict[str, str]) -> None:
    name = f"_acme-challenge.{lab_config['LAB_BIND_ZONE']}"
    assert resolver.follow_cname(name.upper()) == [name]
