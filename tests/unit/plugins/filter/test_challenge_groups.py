# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.portable.dns01.plugins.filter.challenge_groups import challenge_groups
from ansible_collections.portable.dns01.plugins.filter.provider_chain import provider_chain

PROVIDERS = [{"name": "primary", "type": "lexicon"}, {"name": "fallback", "type": "rfc2136"}, {"name": "acmedns", "type": "acme_dns"}]
CERTS = [
    {"id": "web", "names": ["example.test", "*.example.test"], "providers": ["primary", "fallback"]},
    {"names": ["api.example.test"], "providers": ["primary", "fallback"]},
    {"id": "mail", "names": ["mail.example.test"], "providers": ["acmedns"]},
]


def order(label, *records):
    return {"id": label, "records": [{"name": name, "values": values} for name, values in records]}


def test_certificates_sharing_a_chain_share_one_group():
    orders = [order("web", ("_acme-challenge.example.test", ["a", "b"])),
              order("api.example.test", ("_acme-challenge.api.example.test", ["c"])),
              order("mail", ("_acme-challenge.mail.example.test", ["d"]))]
    groups = challenge_groups(orders, CERTS, PROVIDERS)
    assert [group["chain"] for group in groups] == [["primary", "fallback"], ["acmedns"]]
    # Names only: definitions hold secrets, and groups travel through facts and loop items.
    assert all(set(group) == {"chain", "records"} for group in groups)
    assert groups[0]["records"] == [{"name": "_acme-challenge.api.example.test", "values": ["c"]},
                                    {"name": "_acme-challenge.example.test", "values": ["a", "b"]}]


def test_values_for_one_name_from_two_orders_are_merged_once():
    orders = [order("web", ("_acme-challenge.example.test", ["a"])), order("api.example.test", ("_acme-challenge.example.test", ["a", "z"]))]
    groups = challenge_groups(orders, CERTS, PROVIDERS)
    assert groups[0]["records"] == [{"name": "_acme-challenge.example.test", "values": ["a", "z"]}]


def test_certificates_without_records_publish_nothing():
    assert challenge_groups([{"id": "web", "records": []}, {"id": "mail"}], CERTS, PROVIDERS) == []


def test_unknown_provider_is_named():
    certs = [{"id": "web", "names": ["example.test"], "providers": ["primary", "nosuch"]}]
    with pytest.raises(AnsibleFilterError, match="nosuch"):
        challenge_groups([order("web", ("_acme-challenge.example.test", ["a"]))], certs, PROVIDERS)


def test_order_without_definition_is_an_error():
    with pytest.raises(AnsibleFilterError, match="ghost"):
        challenge_groups([order("ghost", ("_acme-challenge.ghost.test", ["a"]))], CERTS, PROVIDERS)


def test_failed_orders_publish_nothing():
    orders = [{**order("web", ("_acme-challenge.example.test", ["a"])), "failed": True},
              order("mail", ("_acme-challenge.mail.example.test", ["d"]))]
    assert [group["chain"] for group in challenge_groups(orders, CERTS)] == [["acmedns"]]


def test_provider_chain_picks_definitions_in_the_chain_order():
    assert [provider["name"] for provider in provider_chain(PROVIDERS, ["fallback", "primary"])] == ["fallback", "primary"]
    with pytest.raises(AnsibleFilterError, match="nosuch"):
        provider_chain(PROVIDERS, ["primary", "nosuch"])


class Walked(list):
    """Certificate definitions that count how often they are walked."""

    walks = 0

    def __iter__(self):
        self.walks += 1
        return super().__iter__()


def test_the_definitions_are_walked_once_not_once_per_order():
    """A thousand certificates in one run: grouping must not grow with the square of their number."""
    certs = Walked({"id": f"c{index}", "names": [f"c{index}.test"], "providers": ["primary"]} for index in range(50))
    orders = [order(f"c{index}", (f"_acme-challenge.c{index}.test", ["v"])) for index in range(50)]
    groups = challenge_groups(orders, certs, PROVIDERS)
    assert len(groups) == 1 and len(groups[0]["records"]) == 50
    assert certs.walks <= 2
