# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab's webhook receiver records every request and fails on demand."""

from __future__ import annotations

import json
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))

# pylint: disable=wrong-import-position
from webhook_receiver import make_server  # noqa: E402


@pytest.fixture
def receiver(tmp_path):
    server = make_server("127.0.0.1", 0, str(tmp_path / "requests.jsonl"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path / "requests.jsonl"
    server.shutdown()
    server.server_close()


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_records_path_headers_and_body(receiver):
    url, log = receiver
    assert post(url + "/hook/a", {"x": 1})[0] == 200
    status, _headers, body = post(url + "/pd/v2/enqueue", {"dedup_key": "k"})
    assert status == 202 and json.loads(body)["dedup_key"] == "k"
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(line["path"], line["body"], line["answered"]) for line in lines] == [
        ("/hook/a", {"x": 1}, 200), ("/pd/v2/enqueue", {"dedup_key": "k"}, 202)]
    assert lines[0]["headers"]["Content-Type"] == "application/json"
    with urllib.request.urlopen(url + "/_control/requests?path=/pd", timeout=5) as response:
        assert [entry["path"] for entry in json.loads(response.read())] == ["/pd/v2/enqueue"]


def test_fails_the_next_n_requests_under_a_path(receiver):
    url, _log = receiver
    post(url + "/_control/fail", {"status": 429, "count": 2, "retry_after": "3", "path": "/slow"})
    assert post(url + "/other", {})[0] == 200
    first = post(url + "/slow/x", {})
    assert first[0] == 429 and first[1]["Retry-After"] == "3"
    assert post(url + "/slow/x", {})[0] == 429
    assert post(url + "/slow/x", {})[0] == 200
    post(url + "/_control/fail", {"status": 500, "count": 5})
    post(url + "/_control/reset", {})
    assert post(url + "/any", {})[0] == 200
