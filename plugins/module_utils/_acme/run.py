# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the acme_order module does, from its parameters to its result.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme import batch, challenges, directory, keys
from ansible_collections.portable.dns01.plugins.module_utils._acme.account import AccountOptions, create_key, load_key
from ansible_collections.portable.dns01.plugins.module_utils._acme.client import connect
from ansible_collections.portable.dns01.plugins.module_utils._acme.complete import complete
from ansible_collections.portable.dns01.plugins.module_utils._acme.context import Context
from ansible_collections.portable.dns01.plugins.module_utils._acme.create import create
from ansible_collections.portable.dns01.plugins.module_utils._acme.spec import RunOptions, parse_all
from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import LockLostError

STEPS = {"create": create, "complete": complete}


def _account_key(account: AccountOptions, check_mode: bool, clock: Clock) -> tuple[t.Any, bool]:
    """(key or None, whether it was generated now). Check mode never writes the key."""
    key = load_key(account)
    if key is not None or check_mode:
        return key, False
    return create_key(account, clock.now().strftime("%Y%m%dT%H%M%SZ")), True


def _summary(ctx: Context, url: str, results: list[dict[str, t.Any]], key_created: bool) -> dict[str, t.Any]:
    return {
        "changed": key_created or any(result["changed"] for result in results),
        "directory": url,
        "step": ctx.options.step,
        "account_url": ctx.client.account_url,
        "account_key_created": key_created,
        "certificates": results,
        "records": challenges.records([result["challenges"] for result in results]),
    }


def run(params: dict[str, t.Any], check_mode: bool, clock: Clock | None = None, session: t.Any = None,
        fence: t.Callable[[], None] | None = None) -> dict[str, t.Any]:
    """Validate everything, then work every certificate; ``session`` replaces HTTP in tests."""
    clock = clock or Clock()
    specs = parse_all(params["certificates"])
    options = RunOptions.from_params(params, check_mode)
    account = AccountOptions.from_params(params)
    url = directory.resolve(params["directory"])
    key, key_created = _account_key(account, check_mode, clock)
    verify = directory.verify_option(params["ca_bundle"], params["validate_certs"])
    client = connect(url, verify, clock, keys.jwk_and_alg(key) if key else None, timeout=params["request_timeout"], session=session)
    ctx = Context(client, clock, options, account, fence)
    results = batch.run_all(specs, lambda spec, result: STEPS[options.step](ctx, spec, result), options.concurrency)
    if results and not any(result["failed"] for result in results):
        ctx.account_url()
    summary = _summary(ctx, url, results, key_created)
    lost = [result for result in results if result.get("error_class") == LockLostError.__name__]
    if lost:
        raise LockLostError(lost[0]["msg"], **summary)
    batch.raise_if_failed(results, summary)
    return summary
