# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.tests.unit.fake_clock import FakeClock
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._dns.fakes import World


@pytest.fixture
def world(clock: FakeClock) -> World:
    """example.test on ns1 (one address) and ns2 (IPv4 and IPv6), delegated from test."""
    dns_world = World(clock)
    dns_world.zone("test", {"ns.test": ["10.0.0.5"]})
    dns_world.zone("example.test", {"ns1.example.test": ["10.0.1.1"], "ns2.example.test": ["10.0.1.2", "fd00::2"]}, parent="test")
    return dns_world
