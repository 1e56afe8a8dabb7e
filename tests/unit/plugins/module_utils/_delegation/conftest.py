# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A small DNS world and a delegator wired to it."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._delegation.argspec import delegation_spec
from ansible_collections.portable.dns01.plugins.module_utils._delegation.delegate import Delegator
from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Resolver
from ansible_collections.portable.dns01.plugins.module_utils._publish.factory import TYPES
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._delegation.fakes import CnameProvider
from ansible_collections.portable.dns01.tests.unit.fake_clock import FakeClock
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._dns.fakes import World


@pytest.fixture
def world(clock: FakeClock) -> World:
    """example.test on two servers and acme.test on one, both delegated from test."""
    dns_world = World.example(clock)
    dns_world.zone("acme.test", {"ns.acme.test": ["10.0.2.1"]}, parent="test")
    return dns_world


@pytest.fixture
def store() -> dict[str, dict[str, list[str]]]:
    return {}


@pytest.fixture
def delegate(world: World, clock: FakeClock, store: dict[str, t.Any]) -> t.Callable[..., dict[str, t.Any]]:
    """Run the delegator with the module's defaults, a fake provider writing example.test, and ``overrides``."""
    def run(check_mode: bool = False, diff: bool = False, provider: dict[str, t.Any] | None = None, lag: float = 0.0,
            resolver: Resolver | None = None, **overrides: t.Any) -> dict[str, t.Any]:
        params = {key: spec.get("default") for key, spec in delegation_spec().items()}
        options = {"store": store, "servers": world.zones["example.test"], "transport": world.transport, "lag": lag}
        params.update(domain="www.example.test", target="www.acme.test", wait_timeout=30.0,
                      provider=provider or {"name": "primary", "type": "fake", "zone": "example.test", "fake": options})
        params.update(overrides)
        types = {**TYPES, "fake": CnameProvider}
        return Delegator(params, check_mode=check_mode, diff=diff, clock=clock, resolver=resolver or world.resolver(),
                         types=types).run()
    return run
