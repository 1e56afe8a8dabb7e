# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A crash at any point of an install leaves, after recovery, a certificate and key that belong together."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

from ansible_collections.portable.dns01.plugins.module_utils._acme import certs, keys
from ansible_collections.portable.dns01.plugins.module_utils._acme.install import FileSpec, install, pending, recover

from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._acme.fakes import make_cert

STAMP = "20261128T120000Z"
FILES = ("cert.pem", "key.pem", "fullchain.pem")


class Crash(BaseException):
    """Stands for SIGKILL: no except clause of the install code runs."""


def pair(serial):
    cert, key = make_cert(["x.example.test"], serial=serial)
    return cert.public_bytes(serialization.Encoding.PEM), keys.key_pem(key)


OLD, NEW = pair(0x1001), pair(0x1002)


def specs(directory, files):
    cert_pem, key_pem = files
    return [FileSpec(str(directory / "cert.pem"), cert_pem, 0o644), FileSpec(str(directory / "key.pem"), key_pem, 0o600),
            FileSpec(str(directory / "fullchain.pem"), cert_pem + b"CHAIN\n", 0o644)]


def paths(directory):
    return [str(directory / name) for name in FILES]


def installed(directory, files):
    for spec in specs(directory, files):
        (directory / spec.path).write_bytes(spec.content)


def crash_at(directory, step):
    """Install NEW over OLD and die right after step number ``step``; the step's label."""
    directory.mkdir()
    installed(directory, OLD)
    labels = []

    def fault(label):
        labels.append(label)
        if len(labels) == step:
            raise Crash(label)

    with pytest.raises(Crash):
        install(specs(directory, NEW), STAMP, fault=fault)
    return labels[-1]


def state(directory):
    """'old' or 'new' when the three files are one consistent set; fails otherwise."""
    cert = certs.read_cert(str(directory / "cert.pem"))
    key = keys.load_key((directory / "key.pem").read_bytes(), "key")
    assert certs.same_public_key(cert, key)
    for name, files in (("old", OLD), ("new", NEW)):
        if [spec.content for spec in specs(directory, files)] == [(directory / n).read_bytes() for n in FILES]:
            return name
    raise AssertionError("a mix of old and new files")


def hidden(directory):
    return sorted(path.name for path in directory.iterdir() if path.name.startswith("."))


def all_steps(tmp_path):
    directory = tmp_path / "dry"
    directory.mkdir()
    installed(directory, OLD)
    labels = []
    install(specs(directory, NEW), STAMP, fault=labels.append)
    return labels


def test_every_crash_point_recovers_to_a_matching_pair_and_leaves_no_temporary_file(tmp_path):
    labels = all_steps(tmp_path)
    assert len(labels) >= 10 and "manifest written" in labels
    outcomes = {}
    for step in range(1, len(labels) + 1):
        directory = tmp_path / f"crash{step}"
        label = crash_at(directory, step)
        outcome = recover(str(directory / "cert.pem"), paths(directory))
        outcomes[label] = (state(directory), outcome)
        assert hidden(directory) == [], f"after a crash at {label!r}"
        assert pending(str(directory / "cert.pem")) is None
        # Recovery is idempotent: a second run finds nothing to do.
        assert recover(str(directory / "cert.pem"), paths(directory)) is None
    # Before the intent is recorded the old set stays; once it is, the new set is finished.
    first_rename = labels.index("manifest written")
    assert {outcomes[label][0] for label in labels[:first_rename]} == {"old"}
    assert {outcomes[label][0] for label in labels[first_rename:]} == {"new"}
    assert outcomes[labels[first_rename + 1]][1] == "finished"


def test_a_missing_temporary_file_is_rolled_back_from_the_backups(tmp_path):
    labels = all_steps(tmp_path)
    directory = tmp_path / "crash"
    crash_at(directory, labels.index("manifest written") + 2)  # the certificate is renamed, the key not yet
    for temp in directory.glob(".key.pem.*.tmp"):
        temp.unlink()
    assert pending(str(directory / "cert.pem")) is not None
    assert recover(str(directory / "cert.pem"), paths(directory)) == "rolled back"
    assert state(directory) == "old"
    assert hidden(directory) == []
    assert sorted(path.name for path in directory.iterdir()) == sorted(FILES)


def test_a_corrupt_temporary_file_is_rolled_back(tmp_path):
    labels = all_steps(tmp_path)
    directory = tmp_path / "crash"
    crash_at(directory, labels.index("manifest written") + 2)
    for temp in directory.glob(".key.pem.*.tmp"):
        temp.write_bytes(b"torn")
    assert recover(str(directory / "cert.pem"), paths(directory)) == "rolled back"
    assert state(directory) == "old"


def test_a_first_install_is_rolled_back_by_removing_the_new_files(tmp_path):
    labels = []
    directory = tmp_path / "first"
    directory.mkdir()

    def fault(label):
        labels.append(label)
        if label == "renamed key.pem":
            raise Crash(label)

    with pytest.raises(Crash):
        install(specs(directory, NEW), STAMP, fault=fault)
    for temp in directory.glob(".fullchain.pem.*.tmp"):
        temp.unlink()
    assert recover(str(directory / "cert.pem"), paths(directory)) == "rolled back"
    assert list(directory.iterdir()) == []
