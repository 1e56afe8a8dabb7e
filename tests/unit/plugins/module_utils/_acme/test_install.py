# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""All files or none: failures are real file-system failures, not patched functions."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._acme.install import (
    FileSpec,
    changed_files,
    install,
    parse_mode,
)
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, InstallError

STAMP = "20261128T120000Z"


def snapshot(directory):
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file()}


def test_new_files_get_their_modes_and_no_backup(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    backups = install([FileSpec(str(cert), b"CERT", 0o644), FileSpec(str(key), b"KEY", 0o600)], STAMP)
    assert backups == {}
    assert cert.read_bytes() == b"CERT" and key.read_bytes() == b"KEY"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(cert.stat().st_mode) == 0o644
    assert sorted(os.listdir(tmp_path)) == ["cert.pem", "key.pem"]


def test_replaced_files_are_backed_up(tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_bytes(b"OLD")
    backups = install([FileSpec(str(cert), b"NEW", 0o644)], STAMP)
    assert cert.read_bytes() == b"NEW"
    assert backups == {str(cert): f"{cert}.{STAMP}.bak"}
    assert (tmp_path / f"cert.pem.{STAMP}.bak").read_bytes() == b"OLD"
    install([FileSpec(str(cert), b"NEWER", 0o644)], STAMP)
    assert (tmp_path / f"cert.pem.{STAMP}.1.bak").read_bytes() == b"NEW"


def test_failure_after_the_first_rename_puts_everything_back(tmp_path):
    cert, chain = tmp_path / "cert.pem", tmp_path / "chain.pem"
    cert.write_bytes(b"OLD CERT")
    chain.write_bytes(b"OLD CHAIN")
    # A directory where the key should go: staging works, its rename fails after cert.pem was replaced.
    blocker = tmp_path / "key.pem"
    blocker.mkdir()
    (blocker / "inside").write_text("x")
    before = snapshot(tmp_path)
    files = [FileSpec(str(cert), b"NEW CERT", 0o644), FileSpec(str(chain), b"NEW CHAIN", 0o644),
             FileSpec(str(blocker), b"NEW KEY", 0o600)]
    with pytest.raises(InstallError) as caught:
        install(files, STAMP)
    assert "previous files kept" in caught.value.msg
    assert snapshot(tmp_path) == before
    assert sorted(os.listdir(tmp_path)) == ["cert.pem", "chain.pem", "key.pem"]


def test_failure_while_staging_changes_nothing(tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_bytes(b"OLD")
    files = [FileSpec(str(cert), b"NEW", 0o644), FileSpec(str(tmp_path / "missing" / "key.pem"), b"KEY", 0o600)]
    with pytest.raises(InstallError):
        install(files, STAMP)
    assert cert.read_bytes() == b"OLD"
    assert os.listdir(tmp_path) == ["cert.pem"]


def test_only_changed_files_are_rewritten(tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_bytes(b"SAME")
    files = [FileSpec(str(cert), b"SAME", 0o644), FileSpec(str(tmp_path / "key.pem"), b"KEY", 0o600)]
    assert [spec.path for spec in changed_files(files)] == [str(tmp_path / "key.pem")]


def test_modes():
    assert parse_mode("0640", 0o644, "mode") == 0o640
    assert parse_mode(None, 0o644, "mode") == 0o644
    assert parse_mode(0o600, 0o644, "mode") == 0o600
    with pytest.raises(InputError, match="octal"):
        parse_mode("u=rw", 0o644, "certificates[0].mode")


def backups_of(directory, name):
    return sorted(path.name for path in directory.iterdir() if path.name.startswith(name + ".") and path.name.endswith(".bak"))


def test_backups_are_pruned_to_the_newest_ones(tmp_path):
    key = tmp_path / "key.pem"
    key.write_bytes(b"KEY0")
    key.chmod(0o600)
    for count in range(1, 6):
        install([FileSpec(str(key), b"KEY%d" % count, 0o600)], f"2026112{count}T120000Z")
    assert backups_of(tmp_path, "key.pem") == ["key.pem.20261124T120000Z.bak", "key.pem.20261125T120000Z.bak"]
    assert (tmp_path / "key.pem.20261125T120000Z.bak").read_bytes() == b"KEY4"
    install([FileSpec(str(key), b"KEY6", 0o600)], "20261126T120000Z", keep=0)
    assert backups_of(tmp_path, "key.pem") == []


def test_backups_of_the_same_second_are_pruned_in_order(tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_bytes(b"C0")
    for count in range(1, 5):
        install([FileSpec(str(cert), b"C%d" % count, 0o644)], STAMP, keep=2)
    assert backups_of(tmp_path, "cert.pem") == [f"cert.pem.{STAMP}.2.bak", f"cert.pem.{STAMP}.3.bak"]
    assert (tmp_path / f"cert.pem.{STAMP}.3.bak").read_bytes() == b"C3"


def test_a_key_backup_is_never_readable_by_others(tmp_path):
    """The backup is written as a new 0600 file, even of a key someone left world-readable."""
    key = tmp_path / "key.pem"
    key.write_bytes(b"OLD KEY")
    key.chmod(0o644)
    seen = []

    def watch(step):
        seen.extend(stat.S_IMODE(path.stat().st_mode) for path in tmp_path.iterdir() if path.name.endswith(".bak"))

    install([FileSpec(str(key), b"NEW KEY", 0o600)], STAMP, fault=watch)
    assert seen and set(seen) == {0o600}
    assert stat.S_IMODE((tmp_path / f"key.pem.{STAMP}.bak").stat().st_mode) == 0o600
