# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What to wait for: records and settings, validated before any query.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._dns.doh import METHODS, check_ca_bundle, parse_doh_url
from ansible_collections.portable.dns01.plugins.module_utils._dns.names import name_text, parse_address, parse_name

MODES = ("subset", "equal")


@dataclasses.dataclass(frozen=True)
class RecordSpec:
    """TXT values that must be served at ``name``.

    ``subset``: the values must be among those served (others may be there too);
    ``equal``: exactly these values and no others.
    """

    name: str
    values: tuple[str, ...]
    mode: str = "subset"

    def satisfied_by(self, served: list[str]) -> bool:
        """Whether ``served`` TXT values meet this spec."""
        if self.mode == "equal":
            return set(served) == set(self.values)
        return set(self.values) <= set(served)


@dataclasses.dataclass
class WaitSettings:
    """How to wait; times in seconds. Empty ``nameservers`` means discover the authoritative ones.

    ``resolvers`` holds addresses and DoH URLs; ``doh_method`` and ``doh_verify``
    (a CA bundle path, or whether to verify certificates at all) apply to the URLs.
    """

    timeout: float = 300.0
    interval: float = 0.5
    max_interval: float = 5.0
    query_timeout: float = 3.0
    servfail_retries: int = 3
    nameservers: list[str] = dataclasses.field(default_factory=list)
    resolvers: list[str] = dataclasses.field(default_factory=list)
    resolver_quorum: int | None = None
    bootstrap_resolvers: list[str] = dataclasses.field(default_factory=list)
    follow_cnames: bool = True
    doh_method: str = "POST"
    doh_verify: bool | str = True

    def quorum(self) -> int:
        """How many of ``resolvers`` must see the values (all unless set)."""
        return len(self.resolvers) if self.resolver_quorum is None else self.resolver_quorum


def parse_records(raw: list[dict[str, t.Any]] | None) -> list[RecordSpec]:
    """Validate the ``records`` option; raise ``InputError`` naming the faulty field."""
    if not raw:
        raise InputError("records: at least one record is required", field="records")
    specs = [_parse_record(item, f"records[{index}]") for index, item in enumerate(raw)]
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        if spec.name in seen:
            raise InputError(f"records[{index}].name: {spec.name} is listed twice; put all its values in one entry",
                             field=f"records[{index}].name")
        seen.add(spec.name)
    return specs


def _parse_record(item: dict[str, t.Any], field: str) -> RecordSpec:
    if not isinstance(item, dict):
        raise InputError(f"{field}: must be a dictionary with name and values", field=field)
    name = name_text(parse_name(item.get("name"), f"{field}.name"))
    values = item.get("values")
    if not isinstance(values, list) or not values:
        raise InputError(f"{field}.values: at least one TXT value is required", field=f"{field}.values")
    if any(not isinstance(value, str) or not value for value in values):
        raise InputError(f"{field}.values: TXT values must be non-empty strings", field=f"{field}.values")
    mode = item.get("mode") or "subset"
    if mode not in MODES:
        raise InputError(f"{field}.mode: must be one of {', '.join(MODES)}", field=f"{field}.mode")
    # dict.fromkeys keeps the order while dropping repeated values.
    return RecordSpec(name, tuple(dict.fromkeys(values)), mode)


def parse_settings(params: dict[str, t.Any]) -> WaitSettings:
    """Validate the module's timing and server options into ``WaitSettings``."""
    settings = WaitSettings(
        timeout=_positive(params, "timeout"),
        interval=_positive(params, "interval"),
        max_interval=_positive(params, "max_interval"),
        query_timeout=_positive(params, "query_timeout"),
        servfail_retries=_at_least_zero(params, "servfail_retries"),
        nameservers=_addresses(params, "nameservers"),
        resolvers=_resolvers(params.get("resolvers") or []),
        resolver_quorum=params.get("resolver_quorum"),
        bootstrap_resolvers=_addresses(params, "bootstrap_resolvers"),
        follow_cnames=bool(params.get("follow_cnames", True)),
        doh_method=_doh_method(params),
        doh_verify=_doh_verify(params),
    )
    if settings.max_interval < settings.interval:
        raise InputError("max_interval: must not be smaller than interval", field="max_interval")
    _check_quorum(settings)
    return settings


def _check_quorum(settings: WaitSettings) -> None:
    quorum = settings.resolver_quorum
    if quorum is not None and not 1 <= quorum <= len(settings.resolvers):
        raise InputError(f"resolver_quorum: must be between 1 and the number of resolvers ({len(settings.resolvers)})",
                         field="resolver_quorum")


def _positive(params: dict[str, t.Any], key: str) -> float:
    value = params.get(key)
    if value is None:
        return float(getattr(WaitSettings, key))
    if value <= 0:
        raise InputError(f"{key}: must be greater than 0", field=key)
    return float(value)


def _at_least_zero(params: dict[str, t.Any], key: str) -> int:
    value = params.get(key)
    if value is None:
        return int(getattr(WaitSettings, key))
    if value < 0:
        raise InputError(f"{key}: must not be negative", field=key)
    return int(value)


def _addresses(params: dict[str, t.Any], key: str) -> list[str]:
    raw = params.get(key) or []
    addresses = [parse_address(item, f"{key}[{index}]") for index, item in enumerate(raw)]
    return list(dict.fromkeys(addresses))


def _resolvers(raw: list[t.Any]) -> list[str]:
    """Addresses and DoH URLs, mixed, in the order given and without repeats."""
    return list(dict.fromkeys(parse_resolver(item, f"resolvers[{index}]") for index, item in enumerate(raw)))


def parse_resolver(text: t.Any, field: str) -> str:
    """An IP address or an ``https://`` DoH URL, normalised; ``InputError`` naming ``field`` otherwise."""
    if "://" in str(text):
        return parse_doh_url(text, field)
    try:
        return parse_address(text, field)
    except InputError:
        raise InputError(f"{field}: {text!r} is neither an IP address nor an https:// DoH URL", field=field) from None


def _doh_method(params: dict[str, t.Any]) -> str:
    method = str(params.get("doh_method") or WaitSettings.doh_method).upper()
    if method not in METHODS:
        raise InputError(f"doh_method: must be one of {', '.join(METHODS)}", field="doh_method")
    return method


def _doh_verify(params: dict[str, t.Any]) -> bool | str:
    """The CA bundle when one is given, else whether to check certificates at all."""
    bundle = params.get("doh_ca_bundle")
    check_ca_bundle(bundle, "doh_ca_bundle")
    return bundle or bool(params.get("validate_certs", True))
