# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Zone discovery and propagation waits against the real lab servers.

Records are written with TSIG updates to BIND (fallback.test, multi.test) and
through the acme-dns double's API; every test uses names of its own.
"""

from __future__ import annotations

import secrets
import subprocess
import threading
import time
import typing as t
import uuid

import dns.query
import dns.rcode
import dns.tsigkeyring
import dns.update
import pytest
import requests

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError, PropagationTimeout
from ansible_collections.portable.dns01.plugins.module_utils._dns.doh import doh_client
from ansible_collections.portable.dns01.plugins.module_utils._dns.propagation import PropagationWaiter
from ansible_collections.portable.dns01.plugins.module_utils._dns.query import Transport
from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Resolver
from ansible_collections.portable.dns01.plugins.module_utils._dns.spec import RecordSpec, WaitSettings

pytestmark = pytest.mark.lab


class Bind:
    """TSIG updates to the lab's BIND primary; everything added is removed at the end."""

    def __init__(self, lab: dict[str, str]) -> None:
        self.server = lab["LAB_BIND_SERVER"]
        self.ring = dns.tsigkeyring.from_text({lab["LAB_BIND_TSIG_NAME"]: (lab["LAB_BIND_TSIG_ALGORITHM"], lab["LAB_BIND_TSIG_SECRET"])})
        self.added: list[tuple[str, str, str]] = []

    def add(self, zone: str, rdtype: str, records: dict[str, list[str]]) -> None:
        """Add many names in one UPDATE, as a client publishing a batch does."""
        message = dns.update.UpdateMessage(zone, keyring=self.ring)
        for name, values in records.items():
            for value in values:
                message.add(f"{name}.", 5, rdtype, value)
            self.added.append((zone, rdtype, name))
        self._send(message)

    def txt(self, zone: str, name: str, *values: str) -> None:
        self.add(zone, "TXT", {name: [f'"{value}"' for value in values]})

    def cleanup(self) -> None:
        """One UPDATE per zone: one NOTIFY to the secondary, not one per record."""
        for zone in sorted({zone for zone, _rdtype, _name in self.added}):
            message = dns.update.UpdateMessage(zone, keyring=self.ring)
            for _zone, rdtype, name in [added for added in self.added if added[0] == zone]:
                message.delete(f"{name}.", rdtype)
            self._send(message)

    def _send(self, message: dns.update.UpdateMessage) -> None:
        response = dns.query.tcp(message, self.server, timeout=5)
        assert response.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(response.rcode())


@pytest.fixture
def lab(lab_config: dict[str, str]) -> dict[str, str]:
    return lab_config


@pytest.fixture
def bind(lab: dict[str, str]) -> t.Iterator[Bind]:
    updater = Bind(lab)
    yield updater
    updater.cleanup()


@pytest.fixture
def lag(lab: dict[str, str]) -> t.Iterator[t.Callable[[str], None]]:
    """The multi.test secondary lagging from an in-sync start; the test calls ``lag("sync")`` to catch up.

    Request it before ``bind`` so the records are removed while the lag is
    still on: a NOTIFY left over from the removal would otherwise start a
    transfer in the next lagging test.
    """
    def switch(action: str) -> None:
        done = subprocess.run([lab["LAB_SCRIPT"], "lag", "multi.test", action], capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, f"lab.sh lag multi.test {action}: {done.stderr or done.stdout}"

    switch("on")
    # A transfer still under way from earlier changes would carry this test's update too.
    switch("sync")
    yield switch
    switch("off")


def unique(zone: str) -> str:
    return f"_acme-challenge.t{uuid.uuid4().hex[:12]}.{zone}"


def token() -> str:
    # The shape of a real key authorization digest: 43 characters of base64url.
    return secrets.token_urlsafe(32)[:43]


def waiter(lab: dict[str, str], **settings: t.Any) -> PropagationWaiter:
    wait = WaitSettings(**{"timeout": 30.0, "interval": 0.25, "max_interval": 1.0, "query_timeout": 2.0, **settings})
    transport = Transport(doh=doh_client(wait.resolvers, wait.doh_method, wait.doh_verify))
    resolver = Resolver(transport, [lab["LAB_RESOLVER"]], query_timeout=2.0)
    return PropagationWaiter(resolver, wait)


def later(seconds: float, action: t.Callable[[], None]) -> threading.Timer:
    timer = threading.Timer(seconds, action)
    timer.start()
    return timer


def by_address(record: dict[str, t.Any]) -> dict[str, dict[str, t.Any]]:
    return {row["address"]: row for row in record["nameservers"]}


def test_txt_added_by_tsig_update_is_seen(lab: dict[str, str], bind: Bind) -> None:
    name, value = unique(lab["LAB_BIND_ZONE"]), token()
    bind.txt(lab["LAB_BIND_ZONE"], name, value)
    record = waiter(lab, resolvers=[lab["LAB_RESOLVER"]]).wait([RecordSpec(name, (value,))])["records"][0]
    assert record["done"] and record["zone"] == lab["LAB_BIND_ZONE"]
    assert list(by_address(record)) == [lab["LAB_BIND_SERVER"]]
    assert record["resolvers"][0]["served"] == [value]


def test_nxdomain_first_then_present(lab: dict[str, str], bind: Bind) -> None:
    name, value = unique(lab["LAB_BIND_ZONE"]), token()
    timer = later(1.5, lambda: bind.txt(lab["LAB_BIND_ZONE"], name, value))
    record = waiter(lab).wait([RecordSpec(name, (value,))])["records"][0]
    timer.join()
    assert record["done"] and 1.5 <= record["elapsed"] < 1.5 + 1.5


def test_lagging_secondary_is_waited_for(lab: dict[str, str], lag: t.Callable[[str], None], bind: Bind) -> None:
    zone, name, value = lab["LAB_MULTI_ZONE"], unique(lab["LAB_MULTI_ZONE"]), token()
    bind.txt(zone, name, value)
    timer = later(2.0, lambda: lag("sync"))
    record = waiter(lab).wait([RecordSpec(name, (value,))])["records"][0]
    timer.join()
    servers = by_address(record)
    assert record["done"] and sorted(servers) == [lab["LAB_MULTI_PRIMARY"], lab["LAB_MULTI_SECONDARY"]]
    assert servers[lab["LAB_MULTI_PRIMARY"]]["served_at"] < 1.0 <= servers[lab["LAB_MULTI_SECONDARY"]]["served_at"]


def test_lagging_secondary_times_out_named(lab: dict[str, str], lag: t.Callable[[str], None], bind: Bind) -> None:
    zone, name, value = lab["LAB_MULTI_ZONE"], unique(lab["LAB_MULTI_ZONE"]), token()
    bind.txt(zone, name, value)
    started = time.monotonic()
    with pytest.raises(PropagationTimeout) as raised:
        waiter(lab, timeout=3.0).wait([RecordSpec(name, (value,))])
    assert time.monotonic() - started < 3.0 + 2.0
    assert f"{lab['LAB_MULTI_SECONDARY']} (ns2.multi.test): NXDOMAIN" in raised.value.msg
    assert [row["address"] for row in raised.value.details["lagging"]] == [lab["LAB_MULTI_SECONDARY"]]
    assert raised.value.details["split_brain"] == [name]


def test_lame_nameserver_is_reported(lab: dict[str, str]) -> None:
    name = f"_acme-challenge.{lab['LAB_LAME_ZONE']}"
    started = time.monotonic()
    with pytest.raises(DnsQueryError, match="lame delegation") as raised:
        waiter(lab, timeout=60.0, servfail_retries=2).wait([RecordSpec(name, ("never",))])
    assert time.monotonic() - started < 10.0  # failed early, not at the time-out
    broken = raised.value.details["broken"][0]
    assert (broken["address"], broken["rcode"]) == (lab["LAB_LAME_BAD_SERVER"], "REFUSED")


def test_apex_and_wildcard_values_at_one_name(lab: dict[str, str], bind: Bind) -> None:
    name, apex, wildcard = unique(lab["LAB_BIND_ZONE"]), token(), token()
    bind.txt(lab["LAB_BIND_ZONE"], name, apex, wildcard)
    record = waiter(lab).wait([RecordSpec(name, (apex, wildcard), "equal")])["records"][0]
    assert record["done"] and by_address(record)[lab["LAB_BIND_SERVER"]]["served"] == sorted([apex, wildcard])


def test_equal_mode_times_out_on_a_stale_value(lab: dict[str, str], bind: Bind) -> None:
    name, fresh = unique(lab["LAB_BIND_ZONE"]), token()
    bind.txt(lab["LAB_BIND_ZONE"], name, fresh, "stale")
    with pytest.raises(PropagationTimeout, match="stale"):
        waiter(lab, timeout=1.5).wait([RecordSpec(name, (fresh,), "equal")])


def test_a_hundred_records_in_one_call(lab: dict[str, str], bind: Bind) -> None:
    zone = lab["LAB_MULTI_ZONE"]
    records = {unique(zone): [token()] for _index in range(100)}
    bind.add(zone, "TXT", {name: [f'"{values[0]}"'] for name, values in records.items()})
    started = time.monotonic()
    result = waiter(lab).wait([RecordSpec(name, tuple(values)) for name, values in records.items()])
    assert all(record["done"] for record in result["records"]) and len(result["records"]) == 100
    assert all(len(record["nameservers"]) == 2 for record in result["records"])
    assert time.monotonic() - started < 15.0


def test_cname_into_the_acme_dns_double(lab: dict[str, str], bind: Bind) -> None:
    account = requests.post(f"{lab['LAB_ACMEDNS_URL']}/register", timeout=10).json()
    name, value = unique(lab["LAB_BIND_ZONE"]), token()
    bind.add(lab["LAB_BIND_ZONE"], "CNAME", {name: [f"{account['fulldomain']}."]})
    headers = {"X-Api-User": account["username"], "X-Api-Key": account["password"]}
    timer = later(1.0, lambda: requests.post(f"{lab['LAB_ACMEDNS_URL']}/update", headers=headers, timeout=10,
                                             json={"subdomain": account["subdomain"], "txt": value}).raise_for_status())
    record = waiter(lab).wait([RecordSpec(name, (value,))])["records"][0]
    timer.join()
    assert record["cname_chain"] == [name, account["fulldomain"]]
    assert record["zone"] == lab["LAB_ACMEDNS_DOMAIN"] and list(by_address(record)) == [lab["LAB_ACMEDNS_DNS"]]
    assert record["done"] and record["elapsed"] >= 1.0


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_doh_resolver_sees_a_txt_added_by_tsig_update(lab: dict[str, str], bind: Bind, method: str) -> None:
    zone, value = lab["LAB_BIND_ZONE"], token()
    name = f"doh-{uuid.uuid4().hex[:12]}.{zone}"
    bind.txt(zone, name, value)
    resolvers = [lab["LAB_DOH_URL"], lab["LAB_RESOLVER"]]
    record = waiter(lab, resolvers=resolvers, doh_method=method, doh_verify=lab["LAB_TLS_CA_BUNDLE"]).wait(
        [RecordSpec(name, (value,))])["records"][0]
    assert record["done"] and list(by_address(record)) == [lab["LAB_BIND_SERVER"]]
    doh, plain = record["resolvers"]
    assert (doh["address"], doh["rcode"], doh["served"]) == (lab["LAB_DOH_URL"], "NOERROR", [value])
    assert plain["served"] == [value]


def test_doh_resolver_with_an_untrusted_certificate_is_reported(lab: dict[str, str], bind: Bind) -> None:
    zone, value = lab["LAB_BIND_ZONE"], token()
    name = f"doh-{uuid.uuid4().hex[:12]}.{zone}"
    bind.txt(zone, name, value)
    # The default CA bundle does not hold the lab CA: verification must fail, not be skipped.
    with pytest.raises(PropagationTimeout) as raised:
        waiter(lab, timeout=2.0, resolvers=[lab["LAB_DOH_URL"]]).wait([RecordSpec(name, (value,))])
    row = raised.value.details["lagging"][0]
    assert row["address"] == lab["LAB_DOH_URL"] and "(tls)" in row["hint"] and "CERTIFICATE_VERIFY_FAILED" in row["hint"]
