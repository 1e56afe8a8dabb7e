# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab's webhook receiver: stands in for a webhook, Slack and PagerDuty.

Every POST is recorded (time, path, headers, JSON body, the status answered)
as one line of a JSONL file. Paths ending in /enqueue answer like the
PagerDuty Events API (202 and a JSON body), the others 200 "ok".

Control endpoints, for tests:
  GET  /_control/health
  GET  /_control/requests[?path=PREFIX]   the records, oldest first
  POST /_control/fail {"status": 500, "count": 2, "retry_after": "1", "path": PREFIX}
       answer the next COUNT requests (under PREFIX, if given) with STATUS
  POST /_control/reset                    forget queued failures
"""

from __future__ import annotations

import argparse
import datetime
import http.server
import json
import threading
import typing as t
import urllib.parse

CONTROL = "/_control/"


class Store:
    """The JSONL log and the queued failures, shared by the handler threads."""

    def __init__(self, log_path: str) -> None:
        self.log_path = log_path
        self.lock = threading.Lock()
        self.failures: list[dict[str, t.Any]] = []

    def record(self, entry: dict[str, t.Any]) -> None:
        with self.lock, open(self.log_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")

    def records(self, prefix: str = "") -> list[dict[str, t.Any]]:
        with self.lock:
            try:
                with open(self.log_path, encoding="utf-8") as handle:
                    lines = [json.loads(line) for line in handle if line.strip()]
            except FileNotFoundError:
                return []
        return [entry for entry in lines if entry["path"].startswith(prefix)]

    def queue_failure(self, spec: dict[str, t.Any]) -> None:
        with self.lock:
            self.failures.append({"status": int(spec.get("status", 500)), "count": int(spec.get("count", 1)),
                                  "retry_after": spec.get("retry_after"), "path": spec.get("path") or ""})

    def take_failure(self, path: str) -> dict[str, t.Any] | None:
        with self.lock:
            for failure in self.failures:
                if path.startswith(failure["path"]) and failure["count"] > 0:
                    failure["count"] -= 1
                    self.failures = [f for f in self.failures if f["count"] > 0]
                    return failure
        return None

    def reset(self) -> None:
        with self.lock:
            self.failures = []


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "dns01-lab-webhook/1"
    store: Store

    def log_message(self, format: str, *args: t.Any) -> None:  # pylint: disable=redefined-builtin
        pass

    def reply(self, status: int, body: t.Any, headers: dict[str, str] | None = None) -> None:
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        url = urllib.parse.urlsplit(self.path)
        if url.path == CONTROL + "health":
            self.reply(200, "ok")
        elif url.path == CONTROL + "requests":
            prefix = urllib.parse.parse_qs(url.query).get("path", [""])[0]
            self.reply(200, self.store.records(prefix))
        else:
            self.reply(405, "POST only")

    def do_POST(self) -> None:  # pylint: disable=invalid-name
        raw = self.read_body()
        if self.path.startswith(CONTROL):
            self.control(raw)
            return
        try:
            body: t.Any = json.loads(raw or b"null")
        except ValueError:
            body = raw.decode("utf-8", "replace")
        failure = self.store.take_failure(self.path)
        status = failure["status"] if failure else (202 if self.path.endswith("/enqueue") else 200)
        self.store.record({"time": datetime.datetime.now(datetime.timezone.utc).isoformat(), "path": self.path,
                           "headers": dict(self.headers.items()), "body": body, "answered": status})
        if failure:
            extra = {"Retry-After": str(failure["retry_after"])} if failure["retry_after"] is not None else {}
            self.reply(status, f"lab failure {status}", extra)
        elif status == 202:
            key = body.get("dedup_key") if isinstance(body, dict) else None
            self.reply(202, {"status": "success", "message": "Event processed", "dedup_key": key})
        else:
            self.reply(200, "ok")

    def control(self, raw: bytes) -> None:
        if self.path == CONTROL + "fail":
            self.store.queue_failure(json.loads(raw or b"{}"))
            self.reply(200, {"queued": True})
        elif self.path == CONTROL + "reset":
            self.store.reset()
            self.reply(200, {"reset": True})
        else:
            self.reply(404, "unknown control endpoint")


def make_server(address: str, port: int, log_path: str) -> http.server.ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"store": Store(log_path)})
    server = http.server.ThreadingHTTPServer((address, port), handler)
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--address", default="127.0.1.14")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--log", required=True, help="the JSONL file every request is appended to")
    args = parser.parse_args()
    make_server(args.address, args.port, args.log).serve_forever()


if __name__ == "__main__":
    main()
