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
