# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""CAA (RFC 8659, with the RFC 8657 parameters): may this CA issue for a name?

This is a private module_utils file: its API may change without notice.
The relevant RRset is the closest one found climbing from the name towards
the root (the root itself excluded), each query following CNAMEs as an
ordinary lookup does. A wildcard name is looked up without its ``*.`` label
and honours ``issuewild`` when the relevant RRset has any.
"""

from __future__ import annotations

import dataclasses
import typing as t
from urllib.parse import urlsplit

from ansible_collections.portable.dns01.plugins.module_utils._acme.directory import SHORTHANDS
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError, InputError
from ansible_collections.portable.dns01.plugins.module_utils._dns.names import name_text, to_name
from ansible_collections.portable.dns01.plugins.module_utils._preflight.lookup import Authoritative, cname_target, rrset

try:
    import dns.name
    import dns.rdatatype
except ImportError:
    pass  # query.require_dnspython() reports it before any of this runs

# The identity each CA looks for in issue/issuewild, per directory shorthand.
IDENTITIES = {
    "letsencrypt": ["letsencrypt.org"],
    "letsencrypt_staging": ["letsencrypt.org"],
    "google": ["pki.goog"],
    "google_staging": ["pki.goog"],
    "zerossl": ["sectigo.com"],
}
# Property tags a CA understands; an unknown tag with the critical flag forbids issuance.
KNOWN_TAGS = ("issue", "issuewild", "iodef", "issuemail", "issuevmc", "contactemail", "contactphone")
CRITICAL = 128
METHOD = "dns-01"
MAX_CNAME_DEPTH = 8


@dataclasses.dataclass(frozen=True)
class CaaPolicy:
    """Who orders: the CA's identities, the ACME account URI (when known) and the validation method."""

    identities: tuple[str, ...]
    account_uri: str | None = None
    method: str = METHOD


def identities_for(directory: str | None, given: list[str] | None) -> tuple[str, ...]:
    """The CA identities to check: those given, else the directory's well-known ones."""
    if given:
        return tuple(dict.fromkeys(item.strip().lower().rstrip(".") for item in given if item.strip()))
    key = (directory or "").strip().lower()
    by_url = {urlsplit(url).netloc: name for name, url in SHORTHANDS.items()}
    key = key if key in IDENTITIES else by_url.get(urlsplit(key).netloc, "")
    if key not in IDENTITIES:
        raise InputError(f"ca_identities: the CAA identity of directory {directory!r} is not known; list the issuer"
                         " domain names the CA looks for in CAA records", field="ca_identities")
    return tuple(IDENTITIES[key])


@dataclasses.dataclass
class Property:
    """One CAA record: flags, tag and value."""

    flags: int
    tag: str
    value: str

    def text(self) -> str:
        return f'{self.flags} {self.tag} "{self.value}"'


def parse_issue(value: str) -> tuple[str, dict[str, str]] | None:
    """(issuer domain, parameters) of an issue/issuewild value; None when it is malformed."""
    issuer, _sep, rest = value.partition(";")
    params: dict[str, str] = {}
    for part in rest.split(";"):
        if not part.strip():
            continue
        key, sep, param = part.partition("=")
        if not sep or not key.strip():
            return None
        params[key.strip().lower()] = param.strip()
    return issuer.strip().lower().rstrip("."), params


def evaluate(props: list[Property], wildcard: bool, policy: CaaPolicy) -> tuple[bool, str, list[str]]:
    """(allowed, why, notes) for the relevant RRset ``props``."""
    critical = sorted({prop.tag for prop in props if prop.flags & CRITICAL and prop.tag not in KNOWN_TAGS})
    if critical:
        return False, f"critical property {', '.join(critical)} that the CA does not understand", []
    wild = [prop for prop in props if prop.tag == "issuewild"] if wildcard else []
    relevant = wild or [prop for prop in props if prop.tag == "issue"]
    if not relevant:
        return True, "no issue property: any CA may issue", []
    reasons, notes = [], []
    for prop in relevant:
        refusal = _refusal(prop, policy, notes)
        if refusal is None:
            return True, f"allowed by {prop.text()}", notes
        reasons.append(f"{prop.text()}: {refusal}")
    return False, "; ".join(reasons), []


def _refusal(prop: Property, policy: CaaPolicy, notes: list[str]) -> str | None:
    """Why ``prop`` does not authorize this CA, account and method; None when it does."""
    parsed = parse_issue(prop.value)
    if parsed is None:
        return "malformed value"
    issuer, params = parsed
    if not issuer:
        return "no CA may issue"
    if issuer not in policy.identities:
        return f"names {issuer}, not {', '.join(policy.identities)}"
    methods = params.get("validationmethods")
    if methods is not None and policy.method not in [item.strip() for item in methods.split(",")]:
        return f"validationmethods={methods} does not include {policy.method}"
    account = params.get("accounturi")
    if account is not None and policy.account_uri is None:
        notes.append(f"{prop.text()} limits issuance to one ACME account; set account_uri to check it is ours")
    elif account is not None and account != policy.account_uri:
        return f"accounturi is {account}, not our account {policy.account_uri}"
    return None


class CaaChecker:
    """Finds the relevant CAA RRset of names and judges it against a policy."""

    def __init__(self, resolver: t.Any, policy: CaaPolicy) -> None:
        self.resolver = resolver
        self.auth = Authoritative(resolver)
        self.policy = policy

    def check(self, name: str) -> dict[str, t.Any]:
        """One name's verdict: where its CAA RRset lives, the records, allowed or not and why."""
        wildcard = name.startswith("*.")
        lookup = to_name(name[2:] if wildcard else name)
        result: dict[str, t.Any] = {"name": name, "wildcard": wildcard, "lookup_name": name_text(lookup)}
        try:
            found, owner, chain = self._relevant(lookup)
        except DnsQueryError as exc:
            # The CA refuses when it cannot read CAA either.
            result.update(allowed=False, relevant_name=None, records=[], cname_chain=[],
                          reason=f"CAA lookup failed: {exc.msg}", notes=[])
            return result
        allowed, reason, notes = evaluate(found, wildcard, self.policy)
        result.update(allowed=allowed, relevant_name=owner, records=[prop.text() for prop in found],
                      cname_chain=chain, reason=reason, notes=notes)
        return result

    def _relevant(self, name: dns.name.Name) -> tuple[list[Property], str | None, list[str]]:
        """The closest CAA RRset at or above ``name``: (properties, where it was found, CNAMEs followed)."""
        current = name
        while current != dns.name.root:
            props, chain = self._caa_at(current)
            if props:
                return props, chain[-1], chain if len(chain) > 1 else []
            current = current.parent()
        return [], None, []

    def _caa_at(self, name: dns.name.Name) -> tuple[list[Property], list[str]]:
        """CAA(X) of RFC 8659: the CAA RRset at ``name``, CNAMEs chased."""
        chain = [name]
        while True:
            zone = self.resolver.find_zone(chain[-1])
            message = self.auth.ask(zone, chain[-1], "CAA")
            found = rrset(message, chain[-1], dns.rdatatype.CAA)
            if found:
                return [_property(rdata) for rdata in found], [name_text(hop) for hop in chain]
            target = cname_target(message, chain[-1])
            if target is None:
                return [], [name_text(hop) for hop in chain]
            if target in chain or len(chain) > MAX_CNAME_DEPTH:
                hops = " -> ".join(name_text(hop) for hop in chain + [target])
                raise DnsQueryError(f"CNAME loop or chain too long while looking up CAA: {hops}")
            chain.append(target)


def _property(rdata: t.Any) -> Property:
    return Property(int(rdata.flags), rdata.tag.decode("ascii", "replace").lower(), rdata.value.decode("utf-8", "replace"))
