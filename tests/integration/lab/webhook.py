# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Talk to the lab's webhook receiver: what it received under a path, failures on demand."""

from __future__ import annotations

import json
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
