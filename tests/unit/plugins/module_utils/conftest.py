# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures shared by the areas: the fake DNS (each area's conftest gives its own ``world``), a stand-in run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Resolver
from ansible_collections.portable.dns01.tests.unit.fake_clock import FakeClock
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._dns.fakes import World


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def resolver(world: World) -> Resolver:
    return world.resolver()


@pytest.fixture
def run():
    """A live process standing in for a run's ansible-playbook (the controller a lock holder names)."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield child
    child.kill()
    child.wait()
