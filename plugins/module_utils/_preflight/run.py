# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The checks before ordering: the work behind the ``preflight`` module.

This is a private module_utils file: its API may change without notice.
Every name is checked and every problem collected before anything fails,
so one run shows all that stands in the way of the order.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DnsQueryError, InputError, PreflightError
from ansible_collections.portable.dns01.plugins.module_utils._dns.names import name_text, parse_name
from ansible_collections.portable.dns01.plugins.module_utils._dns.query import Transport
from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Resolver
from ansible_collections.portable.dns01.plugins.module_utils._preflight.caa import CaaChecker, CaaPolicy, identities_for
from ansible_collections.portable.dns01.plugins.module_utils._preflight.dnssec import (
    BOGUS,
    ROOT_ANCHORS,
    SECURE,
    ChainChecker,
    parse_anchors,
)

CHALLENGE_LABEL = "_acme-challenge"


def parse_names(raw: t.Any) -> list[str]:
    """Certificate names, lower case, wildcards kept; InputError names the bad entry."""
    if not raw:
        raise InputError("names: at least one name is required", field="names")
    names = []
    for index, item in enumerate(raw):
        text = str(item).strip().lower().rstrip(".")
        base = text[2:] if text.startswith("*.") else text
        checked = name_text(parse_name(base, f"names[{index}]"))
        names.append(f"*.{checked}" if text.startswith("*.") else checked)
    return list(dict.fromkeys(names))


class Preflight:
    """CAA for every name, DNSSEC for the zone of every challenge name."""

    def __init__(self, params: dict[str, t.Any], resolver: t.Any, clock: Clock | None = None) -> None:
        self.params = params
        self.resolver = resolver
        self.clock = clock or Clock()

    def run(self) -> dict[str, t.Any]:
        names = parse_names(self.params.get("names"))
        caa = self._caa_checker()
        chain = self._chain_checker()
        results = [self._name(name, caa) for name in names]
        zones: dict[str, dict[str, t.Any]] = {}
        if chain is not None:
            for result in results:
                result["dnssec"] = self._dnssec(result["name"], chain, zones)
        problems = [problem for result in results for problem in _problems(result)]
        notes = sorted({note for result in results for note in _notes(result)})
        if problems:
            raise PreflightError(f"{len(problems)} problem(s) would make the CA refuse: " + " | ".join(problems),
                                 problems=problems, notes=notes, names=results)
        return {"changed": False, "names": results, "problems": [], "notes": notes}

    def _caa_checker(self) -> CaaChecker | None:
        if not self.params.get("caa", True):
            return None
        identities = identities_for(self.params.get("directory"), self.params.get("ca_identities"))
        policy = CaaPolicy(identities, self.params.get("account_uri") or None)
        return CaaChecker(self.resolver, policy)

    def _chain_checker(self) -> ChainChecker | None:
        if not self.params.get("dnssec", True):
            return None
        anchors = parse_anchors(self.params.get("dnssec_trust_anchors") or ROOT_ANCHORS)
        return ChainChecker(self.resolver, anchors, self.clock)

    @staticmethod
    def _name(name: str, caa: CaaChecker | None) -> dict[str, t.Any]:
        return {"name": name, "caa": caa.check(name) if caa else None}

    def _dnssec(self, name: str, chain: ChainChecker, zones: dict[str, dict[str, t.Any]]) -> dict[str, t.Any]:
        """Follow the challenge name's CNAMEs, then judge the zone the CA's resolvers end up asking."""
        challenge = f"{CHALLENGE_LABEL}.{name[2:] if name.startswith('*.') else name}"
        try:
            hops = self.resolver.follow_cname(challenge)
            zone = self.resolver.find_zone(hops[-1]).name
        except DnsQueryError as exc:
            return {"challenge_name": challenge, "cname_chain": [], "zone": None, "status": BOGUS,
                    "detail": f"the challenge name could not be followed: {exc.msg}", "chain": []}
        if zone not in zones:
            zones[zone] = chain.check(zone)
        return {"challenge_name": challenge, "cname_chain": hops if len(hops) > 1 else [], **zones[zone]}


def check(params: dict[str, t.Any], clock: Clock | None = None, resolver: t.Any = None) -> dict[str, t.Any]:
    """The preflight module's work: every name checked; PreflightError lists every problem."""
    clock = clock or Clock()
    resolver = resolver or Resolver(Transport(), params["bootstrap_resolvers"], clock, params["query_timeout"])
    return Preflight(params, resolver, clock).run()


def _problems(result: dict[str, t.Any]) -> list[str]:
    out = []
    caa = result.get("caa")
    if caa and not caa["allowed"]:
        where = f"CAA at {caa['relevant_name']}: {', '.join(caa['records'])}" if caa["records"] else "no CAA read"
        out.append(f"{result['name']}: the CA may not issue ({caa['reason']}) [{where}]")
    dnssec = result.get("dnssec")
    if dnssec and dnssec["status"] == BOGUS:
        out.append(f"{result['name']}: DNSSEC of {dnssec['zone'] or dnssec['challenge_name']} is bogus, every validation"
                   f" would fail: {dnssec['detail']}")
    return out


def _notes(result: dict[str, t.Any]) -> list[str]:
    out = list((result.get("caa") or {}).get("notes") or [])
    dnssec = result.get("dnssec")
    if dnssec and dnssec["status"] != BOGUS:
        verdict = "signed and validates" if dnssec["status"] == SECURE else "not signed (insecure): nothing to validate"
        out.append(f"{dnssec['zone']}: {verdict}")
    return out
