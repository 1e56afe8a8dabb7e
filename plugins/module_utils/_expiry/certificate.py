# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a certificate says about itself: serial, expiry, issuer, names.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme.ari import cert_id
from ansible_collections.portable.dns01.plugins.module_utils._acme.certs import days_left, dns_names, load_pem, split_pem

try:
    from cryptography import x509
except ImportError as exc:
    CRYPTOGRAPHY_IMPORT_ERROR: ImportError | None = exc
else:
    CRYPTOGRAPHY_IMPORT_ERROR = None


@dataclasses.dataclass(frozen=True)
class Facts:
    serial: str
    not_after: str
    days_left: float
    issuer: str
    names: list[str]
    ari_id: str | None = None

    def as_dict(self) -> dict[str, t.Any]:
        return {**dataclasses.asdict(self), "days_left": round(self.days_left, 2)}


class Unavailable(Exception):
    """The certificate could not be read: ``status`` is missing or unreadable."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def facts(cert: t.Any, now: datetime.datetime) -> Facts:
    return Facts(serial=format(cert.serial_number, "x"), not_after=cert.not_valid_after_utc.isoformat(),
                 days_left=days_left(cert, now), issuer=cert.issuer.rfc4514_string(), names=dns_names(cert),
                 ari_id=cert_id(cert))


def read_installed(path: str, now: datetime.datetime) -> Facts:
    """The first certificate of the PEM file at ``path``; Unavailable says why not."""
    if not os.path.exists(path):
        raise Unavailable("missing", f"{path} does not exist")
    try:
        with open(path, "rb") as handle:
            blocks = split_pem(handle.read().decode("ascii", "replace"))
        if not blocks:
            raise Unavailable("unreadable", f"{path} holds no PEM certificate")
        return facts(load_pem(blocks[0]), now)
    except Unavailable:
        raise
    except OSError as exc:
        raise Unavailable("unreadable", f"{path}: {exc.strerror}") from exc
    except Exception as exc:  # pylint: disable=broad-exception-caught
        # cryptography parses extensions lazily and fails on a corrupt one with
        # errors of its own (DuplicateExtension, ...), not only ValueError.
        raise Unavailable("unreadable", f"{path}: not a valid certificate ({type(exc).__name__}: {exc})") from exc


def from_der(der: bytes, now: datetime.datetime) -> Facts:
    return facts(x509.load_der_x509_certificate(der), now)
