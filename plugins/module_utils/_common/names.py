# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DNS names from user input: the one place they are checked and converted.

This is a private module_utils file: its API may change without notice.
Internationalised names follow UTS 46 (non-transitional) and IDNA 2008, as
browsers, registries and CAs do: ``faß.de`` is ``xn--fa-hia.de``, not the
``fass.de`` of Python's IDNA 2003 codec. What leaves here is lower-case
ASCII without the trailing dot, the form every comparison uses.
"""

from __future__ import annotations

import re
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DependencyError, InputError

try:
    import idna
except ImportError as exc:
    IDNA_IMPORT_ERROR: ImportError | None = exc
else:
    IDNA_IMPORT_ERROR = None

CHALLENGE_LABEL = "_acme-challenge"
MAX_NAME_OCTETS = 253
MAX_LABEL_OCTETS = 63
# Host names (what a certificate names) and DNS owner names (which may hold
# underscore labels such as _acme-challenge); neither starts or ends with '-'.
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def normalize(name: str) -> str:
    """Lower case, no trailing dot: the form every comparison uses (no conversion)."""
    return name.strip().rstrip(".").lower()


def to_ascii(name: str, field: str) -> str:
    """``name`` with every label an A-label, in lower case, without the trailing dot.

    Raises ``InputError`` naming ``field`` for empty or overlong labels, names
    over 253 octets, and labels that IDNA 2008 does not allow.
    """
    text = name.strip().rstrip(".")
    if not text.isascii():
        text = _idna("remap", text, name, field)
    labels = [_label(label, name, field) for label in text.lower().split(".")]
    ascii_name = ".".join(labels)
    if len(ascii_name) > MAX_NAME_OCTETS:
        raise _invalid(name, field, f"longer than {MAX_NAME_OCTETS} octets")
    return ascii_name


def check_labels(ascii_name: str, original: t.Any, field: str, underscores: bool = True) -> None:
    """Raise ``InputError`` when a label is not a host name label (with ``underscores``, a DNS label)."""
    pattern = _DNS_LABEL if underscores else _HOST_LABEL
    bad = [label for label in ascii_name.split(".") if not pattern.match(label)]
    if bad:
        raise InputError(f"{field}: {original!r} has an invalid label {bad[0]!r}", field=field)


def dns_name(name: t.Any, field: str) -> str:
    """A user-given DNS owner name (underscore labels allowed), checked and in A-labels."""
    if not isinstance(name, str) or not normalize(name):
        raise InputError(f"{field}: a DNS name is required", field=field)
    ascii_name = to_ascii(name, field)
    check_labels(ascii_name, name, field)
    return ascii_name


def base_name(name: str) -> str:
    """The name a wildcard covers the children of: ``*.a.example`` -> ``a.example``."""
    return name[2:] if name.startswith("*.") else name


def challenge_name(name: str) -> str:
    """Where the dns-01 TXT record for ``name`` lives (RFC 8555 section 8.4); a wildcard's is its base name's."""
    return f"{CHALLENGE_LABEL}.{base_name(name)}"


def first_label(name: str) -> str:
    return normalize(name).split(".", 1)[0]


def _label(label: str, original: str, field: str) -> str:
    if not label:
        raise _invalid(original, field, "empty label")
    if not label.isascii():
        label = _idna("alabel", label, original, field)
    elif label.startswith("xn--"):
        # An A-label must decode to a U-label IDNA 2008 allows.
        _idna("ulabel", label, original, field)
    if len(label) > MAX_LABEL_OCTETS:
        raise _invalid(original, field, f"label {label!r} longer than {MAX_LABEL_OCTETS} octets")
    return label


def _idna(step: str, text: str, original: str, field: str) -> str:
    if IDNA_IMPORT_ERROR is not None:
        raise DependencyError("idna", exception=str(IDNA_IMPORT_ERROR))
    try:
        if step == "remap":
            return str(idna.uts46_remap(text, std3_rules=False, transitional=False))
        if step == "alabel":
            return bytes(idna.alabel(text)).decode("ascii")
        return str(idna.ulabel(text))
    except UnicodeError as exc:
        raise _invalid(original, field, str(exc)) from None


def _invalid(name: str, field: str, reason: str) -> InputError:
    return InputError(f"{field}: {name!r} is not a valid domain name ({reason})", field=field)
