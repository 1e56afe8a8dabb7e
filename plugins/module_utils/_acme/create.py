# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""step=create for one certificate: decide, order (or resume), return the challenges.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme import ari, certs, challenges, install, order, state
from ansible_collections.portable.dns01.plugins.module_utils._acme.context import Context
from ansible_collections.portable.dns01.plugins.module_utils._acme.renewal import Decision, decide
from ansible_collections.portable.dns01.plugins.module_utils._acme.spec import CertSpec
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError, InstallError
from ansible_collections.portable.dns01.plugins.module_utils._common.retry_after import retry_after_seconds


def renewal_info(ctx: Context, spec: CertSpec, cert: t.Any) -> ari.RenewalInfo | None:
    """The CA's renewal information for ``cert``, or None without ARI.

    An answer is reused until its Retry-After has passed. ARI is advice: when the
    CA cannot answer, the last answer (or renew_before_days) decides instead.
    """
    base = ctx.client.directory.get("renewalInfo")
    identifier = ari.cert_id(cert) if cert is not None and base else None
    if identifier is None:
        return None
    now = ctx.clock.now()
    cached = state.read_ari(spec.cert_path, identifier)
    if cached is not None and now < cached.next_poll:
        return cached
    try:
        response = ctx.client.get(ari.renewal_url(base, identifier), "reading renewal information")
        document = response.json()
    except (AcmeError, ValueError):
        return cached
    info = ari.RenewalInfo.from_document(document, retry_after_seconds(response.headers.get("Retry-After"), now), now)
    if not ctx.options.check_mode:
        state.write_ari(spec.cert_path, identifier, info)
    return info


def plan(ctx: Context, spec: CertSpec) -> tuple[t.Any, Decision, ari.RenewalInfo | None]:
    """(installed cert, decision, the CA's renewal information)."""
    cert = certs.read_cert(spec.cert_path)
    info = renewal_info(ctx, spec, cert)
    recorded = state.read_record(spec.cert_path, cert)
    options = ctx.options
    decision = decide(cert, spec.names, spec.key_type, ctx.clock.now(), options.renew_before_days,
                      window=info.window if info else None, force=options.force,
                      profile=(spec.profile, recorded.get("profile")))
    return cert, decision, info


def replaces_for(ctx: Context, spec: CertSpec, cert: t.Any, info: ari.RenewalInfo | None) -> str | None:
    """The ARI id to send as ``replaces``: only for a certificate this account ordered from this CA."""
    if cert is None or info is None:
        return None
    recorded = state.read_record(spec.cert_path, cert)
    if not recorded.get("account") or recorded.get("account") != ctx.client.account_url:
        return None
    return ari.cert_id(cert)


def _info_view(info: ari.RenewalInfo | None, decision: Decision) -> dict[str, t.Any] | None:
    if info is None:
        return None
    return dict(info.to_json(), renew_at=decision.renew_at.isoformat() if decision.renew_at else None)


def fix_attributes(spec: CertSpec, check_mode: bool) -> list[str]:
    """Bring the installed files to the asked owner, group and mode; the paths that differed."""
    try:
        return [path for path, mode, uid, gid in spec.attributes() if install.converge(path, mode, uid, gid, check_mode)]
    except OSError as exc:
        raise InstallError(f"setting owner or mode of {exc.filename}: {exc.strerror}", paths=[exc.filename]) from exc


def _resume(ctx: Context, spec: CertSpec) -> tuple[tuple[str, dict[str, t.Any]] | None, str | None]:
    """(the given order to carry on, or None; why it cannot be carried on)."""
    if not spec.order_url:
        return None, None
    try:
        document, _response = order.fetch_order(ctx.client, spec.order_url)
    except AcmeError as exc:
        if exc.details.get("status") == 404:
            return None, "is gone"
        raise
    why = order.abandoned(document, ctx.clock.now())
    if why:
        return None, why.replace("it ", "", 1)
    if not order.resumable(document, spec.names):
        return None, "is for other names"
    return (spec.order_url, document), None


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
    cert, decision, info = plan(ctx, spec)
    result.update(reason=decision.reason, needs_order=decision.needed, renewal_info=_info_view(info, decision),
                  certificate=certs.describe(cert) if cert is not None else None)
    if not decision.needed or ctx.options.check_mode:
        result["attributes_changed"] = fix_attributes(spec, ctx.options.check_mode)
        result["changed"] = decision.needed or bool(result["attributes_changed"])
        return result
    ctx.account_url()
    resumed, why = _resume(ctx, spec)
    if resumed:
        (url, document), replaces = resumed, None
    else:
        url, document, replaces = order.new_order(ctx.client, spec.names, replaces_for(ctx, spec, cert, info), spec.profile)
    if why:
        # An order the CA abandoned (invalid, expired, gone) is replaced once, here, by the new one.
        result["reason"] = f"{decision.reason}; the order {spec.order_url} {why}, so a new one was placed"
        result["abandoned_order"] = spec.order_url if why != "is for other names" else None
    result.update(changed=True, order_url=url, order_status=document.get("status"), replaces=replaces)
    result.update(challenge_view(ctx, order.fetch_authorizations(ctx.client, document)))
    return result
