# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64
import hashlib

import josepy as jose

from ansible_collections.portable.dns01.plugins.module_utils._acme import challenges
from ansible_collections.portable.dns01.plugins.module_utils._acme.keys import generate_key, jwk_and_alg

TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"


def authz(value, status="pending", wildcard=False):
    document = {"identifier": {"type": "dns", "value": value}, "status": status,
                "challenges": [{"type": "http-01", "url": "https://ca/h", "token": TOKEN, "status": "pending"},
                               {"type": "dns-01", "url": "https://ca/d", "token": TOKEN, "status": "pending"}]}
    if wildcard:
        document["wildcard"] = True
    return document


def test_txt_value_is_the_digest_of_the_key_authorization():
    jwk, _alg = jwk_and_alg(generate_key("ec256"))
    key_authorization = f"{TOKEN}.{jose.b64encode(jwk.thumbprint()).decode()}"
    expected = base64.urlsafe_b64encode(hashlib.sha256(key_authorization.encode()).digest()).decode().rstrip("=")
    assert challenges.txt_value(challenges.dns_challenge(authz("x.example.test")), jwk) == expected


def test_apex_and_wildcard_share_one_record_with_two_values():
    described = [challenges.describe("u1", authz("x.example.test"), "apex-value"),
                 challenges.describe("u2", authz("x.example.test", wildcard=True), "wild-value"),
                 challenges.describe("u3", authz("y.example.test", status="valid"), None)]
    assert described[1]["identifier"] == "*.x.example.test"
    assert challenges.group(described) == {"_acme-challenge.x.example.test": ["apex-value", "wild-value"]}


def test_records_merge_certificates_and_drop_repeats():
    merged = challenges.records([{"_acme-challenge.b.test": ["1"], "_acme-challenge.a.test": ["2"]},
                                 {"_acme-challenge.b.test": ["1", "3"]}])
    assert merged == [{"name": "_acme-challenge.a.test", "values": ["2"]},
                      {"name": "_acme-challenge.b.test", "values": ["1", "3"]}]
