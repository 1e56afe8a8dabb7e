# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the module remembers about an installed certificate, in small files beside it.

This is a private module_utils file: its API may change without notice.
``.<cert file>.acme.json`` is installed in the same set as the certificate and
says which account ordered it, with which profile: the renewal decision reads
the profile, and ``replaces`` is sent only for a certificate of this account.
``.<cert file>.ari.json`` caches the CA's renewal information until its
Retry-After has passed.
"""

from __future__ import annotations

import json
import os
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme import ari
from ansible_collections.portable.dns01.plugins.module_utils._acme.install import FileSpec, write_file


def _beside(cert_path: str, suffix: str) -> str:
    directory, name = os.path.split(os.path.abspath(cert_path))
    return os.path.join(directory, f".{name}.{suffix}")


def record_path(cert_path: str) -> str:
    """The record of the installed certificate's account and profile."""
    return _beside(cert_path, "acme.json")


def ari_path(cert_path: str) -> str:
    """The cached renewal information."""
    return _beside(cert_path, "ari.json")


def _load(path: str) -> dict[str, t.Any]:
    try:
        with open(path, "rb") as handle:
            document = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def record(cert_path: str, cert: t.Any, account: str | None, profile: str | None) -> FileSpec:
    """The record to install together with ``cert``."""
    content = {"serial": format(cert.serial_number, "x"), "account": account, "profile": profile}
    return FileSpec(record_path(cert_path), json.dumps(content, sort_keys=True).encode("utf-8") + b"\n", 0o600)


def read_record(cert_path: str, cert: t.Any | None) -> dict[str, t.Any]:
    """The record of ``cert``; empty when missing or written for another certificate."""
    document = _load(record_path(cert_path))
    if cert is None or document.get("serial") != format(cert.serial_number, "x"):
        return {}
    return document


def read_ari(cert_path: str, identifier: str) -> ari.RenewalInfo | None:
    """The cached renewal information of the certificate ``identifier``."""
    document = _load(ari_path(cert_path))
    if document.get("cert_id") != identifier:
        return None
    return ari.RenewalInfo.from_json(document)


def write_ari(cert_path: str, identifier: str, info: ari.RenewalInfo) -> None:
    """Cache renewal information, replacing the file at once."""
    document = dict(info.to_json(), cert_id=identifier)
    write_file(ari_path(cert_path), json.dumps(document, sort_keys=True).encode("utf-8") + b"\n", 0o600)
