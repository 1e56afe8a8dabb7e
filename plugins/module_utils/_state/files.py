# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""State files: a checked directory, whole-file writes, and a mutex between processes.

This is a private module_utils file: its API may change without notice.
A reader never sees a half-written file: content goes to a temporary file
first and is put in place with ``link`` (create, fails if the name exists)
or ``rename`` (replace). Read-modify-write sequences run under ``flock`` on
a side file, which the kernel releases when a process dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import stat
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import StateError


def secure_directory(path: str) -> str:
    """Create ``path`` (0700) when missing; refuse one another user could write or swap."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except OSError as exc:
        raise StateError(f"cannot create state directory {path}: {exc.strerror}", path=path) from exc
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise StateError(f"state directory {path} is not a plain directory (a symlink or a file)", path=path)
    if info.st_uid not in (os.geteuid(), 0):
        raise StateError(f"state directory {path} belongs to uid {info.st_uid}, not to this user ({os.geteuid()}) or root:"
                         " another user could replace its files", path=path)
    if info.st_mode & 0o022:
        raise StateError(f"state directory {path} is writable by group or others (mode {stat.S_IMODE(info.st_mode):04o}):"
                         " use a directory only its owner can write", path=path)
    return path


def temporary_text(path: str, text: str) -> str:
    """A new file (0600) beside ``path`` holding ``text``, on disk: what a rename then puts in place whole."""
    temp = f"{os.path.dirname(path) or '.'}/.tmp-{secrets.token_hex(8)}"
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    return temp


def _temporary(path: str, data: t.Any) -> str:
    return temporary_text(path, json.dumps(data, sort_keys=True))


def create_json(path: str, data: t.Any) -> bool:
    """Put ``data`` at ``path`` complete or not at all; False when ``path`` exists already."""
    temp = _temporary(path, data)
    try:
        os.link(temp, path)
    except FileExistsError:
        return False
    finally:
        os.unlink(temp)
    return True


def replace_json(path: str, data: t.Any) -> None:
    """Replace ``path`` with ``data`` in one rename."""
    temp = _temporary(path, data)
    try:
        os.replace(temp, path)
    except OSError:
        os.unlink(temp)
        raise


def read_json(path: str) -> t.Any:
    """The data at ``path``; None when missing. ValueError for content that is not JSON."""
    try:
        with open(path, encoding="utf-8") as stream:
            return json.load(stream)
    except FileNotFoundError:
        return None


@contextlib.contextmanager
def mutex(path: str, shared: bool = False) -> t.Iterator[None]:
    """Hold ``flock`` on ``path`` (created 0600) for the block."""
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)
