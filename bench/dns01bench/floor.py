# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark 4: what a renewal of one certificate cannot cost less than.

Three commands that do no ACME or DNS work at all, on the same machine and
interpreter as benchmark 1:

- ``ansible-playbook`` with a play of no tasks (the price of the playbook run);
- ``ansible-playbook`` with as many ``ansible.builtin.ping`` tasks as the
  renewal role runs module tasks for one certificate (the price of starting
  that many modules, each doing nothing);
- ``python -c 'import acme.client'`` (the price of loading the ACME library
  every client built on ``acme`` pays, certbot included);
- ``python -c 'import dns.query'`` (the same for dnspython);
- each of the two after Ansible's module library (what a module loading it
  pays beyond what the ping tasks already paid).

The role's floor is the play of module tasks plus the libraries those modules
cannot do without: ``acme`` in the two acme_order runs, dnspython in the four
that ask or update the DNS. Set against the peers of benchmark 1 (when it ran
in the same run), it says which speed targets a design that composes modules
can reach.
"""

from __future__ import annotations

import statistics
import sys
import typing as t

from dns01bench import measure
from dns01bench.progress import Progress
from dns01bench.tools import Context, clean_env

# The module tasks of the renewal role for one certificate that renews:
# plan (inventory check, preflight and lock), order create, publish, wait,
# order complete, remove the values, release the lock, write the report.
ROLE_MODULE_TASKS = 8
# The module runs among them that must load each library: acme_order create
# and complete; renewal_plan (its DNS checks), publish, wait and remove.
ROLE_IMPORTS = {"import_acme": 2, "import_dns": 4}
BASIC = "import ansible.module_utils.basic"
# How much cheaper than the best peer benchmark 1 asks the collection to be.
TARGET_FACTOR = 1.3
TIMEOUT = 120.0


def _playbook(ctx: Context, name: str, tasks: int) -> str:
    lines = ["---", "- name: Floor", "  hosts: localhost", "  gather_facts: false", "  tasks:" + ("" if tasks else " []")]
    lines += [f"    - name: Module task {index + 1}\n      ansible.builtin.ping:" for index in range(tasks)]
    path = ctx.path(name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def commands(ctx: Context, python: str = sys.executable) -> dict[str, list[str]]:
    """The three commands, by the name the results use."""
    play = ["ansible-playbook", "-i", "localhost,", "-c", "local", "-e", f"ansible_python_interpreter={python}"]
    return {
        "empty_play": [*play, _playbook(ctx, "floor-empty.yml", 0)],
        "module_tasks": [*play, _playbook(ctx, "floor-tasks.yml", ROLE_MODULE_TASKS)],
        "import_acme": [python, "-c", "import acme.client"],
        "import_dns": [python, "-c", "import dns.query"],
        "import_module_library": [python, "-c", BASIC],
        "import_acme_in_module": [python, "-c", f"{BASIC}; import acme.client"],
        "import_dns_in_module": [python, "-c", f"{BASIC}; import dns.query"],
    }


def best_peer(issuance: dict[str, t.Any] | None, count: int = 1) -> dict[str, t.Any]:
    """The cheapest peer at ``count`` certificates, in wall and in CPU time (each its own peer)."""
    rows = [row for row in ((issuance or {}).get("summary") or {}).values()
            if row["count"] == count and row["tool"] != "collection"]
    if not rows:
        return {}
    wall = min(rows, key=lambda row: row["wall_per_cert"])
    cpu = min(rows, key=lambda row: row["cpu_per_cert"])
    return {"wall": {"tool": wall["tool"], "seconds": wall["wall_per_cert"]},
            "cpu": {"tool": cpu["tool"], "seconds": cpu["cpu_per_cert"]}}


def role_floor(rows: dict[str, dict[str, float]]) -> dict[str, float]:
    """The play of module tasks plus each library as many times as the role's modules load it.

    A library counts only for what it costs beyond Ansible's module library,
    which every ping task already loaded: the floor stays a lower bound.
    """
    base = rows["import_module_library"]
    return {metric: rows["module_tasks"][metric] + sum(times * max(rows[f"{name}_in_module"][metric] - base[metric], 0.0)
                                                       for name, times in ROLE_IMPORTS.items())
            for metric in ("wall", "cpu")}


def verdict(floor: dict[str, float], peer: dict[str, t.Any]) -> dict[str, t.Any]:
    """For wall and CPU: the target (best peer / 1.3) against the role's floor."""
    out: dict[str, t.Any] = {}
    for metric in ("wall", "cpu"):
        if metric not in peer:
            continue
        target = peer[metric]["seconds"] / TARGET_FACTOR
        least = floor[metric]
        out[metric] = {"peer": peer[metric]["tool"], "peer_seconds": peer[metric]["seconds"], "target": target,
                       "floor": least, "reachable": least < target}
    return out


def run_all(ctx: Context, repeats: int, issuance: dict[str, t.Any] | None, log_path: str,
            progress: Progress) -> dict[str, t.Any]:
    env = clean_env()
    rows: dict[str, dict[str, float]] = {}
    for name, argv in commands(ctx).items():
        runs = []
        for index in range(repeats):
            progress.step("floor", name, index + 1, repeats)
            run = measure.run(argv, TIMEOUT, env=env, log_path=log_path)
            if not run.ok:
                raise RuntimeError(f"floor: {name} failed (rc {run.returncode}): {run.tail()}")
            runs.append(run)
        rows[name] = {"wall": statistics.median(run.wall for run in runs), "cpu": statistics.median(run.cpu for run in runs)}
        progress.line(f"  {name:13} wall {rows[name]['wall']:6.2f} s  cpu {rows[name]['cpu']:6.2f} s")
    empty, tasks = rows["empty_play"], rows["module_tasks"]
    per_task = {metric: (tasks[metric] - empty[metric]) / ROLE_MODULE_TASKS for metric in ("wall", "cpu")}
    least = role_floor(rows)
    return {"rows": rows, "module_tasks": ROLE_MODULE_TASKS, "imports": ROLE_IMPORTS, "per_task": per_task,
            "role_floor": least, "target_factor": TARGET_FACTOR, "against_peers": verdict(least, best_peer(issuance))}
