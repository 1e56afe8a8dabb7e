# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module end to end against the lab's webhook receiver, run in process."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
import typing as t
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.portable.dns01.plugins.modules import notify

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "lab"))

# pylint: disable=wrong-import-position
from webhook_receiver import make_server  # noqa: E402

TOKEN = "T0K3N-that-must-not-leak"
ROUTING_KEY = "R0UT1NG-that-must-not-leak"


@pytest.fixture
def receiver(tmp_path):
    log = tmp_path / "requests.jsonl"
    server = make_server("127.0.0.1", 0, str(log))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"

    def received() -> list[dict[str, t.Any]]:
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    yield url, server, received
    server.shutdown()
    server.server_close()


def run_module(capsys, **args: t.Any) -> dict[str, t.Any]:
    base = {"summary": "www: renewal failed", "source": "web1", "subject": "www", "kind": "renewal",
            "retries": 1, "deadline": 5}
    with patch_module_args({**base, **args}), pytest.raises(SystemExit):
        notify.main()
    return json.loads(capsys.readouterr().out)


def test_sends_to_every_destination_and_keeps_secrets_out(receiver, capsys):
    url, _server, received = receiver
    result = run_module(capsys, destinations=[
        {"name": "hook", "type": "webhook", "url": f"{url}/hook/{TOKEN}"},
        {"name": "chat", "type": "slack", "url": f"{url}/slack/{TOKEN}"},
        {"name": "pd", "type": "pagerduty", "url": f"{url}/pd/v2/enqueue", "routing_key": ROUTING_KEY},
    ])
    assert result["delivered"] == 3 and result["dedup_key"] == "dns01/web1/www/renewal"
    assert TOKEN not in json.dumps(result) and ROUTING_KEY not in json.dumps(result)
    bodies = {entry["path"].split("/")[1]: entry["body"] for entry in received()}
    assert bodies["hook"]["summary"] == "www: renewal failed" and "blocks" in bodies["slack"]
    assert bodies["pd"]["routing_key"] == ROUTING_KEY and bodies["pd"]["event_action"] == "trigger"


def test_one_failing_destination_is_reported_not_fatal(receiver, capsys):
    url, server, _received = receiver
    server.RequestHandlerClass.store.queue_failure({"status": 500, "count": 5, "path": "/hook"})
    result = run_module(capsys, destinations=[
        {"name": "hook", "type": "webhook", "url": f"{url}/hook/{TOKEN}"},
        {"name": "pd", "type": "pagerduty", "url": f"{url}/pd/v2/enqueue", "routing_key": ROUTING_KEY},
    ])
    assert not result.get("failed")
    assert [(e["name"], e["ok"], e["attempts"]) for e in result["sent"]] == [("hook", False, 2), ("pd", True, 1)]


def test_fails_when_all_failed_without_leaking(receiver, capsys):
    url, server, _received = receiver
    server.RequestHandlerClass.store.queue_failure({"status": 503, "count": 9})
    result = run_module(capsys, destinations=[{"type": "slack", "url": f"{url}/slack/{TOKEN}"}])
    assert result["failed"] is True and result["error_class"] == "NotificationError"
    assert TOKEN not in json.dumps(result)


def test_check_mode_sends_nothing(receiver, capsys):
    url, _server, received = receiver
    result = run_module(capsys, _ansible_check_mode=True,
                        destinations=[{"type": "webhook", "url": f"{url}/hook/{TOKEN}"}])
    assert result["changed"] is True and result["sent"][0]["skipped"] is True
    assert received() == []


def test_routing_key_from_the_environment_is_masked(receiver, capsys, monkeypatch):
    url, _server, received = receiver
    monkeypatch.setenv("DNS01_NOTIFY_PAGERDUTY_ROUTING_KEY", ROUTING_KEY)
    result = run_module(capsys, action="resolve", summary=f"resolved {ROUTING_KEY}",
                        destinations=[{"type": "pagerduty", "url": f"{url}/pd/v2/enqueue"}])
    assert received()[0]["body"] == {"routing_key": ROUTING_KEY, "event_action": "resolve",
                                     "dedup_key": "dns01/web1/www/renewal"}
    assert ROUTING_KEY not in json.dumps(result)


def test_missing_routing_key_fails_before_sending(receiver, capsys, monkeypatch):
    url, _server, received = receiver
    monkeypatch.delenv("DNS01_NOTIFY_PAGERDUTY_ROUTING_KEY", raising=False)
    result = run_module(capsys, destinations=[{"type": "pagerduty", "url": f"{url}/pd/v2/enqueue"}])
    assert result["failed"] is True and result["field"] == "destinations.routing_key"
    assert received() == []


@pytest.fixture
def stalling():
    """Servers that take the connection, then never answer (``silent``) or answer a byte at a time (``drip``)."""
    listeners: list[socket.socket] = []
    stop = threading.Event()

    def serve(listener: socket.socket, mode: str) -> None:
        while not stop.is_set():
            try:
                conn, _peer = listener.accept()
            except OSError:
                return
            threading.Thread(target=talk, args=(conn, mode), daemon=True).start()

    def talk(conn: socket.socket, mode: str) -> None:
        with conn:
            try:
                conn.recv(65536)
                answer = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10000
                for byte in answer:
                    if stop.wait(0.2):
                        return
                    if mode == "drip":
                        conn.sendall(bytes([byte]))
            except OSError:
                return

    def start(mode: str) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)
        threading.Thread(target=serve, args=(listener, mode), daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}"
    yield start
    stop.set()
    for listener in listeners:
        listener.close()


def test_the_deadline_bounds_the_whole_call_whatever_the_destinations_do(receiver, stalling, capsys):
    url, _server, received = receiver
    started = time.monotonic()
    result = run_module(capsys, timeout=1.0, deadline=2.0, retries=3, destinations=[
        {"name": "silent", "type": "webhook", "url": f"{stalling('silent')}/hook/{TOKEN}"},
        {"name": "drip", "type": "slack", "url": f"{stalling('drip')}/slack/{TOKEN}"},
        {"name": "drip-too", "type": "webhook", "url": f"{stalling('drip')}/hook/{TOKEN}"},
        {"name": "good", "type": "webhook", "url": f"{url}/hook/{TOKEN}"},
    ])
    elapsed = time.monotonic() - started
    assert elapsed < 2.0 + 0.8, elapsed
    assert not result.get("failed") and result["delivered"] == 1 and len(received()) == 1
    outcomes = {entry["name"]: entry for entry in result["sent"]}
    assert outcomes["good"]["ok"] and not any(outcomes[name]["ok"] for name in ("silent", "drip", "drip-too"))
    assert all("no answer" in outcomes[name]["error"] for name in ("silent", "drip", "drip-too"))
    assert TOKEN not in json.dumps(result)


def test_a_request_answered_a_byte_at_a_time_ends_at_its_timeout(stalling, capsys):
    started = time.monotonic()
    result = run_module(capsys, timeout=1.0, deadline=30.0, retries=0,
                        destinations=[{"name": "drip", "type": "webhook", "url": f"{stalling('drip')}/hook/{TOKEN}"}])
    elapsed = time.monotonic() - started
    assert elapsed < 1.0 + 0.8, elapsed
    assert result["failed"] is True and result["sent"][0]["attempts"] == 1
    assert "no answer within 1.0 s" in result["sent"][0]["error"] and TOKEN not in json.dumps(result)
