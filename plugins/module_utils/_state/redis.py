# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One way to reach Redis for state shared by many hosts (AWX/Tower nodes).

This is a private module_utils file: its API may change without notice.
Errors never carry the URL: it may hold a password.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DependencyError, StateError

PREFIX = "portable.dns01:"


def connect(url: str, timeout: float = 5.0) -> t.Any:
    # Imported here: the client costs a tenth of a second at every module
    # start, and most runs keep their state in files.
    try:
        import redis
    except ImportError:
        raise DependencyError("redis") from None
    try:
        return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True)
    except ValueError as exc:
        raise StateError("redis_url is not a usable Redis URL (redis://, rediss:// or unix://)") from exc


def call(what: str, function: t.Callable[[], t.Any], error: type[StateError] = StateError) -> t.Any:
    """Run one Redis call; any failure of the client becomes ``error``."""
    try:
        return function()
    except Exception as exc:  # redis raises many types; all mean the store is unusable
        raise error(f"Redis {what} failed: {type(exc).__name__}: {exc}") from exc
