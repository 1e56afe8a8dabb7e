# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import os

from ansible_collections.portable.dns01.plugins.module_utils._publish.breaker import Breaker, default_state_file


def test_opens_at_threshold_and_success_closes(clock, tmp_path):
    breaker = Breaker(clock, threshold=2, cooldown=60, path=str(tmp_path / "b.json"))
    breaker.failure("lexicon:pdns")
    assert not breaker.is_open("lexicon:pdns")
    breaker.failure("lexicon:pdns")
    assert breaker.is_open("lexicon:pdns")
    breaker.success("lexicon:pdns")
    assert not breaker.is_open("lexicon:pdns")


def test_state_file_keeps_other_keys_and_drops_expired_ones(clock, tmp_path):
    path = tmp_path / "b.json"
    one = Breaker(clock, threshold=1, cooldown=60, path=str(path))
    two = Breaker(clock, threshold=1, cooldown=60, path=str(path))
    one.failure("a")
    two.failure("b")
    assert set(json.loads(path.read_text())["providers"]) == {"a", "b"}
    clock.advance(61)
    assert Breaker(clock, threshold=1, cooldown=60, path=str(path)).state == {}


def test_broken_or_unwritable_state_is_ignored(clock, tmp_path):
    path = tmp_path / "b.json"
    path.write_text("not json")
    breaker = Breaker(clock, threshold=1, cooldown=60, path=str(path))
    breaker.failure("a")
    assert breaker.is_open("a")
    blocked = tmp_path / "file"
    blocked.write_text("")
    Breaker(clock, threshold=1, cooldown=60, path=str(blocked / "b.json")).failure("a")


def test_threshold_zero_disables(clock):
    breaker = Breaker(clock, threshold=0)
    breaker.failure("a")
    assert not breaker.is_open("a")


def test_default_state_file_is_under_the_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_state_file() == os.path.join(str(tmp_path), "portable.dns01", "breaker.json")
