# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._publish.factory import build_providers
from ansible_collections.portable.dns01.plugins.module_utils._publish.identity import clean_url, identity

SECRETS = ["tok-3f2a9c0d4b1e", "c2VjcmV0LXRzaWcta2V5", "aws-secret-9d8c", "sess-7b6a", "acmedns-pass-1234", "urlpass99"]

CATALOG = [
    {"name": "primary", "type": "lexicon", "zone": "example.test",
     "lexicon": {"provider": "powerdns", "options": {"auth_token": SECRETS[0], "pdns_server": "https://api:urlpass99@pdns.test:8081/?k=1"}}},
    {"name": "primary2", "type": "rfc2136", "zone": "example.test",
     "rfc2136": {"server": "192.0.2.1", "port": 5353, "key_name": "acme", "key_secret": SECRETS[1]}},
    {"name": "aws", "type": "route53",
     "route53": {"zone_name": "example.test", "access_key": "AKIAEXAMPLE", "secret_key": SECRETS[2],
                 "session_token": SECRETS[3], "endpoint_url": "http://127.0.0.1:5000"}},
    {"name": "adns", "type": "acme_dns",
     "acme_dns": {"api_url": "https://auth.test/", "username": "u", "password": SECRETS[4], "subdomain": "abc"}},
]


def test_identities_name_the_endpoint_and_hold_no_secret(ctx):
    identities = [identity(provider) for provider in build_providers(CATALOG, ctx)]
    assert identities == [
        "lexicon|powerdns|pdns_server=https://pdns.test:8081|zone=example.test",
        "rfc2136|192.0.2.1:5353|acme|zone=example.test",
        "route53|http://127.0.0.1:5000|example.test|public|zone=example.test",
        "acme_dns|https://auth.test|abc|zone=",
    ]
    for secret in SECRETS:
        assert not any(secret in text for text in identities)


def test_two_inventories_calling_different_servers_primary_differ(ctx):
    one = dict(CATALOG[1], name="primary")
    two = {**one, "rfc2136": {**one["rfc2136"], "server": "192.0.2.2"}}
    first, = build_providers([one], ctx)
    second, = build_providers([two], ctx)
    assert identity(first) != identity(second)


@pytest.mark.parametrize("url, clean", [("https://user:pw@h.test/p/?q=s#f", "https://h.test/p"), ("h.test", "h.test"),
                                        ("http://[::1]:80/", "http://[::1]:80")])
def test_clean_url_drops_user_info_and_query(url, clean):
    assert clean_url(url) == clean
