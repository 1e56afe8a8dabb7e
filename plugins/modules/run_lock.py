#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: run_lock
short_description: Hold a named lock so two renewal runs never work on the same certificates at once
version_added: 0.1.0
description:
  - Acquires or releases a named lock with an owner token and an expiry.
  - A scheduled AWX/Tower job and a manual run of the same playbook would otherwise
    order, publish and install the same certificates side by side.
  - The lock expires after O(ttl) seconds, so a run that dies without releasing it
    blocks later runs for at most that long.
  - Locks live in Redis (runs on many hosts) or in a directory (runs on one host).
author:
  - portable.dns01 contributors (@portable-dns01)
attributes:
  check_mode:
    support: full
    description: Reports who holds the lock and changes nothing.
  diff_mode:
    support: none
    description: Nothing to show as a diff.
  idempotent:
    support: partial
    description: Acquiring a lock the same O(owner) already holds renews its expiry; releasing a lock not held changes nothing.
options:
  name:
    description: The lock's name, for example the inventory's or the certificate set's name.
    type: str
    required: true
  state:
    description: V(acquired) takes the lock, waiting up to O(wait) seconds; V(released) lets it go.
    type: str
    choices: [acquired, released]
    default: acquired
  owner:
    description:
      - The token that proves who holds the lock. Generated when acquiring without one;
        required to release (pass the RV(owner) the acquire returned).
    type: str
  backend:
    description: Where the lock lives.
    type: str
    choices: [redis, file]
    default: file
  redis_url:
    description:
      - Redis URL, for example C(redis://host:6379/0) or C(rediss://user:password@host:6380/0).
      - Read from E(DNS01_REDIS_URL) when not set.
    type: str
  directory:
    description: Directory of lock files for O(backend=file).
    type: path
    default: /var/lock/portable-dns01
  ttl:
    description: Seconds before an unreleased lock expires. Longer than the longest run.
    type: int
    default: 3600
  wait:
    description: Seconds to wait for another holder to release the lock before failing.
    type: int
    default: 0
requirements:
  - redis (Python library, for O(backend=redis))
"""

EXAMPLES = r"""
- name: Take the renewal lock, waiting up to five minutes
  portable.dns01.run_lock:
    name: renewal-production
    backend: redis
    redis_url: redis://redis.example.com:6379/0
    ttl: 3600
    wait: 300
  register: renewal_lock

- name: Release it
  portable.dns01.run_lock:
    name: renewal-production
    state: released
    owner: "{{ renewal_lock.owner }}"
    backend: redis
    redis_url: redis://redis.example.com:6379/0
"""

RETURN = r"""
name:
  description: The lock's name.
  returned: always
  type: str
  sample: renewal-production
owner:
  description: The owner token of the lock this run holds.
  returned: when O(state=acquired)
  type: str
  sample: 3f2a9c0d4b1e8f7a6c5d4e3f2a1b0c9d
waited:
  description: Seconds spent waiting for the lock.
  returned: when O(state=acquired)
  type: float
  sample: 0.0
held_by_other:
  description: In check mode, whether another owner holds the lock now.
  returned: in check mode
  type: bool
  sample: false
"""


from ansible.module_utils.basic import AnsibleModule, env_fallback

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.module import run
from ansible_collections.portable.dns01.plugins.module_utils._lock.actions import run_lock_action


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["acquired", "released"], default="acquired"),
            owner=dict(type="str"),
            backend=dict(type="str", choices=["redis", "file"], default="file"),
            redis_url=dict(type="str", no_log=True, fallback=(env_fallback, ["DNS01_REDIS_URL"])),
            directory=dict(type="path", default="/var/lock/portable-dns01"),
            ttl=dict(type="int", default=3600),
            wait=dict(type="int", default=0),
        ),
        required_if=[("state", "released", ["owner"]), ("backend", "redis", ["redis_url"])],
        supports_check_mode=True,
    )
    run(module, lambda: run_lock_action(module.params, module.check_mode, Clock()))


if __name__ == "__main__":
    main()
