# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/dns01bench/issuance.py: where an ansible-playbook client's wall time goes, per task."""

from __future__ import annotations

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "bench"))

# pylint: disable=wrong-import-position
from dns01bench import issuance, report  # noqa: E402

OUTPUT = [
    (0.0, ""),
    (0.5, "PLAY [Renew ACME certificates over DNS-01] ****"),
    (0.6, "TASK [portable.dns01.renewal : Check the whole inventory] ****"),
    (1.1, "ok: [localhost]"),
    (1.2, "TASK [portable.dns01.renewal : Publish the challenge values] ****"),
    (1.9, "changed: [localhost] => (item=fallback)"),
    (2.0, "TASK [portable.dns01.renewal : Publish the challenge values] ****"),
    (2.5, "TASK [portable.dns01.renewal : Report each certificate] ****"),
    (2.6, "PLAY RECAP ****"),
    (2.7, "localhost : ok=4 changed=1"),
]


def test_each_task_runs_from_its_header_to_the_next_and_repeats_add_up():
    times = issuance.task_times(OUTPUT)
    assert times[issuance.START_UP] == pytest.approx(0.6)
    assert times["portable.dns01.renewal : Check the whole inventory"] == pytest.approx(0.6)
    assert times["portable.dns01.renewal : Publish the challenge values"] == pytest.approx(1.3)
    assert times["portable.dns01.renewal : Report each certificate"] == pytest.approx(0.1)
    assert "PLAY RECAP" not in " ".join(times)


def test_output_without_tasks_has_no_profile():
    assert issuance.task_times([(0.1, "Saving debug log to /var/log/letsencrypt"), (3.0, "Successfully received certificate.")]) == {}


def test_the_table_lists_the_dearest_tasks_per_certificate():
    sample = issuance.Sample("collection", 2, wall=4.0, cpu=2.0)
    sample.tasks = {"a": 1.0, "b": 3.0}
    summary = issuance.summarize([sample])
    assert summary["collection@2"]["tasks"] == {"a": 0.5, "b": 1.5}
    lines = report.issuance_lines({"summary": summary, "samples": [sample.as_dict()]})
    profile = lines[lines.index("   collection N=2: wall seconds per certificate by task (median), dearest first") + 1:]
    assert profile == ["       1.500 s  b", "       0.500 s  a"]
