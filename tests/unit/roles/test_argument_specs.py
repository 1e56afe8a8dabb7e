# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What `ansible-doc -t role` shows is what the role does: the declared defaults are the defaults."""

from __future__ import annotations

import pathlib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
ROLES = sorted(path for path in (ROOT / "roles").iterdir() if (path / "meta" / "argument_specs.yml").is_file())


@pytest.mark.parametrize("role", ROLES, ids=lambda path: path.name)
def test_declared_defaults_are_the_defaults(role):
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text(encoding="utf-8")) or {}
    options = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))["argument_specs"]["main"]["options"]
    assert sorted(set(defaults) - set(options)) == []
    wrong = []
    for name, option in options.items():
        if name in defaults and "default" in option and "{{" not in str(defaults[name]):
            if option["default"] != defaults[name]:
                wrong.append(f"{name}: declared {option['default']!r}, defaults/main.yml {defaults[name]!r}")
        elif "default" in option and name not in defaults:
            wrong.append(f"{name}: declared default {option['default']!r}, none in defaults/main.yml")
    assert wrong == []
