# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""step=create for one certificate: decide, order (or resume), return the challenges.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme import ari, certs, challenges, order
from ansible_collections.portable.dns01.plugins.module_utils._acme.context import Context
from ansible_collections.portable.dns01.plugins.module_utils._acme.renewal import Decision, decide
from ansible_collections.portable.dns01.plugins.module_utils._acme.spec import CertSpec
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError


def renewal_window(ctx: Context, cert: t.Any) -> t.Any:
    """The CA's suggested window for ``cert``, or None without ARI.

    ARI is advice: when the CA cannot answer, renew_before_days decides instead.
    """
    base = ctx.client.directory.get("renewalInfo")
    identifier = ari.cert_id(cert) if cert is not None and base else None
    if identifier is None:
        return None
    try:
        document = ctx.client.get_json(ari.renewal_url(base, identifier), "reading renewal information")
    except AcmeError:
        return None
    return ari.parse_window(document)


def plan(ctx: Context, spec: CertSpec) -> tuple[t.Any, Decision, str | None]:
    """(installed cert, decision, the ARI id to send as ``replaces``)."""
    cert = certs.read_cert(spec.cert_path)
    window = renewal_window(ctx, cert)
    options = ctx.options
    decision = decide(cert, spec.names, spec.key_type, ctx.clock.now(), options.renew_before_days,
                      window=window, force=options.force)
    replaces = ari.cert_id(cert) if window is not None else None
    return cert, decision, replaces


def _resume(ctx: Context, spec: CertSpec) -> tuple[str, dict[str, t.Any]] | None:
    if not spec.order_url:
        return None
    try:
        document, _response = order.fetch_order(ctx.client, spec.order_url)
    except AcmeError as exc:
        if exc.details.get("status") == 404:
            return None
        raise
    return (spec.order_url, document) if order.resumable(document, spec.names) else None


def challenge_view(ctx: Context, authorizations: list[tuple[str, dict[str, t.Any]]]) -> dict[str, t.Any]:
    """Authorizations, and the TXT records the pending ones need, grouped by record name."""
    described = []
    for url, authz in authorizations:
        challenge = challenges.dns_challenge(authz) if authz.get("status") == "pending" else None
        value = challenges.txt_value(challenge, ctx.client.account_jwk) if challenge else None
        described.append(challenges.describe(url, authz, value))
    grouped = challenges.group(described)
    return {"authorizations": described, "challenges": grouped, "records": challenges.records([grouped]),
            "valid_identifiers": [item["identifier"] for item in described if item["status"] == "valid"]}


def create(ctx: Context, spec: CertSpec, result: dict[str, t.Any]) -> dict[str, t.Any]:
    """Order when needed (not in check mode) and fill ``result`` with the challenges."""
    cert, decision, replaces = plan(ctx, spec)
    result.update(reason=decision.reason, needs_order=decision.needed,
                  certificate=certs.describe(cert) if cert is not None else None)
    if not decision.needed or ctx.options.check_mode:
        result["changed"] = decision.needed
        return result
    ctx.account_url()
    url, document = _resume(ctx, spec) or order.new_order(ctx.client, spec.names, replaces)
    result.update(changed=True, order_url=url, order_status=document.get("status"), replaces=replaces)
    result.update(challenge_view(ctx, order.fetch_authorizations(ctx.client, document)))
    return result
