# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The alerts already sent, kept between runs in a small JSON file.

This is a private module_utils file: its API may change without notice.
Each open alert is stored under its key with the threshold and serial it
was sent for, so a crossing is reported once, not on every run.
"""

from __future__ import annotations

import json
import os
import tempfile
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import Dns01Error

VERSION = 1


class StateError(Dns01Error):
    """The state file cannot be read or written."""


class StateFile:
    def __init__(self, path: str | None) -> None:
        self.path = path or None

    def load(self) -> dict[str, dict[str, t.Any]]:
        """Open alerts by key; empty when there is no file (or no path)."""
        if not self.path or not os.path.exists(self.path):
            return {}
        try:
            with open(self.path, encoding="utf-8") as handle:
                document = json.load(handle)
        except (OSError, ValueError) as exc:
            raise StateError(f"cannot read the expiry state file {self.path}: {exc}", path=self.path) from exc
        alerts = document.get("alerts") if isinstance(document, dict) else None
        return alerts if isinstance(alerts, dict) else {}

    def save(self, alerts: dict[str, dict[str, t.Any]]) -> None:
        """Atomically, 0600, creating the directory (0700) when missing."""
        if not self.path:
            return
        directory = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            handle, tmp = tempfile.mkstemp(prefix=".expiry-state.", dir=directory)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"version": VERSION, "alerts": alerts}, out, indent=2, sort_keys=True)
                out.write("\n")
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except OSError as exc:
            raise StateError(f"cannot write the expiry state file {self.path}: {exc}", path=self.path) from exc
