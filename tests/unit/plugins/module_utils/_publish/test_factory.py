# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A backend's third-party libraries are imported only when a provider of that type is built."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("boto3", "botocore", "lexicon", "requests", "redis")


def imported_after(code: str) -> dict[str, bool]:
    """Which of HEAVY a fresh interpreter holds after running ``code``."""
    script = textwrap.dedent(code) + f"\nimport json, sys\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))\n"
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, timeout=60).stdout
    return json.loads(out.splitlines()[-1])


def test_the_module_imports_no_backend_library():
    loaded = imported_after("import ansible_collections.portable.dns01.plugins.modules.dns_challenge_publish")
    assert loaded == {name: False for name in HEAVY}


@pytest.mark.parametrize("kind, options, wanted, unwanted", [
    ("route53", {"zone_id": "Z1", "region": "us-east-1"}, {"boto3"}, {"lexicon", "redis"}),
    ("lexicon", {"provider": "powerdns", "options": {}}, {"lexicon", "requests"}, {"boto3", "redis"}),
    ("rfc2136", {"server": "127.0.0.1"}, set(), {"boto3", "lexicon", "requests", "redis"}),
])
def test_building_a_provider_imports_only_its_libraries(kind, options, wanted, unwanted):
    loaded = imported_after(f"""
        from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
        from ansible_collections.portable.dns01.plugins.module_utils._publish.factory import build_providers
        from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context
        clock = Clock()
        build_providers([{{"name": "p", "type": {kind!r}, {kind!r}: {options!r}}}], Context(clock, Deadline(clock, 10)))
    """)
    assert all(loaded[name] for name in wanted) and not any(loaded[name] for name in unwanted), loaded
