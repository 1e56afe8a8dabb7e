# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""POST a notification: time-outs, retries on 5xx and 429 with backoff, under a deadline.

This is a private module_utils file: its API may change without notice.
The session and the clock are seams: tests script the HTTP exchange and
fake time. Nothing here raises for a destination that fails: the outcome
says what happened, with secrets taken out of every message.
Each request is bounded as a whole: requests' time-outs count seconds
without a byte, so a server answering a byte at a time never trips them.
"""

from __future__ import annotations

import dataclasses
import json
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.bounded import Overrun, within
from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Backoff, Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.deps import requests
from ansible_collections.portable.dns01.plugins.module_utils._common.retry_after import retry_after_seconds
from ansible_collections.portable.dns01.plugins.module_utils._notify.channel import Request

USER_AGENT = "portable.dns01-notify"
# A 4xx other than 429 means the request itself is wrong: sending it again will not help.
RETRY_STATUSES = frozenset({429})


@dataclasses.dataclass
class Outcome:
    """What became of one request after its retries."""

    ok: bool
    status: int | None = None
    attempts: int = 0
    error: str | None = None
    elapsed: float = 0.0


@dataclasses.dataclass(frozen=True)
class Policy:
    """Time budget of one call: ``timeout`` per request, ``deadline`` for everything."""

    timeout: float = 10.0
    deadline: float = 60.0
    retries: int = 3


def redact(text: str, secrets: t.Iterable[str]) -> str:
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def retryable(status: int | None) -> bool:
    """Connection failures, time-outs, 5xx and 429 may pass."""
    return status is None or status >= 500 or status in RETRY_STATUSES


class Poster:
    """Sends requests through ``session`` and keeps to ``policy``."""

    def __init__(self, session: t.Any, clock: Clock, policy: Policy, backoff: Backoff | None = None) -> None:
        self.session = session
        self.clock = clock
        self.policy = policy
        self.backoff = backoff or Backoff(base=1.0, cap=30.0)

    def close(self) -> None:
        """Close the session; a request still hanging on it is abandoned."""
        close = getattr(self.session, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # pylint: disable=broad-exception-caught
                pass

    def post(self, request: Request, secrets: t.Sequence[str] = (), verify: t.Any = True,
             deadline: Deadline | None = None, outcome: Outcome | None = None) -> Outcome:
        """Send until accepted, refused for good, out of retries or out of time.

        ``deadline`` is the whole call's when several destinations share it;
        ``outcome`` is filled as the tries go, so a caller that stops waiting
        can still say how many were made.
        """
        deadline = deadline or Deadline(self.clock, self.policy.deadline)
        outcome = outcome or Outcome(ok=False)
        while True:
            outcome.attempts += 1
            wait = self._once(request, deadline, verify, outcome)
            if outcome.ok or not retryable(outcome.status) or outcome.attempts > self.policy.retries:
                break
            delay = self.backoff.delay(outcome.attempts - 1, wait)
            if delay >= deadline.remaining():
                outcome.error = f"{outcome.error}; gave up: the next try in {delay:.1f} s would pass the " \
                                f"{self.policy.deadline:g} s deadline"
                break
            self.clock.sleep(delay)
        outcome.elapsed = round(deadline.elapsed(), 3)
        if outcome.error:
            outcome.error = redact(outcome.error, secrets)
        return outcome

    def _once(self, request: Request, deadline: Deadline, verify: t.Any, outcome: Outcome) -> float | None:
        """One POST; fills ``outcome``; returns the server's Retry-After in seconds, if any."""
        timeout = deadline.cap(self.policy.timeout)
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **request.headers}
        try:
            if timeout <= 0:
                raise Overrun(0.0)
            response = within(lambda: self.session.post(request.url, data=json.dumps(request.body).encode(),
                                                        headers=headers, timeout=timeout, verify=verify,
                                                        allow_redirects=False), timeout, "dns01-notify-request")
        except Exception as exc:  # pylint: disable=broad-exception-caught
            outcome.status, outcome.error = None, describe(exc, timeout)
            return None
        outcome.status = response.status_code
        outcome.ok = 200 <= response.status_code < 300
        outcome.error = None if outcome.ok else response_error(response)
        return retry_after_seconds(response.headers.get("Retry-After"), self.clock.now())


def describe(exc: Exception, timeout: float) -> str:
    """A failure without the URL: requests puts the host and path (a token) in its messages."""
    name = type(exc).__name__
    if isinstance(exc, Overrun):
        return f"Timeout: {exc}" if exc.seconds > 0 else "Timeout: the deadline passed before this try"
    if requests is not None and isinstance(exc, requests.Timeout):
        return f"{name}: no answer within {timeout:.1f} s"
    if requests is not None and isinstance(exc, requests.exceptions.SSLError):
        return f"{name}: TLS handshake or certificate verification failed"
    if requests is not None and isinstance(exc, requests.ConnectionError):
        return f"{name}: could not connect"
    return name


def response_error(response: t.Any) -> str:
    detail = " ".join((response.text or "")[:200].split())
    return f"HTTP {response.status_code} {response.reason or ''}: {detail}".replace(" :", ":").rstrip(": ")
