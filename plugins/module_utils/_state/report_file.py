# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Write a report file whole or not at all, in one module run.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import json
import os
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, StateError
from ansible_collections.portable.dns01.plugins.module_utils._state.files import temporary_text


def render(content: t.Any) -> str:
    """Text as given; anything else as JSON laid out like the to_nice_json filter, ending in a newline."""
    if isinstance(content, str):
        return content
    return json.dumps(content, indent=4, sort_keys=True, ensure_ascii=False) + "\n"


def _current(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as stream:
            return stream.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return None  # unreadable or not text: replaced like any other content


def write_report(module: t.Any, check_mode: bool) -> dict[str, t.Any]:
    """Put ``content`` at ``path`` (temporary file in the same directory, then a rename), then its attributes.

    ``module`` is the seam: its atomic_move and file attribute calls do what every Ansible file module does.
    """
    path, text = module.params["path"], render(module.params["content"])
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        raise InputError(f"path: the directory {directory} does not exist", field="path")
    changed = _current(path) != text
    if changed and not check_mode:
        try:
            temp = temporary_text(path, text)
        except OSError as exc:
            raise StateError(f"cannot write {path}: {exc.strerror}", path=path) from exc
        module.atomic_move(temp, path)
    file_args = module.load_file_common_arguments(module.params)
    changed = module.set_fs_attributes_if_different(file_args, changed)
    return {"changed": changed, "path": path, "size": len(text.encode("utf-8"))}
