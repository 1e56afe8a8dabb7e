# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Webhook receivers for the tests: the lab's (what it received under a path, failures on demand), and a
throwaway one a test starts for itself."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import typing as t
import urllib.parse
import urllib.request


class Receiver:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def received(self, prefix: str) -> list[dict[str, t.Any]]:
        query = urllib.parse.urlencode({"path": prefix})
        with urllib.request.urlopen(f"{self.url}/_control/requests?{query}", timeout=5) as response:
            return json.loads(response.read())

    def fail_next(self, prefix: str, count: int, status: int = 500, retry_after: str | None = None) -> None:
        self._control("fail", {"path": prefix, "count": count, "status": status, "retry_after": retry_after})

    def reset(self) -> None:
        self._control("reset", {})

    def _control(self, what: str, body: dict[str, t.Any]) -> None:
        request = urllib.request.Request(f"{self.url}/_control/{what}", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5):
            pass


@contextlib.contextmanager
def receiver() -> t.Iterator[tuple[str, list[dict[str, t.Any]]]]:
    """Its URL and the JSON bodies it was sent, while the block runs."""
    received: list[dict[str, t.Any]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            length = int(self.headers.get("Content-Length") or 0)
            received.append(json.loads(self.rfile.read(length) or b"{}"))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: t.Any) -> None:  # pylint: disable=arguments-differ
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", received
    finally:
        server.shutdown()
