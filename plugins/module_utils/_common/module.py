# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one place where errors become ``fail_json``.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import time
import typing as t

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    DependencyError,
    Dns01Error,
)


def require(module: t.Any, library: str, import_error: Exception | None) -> None:
    """Fail the module when a third-party import failed."""
    if import_error is not None:
        module.fail_json(msg=missing_required_lib(library), exception=str(import_error))


def run(module: t.Any, action: t.Callable[[], dict[str, t.Any]]) -> None:
    """Run ``action`` and exit with its result, or fail with the error's details.

    Either way the result carries ``duration``, the seconds the action took, so a
    playbook can report the time of each step without timing it itself.
    """
    start = time.monotonic()
    try:
        result = action()
    except DependencyError as exc:
        module.fail_json(msg=missing_required_lib(exc.msg), duration=_since(start), **exc.details)
    except Dns01Error as exc:
        module.fail_json(**{"duration": _since(start), **exc.result()})
    # ansible-core 2.19 deprecates a ``warnings`` result key: say them through the module.
    for warning in result.pop("warnings", None) or []:
        module.warn(warning)
    module.exit_json(**{"duration": _since(start), **result})


class FileAttributes:
    """Owner, group, mode, SELinux context and attributes of a file the module wrote, set by Ansible's own code.

    The module declares ``add_file_common_args``; what the user gave there is
    applied to each written file (or, in check mode, only compared). Options
    the user left unset change nothing, so a file keeps the mode it was
    written with (a key 0600).
    """

    def __init__(self, module: t.Any) -> None:
        self.module = module

    def apply(self, path: str) -> bool:
        """Whether ``path`` differed from the asked attributes (and was corrected, unless in check mode)."""
        args = self.module.load_file_common_arguments(self.module.params, path=path)
        return bool(self.module.set_fs_attributes_if_different(args, False))


def _since(start: float) -> float:
    return round(time.monotonic() - start, 3)
