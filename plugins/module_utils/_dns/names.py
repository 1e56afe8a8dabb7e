# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DNS names and addresses from user input, and back to text.

This is a private module_utils file: its API may change without notice.
Inside ``_dns`` names are ``dns.name.Name`` objects; what leaves it is text
in lower case without the trailing dot.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._common.names import dns_name

try:
    import dns.exception
    import dns.name
except ImportError:
    pass  # query.require_dnspython() reports it before any of this runs


def parse_name(text: str, field: str) -> dns.name.Name:
    """Parse a user-given absolute DNS name (A-labels, see ``_common.names``); ``InputError`` naming ``field``."""
    if not isinstance(text, str) or not text.strip(".").strip():
        raise InputError(f"{field}: a DNS name is required", field=field)
    ascii_name = dns_name(text, field)
    try:
        return dns.name.from_text(ascii_name)
    except dns.exception.DNSException as exc:
        raise InputError(f"{field}: {text!r} is not a DNS name ({exc})", field=field) from exc


def to_name(name: str | dns.name.Name) -> dns.name.Name:
    """Text or name to an absolute, lower-case ``dns.name.Name``."""
    if isinstance(name, dns.name.Name):
        return dns.name.from_text(name.to_text().lower())
    return dns.name.from_text(name.lower())


def name_text(name: dns.name.Name) -> str:
    """A name as returned to users: lower case, no trailing dot (the root is ``.``)."""
    if name == dns.name.root:
        return "."
    return name.to_text(omit_final_dot=True).lower()


def parse_address(text: str, field: str) -> str:
    """Check that ``text`` is an IPv4 or IPv6 address; return it normalised."""
    try:
        return str(ipaddress.ip_address(str(text).strip()))
    except ValueError as exc:
        raise InputError(f"{field}: {text!r} is not an IP address", field=field) from exc
