# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP seam of notifications: a session that answers from a script and records what was sent."""

from __future__ import annotations

import json
import threading
import typing as t

import requests


class Response:
    def __init__(self, status: int, headers: dict[str, str] | None = None, text: str = "") -> None:
        self.status_code = status
        self.headers = requests.structures.CaseInsensitiveDict(headers or {})
        self.text = text
        self.reason = {200: "OK", 202: "Accepted", 400: "Bad Request", 429: "Too Many Requests",
                       500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "")


class ScriptedSession:
    """``post`` answers with the next script entry: (status, headers, text), or raises an exception.

    ``script`` is one list for every URL, or a list per URL: destinations are
    told side by side, so only a script per URL says who gets which answer.
    When ``clock`` is given, each request costs ``cost`` seconds of fake time, at most its time-out.
    """

    def __init__(self, script: list[t.Any] | dict[str, list[t.Any]], clock: t.Any = None, cost: float = 0.0) -> None:
        self.script = {url: list(steps) for url, steps in script.items()} if isinstance(script, dict) else list(script)
        self.sent: list[dict[str, t.Any]] = []
        self.clock = clock
        self.cost = cost
        self.lock = threading.Lock()

    def post(self, url: str, data: bytes, headers: dict[str, str], timeout: float, verify: t.Any,
             allow_redirects: bool) -> Response:
        with self.lock:
            self.sent.append({"url": url, "body": json.loads(data), "headers": headers, "timeout": timeout,
                              "verify": verify})
            step = (self.script[url] if isinstance(self.script, dict) else self.script).pop(0)
        if self.clock is not None and self.cost:
            self.clock.advance(min(self.cost, timeout))
        if isinstance(step, Exception):
            raise step
        status, response_headers, text = step
        return Response(status, response_headers, text)

    @property
    def bodies(self) -> list[dict[str, t.Any]]:
        return [request["body"] for request in self.sent]
