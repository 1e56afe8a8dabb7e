# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""scripts/test.sh as the README describes `make test`: one line per stage, each stage's output in
.build/logs/STAGE.log shown only when it fails, and a failure when a tool copies the collection into
~/.ansible/collections. The script runs in a copy of the tree whose set-up and stages are stand-ins."""

from __future__ import annotations

import os
import pathlib
import shutil
import stat
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[3]
HOME_COPY = ".ansible/collections/ansible_collections/portable"


def script(path: pathlib.Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/usr/bin/env bash\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def tree(tmp_path: pathlib.Path, doc_check: str) -> pathlib.Path:
    """A tree with the real scripts/test.sh; set-up does nothing; the docs stage runs ``doc_check``."""
    root = tmp_path / "tree"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "test.sh", root / "scripts" / "test.sh")
    script(root / "scripts" / "bootstrap.sh", "exit 0")
    (root / "scripts" / "env.sh").write_text("export ANSIBLE_COLLECTIONS_PATH=/nonexistent\n")
    script(root / "scripts" / "doc.sh", doc_check)
    return root


def run(root: pathlib.Path, home: pathlib.Path, *stages: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": str(home)}
    return subprocess.run([str(root / "scripts" / "test.sh"), *stages], capture_output=True, text=True, timeout=60,
                          env=env, check=False)


def test_a_passing_stage_is_one_line_and_its_output_goes_to_its_log(tmp_path):
    root = tree(tmp_path, 'echo "rendered every module"')
    done = run(root, tmp_path / "home", "docs")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("==> docs")]
    assert len(lines) == 1 and "passed in" in lines[0]
    assert "rendered every module" not in done.stdout
    assert "rendered every module" in (root / ".build" / "logs" / "docs.log").read_text()


def test_a_failing_stage_shows_its_error_lines_and_tail_and_fails_the_run(tmp_path):
    root = tree(tmp_path, 'echo "ERROR: module foo does not render"; echo "last words"; exit 3')
    done = run(root, tmp_path / "home", "docs")
    assert done.returncode != 0
    assert "FAILED (exit 3)" in done.stdout
    assert "ERROR: module foo does not render" in done.stdout and "last words" in done.stdout
    assert "failed: docs" in done.stdout


def test_a_copy_of_the_collection_in_the_home_fails_the_run(tmp_path):
    home = tmp_path / "home"
    root = tree(tmp_path, f'mkdir -p "$HOME/{HOME_COPY}"')
    done = run(root, home, "docs")
    assert (home / HOME_COPY).is_dir()
    assert done.returncode != 0
    assert "a tool installed the collection into" in done.stdout and "home-copy" in done.stdout
