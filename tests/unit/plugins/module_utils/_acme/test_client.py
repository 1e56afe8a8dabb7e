# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Retries and error mapping, through a scripted ACME server at the HTTP-session seam."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.portable.dns01.plugins.module_utils._acme.client import NONCE_RETRIES, connect
from ansible_collections.portable.dns01.plugins.module_utils._acme.keys import generate_key, jwk_and_alg
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError, RateLimitError
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._acme.fakes import FakeAcmeServer, problem

URL = "https://ca.test/thing"
OK = (200, {"status": "valid"}, {})


@pytest.fixture
def server():
    return FakeAcmeServer()


@pytest.fixture
def client(server, fake_clock):
    return connect(FakeAcmeServer.DIRECTORY, True, fake_clock, jwk_and_alg(generate_key("ec256")), session=server)


def test_bad_nonce_is_retried_until_a_request_gets_through(server, client):
    server.script("POST", URL, *([problem("badNonce")] * 7), OK)
    assert client.post(URL, None, "reading").json() == {"status": "valid"}
    assert len(server.posts(URL)) == 8


def test_bad_nonce_forever_fails_after_the_limit(server, client, fake_clock):
    server.script("POST", URL, problem("badNonce"))
    with pytest.raises(AcmeError) as caught:
        client.post(URL, None, "reading")
    assert caught.value.details["problem"]["type"].endswith("badNonce")
    # The library tries twice per call; we call NONCE_RETRIES + 1 times, without sleeping.
    assert len(server.posts(URL)) == 2 * (NONCE_RETRIES + 1)
    assert fake_clock.sleeps == []


def test_rate_limit_raises_at_once_with_retry_after(server, client, fake_clock):
    status, body, _headers = problem("rateLimited", "too many certificates", 429)
    server.script("POST", URL, (status, body, {"Retry-After": "3600"}), OK)
    with pytest.raises(RateLimitError) as caught:
        client.post(URL, None, "creating the order")
    assert caught.value.details["retry_after"] == 3600
    assert "too many certificates" in caught.value.msg
    assert len(server.posts(URL)) == 1
    assert fake_clock.sleeps == []


def test_server_errors_back_off_and_honour_retry_after(server, client, fake_clock):
    unavailable = (503, {"type": "urn:ietf:params:acme:error:serverInternal", "detail": "busy"}, {"Retry-After": "7"})
    server.script("POST", URL, unavailable, (502, None, {}), OK)
    assert client.post(URL, None, "reading").status_code == 200
    assert fake_clock.sleeps[0] == 7
    assert len(fake_clock.sleeps) == 2


def test_connection_errors_are_retried_then_reported(server, client, fake_clock):
    server.script("POST", URL, requests.ConnectionError("refused"))
    with pytest.raises(AcmeError, match="ConnectionError"):
        client.post(URL, None, "reading")
    assert len(fake_clock.sleeps) == 4


def test_client_errors_are_not_retried_and_carry_the_problem(server, client):
    server.script("POST", URL, problem("unauthorized", "account is deactivated", 403), OK)
    with pytest.raises(AcmeError) as caught:
        client.post(URL, None, "reading")
    assert caught.value.details["problem"] == {"type": "urn:ietf:params:acme:error:unauthorized",
                                               "detail": "account is deactivated", "status": 403}
    assert len(server.posts(URL)) == 1


@pytest.mark.parametrize("header, seconds", [
    ("120", 120),
    ("Sat, 28 Nov 2026 00:17:40 GMT", 60),  # the fake clock stands at 00:16:40
    ("Sat, 28 Nov 2026 00:17:40 -0000", 60),
    ("soon", None),
    (None, None),
])
def test_rate_limit_reads_retry_after_in_every_form(server, client, header, seconds):
    status, body, _headers = problem("rateLimited", "too many certificates", 429)
    server.script("POST", URL, (status, body, {} if header is None else {"Retry-After": header}))
    with pytest.raises(RateLimitError) as caught:
        client.post(URL, None, "creating the order")
    assert caught.value.details["retry_after"] == seconds
