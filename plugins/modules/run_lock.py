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
  - Acquires, releases or clears a named lock with an owner token and an expiry.
  - A scheduled AWX/Tower job and a manual run of the same playbook would otherwise
    order, publish and install the same certificates side by side.
  - The lock records its holder (host, pid and start time of the controlling C(ansible-playbook) process, boot id,
    since when). A holder whose process on this host is gone (killed, or its pid reused, or the host rebooted) is
    taken over at once; a holder on another host is taken over when the lock expires.
  - With O(heartbeat=true), acquiring starts a detached process that extends the lock every O(ttl)/3 seconds while
    the controlling C(ansible-playbook) process lives and the lock is still this owner's, and exits otherwise.
    So a short O(ttl) is safe for long runs, and a killed run blocks others for one O(ttl) at most.
  - Modules given the same lock as O(portable.dns01.dns_challenge_publish#module:run_lock) check before every write
    that the lock is still theirs.
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
    description:
      - V(acquired) takes the lock, waiting up to O(wait) seconds; V(released) lets it go (only its O(owner) can).
      - V(broken) clears the lock whoever holds it, for the runbook. It refuses while the lock has not expired and its
        holder is a live process on this host, or runs on another host, unless O(force=true).
    type: str
    choices: [acquired, released, broken]
    default: acquired
  owner:
    description:
      - The token that proves who holds the lock. Generated when acquiring without one;
        required to release (pass the RV(owner) the acquire returned).
    type: str
  force:
    description: With O(state=broken), clear the lock even when its holder may still be running.
    type: bool
    default: false
  heartbeat:
    description:
      - With O(state=acquired), keep the lock alive from a detached process while the controlling
        C(ansible-playbook) process lives. Without such a process above the module (it runs on a remote host),
        no heartbeat starts and a warning says so.
    type: bool
    default: true
  backend:
    description: Where the lock lives.
    type: str
    choices: [redis, file]
    default: file
  redis_url:
    description:
      - Redis URL, for example C(redis://host:6379/0) or C(rediss://user:password@host:6380/0).
      - Read from E(DNS01_LOCK_REDIS_URL), then E(DNS01_REDIS_URL), when not set.
    type: str
  directory:
    description:
      - Directory of lock files for O(backend=file). Created (mode 0700) when missing.
      - Refused when it is a symlink, belongs to another user than the one running the module (or root), or is
        writable by group or others, since another user could then replace the lock.
    type: path
    default: /var/lib/portable-dns01/locks
  ttl:
    description:
      - Seconds before a lock that is not renewed expires. With O(heartbeat=true) it is renewed every O(ttl)/3
        seconds; without, make it longer than the longest run.
    type: int
    default: 300
  wait:
    description: Seconds to wait for another holder to release the lock before failing.
    type: int
    default: 0
requirements:
  - redis (Python library, for O(backend=redis))
seealso:
  - module: portable.dns01.dns_challenge_publish
"""

EXAMPLES = r"""
- name: Take the renewal lock, waiting up to five minutes
  portable.dns01.run_lock:
    name: renewal-production
    backend: redis
    redis_url: redis://redis.example.com:6379/0
    wait: 300
  register: renewal_lock

- name: Release it
  portable.dns01.run_lock:
    name: renewal-production
    state: released
    owner: "{{ renewal_lock.owner }}"
    backend: redis
    redis_url: redis://redis.example.com:6379/0

- name: See who holds a lock (check mode changes nothing)
  portable.dns01.run_lock:
    name: renewal-production
  check_mode: true
  register: lock_state

- name: Clear the lock of a run that is gone
  portable.dns01.run_lock:
    name: renewal-production
    state: broken
"""

RETURN = r"""
name:
  description: The lock's name.
  returned: always
  type: str
  sample: renewal-production
lock:
  description: Where the lock lives, the lock file or the Redis key.
  returned: always
  type: str
  sample: lock file /var/lib/portable-dns01/locks/renewal-production.lock
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
heartbeat:
  description: The pid of the process that keeps the lock alive; null when none was started.
  returned: when O(state=acquired)
  type: int
  sample: 41234
left_behind:
  description:
    - How many challenge values earlier holders of this lock journalled and never removed (a run that was killed).
    - M(portable.dns01.dns_challenge_publish) with O(portable.dns01.dns_challenge_publish#module:state=swept) removes them.
  returned: when O(state=acquired), not in check mode
  type: int
  sample: 0
holder:
  description: The holder before the call (the one cleared for O(state=broken)); null when the lock is free.
  returned: in check mode and with O(state=broken)
  type: dict
  contains:
    owner:
      description: The first 8 characters of the holder's owner token.
      type: str
    host:
      description: Host of the holder's process.
      type: str
    pid:
      description: Pid of the holder's controlling process.
      type: int
    since:
      description: When the holder took the lock (ISO 8601, UTC).
      type: str
    expires:
      description: When the lock expires unless renewed (ISO 8601, UTC).
      type: str
    alive:
      description: Whether the holder's process lives; null when it runs on another host.
      type: bool
held_by_other:
  description: In check mode, whether another owner holds the lock now.
  returned: in check mode
  type: bool
  sample: false
"""


from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.module import run
from ansible_collections.portable.dns01.plugins.module_utils._lock.actions import run_lock_action
from ansible_collections.portable.dns01.plugins.module_utils._lock.runlock import acquire_options


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **acquire_options(),
            "state": {"type": "str", "choices": ["acquired", "released", "broken"], "default": "acquired"},
            "owner": {"type": "str", "no_log": False},
            "force": {"type": "bool", "default": False},
        },
        required_if=[("state", "released", ["owner"]), ("backend", "redis", ["redis_url"])],
        supports_check_mode=True,
    )
    run(module, lambda: run_lock_action(module.params, module.check_mode, Clock()))


if __name__ == "__main__":
    main()
