# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Installing certificate and key files all together or not at all, even across a crash.

This is a private module_utils file: its API may change without notice.
An install runs in steps, each durable before the next:

1. every new file is written to a temporary file beside its target and fsynced;
2. every existing target is copied to a backup, created 0600 and fsynced;
3. an intent manifest naming the targets, temporary files, backups and the
   SHA-256 of old and new contents is written and fsynced (the commit point);
4. the temporary files are renamed over their targets, one by one;
5. the manifest is removed and old backups beyond ``keep`` are pruned.

A failure the code sees puts the old files back at once. A crash (SIGKILL,
power loss) between steps is repaired by ``recover`` on the next run: with a
manifest, the set is finished when every file not yet renamed has its verified
temporary file, and rolled back from the backups otherwise; without one,
nothing was replaced and only temporary files are swept away.
"""

from __future__ import annotations

import dataclasses
import grp
import hashlib
import json
import os
import pwd
import re
import stat
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


Fault = t.Optional[t.Callable[[str], None]]
DEFAULT_KEEP = 2
_BACKUP = re.compile(r"\.(\d{8}T\d{6}Z)(?:\.(\d+))?\.bak$")


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
    except (FileNotFoundError, IsADirectoryError):
        return None


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _fsync_dir(directory: str) -> None:
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _write_temp(target: str, content: bytes, mode: int, uid: int = -1, gid: int = -1) -> str:
    """A fsynced temporary file beside ``target``, named so a sweep finds it: ``.<name>.XXXXXXXX.tmp``."""
    directory, name = os.path.split(os.path.abspath(target))
    handle, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            # mkstemp creates 0600; mode and owner are set before the content lands.
            os.fchmod(out.fileno(), mode)
            if uid != -1 or gid != -1:
                os.fchown(out.fileno(), uid, gid)
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        os.unlink(temp)
        raise
    return temp


def _temp_pattern(path: str) -> t.Pattern[str]:
    return re.compile(rf"^\.{re.escape(os.path.basename(path))}\.[A-Za-z0-9_]{{8}}\.tmp$")


def manifest_path(anchor: str) -> str:
    """Where the intent of an install anchored at ``anchor`` (the certificate) is recorded."""
    directory, name = os.path.split(os.path.abspath(anchor))
    return os.path.join(directory, f".{name}.install.json")


def _backup_path(path: str, stamp: str) -> str:
    """``<path>.<stamp>.bak``, or ``.<n>.bak`` after the newest backup of the same second, so names sort by age."""
    counts = [int(match.group(2) or 0) for match in (_BACKUP.search(old) for old in backups(path))
              if match and match.group(1) == stamp]
    if not counts:
        return f"{path}.{stamp}.bak"
    return f"{path}.{stamp}.{max(counts) + 1}.bak"


def backups(path: str) -> list[str]:
    """The backups of ``path``, oldest first."""
    directory, name = os.path.split(os.path.abspath(path))
    found = []
    for entry in os.listdir(directory):
        match = _BACKUP.match(entry[len(name):]) if entry.startswith(name) else None
        if match:
            found.append(((match.group(1), int(match.group(2) or 0)), os.path.join(directory, entry)))
    return [full for _key, full in sorted(found)]


def prune(path: str, keep: int) -> None:
    """Remove all but the ``keep`` newest backups of ``path``."""
    for old in backups(path)[:max(0, len(backups(path)) - keep)]:
        os.unlink(old)


def _stage(spec: FileSpec) -> dict[str, t.Any]:
    return {"path": os.path.abspath(spec.path), "temp": _write_temp(spec.path, spec.content, spec.mode, spec.uid, spec.gid),
            "new": _digest(spec.content), "old": None, "backup": None, "stat": None}


def _back_up(entry: dict[str, t.Any], stamp: str) -> None:
    """A copy, not a hard link: a hard link would share the mode of a key left readable by others."""
    path = entry["path"]
    if not os.path.isfile(path):
        return
    status = os.stat(path)
    content = _current(path) or b""
    temp = _write_temp(path, content, 0o600)
    entry.update(old=_digest(content), stat=[stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid])
    entry["backup"] = _backup_path(path, stamp)
    os.replace(temp, entry["backup"])


def _write_manifest(anchor: str, entries: list[dict[str, t.Any]], stamp: str) -> None:
    target = manifest_path(anchor)
    document = json.dumps({"version": 1, "stamp": stamp, "files": entries}, indent=1).encode("utf-8")
    os.replace(_write_temp(target, document, 0o600), target)
    _fsync_dir(os.path.dirname(target))


def _read_manifest(anchor: str) -> list[dict[str, t.Any]] | None:
    content = _current(manifest_path(anchor))
    if content is None:
        return None
    try:
        return list(json.loads(content.decode("utf-8"))["files"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InstallError(f"{manifest_path(anchor)}: unreadable install manifest; compare the files with their backups "
                           "and remove it", paths=[anchor]) from exc


def _fsync_dirs(entries: list[dict[str, t.Any]]) -> None:
    for directory in {os.path.dirname(entry["path"]) for entry in entries}:
        _fsync_dir(directory)


def _remove(path: str | None) -> None:
    if path and os.path.lexists(path):
        os.unlink(path)


def _restore(entry: dict[str, t.Any]) -> None:
    """Put the old content back under the old mode and owner, or remove a file that did not exist."""
    path, current = entry["path"], _digest(_current(entry["path"]))
    if entry["backup"] is None:
        if current is not None and current == entry["new"]:
            os.unlink(path)
        return
    if current == entry["old"]:
        return
    content = _current(entry["backup"])
    if _digest(content) != entry["old"]:
        raise InstallError(f"cannot roll back {path}: its backup {entry['backup']} is missing or changed", paths=[path])
    mode, uid, gid = entry["stat"]
    os.replace(_write_temp(path, content or b"", mode, uid, gid), path)


def _roll_back(anchor: str, entries: list[dict[str, t.Any]]) -> None:
    for entry in reversed(entries):
        _restore(entry)
    _fsync_dirs(entries)
    for entry in entries:
        _remove(entry["temp"])
    _remove(manifest_path(anchor))
    for entry in entries:
        _remove(entry["backup"])


def _finishable(entries: list[dict[str, t.Any]]) -> bool:
    """Every file is either in place already or has its complete temporary file."""
    return all(_digest(_current(entry["path"])) == entry["new"] or _digest(_current(entry["temp"])) == entry["new"]
               for entry in entries)


def _rename_all(entries: list[dict[str, t.Any]], fault: Fault) -> None:
    for entry in entries:
        if _digest(_current(entry["path"])) != entry["new"]:
            os.replace(entry["temp"], entry["path"])
        _remove(entry["temp"])
        _step(fault, f"renamed {os.path.basename(entry['path'])}")
    _fsync_dirs(entries)
    _step(fault, "directories synced")


def _conclude(anchor: str, entries: list[dict[str, t.Any]], keep: int, fault: Fault) -> None:
    target = manifest_path(anchor)
    os.unlink(target)
    _fsync_dir(os.path.dirname(target))
    _step(fault, "manifest removed")
    for entry in entries:
        prune(entry["path"], keep)
    _step(fault, "backups pruned")


def _step(fault: Fault, label: str) -> None:
    """The seam where tests stop an install as a crash would."""
    if fault is not None:
        fault(label)


def _sweep(paths: list[str], keep_temps: t.Collection[str] = ()) -> None:
    """Remove temporary files of installs that died before recording their intent."""
    for path in paths:
        directory = os.path.dirname(os.path.abspath(path))
        pattern = _temp_pattern(path)
        for entry in os.listdir(directory):
            full = os.path.join(directory, entry)
            if pattern.match(entry) and full not in keep_temps:
                os.unlink(full)


def converge(path: str, mode: int, uid: int = -1, gid: int = -1, check_mode: bool = False) -> bool:
    """Give an installed file the wanted mode and owner; whether anything differed (or would, in check mode)."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return False
    owner = (uid != -1 and status.st_uid != uid) or (gid != -1 and status.st_gid != gid)
    other_mode = stat.S_IMODE(status.st_mode) != mode
    if not check_mode:
        if owner:
            os.chown(path, uid, gid)
        if other_mode:
            os.chmod(path, mode)
    return owner or other_mode


def write_file(path: str, content: bytes, mode: int) -> None:
    """Replace one file at once: a reader sees the old content or the new, never a part."""
    os.replace(_write_temp(path, content, mode), path)
    _fsync_dir(os.path.dirname(os.path.abspath(path)))


def pending(anchor: str) -> list[str] | None:
    """The files of an unfinished install anchored at ``anchor``, or None."""
    entries = _read_manifest(anchor)
    return None if entries is None else [entry["path"] for entry in entries]


def recover(anchor: str, paths: list[str], keep: int = DEFAULT_KEEP) -> str | None:
    """Finish or roll back an install a crash interrupted; sweep stray temporary files.

    Returns ``"finished"``, ``"rolled back"`` or None when there was nothing to repair.
    """
    entries = _read_manifest(anchor)
    swept = list(paths) + [anchor, manifest_path(anchor)]
    try:
        if entries is None:
            _sweep(swept)
            return None
        if _finishable(entries):
            _rename_all(entries, None)
            _conclude(anchor, entries, keep, None)
            outcome = "finished"
        else:
            _roll_back(anchor, entries)
            outcome = "rolled back"
        _sweep(swept + [entry["path"] for entry in entries])
    except OSError as exc:
        raise InstallError(f"repairing the interrupted install of {anchor} failed: {exc.strerror or exc}",
                           paths=list(paths)) from exc
    return outcome


def changed_files(files: list[FileSpec]) -> list[FileSpec]:
    """The files whose content differs from what is installed."""
    return [spec for spec in files if _current(spec.path) != spec.content]


def _prepare(files: list[FileSpec], stamp: str, fault: Fault) -> list[dict[str, t.Any]]:
    entries: list[dict[str, t.Any]] = []
    try:
        for spec in files:
            entries.append(_stage(spec))
            _step(fault, f"staged {os.path.basename(entries[-1]['path'])}")
        for entry in entries:
            _back_up(entry, stamp)
            _step(fault, f"backed up {os.path.basename(entry['path'])}")
    except OSError:
        for entry in entries:
            _remove(entry["temp"])
            _remove(entry["backup"])
        raise
    return entries


def install(files: list[FileSpec], stamp: str, *, anchor: str | None = None, keep: int = DEFAULT_KEEP,
            fault: Fault = None) -> dict[str, str]:
    """Install ``files`` together; returns {path: backup path} of the backups kept.

    ``anchor`` (default: the first file) names the intent manifest that ``recover`` looks for;
    ``keep`` is how many backups of each file remain; ``fault`` is called after every step.
    """
    anchor = anchor or files[0].path
    try:
        entries = _prepare(files, stamp, fault)
        try:
            _write_manifest(anchor, entries, stamp)
            _step(fault, "manifest written")
            _rename_all(entries, fault)
        except OSError:
            _roll_back(anchor, entries)
            raise
        _conclude(anchor, entries, keep, fault)
    except OSError as exc:
        raise InstallError(f"installing {exc.filename or 'files'} failed: {exc.strerror or exc}; previous files kept",
                           paths=[spec.path for spec in files]) from exc
    return {entry["path"]: entry["backup"] for entry in entries if entry["backup"] and os.path.exists(entry["backup"])}
