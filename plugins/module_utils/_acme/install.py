# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Installing certificate and key files all together or not at all.

This is a private module_utils file: its API may change without notice.
Every new file is written to a temporary file in its target's directory and
fsynced before anything is replaced; then each target is backed up and renamed
over. If any step fails, targets already replaced are put back from their
backups, so the previous files stay byte-for-byte as they were and no
temporary or backup file of the failed run is left behind.
"""

from __future__ import annotations

import dataclasses
import grp
import os
import pwd
import shutil
import tempfile
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, InstallError


@dataclasses.dataclass
class FileSpec:
    """One file to install: where, what, with which mode and owner (-1 keeps the current one)."""

    path: str
    content: bytes
    mode: int
    uid: int = -1
    gid: int = -1


@dataclasses.dataclass
class _Work:
    spec: FileSpec
    temp: str = ""
    backup: str = ""
    replaced: bool = False


def uid_of(owner: str | None, field: str) -> int:
    """The uid of ``owner`` (name or number); -1 keeps the current owner."""
    if owner in (None, ""):
        return -1
    try:
        return int(owner) if str(owner).isdigit() else pwd.getpwnam(owner).pw_uid
    except KeyError as exc:
        raise InputError(f"{field}: no such user {owner!r}", field=field) from exc


def gid_of(group: str | None, field: str) -> int:
    """The gid of ``group`` (name or number); -1 keeps the current group."""
    if group in (None, ""):
        return -1
    try:
        return int(group) if str(group).isdigit() else grp.getgrnam(group).gr_gid
    except KeyError as exc:
        raise InputError(f"{field}: no such group {group!r}", field=field) from exc


def parse_mode(mode: t.Any, default: int, field: str) -> int:
    """An octal mode given as a string (``"0644"``) or an integer."""
    if mode in (None, ""):
        return default
    if isinstance(mode, int):
        return mode
    try:
        return int(str(mode), 8)
    except ValueError as exc:
        raise InputError(f"{field}: {mode!r} is not an octal mode such as '0644'", field=field) from exc


def _current(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _stage(work: _Work) -> None:
    spec = work.spec
    directory, name = os.path.split(os.path.abspath(spec.path))
    handle, work.temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    with os.fdopen(handle, "wb") as out:
        # Mode and owner are set before the content lands, so a key is never readable by others.
        os.fchmod(out.fileno(), spec.mode)
        if spec.uid != -1 or spec.gid != -1:
            os.fchown(out.fileno(), spec.uid, spec.gid)
        out.write(spec.content)
        out.flush()
        os.fsync(out.fileno())


def _backup_path(path: str, stamp: str) -> str:
    candidate, count = f"{path}.{stamp}.bak", 0
    while os.path.lexists(candidate):
        count += 1
        candidate = f"{path}.{stamp}.{count}.bak"
    return candidate


def _back_up(work: _Work, stamp: str) -> None:
    path = work.spec.path
    if not os.path.isfile(path):
        return
    work.backup = _backup_path(path, stamp)
    try:
        # A hard link keeps the very inode, so a restore gives back the same bytes.
        os.link(path, work.backup)
    except OSError:
        shutil.copy2(path, work.backup)


def _restore(work: _Work) -> None:
    if not work.replaced:
        return
    if not work.backup:
        os.unlink(work.spec.path)
        return
    directory = os.path.dirname(os.path.abspath(work.spec.path))
    handle, temp = tempfile.mkstemp(prefix=".restore.", dir=directory)
    os.close(handle)
    shutil.copy2(work.backup, temp)
    os.replace(temp, work.spec.path)


def _clean(works: list[_Work], failed: bool) -> None:
    for work in works:
        leftovers = [work.temp] + ([work.backup] if failed else [])
        for path in leftovers:
            if path and os.path.lexists(path):
                os.unlink(path)


def _fsync_dirs(works: list[_Work]) -> None:
    for directory in {os.path.dirname(os.path.abspath(work.spec.path)) for work in works}:
        handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _commit(works: list[_Work], stamp: str) -> None:
    for work in works:
        _stage(work)
    for work in works:
        _back_up(work, stamp)
    for work in works:
        os.replace(work.temp, work.spec.path)
        work.temp, work.replaced = "", True
    _fsync_dirs(works)


def changed_files(files: list[FileSpec]) -> list[FileSpec]:
    """The files whose content differs from what is installed."""
    return [spec for spec in files if _current(spec.path) != spec.content]


def install(files: list[FileSpec], stamp: str) -> dict[str, str]:
    """Install ``files`` together; returns {path: backup path} of the files replaced."""
    works = [_Work(spec) for spec in files]
    try:
        _commit(works, stamp)
    except OSError as exc:
        for work in reversed(works):
            _restore(work)
        _clean(works, failed=True)
        raise InstallError(f"installing {exc.filename or 'files'} failed: {exc.strerror or exc}; previous files kept",
                           paths=[spec.path for spec in files]) from exc
    _clean(works, failed=False)
    return {work.spec.path: work.backup for work in works if work.backup}
