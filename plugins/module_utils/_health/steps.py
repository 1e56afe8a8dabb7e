# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One timed step of a health probe, its errors classified as the publish chain does.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import Dns01Error, ProviderError


@dataclasses.dataclass
class Step:
    """What one step did: ok or the error's class, HTTP status or rcode, and message; milliseconds taken."""

    step: str
    ok: bool
    elapsed_ms: int
    error_class: str | None = None
    status: t.Any = None
    message: str | None = None

    def as_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)


def timed(clock: Clock, step: str, action: t.Callable[[], t.Any], provider: t.Any = None) -> Step:
    """Run ``action`` as one Step; provider and DNS errors become a failed Step."""
    start = clock.monotonic()
    try:
        action()
    except ProviderError as exc:
        return _failed(step, clock, start, type(exc).__name__, exc.msg, exc.status)
    except Dns01Error as exc:
        return _failed(step, clock, start, type(exc).__name__, exc.msg, None)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        # A bug or an unmapped library error of one backend, as the chain reports it.
        message = f"unexpected {type(exc).__name__}: {exc}"
        return _failed(step, clock, start, ProviderError.__name__, provider.redact(message) if provider else message, None)
    return Step(step, True, _ms(clock.monotonic() - start))


def _failed(step: str, clock: Clock, start: float, error_class: str, message: str, status: t.Any) -> Step:
    return Step(step, False, _ms(clock.monotonic() - start), error_class, status, message)


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))
