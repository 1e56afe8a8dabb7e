# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbooks read only renewal settings the renewal role declares or sets.

A dns01_renewal_* variable the role does not know would be documented
nowhere and honoured by the playbook alone, not by the renewals beside it.
"""

from __future__ import annotations

import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
ROLE = ROOT / "roles" / "renewal"
NAME = re.compile(r"\bdns01_renewal_[a-z0-9_]*[a-z0-9]\b")


def read_in_playbooks() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "playbooks").rglob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.lstrip().startswith("#"):
                names.update(NAME.findall(line))
    return names


def known_to_the_role() -> set[str]:
    specs = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
    names = {name for spec in specs["argument_specs"].values() for name in spec.get("options", {})}
    tasks = "\n".join(path.read_text(encoding="utf-8") for path in (ROLE / "tasks").glob("*.yml"))
    names.update(re.findall(r"^\s*(dns01_renewal_[a-z0-9_]+):", tasks, re.M))
    names.update(re.findall(r"register: (dns01_renewal_[a-z0-9_]+)", tasks))
    return names


def test_playbooks_read_only_renewal_variables_the_role_knows():
    assert "dns01_renewal_providers" in read_in_playbooks()
    assert sorted(read_in_playbooks() - known_to_the_role()) == []
