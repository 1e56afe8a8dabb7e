# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Name lookups of a publish call stay inside the call's deadline."""

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError
from ansible_collections.portable.dns01.plugins.module_utils._publish.lookup import Names


class SilentTransport:
    """A DNS transport whose servers never answer: each query costs its whole time-out on the clock."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.timeouts: list[float] = []

    def query(self, qname, rdtype, server, port=53, timeout=3.0, recursion=False):
        self.timeouts.append(timeout)
        self.clock.sleep(timeout)
        raise DnsQueryError(f"DNS query {qname} to {server} failed (timeout)", reason="timeout")

    def exchange(self, request, server, port=53, timeout=3.0, tcp=False):
        return self.query(None, None, server, port, timeout)


def test_lookups_end_at_the_deadline(clock):
    transport = SilentTransport(clock)
    names = Names(["192.0.2.1", "192.0.2.2"], clock, 20.0, transport=transport)
    names.deadline = Deadline(clock, 5.0)
    with pytest.raises(DnsQueryError):
        names.find_zone("_acme-challenge.www.example.test")
    assert clock.time - 1000.0 <= 5.0  # the pause before asking the bootstrap resolvers again is cut to the deadline too
    assert transport.timeouts and max(transport.timeouts) <= 5.0


def test_no_query_once_the_deadline_passed(clock):
    transport = SilentTransport(clock)
    names = Names(["192.0.2.1"], clock, 20.0, transport=transport)
    names.deadline = Deadline(clock, 5.0)
    clock.advance(6.0)
    with pytest.raises(DnsQueryError) as caught:
        names.follow_cname("_acme-challenge.www.example.test")
    assert transport.timeouts == []
    assert "timeout passed" in str(caught.value.details["failures"])


def test_without_a_deadline_the_query_timeout_applies(clock):
    transport = SilentTransport(clock)
    names = Names(["192.0.2.1"], clock, 2.0, transport=transport)
    with pytest.raises(DnsQueryError):
        names.find_zone("example.test")
    assert set(transport.timeouts) == {2.0}
