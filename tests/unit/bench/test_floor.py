# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/dns01bench/floor.py: the floor of a one-certificate renewal, set against the peers."""

from __future__ import annotations

import pathlib
import sys

import pytest
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "bench"))

# pylint: disable=wrong-import-position
from dns01bench import floor, report  # noqa: E402
from dns01bench.tools import Context  # noqa: E402

SUMMARY = {"summary": {
    "collection@1": {"tool": "collection", "count": 1, "wall_per_cert": 5.9, "cpu_per_cert": 5.8},
    "lego@1": {"tool": "lego", "count": 1, "wall_per_cert": 5.7, "cpu_per_cert": 0.05},
    "certbot@1": {"tool": "certbot", "count": 1, "wall_per_cert": 3.8, "cpu_per_cert": 0.8},
    "certbot@20": {"tool": "certbot", "count": 20, "wall_per_cert": 1.0, "cpu_per_cert": 0.01},
}}


def test_the_best_peer_is_chosen_per_metric_among_peers_at_one_certificate():
    peer = floor.best_peer(SUMMARY)
    assert peer == {"wall": {"tool": "certbot", "seconds": 3.8}, "cpu": {"tool": "lego", "seconds": 0.05}}


ROWS = {"empty_play": {"wall": 0.5, "cpu": 0.5}, "module_tasks": {"wall": 2.4, "cpu": 2.3},
        "import_acme": {"wall": 0.2, "cpu": 0.15}, "import_dns": {"wall": 0.1, "cpu": 0.1},
        "import_module_library": {"wall": 0.1, "cpu": 0.1},
        "import_acme_in_module": {"wall": 0.3, "cpu": 0.25}, "import_dns_in_module": {"wall": 0.2, "cpu": 0.2}}


def test_no_peer_measured_gives_no_comparison():
    assert not floor.best_peer(None)
    assert not floor.verdict({"wall": 2.6, "cpu": 2.5}, {})


def test_the_role_s_floor_adds_each_library_beyond_ansible_s_as_often_as_its_modules_load_it():
    least = floor.role_floor(ROWS)
    assert least["wall"] == pytest.approx(2.4 + 2 * (0.3 - 0.1) + 4 * (0.2 - 0.1))
    assert least["cpu"] == pytest.approx(2.3 + 2 * (0.25 - 0.1) + 4 * (0.2 - 0.1))


def test_a_target_under_the_floor_is_called_unreachable_and_one_above_it_reachable():
    result = floor.verdict({"wall": 2.6, "cpu": 2.5}, floor.best_peer(SUMMARY))
    assert result["cpu"]["target"] == 0.05 / floor.TARGET_FACTOR
    assert result["cpu"]["reachable"] is False
    assert result["wall"]["reachable"] is True  # 3.8 / 1.3 = 2.92 > 2.6
    assert floor.verdict({"wall": 3.0, "cpu": 2.5}, floor.best_peer(SUMMARY))["wall"]["reachable"] is False


def test_the_task_play_runs_as_many_ping_tasks_as_the_role_runs_modules(tmp_path):
    ctx = Context(lab=None, root=str(tmp_path), workdir=str(tmp_path), peers_venv="")
    argvs = floor.commands(ctx, python="/usr/bin/python3")
    tasks = yaml.safe_load(pathlib.Path(argvs["module_tasks"][-1]).read_text(encoding="utf-8"))[0]["tasks"]
    empty = yaml.safe_load(pathlib.Path(argvs["empty_play"][-1]).read_text(encoding="utf-8"))[0]["tasks"]
    assert len(tasks) == floor.ROLE_MODULE_TASKS
    assert all("ansible.builtin.ping" in task for task in tasks)
    assert empty == []
    assert argvs["import_acme"] == ["/usr/bin/python3", "-c", "import acme.client"]
    assert argvs["import_dns"] == ["/usr/bin/python3", "-c", "import dns.query"]
    assert argvs["import_acme_in_module"][-1] == "import ansible.module_utils.basic; import acme.client"


def test_the_table_names_the_floor_and_the_verdict():
    least = floor.role_floor(ROWS)
    result = {"rows": ROWS, "module_tasks": 8, "imports": floor.ROLE_IMPORTS, "per_task": {"wall": 0.24, "cpu": 0.23},
              "role_floor": least, "target_factor": 1.3, "against_peers": floor.verdict(least, floor.best_peer(SUMMARY))}
    text = "\n".join(report.floor_lines(result))
    assert "8 ping tasks" in text
    assert "the role's floor (8 tasks + acme x2 + dns x4) wall   3.20 s" in text
    assert "N=1 cpu: best peer lego 0.05 s" in text
    assert "below the floor" in text
