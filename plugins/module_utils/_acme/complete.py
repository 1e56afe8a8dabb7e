# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""step=complete for one certificate: answer, wait, finalize, download, install.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import os
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme import certs, challenges, keys, order, problems, state
from ansible_collections.portable.dns01.plugins.module_utils._acme.context import Context
from ansible_collections.portable.dns01.plugins.module_utils._acme.create import challenge_view, fix_attributes
from ansible_collections.portable.dns01.plugins.module_utils._acme.csr import build_csr
from ansible_collections.portable.dns01.plugins.module_utils._acme.install import FileSpec, changed_files, install
from ansible_collections.portable.dns01.plugins.module_utils._acme.spec import CertSpec
from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError
from ansible_collections.portable.dns01.plugins.module_utils._common.retry_after import retry_after_seconds

Authorizations = t.List[t.Tuple[str, t.Dict[str, t.Any]]]


def _answer_pending(ctx: Context, authorizations: Authorizations) -> None:
    for _url, authz in authorizations:
        challenge = challenges.dns_challenge(authz)
        if authz.get("status") != "pending":
            continue
        if challenge is None:
            raise AcmeError(f"the CA offers no dns-01 challenge for {challenges.identifier(authz)}")
        if challenge.get("status") == "pending":
            ctx.fence()
            ctx.client.answer(challenge)


def _refresh(ctx: Context, current: dict[str, dict[str, t.Any]], url: str) -> float | None:
    """Fetch one authorization into ``current``; the Retry-After it asks for."""
    current[url], response = ctx.client.fetch(url, f"reading the authorization {url}")
    return retry_after_seconds(response.headers.get("Retry-After"), ctx.clock.now())


def _poll(ctx: Context, authorizations: Authorizations, deadline: Deadline) -> Authorizations:
    """Wait until no authorization is pending, or one failed: then the order has failed anyway."""
    current = dict(authorizations)
    waiting = [url for url, authz in authorizations if authz.get("status") == "pending"]
    delays = order.poll_delays()
    # The polls' requests, and their retries, end by the deadline too; none is sent after it.
    with ctx.client.transport.within(deadline):
        while True:
            hints = [hint for hint in (_refresh(ctx, current, url) for url in waiting) if hint is not None]
            waiting = [url for url in waiting if current[url].get("status") == "pending"]
            if not waiting or any(authz.get("status") == "invalid" for authz in current.values()):
                return list(current.items())
            delay = next(delays)
            ctx.clock.sleep(deadline.cap(max(hints, default=delay)))
            if deadline.expired():
                names = ", ".join(challenges.identifier(current[url]) for url in waiting)
                raise AcmeError(f"validation of {names} still pending after {deadline.seconds:.0f} s; "
                                "run step=complete again to keep waiting")


def _fail_validation(ctx: Context, authorizations: Authorizations) -> None:
    unsettled = [authz for _url, authz in authorizations if authz.get("status") != "valid"]
    if not unsettled:
        return
    # The invalid ones carry the CA's reasons; the others only stopped waiting because of them.
    failed = [authz for authz in unsettled if authz.get("status") == "invalid"] or unsettled
    deactivated = []
    if ctx.options.deactivate_on_failure:
        # Pending authorizations would be handed out again and fail the same way; valid ones are kept for reuse.
        deactivated = [url for url, authz in authorizations
                       if authz.get("status") == "pending" and order.deactivate(ctx.client, url)]
    problem = problems.validation_problem(failed)
    raise AcmeError(problem["detail"], problem=problem, deactivated=deactivated)


def validate(ctx: Context, authorizations: Authorizations) -> Authorizations:
    """Answer the pending challenges and wait for every authorization to settle."""
    _answer_pending(ctx, authorizations)
    polled = _poll(ctx, authorizations, Deadline(ctx.clock, ctx.options.validation_timeout))
    _fail_validation(ctx, polled)
    return polled


def _order_problem(document: dict[str, t.Any]) -> AcmeError:
    fallback = {"type": problems.VALIDATION_FAILED, "detail": "the order is invalid"}
    problem = problems.from_json(document.get("error") or fallback)
    return AcmeError(f"the order is invalid: {problems.short(problem)}", problem=problem)


def _wait_order(ctx: Context, url: str, states: tuple[str, ...], deadline: Deadline) -> dict[str, t.Any]:
    with ctx.client.transport.within(deadline):
        document = order.wait_for(lambda: order.fetch_order(ctx.client, url),
                                  lambda doc: doc.get("status") in states + ("invalid",), deadline, ctx.clock,
                                  f"waiting for the order {url}")
    if document.get("status") == "invalid":
        raise _order_problem(document)
    return document


def certificate_key(spec: CertSpec) -> tuple[t.Any, bool]:
    """(key, reused): the existing key when reuse_key asks for it and it fits key_type, else a new one."""
    if spec.reuse_key and os.path.isfile(spec.key_path):
        with open(spec.key_path, "rb") as handle:
            key = keys.load_key(handle.read(), "key_path")
        if keys.key_type_of(key) == spec.key_type:
            return key, True
    return keys.generate_key(spec.key_type), False


def issue(ctx: Context, spec: CertSpec, url: str, key: t.Any) -> tuple[str, list[str]]:
    """Finalize the validated order with a CSR for ``key``; the chains the CA issued."""
    deadline = Deadline(ctx.clock, ctx.options.validation_timeout)
    document = _wait_order(ctx, url, ("ready", "valid"), deadline)
    if document.get("status") == "ready":
        order.finalize(ctx.client, document, build_csr(key, spec.names))
        document = _wait_order(ctx, url, ("valid",), deadline)
    return order.download(ctx.client, document["certificate"])


def _files(ctx: Context, spec: CertSpec, new_key: t.Any, fullchain: str) -> list[FileSpec]:
    """What to write; a reused key is left as it is on disk."""
    blocks = certs.split_pem(fullchain)
    if not blocks:
        raise AcmeError("the CA returned no certificate")
    files = [FileSpec(spec.cert_path, blocks[0].encode("ascii"), spec.mode, spec.uid, spec.gid),
             state.record(spec.cert_path, certs.load_pem(blocks[0]), ctx.client.account_url, spec.profile)]
    if new_key is not None:
        files.append(FileSpec(spec.key_path, keys.key_pem(new_key), 0o600, spec.uid, spec.gid))
    if spec.chain_path:
        files.append(FileSpec(spec.chain_path, "".join(blocks[1:]).encode("ascii"), spec.mode, spec.uid, spec.gid))
    if spec.fullchain_path:
        files.append(FileSpec(spec.fullchain_path, "".join(blocks).encode("ascii"), spec.mode, spec.uid, spec.gid))
    return files


def deploy(ctx: Context, spec: CertSpec, chains: tuple[str, list[str]], new_key: t.Any) -> dict[str, t.Any]:
    """Install the preferred chain; what changed and what the certificate is."""
    chain = certs.select_chain(chains[0], chains[1], spec.preferred_chain)
    files = changed_files(_files(ctx, spec, new_key, chain))
    if files:
        ctx.fence()
    backups = install(files, ctx.stamp(), anchor=spec.cert_path, keep=ctx.options.keep_backups) if files else {}
    # Files whose content did not change may still have another owner or mode than asked.
    fixed = fix_attributes(spec, False)
    leaf = certs.load_pem(certs.split_pem(chain)[0])
    return {"changed": bool(files or fixed), "backup_files": backups, "certificate": certs.describe(leaf),
            "attributes_changed": fixed}


def _key_on_disk(spec: CertSpec, chains: tuple[str, list[str]]) -> None:
    """An order finalized in an earlier run is only usable with the key that run installed."""
    leaf = certs.load_pem(certs.split_pem(chains[0])[0])
    if os.path.isfile(spec.key_path):
        with open(spec.key_path, "rb") as handle:
            if certs.same_public_key(leaf, keys.load_key(handle.read(), "key_path")):
                return
    raise AcmeError(f"the order {spec.order_url} was finalized with a key that is not at {spec.key_path}; "
                    "run step=create with force to place a new order")


def _check_mode(ctx: Context, spec: CertSpec, result: dict[str, t.Any]) -> dict[str, t.Any]:
    result.update(changed=True, reason="would answer the challenges, finalize and install")
    if ctx.account_url() is not None:
        result["order_status"] = order.fetch_order(ctx.client, spec.order_url or "")[0].get("status")
    return result


def _reorder(ctx: Context, spec: CertSpec, result: dict[str, t.Any], why: str) -> dict[str, t.Any]:
    """Replace an order the CA abandoned, once; carry the new one on when its authorizations are all valid."""
    url, document, _replaces = order.new_order(ctx.client, spec.names, None, spec.profile)
    authorizations = order.fetch_authorizations(ctx.client, document)
    result.update(order_url=url, order_status=document.get("status"), abandoned_order=spec.order_url)
    result.update(challenge_view(ctx, authorizations))
    if any(authz.get("status") != "valid" for _url, authz in authorizations):
        raise AcmeError(f"the CA abandoned the order {spec.order_url} ({why}); a new order {url} was placed: publish "
                        "the TXT records returned in records and run step=complete with the new order_url",
                        order_url=url, abandoned_order=spec.order_url)
    key, reused = certificate_key(spec)
    result.update(deploy(ctx, spec, issue(ctx, spec, url, key), None if reused else key))
    result.update(order_status="valid")
    return result


def _failed_by_the_ca(ctx: Context, document: dict[str, t.Any]) -> bool:
    """An invalid order that carries the CA's reason: an error, or a failed authorization."""
    if document.get("error"):
        return True
    try:
        authorizations = order.fetch_authorizations(ctx.client, document)
    except AcmeError:
        return False
    return any(authz.get("status") == "invalid" for _url, authz in authorizations)


def _fetch_or_abandoned(ctx: Context, spec: CertSpec) -> tuple[dict[str, t.Any] | None, str | None]:
    """(the order, None), or (None, why the CA abandoned it)."""
    try:
        document, _response = order.fetch_order(ctx.client, spec.order_url or "")
    except AcmeError as exc:
        if exc.details.get("status") == 404:
            return None, "it is gone"
        raise
    if document.get("status") == "invalid" and _failed_by_the_ca(ctx, document):
        raise _order_problem(document)
    why = order.abandoned(document, ctx.clock.now())
    return (None, why) if why else (document, None)


def complete(ctx: Context, spec: CertSpec, result: dict[str, t.Any]) -> dict[str, t.Any]:
    """Carry the order given by order_url through to installed files."""
    if not spec.order_url:
        result.update(changed=False, reason="no order_url given: nothing to complete")
        return result
    if ctx.options.check_mode:
        return _check_mode(ctx, spec, result)
    ctx.account_url()
    document, why = _fetch_or_abandoned(ctx, spec)
    if document is None:
        return _reorder(ctx, spec, result, why or "")
    result.update(order_url=spec.order_url, order_status=document.get("status"))
    if document.get("status") == "valid":
        chains = order.download(ctx.client, document["certificate"])
        _key_on_disk(spec, chains)
        result.update(deploy(ctx, spec, chains, None))
        return result
    authorizations = order.fetch_authorizations(ctx.client, document)
    # The records are those published before this step, returned so they can be cleaned up.
    result.update(challenge_view(ctx, authorizations))
    statuses = {url: authz.get("status") for url, authz in validate(ctx, authorizations)}
    for item in result["authorizations"]:
        item["status"] = statuses.get(item["url"], item["status"])
    key, reused = certificate_key(spec)
    result.update(deploy(ctx, spec, issue(ctx, spec, spec.order_url, key), None if reused else key))
    result.update(order_status="valid")
    return result
