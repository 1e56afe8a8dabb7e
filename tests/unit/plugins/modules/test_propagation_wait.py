# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module end to end, with the DNS and the clock replaced at their seams."""

from __future__ import annotations

import json
import typing as t

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.portable.dns01.plugins.modules import propagation_wait
from ansible_collections.portable.dns01.tests.unit.fake_clock import FakeClock
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._dns.fakes import FakeHttp, World

NAME = "_acme-challenge.example.test"
DOH_URL = "https://doh.test/dns-query"


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    clock = FakeClock()
    dns_world = World(clock)
    dns_world.zone("test", {"ns.test": ["10.0.0.5"]})
    dns_world.zone("example.test", {"ns1.example.test": ["10.0.1.1"], "ns2.example.test": ["10.0.1.2"]}, parent="test")
    dns_world.http = FakeHttp(dns_world.transport.servers)

    def transport(doh: t.Any = None) -> t.Any:
        # The module's own DohClient, with its HTTP transport replaced at the seam.
        if doh is not None:
            doh.transport = dns_world.http.transport
        dns_world.transport.doh = doh
        return dns_world.transport

    monkeypatch.setattr(propagation_wait, "Transport", transport)
    monkeypatch.setattr(propagation_wait, "Clock", lambda: clock)
    return dns_world


def run_module(args: dict[str, t.Any], capsys: pytest.CaptureFixture[str]) -> dict[str, t.Any]:
    args = {"bootstrap_resolvers": [World.RESOLVER], **args}
    with patch_module_args(args), pytest.raises(SystemExit):
        propagation_wait.main()
    return json.loads(capsys.readouterr().out)


def test_waits_and_reports_unchanged(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.txt("example.test", NAME, "apex", "wildcard")
    result = run_module({"records": [{"name": NAME, "values": ["apex", "wildcard"]}]}, capsys)
    assert result["changed"] is False and "failed" not in result
    record = result["records"][0]
    assert record["done"] and record["zone"] == "example.test" and record["mode"] == "subset"
    assert [row["address"] for row in record["nameservers"]] == ["10.0.1.1", "10.0.1.2"]


def test_timeout_fails_with_the_lagging_server(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.server("10.0.1.1").txt(NAME, "token")
    result = run_module({"records": [{"name": NAME, "values": ["token"]}], "timeout": 5}, capsys)
    assert result["failed"] and result["error_class"] == "PropagationTimeout"
    assert "10.0.1.2 (ns2.example.test)" in result["msg"]
    assert result["split_brain"] == [NAME]


def test_check_mode_reports_servers_without_waiting(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_module({"records": [{"name": NAME, "values": ["token"]}], "_ansible_check_mode": True}, capsys)
    assert result["changed"] is False
    assert [row["address"] for row in result["records"][0]["nameservers"]] == ["10.0.1.1", "10.0.1.2"]
    assert not [query for query in world.transport.log if query[2] == "TXT"]


@pytest.mark.parametrize(("args", "field"), [
    ({"records": [{"name": "bad name.test", "values": ["v"]}]}, "records[0].name"),
    ({"records": [{"name": NAME, "values": []}]}, "records[0].values"),
    ({"records": [{"name": NAME, "values": [""]}]}, "records[0].values"),
    ({"records": [{"name": NAME, "values": ["a"]}, {"name": NAME.upper() + ".", "values": ["b"]}]}, "records[1].name"),
    ({"records": [{"name": NAME, "values": ["a"]}], "nameservers": ["ns1.example.test"]}, "nameservers[0]"),
    ({"records": [{"name": NAME, "values": ["a"]}], "resolvers": ["10.0.9.9"], "resolver_quorum": 2}, "resolver_quorum"),
    ({"records": [{"name": NAME, "values": ["a"]}], "timeout": 0}, "timeout"),
    ({"records": [{"name": NAME, "values": ["a"]}], "max_interval": 0.1}, "max_interval"),
    ({"records": [{"name": NAME, "values": ["a"]}], "resolvers": ["10.0.9.9", "doh.test/dns-query"]}, "resolvers[1]"),
])
def test_invalid_input_fails_before_any_query(world: World, capsys: pytest.CaptureFixture[str], args: dict[str, t.Any], field: str) -> None:
    result = run_module(args, capsys)
    assert result["failed"] and result["error_class"] == "InputError"
    assert result["field"] == field and result["msg"].startswith(field)
    assert not world.transport.log


def test_doh_and_address_resolvers_with_a_quorum(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.txt("example.test", NAME, "token")
    world.add_resolver("10.0.9.9")  # never sees the value
    world.add_resolver(DOH_URL).txt(NAME, "token")
    result = run_module({"records": [{"name": NAME, "values": ["token"]}], "resolvers": ["10.0.9.9", f"{DOH_URL}{{?dns}}"],
                         "resolver_quorum": 1, "doh_method": "GET", "validate_certs": False}, capsys)
    record = result["records"][0]
    assert "failed" not in result and record["done"]
    assert [(row["address"], row["serving"]) for row in record["resolvers"]] == [("10.0.9.9", False), (DOH_URL, True)]
    call = world.http.requests[0]
    assert (call["method"], call["url"], call["timeout"]["read"]) == ("GET", DOH_URL, 3.0)
    assert world.transport.doh.verify is False


def test_without_doh_resolvers_no_client_is_built(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.txt("example.test", NAME, "token")
    run_module({"records": [{"name": NAME, "values": ["token"]}]}, capsys)
    assert world.transport.doh is None and not world.http.requests
