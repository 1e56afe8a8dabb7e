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
import email.utils
import threading
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderTimeout,
)

try:
    import requests
except ImportError as exc:
    requests = None
    REQUESTS_IMPORT_ERROR: ImportError | None = exc
else:
    REQUESTS_IMPORT_ERROR = None

_LOCAL = threading.local()


def retry_after(value: str | None, now: datetime.datetime) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


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
                            retry_after(response.headers.get("Retry-After"), now))
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
    raise status_error(response.status_code, msg, retry_after(response.headers.get("Retry-After"), now))


def run_bounded(action: t.Callable[[], t.Any], seconds: float, timeouts: tuple[float, float]) -> t.Any:
    """Run ``action`` in a worker thread and give up after ``seconds``.

    For libraries that set no HTTP time-outs (dns-lexicon): the worker's
    requests get ``timeouts`` as their default, and the caller stops waiting
    at the deadline even if the library hangs somewhere else.
    """
    box: dict[str, t.Any] = {}

    def work() -> None:
        try:
            with default_timeouts(timeouts):
                box["result"] = action()
        except Exception as exc:  # pylint: disable=broad-exception-caught
            box["error"] = exc

    worker = threading.Thread(target=work, name="dns01-provider-call", daemon=True)
    worker.start()
    worker.join(max(seconds, 0.0))
    if worker.is_alive():
        raise ProviderTimeout(f"no answer within {seconds:.1f}s")
    if "error" in box:
        raise box["error"]
    return box.get("result")


@contextlib.contextmanager
def default_timeouts(timeouts: tuple[float, float]) -> t.Iterator[None]:
    """Give requests made by this thread a time-out when the caller set none."""
    _install_default_timeout()
    _LOCAL.timeouts = timeouts
    try:
        yield
    finally:
        _LOCAL.timeouts = None


def _install_default_timeout() -> None:
    # dns-lexicon calls requests without a timeout and builds its own sessions,
    # so there is no session to hand it: fill in the thread's default instead.
    if requests is None or getattr(requests.Session.request, "dns01_default_timeout", False):
        return
    original = requests.Session.request

    def request(self: t.Any, method: str, url: str, *args: t.Any, **kwargs: t.Any) -> t.Any:
        timeouts = getattr(_LOCAL, "timeouts", None)
        if timeouts and not args and kwargs.get("timeout") is None:
            kwargs["timeout"] = timeouts
        return original(self, method, url, *args, **kwargs)

    request.dns01_default_timeout = True  # type: ignore[attr-defined]
    requests.Session.request = request  # type: ignore[method-assign]
