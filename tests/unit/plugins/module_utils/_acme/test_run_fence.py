# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""step=complete under a run lock another run took: nothing is answered or installed."""

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._acme.run import run
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import LockLostError
from ansible_collections.portable.dns01.plugins.module_utils._lock.file import FileLocks
from ansible_collections.portable.dns01.plugins.module_utils._lock.runlock import fence_for
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._acme.test_run import CA, ORDER, params, scripted


def test_complete_answers_nothing_once_the_lock_is_taken(tmp_path, fake_clock):
    locks = FileLocks(str(tmp_path / "locks"), fake_clock)
    assert locks.try_acquire("renewal", "me", 60) is None
    fake_clock.advance(61)
    assert locks.try_acquire("renewal", "next", 60) is None
    fence = fence_for({"backend": "file", "name": "renewal", "owner": "me", "directory": locks.directory}, fake_clock)
    server = scripted()
    with pytest.raises(LockLostError, match=r"renewal.lock.*another run holds it: owner next") as caught:
        run(params(tmp_path, step="complete", order_url=ORDER), False, fake_clock, server, fence=fence)
    assert not any(call[1].startswith(f"{CA}/chall/") for call in server.calls)
    assert not (tmp_path / "cert.pem").exists()
    assert caught.value.details["certificates"][0]["error_class"] == "LockLostError"


def test_complete_goes_on_while_the_lock_is_held(tmp_path, fake_clock):
    locks = FileLocks(str(tmp_path / "locks"), fake_clock)
    locks.try_acquire("renewal", "me", 600)
    fence = fence_for({"backend": "file", "name": "renewal", "owner": "me", "directory": locks.directory}, fake_clock)
    server = scripted()
    with pytest.raises(Exception) as caught:
        run(params(tmp_path, step="complete", order_url=ORDER), False, fake_clock, server, fence=fence)
    # The scripted CA has no answer for the challenge URL: reaching it shows the fence let the run through.
    assert not isinstance(caught.value, LockLostError)
    assert any(call[1].startswith(f"{CA}/chall/") for call in server.calls)
