# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the acme_order module does, from its parameters to its result.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme import accounts, batch, challenges, directory, install, keys, state
from ansible_collections.portable.dns01.plugins.module_utils._acme.account import (
    AccountOptions,
    create_key,
    load_key,
    recover_key_file,
)
from ansible_collections.portable.dns01.plugins.module_utils._acme.client import connect
from ansible_collections.portable.dns01.plugins.module_utils._acme.complete import complete
from ansible_collections.portable.dns01.plugins.module_utils._acme.context import Context
from ansible_collections.portable.dns01.plugins.module_utils._acme.create import create
from ansible_collections.portable.dns01.plugins.module_utils._acme.spec import CertSpec, RunOptions, parse_all
from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError, InstallError, LockLostError

STEPS = {"create": create, "complete": complete}


def _account_key(account: AccountOptions, check_mode: bool, clock: Clock) -> tuple[t.Any, bool]:
    """(key or None, whether it was generated now). Check mode never writes the key."""
    key = load_key(account)
    if key is not None or check_mode:
        return key, False
    return create_key(account, clock.now().strftime("%Y%m%dT%H%M%SZ")), True


def _recover_one(spec: CertSpec, options: RunOptions) -> str | InstallError | None:
    paths = [path for path in spec.paths().values() if path]
    paths += [state.record_path(spec.cert_path), state.ari_path(spec.cert_path)]
    try:
        if options.check_mode:
            return "pending" if install.pending(spec.cert_path) else None
        return install.recover(spec.cert_path, paths, options.keep_backups)
    except InstallError as exc:
        return exc


def recover_all(specs: list[CertSpec], options: RunOptions) -> dict[str, str | InstallError | None]:
    """Finish or roll back installs a crash interrupted, before the CA is contacted.

    Runs first so that even a run that then fails (CA down) leaves each certificate beside its own key.
    """
    return {spec.label: _recover_one(spec, options) for spec in specs}


def _work(contexts: dict[str, Context], recovered: dict[str, t.Any]) -> batch.Work:
    def work(spec: CertSpec, result: dict[str, t.Any]) -> dict[str, t.Any]:
        outcome = recovered.get(spec.label)
        if isinstance(outcome, InstallError):
            raise outcome
        result["recovered"] = outcome
        ctx = contexts[spec.label]
        return STEPS[ctx.options.step](ctx, spec, result)
    return work


def check_profiles(specs: list[CertSpec], offered: dict[str, str] | None, indexes: list[int] | None = None) -> None:
    """Every requested profile is one the CA's directory lists, before anything is ordered."""
    for index, spec in zip(indexes or range(len(specs)), specs):
        if spec.profile is None or (offered and spec.profile in offered):
            continue
        field = f"certificates[{index}].profile"
        if not offered:
            raise InputError(f"{field}: {spec.profile!r} asked for, but this CA offers no profiles", field=field)
        raise InputError(f"{field}: this CA offers no profile {spec.profile!r}; it offers {', '.join(sorted(offered))}",
                         field=field)


def _summary(step: str, url: str, default: Context | None, results: list[dict[str, t.Any]],
             key_created: bool) -> dict[str, t.Any]:
    return {
        "changed": key_created or any(result["changed"] for result in results),
        "directory": url,
        "step": step,
        "account_url": default.client.account_url if default else None,
        "account_key_created": key_created,
        "certificates": results,
        "records": challenges.records([result["challenges"] for result in results]),
    }


def _fence_before_recovery(fence: t.Callable[[], None], specs: list[CertSpec]) -> None:
    """Recovery writes certificate files: only while the run lock is still ours. A lost lock fails every certificate."""
    try:
        fence()
    except LockLostError as exc:
        failed = [{"id": spec.label, "names": spec.names, "changed": False, "failed": True,
                   "error_class": LockLostError.__name__, "msg": exc.msg} for spec in specs]
        raise LockLostError(exc.msg, certificates=failed, **exc.details) from None


def _connect(group: accounts.AccountGroup, params: dict[str, t.Any], check_mode: bool, clock: Clock,
             session: t.Any) -> tuple[t.Any, bool]:
    """(client, whether its key was generated now) for one account; its certificates' profiles are checked."""
    if not check_mode:
        recover_key_file(group.options)
    key, key_created = _account_key(group.options, check_mode, clock)
    verify = directory.verify_option(params["ca_bundle"], params["validate_certs"])
    client = connect(group.url, verify, clock, keys.jwk_and_alg(key) if key else None, timeout=params["request_timeout"],
                     session=session)
    return client, key_created


def run(params: dict[str, t.Any], check_mode: bool, clock: Clock | None = None, session: t.Any = None,
        fence: t.Callable[[], None] | None = None) -> dict[str, t.Any]:
    """Validate everything, then work every certificate; ``session`` replaces HTTP in tests."""
    clock = clock or Clock()
    specs = parse_all(params["certificates"])
    options = RunOptions.from_params(params, check_mode)
    url = directory.resolve(params["directory"])
    groups = accounts.group(params)
    if fence and not check_mode:
        _fence_before_recovery(fence, specs)
    recovered = recover_all(specs, options)
    contexts: dict[str, Context] = {}
    by_group = []
    key_created = False
    for group in groups:
        client, created = _connect(group, params, check_mode, clock, session)
        key_created = key_created or created
        check_profiles([specs[index] for index in group.indexes], client.profiles(), group.indexes)
        ctx = Context(client, clock, options, group.options, fence)
        by_group.append((group, ctx))
        contexts.update({specs[index].label: ctx for index in group.indexes})
    results = batch.run_all(specs, _work(contexts, recovered), options.concurrency)
    for group, ctx in by_group:
        if not any(results[index]["failed"] for index in group.indexes):
            ctx.account_url()
    for spec, result in zip(specs, results):
        result["account_url"] = contexts[spec.label].client.account_url
    default = next((ctx for group, ctx in by_group if group.default), None)
    summary = _summary(options.step, url, default, results, key_created)
    lost = [result for result in results if result.get("error_class") == LockLostError.__name__]
    if lost:
        raise LockLostError(lost[0]["msg"], **summary)
    batch.raise_if_failed(results, summary)
    return summary
