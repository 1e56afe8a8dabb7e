# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run one of the collection's modules as its own process, the way Ansible does on the target.

The module reads its arguments from a JSON file (``ANSIBLE_MODULE_ARGS``);
the collection is importable through the PYTHONPATH that scripts/env.sh sets.
What is measured is the module process: start-up, imports and its work,
without ansible-playbook around it.
"""

from __future__ import annotations

import json
import os
import sys
import typing as t

from dns01bench import measure

PACKAGE = "ansible_collections.portable.dns01.plugins.modules"


def run_module(name: str, args: dict[str, t.Any], args_path: str, timeout: float,
               log_path: str | None = None) -> tuple[measure.Run, dict[str, t.Any]]:
    """The measured run and the module's JSON result ({} when it printed none)."""
    descriptor = os.open(args_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, handle)
    run = measure.run([sys.executable, "-m", f"{PACKAGE}.{name}", args_path], timeout, log_path=log_path)
    return run, _result(run)


def _result(run: measure.Run) -> dict[str, t.Any]:
    for _stamp, line in reversed(run.lines):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return {}
