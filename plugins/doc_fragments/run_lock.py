# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The run_lock option, declared in module_utils/_lock/runlock.py."""

    DOCUMENTATION = r"""
options:
  run_lock:
    description:
      - The run lock this call writes under, as M(portable.dns01.run_lock) took it.
      - Before every write the module checks that O(run_lock.owner) still holds the lock and that it has not
        expired. If not, it fails with C(LockLostError), naming the lock and its current holder, and writes
        nothing more.
    type: dict
    suboptions:
      backend:
        description: Where the lock lives, as given to M(portable.dns01.run_lock).
        type: str
        choices: [file, redis]
        default: file
      name:
        description: The lock's name.
        type: str
        required: true
      owner:
        description: The owner token M(portable.dns01.run_lock) returned when it took the lock.
        type: str
        required: true
      directory:
        description: Directory of lock files for O(run_lock.backend=file).
        type: path
        default: /var/lib/portable-dns01/locks
      redis_url:
        description:
          - Redis URL for O(run_lock.backend=redis).
          - Read from E(DNS01_LOCK_REDIS_URL) (or E(DNS01_REDIS_URL)) when not set.
        type: str
"""
