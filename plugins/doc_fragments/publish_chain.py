# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """How providers are used, declared in module_utils/_publish/argspec.py."""

    DOCUMENTATION = r"""
options:
  strategy:
    description:
      - V(failover) tries the providers in order; a provider that fails after its retries hands over to the next.
      - V(all) publishes through every applicable provider at once and succeeds when O(min_success) of them did;
        the others are reported as warnings.
      - O(state=absent) always visits every provider that can delete, since values may sit on any of them after
        a failover.
    type: str
    default: failover
    choices: [failover, all]
  min_success:
    description:
      - With O(strategy=all), how many providers must succeed.
    type: int
    default: 1
  timeout:
    description:
      - Seconds the whole call may take, retries included. A rollback after a failure gets up to 30 more seconds.
    type: float
    default: 120.0
  connect_timeout:
    description:
      - Seconds to wait for a connection to a provider's API.
    type: float
    default: 5.0
  read_timeout:
    description:
      - Seconds to wait for an answer from a provider's API (and for each DNS lookup).
    type: float
    default: 20.0
  retries:
    description:
      - Retries per provider after a transient failure (time-out, refused connection, HTTP 429 or 5xx), with
        exponential backoff and full jitter, or after the server's C(Retry-After).
      - Authentication failures and other client errors are not retried.
    type: int
    default: 2
  simulate_outage:
    description:
      - Treat these providers as down without calling them. For failover drills.
    type: list
    elements: str
    default: []
  breaker_threshold:
    description:
      - After this many consecutive failures a provider endpoint is skipped until O(breaker_cooldown) has passed, in
        this call and in later calls that share the breaker state (O(breaker_state_file) or O(breaker_redis_url)).
        V(0) turns the breaker off.
      - The breaker is kept per endpoint (provider type, server or API URL, zone), not per provider name, so two
        inventories that both name a provider V(primary) do not trip each other. No secret takes part.
    type: int
    default: 3
  breaker_cooldown:
    description:
      - Seconds a provider is skipped once its breaker opened. Then one call may try it again (half-open) while the
        others still skip it; its success closes the breaker, its failure opens it for another cool-down.
    type: float
    default: 300.0
  breaker_state_file:
    description:
      - JSON file that carries breaker state between calls, changed under a file lock so concurrent calls all count.
      - Read from E(DNS01_BREAKER_STATE_FILE) when not set.
      - Default is one file per project on the host that runs the module,
        C(~/.cache/portable.dns01/breaker/<hash>.json) (or under E(XDG_CACHE_HOME)), where the hash is of the
        directory C(ansible-playbook) was started in (of the module's working directory when it runs on another host).
      - In check mode nothing is written.
    type: path
  breaker_redis_url:
    description:
      - Keep the breaker state in Redis instead of a file, so every AWX/Tower node shares it.
      - Read from E(DNS01_BREAKER_REDIS_URL) when not set.
    type: str
"""
