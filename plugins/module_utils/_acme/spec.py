# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module's input, checked in full before the CA is contacted.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import dataclasses
import os
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme.install import gid_of, parse_mode, uid_of
from ansible_collections.portable.dns01.plugins.module_utils._acme.names import normalize_names
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError

PATH_FIELDS = ("cert_path", "key_path", "chain_path", "fullchain_path")


@dataclasses.dataclass(frozen=True)
class CertSpec:  # pylint: disable=too-many-instance-attributes
    """One entry of ``certificates``, validated and normalized."""

    label: str
    names: list[str]
    cert_path: str
    key_path: str
    chain_path: str | None
    fullchain_path: str | None
    key_type: str
    reuse_key: bool
    uid: int
    gid: int
    mode: int
    order_url: str | None
    preferred_chain: str | None
    profile: str | None = None
    attributes_given: bool = False

    def paths(self) -> dict[str, str | None]:
        """The file options by name."""
        return {name: getattr(self, name) for name in PATH_FIELDS}

    def attributes(self) -> list[tuple[str, int, int, int]]:
        """(path, mode, uid, gid) the installed files must have, when owner, group or mode is given; the key is 0600."""
        if not self.attributes_given:
            return []
        return [(path, 0o600 if name == "key_path" else self.mode, self.uid, self.gid)
                for name, path in self.paths().items() if path]


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """The options that apply to every certificate."""

    step: str
    renew_before_days: int
    force: bool
    deactivate_on_failure: bool
    concurrency: int
    validation_timeout: int
    check_mode: bool
    keep_backups: int = 2

    @classmethod
    def from_params(cls, params: dict[str, t.Any], check_mode: bool) -> RunOptions:
        """From the module's parameters."""
        for field in ("concurrency", "validation_timeout"):
            if params[field] < 1:
                raise InputError(f"{field} must be at least 1", field=field)
        keep = params.get("keep_backups", 2)
        if keep < 0:
            raise InputError("keep_backups must not be negative", field="keep_backups")
        return cls(params["step"], params["renew_before_days"], params["force"], params["deactivate_on_failure"],
                   params["concurrency"], params["validation_timeout"], check_mode, keep)


def _check_paths(raw: dict[str, t.Any], field: str) -> None:
    for name in PATH_FIELDS:
        path = raw.get(name)
        if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise InputError(f"{field}.{name}: directory of {path!r} does not exist", field=f"{field}.{name}")


def parse_one(index: int, raw: dict[str, t.Any]) -> CertSpec:
    """Validate one certificate entry; errors name it by its index."""
    field = f"certificates[{index}]"
    names = normalize_names(raw.get("names"), f"{field}.names")
    _check_paths(raw, field)
    return CertSpec(
        # The label matches the name as given, so callers can pair results with their own definitions.
        label=str(raw.get("id") or raw["names"][0]), names=names,
        cert_path=raw["cert_path"], key_path=raw["key_path"],
        chain_path=raw.get("chain_path"), fullchain_path=raw.get("fullchain_path"),
        key_type=raw.get("key_type") or "ec256", reuse_key=bool(raw.get("reuse_key")),
        uid=uid_of(raw.get("owner"), f"{field}.owner"), gid=gid_of(raw.get("group"), f"{field}.group"),
        mode=parse_mode(raw.get("mode"), 0o644, f"{field}.mode"),
        order_url=raw.get("order_url") or None, preferred_chain=raw.get("preferred_chain") or None,
        profile=raw.get("profile") or None,
        attributes_given=any(raw.get(name) not in (None, "") for name in ("owner", "group", "mode")))


def _check_unique(specs: list[CertSpec]) -> None:
    """Two certificates writing one file would race each other in the thread pool."""
    labels: set[str] = set()
    paths: set[str] = set()
    for index, spec in enumerate(specs):
        if spec.label in labels:
            raise InputError(f"certificates[{index}].id: {spec.label!r} is used twice", field=f"certificates[{index}].id")
        labels.add(spec.label)
        for name, path in spec.paths().items():
            real = os.path.abspath(path) if path else None
            if real in paths:
                raise InputError(f"certificates[{index}].{name}: {path!r} is used twice", field=f"certificates[{index}].{name}")
            if real:
                paths.add(real)


def parse_all(raws: list[dict[str, t.Any]]) -> list[CertSpec]:
    """Validate every certificate entry before anything is contacted."""
    if not raws:
        raise InputError("certificates: at least one certificate is required", field="certificates")
    specs = [parse_one(index, raw) for index, raw in enumerate(raws)]
    _check_unique(specs)
    return specs
