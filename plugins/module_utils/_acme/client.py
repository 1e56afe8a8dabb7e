# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ACME connection: one account, one ClientV2, every request retried where it is safe.

This is a private module_utils file: its API may change without notice.
The acme library signs and sends; this file adds what long unattended runs
need around it: badNonce retried many times (the library tries twice), 5xx and
connection errors backed off, rate limits turned into RateLimitError with the
server's Retry-After, every other failure into AcmeError with its problem document.
"""

from __future__ import annotations

import contextlib
import threading
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme import problems
from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Backoff, Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError, RateLimitError
from ansible_collections.portable.dns01.plugins.module_utils._common.retry_after import retry_after_seconds

try:
    import josepy as jose
    import requests
    from acme import client as acme_client
    from acme import errors as acme_errors
    from acme import messages
except ImportError:
    pass

USER_AGENT = "portable.dns01-acme_order"
NONCE_RETRIES = 10
SERVER_RETRIES = 4
# A server asking for more than this is answered with a failure now rather than a long sleep.
MAX_SERVER_WAIT = 60.0


class RecordingSession:
    """A requests session that remembers the last response.

    ClientNetwork raises on an error response without handing the response
    over; the status code and Retry-After header are read from here instead.
    """

    def __init__(self, session: t.Any) -> None:
        self.session = session
        self.last: t.Any = None
        # Seconds left to the deadline of the running wait, None outside one (set by Transport).
        self.time_left: t.Callable[[], float | None] = lambda: None

    def request(self, method: str, url: str, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Send through the wrapped session and keep the answer; inside a wait, never past its deadline."""
        self.last = None
        left = self.time_left()
        if left is not None:
            kwargs["timeout"] = _cap(kwargs.get("timeout"), left)
        self.last = self.session.request(method, url, *args, **kwargs)
        return self.last

    def mount(self, prefix: str, adapter: t.Any) -> None:
        """Part of the session interface ClientNetwork uses."""
        self.session.mount(prefix, adapter)

    def close(self) -> None:
        """Part of the session interface ClientNetwork uses."""
        self.session.close()


class _Retryable(Exception):
    def __init__(self, kind: str, error: AcmeError, retry_after: float | None = None) -> None:
        super().__init__(error.msg)
        self.kind = kind
        self.error = error
        self.retry_after = retry_after


class Transport:
    """Runs ACME requests one at a time, with retries.

    Thread safety: ClientNetwork keeps its nonces in a plain set and shares one
    requests session, and neither is safe across threads. All workers share one
    account and one ClientV2, so each request (take a nonce, sign, send, keep the
    next nonce) runs under one lock. A request takes milliseconds; the waiting
    (validation, issuance, backoff) happens outside the lock, so certificates
    still progress side by side. One network per worker would need one nonce
    pool and one ClientV2 each, for no gain at this request rate.
    """

    def __init__(self, session: RecordingSession, clock: Clock, backoff: Backoff | None = None, *,  # pylint: disable=too-many-arguments
                 nonce_retries: int = NONCE_RETRIES, server_retries: int = SERVER_RETRIES) -> None:
        self.session = session
        self.clock = clock
        self.backoff = backoff or Backoff(base=1.0, cap=20.0)
        self.limits = {"badNonce": nonce_retries, "server": server_retries}
        self._lock = threading.Lock()
        # Workers wait side by side, each within its own deadline.
        self._local = threading.local()
        session.time_left = self.time_left

    @contextlib.contextmanager
    def within(self, deadline: Deadline) -> t.Iterator[None]:
        """Inside, this thread's requests wait at most what is left of ``deadline`` and no retry waits past it."""
        previous = getattr(self._local, "deadline", None)
        self._local.deadline = deadline
        try:
            yield
        finally:
            self._local.deadline = previous

    def time_left(self) -> float | None:
        """Seconds left to this thread's deadline; None when it has none."""
        deadline = getattr(self._local, "deadline", None)
        return None if deadline is None else deadline.remaining()

    def call(self, what: str, func: t.Callable[..., t.Any], *args: t.Any, **kwargs: t.Any) -> t.Any:
        """``func(*args, **kwargs)`` under the lock; ``what`` names the step in errors."""
        failures = {"badNonce": 0, "server": 0}
        while True:
            try:
                with self._lock:
                    return self._attempt(what, func, args, kwargs)
            except _Retryable as retry:
                failures[retry.kind] += 1
                if failures[retry.kind] > self.limits[retry.kind] or not self._pause(retry, failures[retry.kind]):
                    raise retry.error from retry

    def _pause(self, retry: _Retryable, failures: int) -> bool:
        """Wait before the next try; False when there is no time for one."""
        left = self.time_left()
        if retry.kind == "badNonce":
            return left is None or left > 0
        hint = retry.retry_after
        if hint is not None and hint > MAX_SERVER_WAIT:
            raise retry.error from retry
        delay = self.backoff.delay(failures - 1, hint)
        if left is not None and delay >= left:
            return False
        self.clock.sleep(delay)
        return True

    def _attempt(self, what: str, func: t.Callable[..., t.Any], args: t.Any, kwargs: t.Any) -> t.Any:
        try:
            return func(*args, **kwargs)
        except messages.Error as exc:
            raise self._from_problem(what, problems.from_error(exc)) from exc
        except acme_errors.ClientError as exc:
            raise self._from_response(what, exc) from exc
        except requests.RequestException as exc:
            raise _Retryable("server", AcmeError(f"{what}: {type(exc).__name__}: {exc}")) from exc
        except (acme_errors.Error, jose.DeserializationError, ValueError) as exc:
            raise AcmeError(f"{what}: unexpected answer from the CA: {exc}") from exc

    def _status_and_wait(self) -> tuple[int | None, float | None]:
        last = self.session.last
        if last is None:
            return None, None
        return last.status_code, retry_after_seconds(last.headers.get("Retry-After"), self.clock.now())

    def _from_problem(self, what: str, problem: dict[str, t.Any]) -> Exception:
        status, retry_after = self._status_and_wait()
        problem.setdefault("status", status)
        code = str(problem.get("type", "")).rsplit(":", 1)[-1]
        msg = f"{what}: {problems.short(problem)}"
        if code == "rateLimited":
            return RateLimitError(msg, problem=problem, status=status, retry_after=retry_after)
        error = AcmeError(msg, problem=problem, status=status)
        if code == "badNonce":
            return _Retryable("badNonce", error)
        if code == "serverInternal" or (status or 0) >= 500:
            return _Retryable("server", error, retry_after)
        return error

    def _from_response(self, what: str, exc: Exception) -> Exception:
        """ClientNetwork's errors for answers that were not problem documents (or a 409)."""
        last = self.session.last
        try:
            document = last.json() if last is not None and not last.ok else None
        except ValueError:
            document = None
        if isinstance(document, dict) and "type" in document:
            return self._from_problem(what, problems.from_json(document))
        status, retry_after = self._status_and_wait()
        error = AcmeError(f"{what}: HTTP {status}: {exc}", status=status)
        return _Retryable("server", error, retry_after) if (status or 0) >= 500 else error


class AcmeClient:
    """The few ACME operations the order flow uses, each through ``Transport.call``."""

    def __init__(self, transport: Transport, v2: t.Any, account_jwk: t.Any = None) -> None:
        self.transport = transport
        self.v2 = v2
        self.account_jwk = account_jwk
        self.account_url: str | None = None

    @property
    def directory(self) -> dict[str, t.Any]:
        """The directory's fields by name."""
        return self.v2.directory.to_partial_json()

    def get(self, url: str, what: str) -> t.Any:
        """An unauthenticated GET (directory, renewal information); the response, for its headers."""
        return self.transport.call(what, self.v2.net.get, url)

    def get_json(self, url: str, what: str) -> t.Any:
        """An unauthenticated GET's JSON."""
        return self.get(url, what).json()

    def profiles(self) -> dict[str, str] | None:
        """The profiles the CA offers (name: description), or None when it offers none."""
        meta = getattr(self.v2.directory, "meta", None)
        profiles = getattr(meta, "profiles", None)
        return dict(profiles) if profiles else None

    def post(self, url: str, payload: t.Any, what: str) -> t.Any:
        """A signed POST; ``payload`` None is a POST-as-GET."""
        new_nonce = self.directory["newNonce"]
        return self.transport.call(what, self.v2.net.post, url, payload, new_nonce_url=new_nonce)

    def fetch(self, url: str, what: str) -> tuple[dict[str, t.Any], t.Any]:
        """POST-as-GET a JSON resource: (its JSON, the response for headers)."""
        response = self.post(url, None, what)
        return response.json(), response

    def use_account(self, url: str) -> None:
        """Sign from now on with the account's URL as ``kid``."""
        self.account_url = url
        self.v2.net.account = messages.RegistrationResource(uri=url, body=messages.Registration())

    def answer(self, challenge: dict[str, t.Any]) -> None:
        """Tell the CA the challenge is ready to be validated."""
        body = messages.ChallengeBody.from_json(challenge)
        response = body.response(self.account_jwk)
        self.transport.call(f"answering the challenge at {body.uri}", self.v2.answer_challenge, body, response)


def _cap(timeout: t.Any, left: float) -> tuple[float, float]:
    """requests' (connect, read) time-outs, neither longer than ``left``; none left, no request."""
    if left <= 0:
        raise requests.Timeout("the time limit passed: request not sent")
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    return min(connect or left, left), min(read or left, left)


def connect(url: str, verify: t.Any, clock: Clock, key: tuple[t.Any, t.Any] | None = None, *,  # pylint: disable=too-many-arguments
            timeout: int = 30, session: t.Any = None) -> AcmeClient:
    """Fetch the directory and build the client. ``session`` replaces HTTP in tests."""
    jwk, alg = key if key else (None, jose.RS256)
    net = acme_client.ClientNetwork(key=jwk, alg=alg, verify_ssl=verify, user_agent=USER_AGENT, timeout=timeout)
    recorder = RecordingSession(session or net.session)
    net.session = recorder
    transport = Transport(recorder, clock)
    directory = transport.call(f"fetching the directory {url}", acme_client.ClientV2.get_directory, url, net)
    return AcmeClient(transport, acme_client.ClientV2(directory, net), jwk)
