# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP failures as ProviderErrors, and calls bounded by our own deadline.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.bounded import Overrun, within
from ansible_collections.portable.dns01.plugins.module_utils._common.deps import requests
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderTimeout,
)
from ansible_collections.portable.dns01.plugins.module_utils._common.retry_after import retry_after_seconds

_LOCAL = threading.local()


def status_error(status: int, msg: str, retry: float | None = None) -> ProviderError:
    """The error class and retry hint an HTTP status calls for."""
    if status in (401, 403):
        return ProviderAuthError(msg, status=status)
    if status in (429, 503):
        return ProviderError(msg, status=status, retry_after=retry)
    return ProviderError(msg, status=status, transient=status >= 500)


def from_requests(exc: Exception, now: datetime.datetime) -> ProviderError | None:
    """Map a requests exception; None when ``exc`` is something else."""
    if requests is None or not isinstance(exc, requests.RequestException):
        return None
    response = getattr(exc, "response", None)
    if isinstance(exc, requests.HTTPError) and response is not None:
        return status_error(response.status_code, f"HTTP {response.status_code} {response.reason or ''}".strip(),
                            retry_after_seconds(response.headers.get("Retry-After"), now))
    if isinstance(exc, requests.ConnectTimeout):
        return ProviderTimeout(f"connect timed out: {exc}", reason="unreachable")
    if isinstance(exc, requests.Timeout):
        return ProviderTimeout(f"timed out: {exc}")
    if isinstance(exc, requests.ConnectionError):
        # Refused or reset: the chain treats the provider as down for the rest of the call.
        return ProviderError(f"{type(exc).__name__}: {exc}", transient=False, reason="unreachable")
    return ProviderError(f"{type(exc).__name__}: {exc}")


def check_response(response: t.Any, now: datetime.datetime) -> t.Any:
    """``response``, or the ProviderError its status calls for."""
    if response.status_code < 400:
        return response
    detail = (response.text or "")[:200].strip()
    msg = f"HTTP {response.status_code} {response.reason or ''}: {detail}".strip()
    raise status_error(response.status_code, msg, retry_after_seconds(response.headers.get("Retry-After"), now))


class CallGuard:
    """One bounded call: the time-outs its requests get and whether it may still send any.

    ``remaining`` says how much of the call's deadline is left. Once the
    caller gave up (``close``), the worker may not send another request and
    the sessions it used are closed.
    """

    def __init__(self, remaining: t.Callable[[], float], timeouts: tuple[float, float]) -> None:
        self.remaining = remaining
        self.timeouts = timeouts
        self.closed = False
        self.sessions: list[t.Any] = []
        self.lock = threading.Lock()

    def request_timeouts(self, given: t.Any = None) -> tuple[float, float]:
        """(connect, read) for the next request, never past the deadline; raises once the call is over."""
        left = self.remaining()
        if self.closed or left <= 0:
            raise ProviderTimeout("the call's timeout passed: request not sent", reason="deadline")
        connect, read = given if isinstance(given, tuple) else (given, given) if given else self.timeouts
        return min(connect or self.timeouts[0], left), min(read or self.timeouts[1], left)

    def track(self, session: t.Any) -> None:
        with self.lock:
            if session not in self.sessions:
                self.sessions.append(session)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            sessions, self.sessions = self.sessions, []
        for session in sessions:
            try:
                session.close()
            except Exception:  # pylint: disable=broad-exception-caught
                pass


def run_bounded(action: t.Callable[[], t.Any], remaining: t.Callable[[], float], timeouts: tuple[float, float]) -> t.Any:
    """Run ``action`` in a worker thread and give up when ``remaining()`` reaches zero.

    For libraries that set no HTTP time-outs (dns-lexicon): each request the
    worker makes through requests gets ``timeouts`` cut to what is left of
    the deadline, so a hung connection ends with the call; once the caller
    gave up, the worker can send nothing more and its sessions are closed.
    """
    guard = CallGuard(remaining, timeouts)

    def work() -> t.Any:
        # The guard is per thread: it must be set in the worker that makes the requests.
        with guarded(guard):
            return action()

    seconds = remaining()
    try:
        return within(work, seconds, "dns01-provider-call")
    except Overrun:
        raise ProviderTimeout(f"no answer within {seconds:.1f}s") from None
    finally:
        guard.close()


def check_guard(**_kwargs: t.Any) -> None:
    """A botocore ``before-send`` hook: no request once the bounded call is over."""
    guard = getattr(_LOCAL, "guard", None)
    if guard is not None:
        guard.request_timeouts()


@contextlib.contextmanager
def guarded(guard: CallGuard) -> t.Iterator[None]:
    """Requests made by this thread obey ``guard``."""
    _install_guard()
    _LOCAL.guard = guard
    try:
        yield
    finally:
        _LOCAL.guard = None


def _install_guard() -> None:
    # dns-lexicon calls requests without a timeout and builds its own sessions,
    # so there is no session to hand it: every request of a guarded thread
    # goes through the thread's guard instead.
    if requests is None or getattr(requests.Session.request, "dns01_guard", False):
        return
    original = requests.Session.request

    def request(self: t.Any, method: str, url: str, *args: t.Any, **kwargs: t.Any) -> t.Any:
        guard = getattr(_LOCAL, "guard", None)
        if guard is not None and not args:
            kwargs["timeout"] = guard.request_timeouts(kwargs.get("timeout"))
            guard.track(self)
        return original(self, method, url, *args, **kwargs)

    request.dns01_guard = True  # type: ignore[attr-defined]
    requests.Session.request = request  # type: ignore[method-assign]
