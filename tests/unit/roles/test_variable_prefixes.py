# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every variable a role defines carries dns01_<role>_ (public) or _dns01_<role>_ (internal)."""

from __future__ import annotations

import pathlib

import pytest
import yaml

ROLES = pathlib.Path(__file__).resolve().parents[3] / "roles"


def role_dirs():
    return sorted(path for path in ROLES.iterdir() if (path / "tasks").is_dir())


def yaml_files(role: pathlib.Path, folder: str):
    return sorted((role / folder).glob("*.yml")) if (role / folder).is_dir() else []


def task_variables(tasks):
    """Names set by set_fact and register, walking blocks."""
    for task in tasks or []:
        for key in ("block", "rescue", "always"):
            yield from task_variables(task.get(key))
        if task.get("register"):
            yield task["register"]
        facts = task.get("ansible.builtin.set_fact") or task.get("set_fact") or {}
        yield from (name for name in facts if name != "cacheable")


def defined_variables(role: pathlib.Path):
    for path in yaml_files(role, "defaults") + yaml_files(role, "vars"):
        yield from (yaml.safe_load(path.read_text()) or {})
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())
    for spec in specs["argument_specs"].values():
        yield from spec.get("options", {})
    for path in yaml_files(role, "tasks") + yaml_files(role, "handlers"):
        yield from task_variables(yaml.safe_load(path.read_text()))


@pytest.mark.parametrize("role", role_dirs(), ids=lambda path: path.name)
def test_role_variables_carry_the_collection_prefix(role):
    prefix = f"dns01_{role.name}_"
    wrong = sorted({name for name in defined_variables(role) if not name.lstrip("_").startswith(prefix)})
    assert wrong == [], f"{role.name}: variables without the {prefix} prefix"


def test_there_are_roles_to_check():
    assert [path.name for path in role_dirs()]
