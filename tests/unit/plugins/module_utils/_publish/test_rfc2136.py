# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The RFC 2136 backend against a tiny TSIG-checking DNS server on TCP."""

from __future__ import annotations

import socket

import dns.rcode
import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    InputError,
    ProviderAuthError,
    ProviderError,
    ProviderTimeout,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.breaker import Breaker
from ansible_collections.portable.dns01.plugins.module_utils._publish.chain import Chain, Done
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context
from ansible_collections.portable.dns01.plugins.module_utils._publish.rfc2136 import Rfc2136Provider, _rdata, _value
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._publish.fakes import (
    SECRET,
    FakeClock,
    running_update_server,
)

NAME = "_acme-challenge.fallback.test"


@pytest.fixture
def server():
    with running_update_server() as stub:
        yield stub


def rfc2136(port: int, secret: str = SECRET, zone: str | None = None, seconds: float = 10.0) -> Rfc2136Provider:
    clock = Clock()
    options = {"server": "127.0.0.1", "port": port, "key_name": "acme-key", "key_secret": secret, "key_algorithm": "hmac-sha256",
               "timeout": 2.0}
    return Rfc2136Provider("bind", Context(clock, Deadline(clock, seconds)), options, zone=zone)


def test_add_list_and_remove_single_values(server):
    provider = rfc2136(server.server_address[1])
    provider.publish(NAME, {"one", "two"}, 60)
    provider.publish(NAME, {"three"}, 60)
    assert provider.list(NAME) == {"one", "two", "three"}
    provider.remove(NAME, {"two"})
    assert provider.list(NAME) == {"one", "three"}


def test_zone_is_asked_of_the_server(server):
    assert rfc2136(server.server_address[1]).find_zone(NAME) == "fallback.test"


@pytest.mark.parametrize("rcode, transient", [("REFUSED", False), ("NOTAUTH", False), ("NOTZONE", False), ("SERVFAIL", True)])
def test_rcode_is_checked(server, rcode, transient):
    server.rcode = dns.rcode.from_text(rcode)
    with pytest.raises(ProviderError) as caught:
        rfc2136(server.server_address[1], zone="fallback.test").publish(NAME, {"one"}, 60)
    assert caught.value.status == rcode and caught.value.transient is transient


def test_wrong_secret_fails_without_leaking_it(server):
    wrong = "d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmc="
    with pytest.raises((ProviderAuthError, ProviderError)) as caught:
        rfc2136(server.server_address[1], secret=wrong, zone="fallback.test").publish(NAME, {"one"}, 60)
    assert wrong not in caught.value.msg


@pytest.mark.parametrize("answer", ["unsigned", "BADSIG", "BADKEY"])
@pytest.mark.parametrize("call", ["publish", "list"])
def test_a_refused_key_is_an_auth_error_naming_key_and_server(server, answer, call):
    """PowerDNS answers an unsigned FORMERR, BIND NOTAUTH with BADSIG or BADKEY: both say the key is wrong."""
    server.tsig_answer = answer
    provider = rfc2136(server.server_address[1], zone="fallback.test")
    with pytest.raises(ProviderAuthError) as caught:
        provider.publish(NAME, {"one"}, 60) if call == "publish" else provider.list(NAME)
    assert caught.value.msg.startswith("TSIG key acme-key rejected by 127.0.0.1"), caught.value.msg
    assert caught.value.transient is False and caught.value.status == "TSIG"
    assert SECRET not in caught.value.msg


def test_a_refused_key_is_tried_once_and_is_no_outage(server, tmp_path):
    """The chain does not retry a wrong key, and the breaker does not take it for an outage."""
    server.tsig_answer = "unsigned"
    clock = FakeClock()
    breaker = Breaker(clock, threshold=1, cooldown=300.0, path=str(tmp_path / "breaker.json"))
    provider = rfc2136(server.server_address[1], zone="fallback.test")
    chain = Chain([provider], clock, Deadline(clock, 30.0), breaker, retries=2)

    def work(target: Rfc2136Provider) -> Done:
        target.publish(NAME, {"one"}, 60)
        return Done(target, "published", set())
    outcome = chain.run(NAME, work)
    assert [(attempt.outcome, attempt.error_class) for attempt in outcome.attempts] == [("failed", "ProviderAuthError")]
    assert clock.sleeps == []
    assert not breaker.is_open("rfc2136:bind")


def test_silent_server_times_out_within_the_deadline():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        with pytest.raises(ProviderTimeout):
            rfc2136(listener.getsockname()[1], zone="fallback.test", seconds=0.3).publish(NAME, {"one"}, 60)
    finally:
        listener.close()


def test_bad_secret_and_algorithm_are_input_errors():
    clock = Clock()
    ctx = Context(clock, Deadline(clock, 1.0))
    with pytest.raises(InputError, match="key_algorithm"):
        Rfc2136Provider("x", ctx, {"server": "127.0.0.1", "key_name": "k", "key_secret": SECRET, "key_algorithm": "hmac-md5"})
    with pytest.raises(InputError, match="server"):
        Rfc2136Provider("x", ctx, {"key_name": "k"})


@pytest.mark.parametrize("rtype, value, text", [
    ("TXT", "one two", '"one two"'),
    ("CNAME", "Target.Acme.Test", "target.acme.test."),
    ("A", "192.0.2.1", "192.0.2.1"),
])
def test_values_round_trip_between_rrsets_and_updates(rtype, value, text):
    rdata = _rdata(rtype, value)
    assert rdata.to_text() == text
    assert _value(rdata) == (value.lower() if rtype == "CNAME" else value)
