# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Many certificates in one call: a thread pool, and a result per certificate.

This is a private module_utils file: its API may change without notice.
One certificate's failure is recorded in its own result and does not stop
the others; the run fails only after every certificate was attempted.
"""

from __future__ import annotations

import concurrent.futures
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme.spec import CertSpec
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError, Dns01Error

Work = t.Callable[[CertSpec, t.Dict[str, t.Any]], t.Dict[str, t.Any]]


def base_result(spec: CertSpec) -> dict[str, t.Any]:
    """The keys every certificate's result has, whatever happened to it."""
    result: dict[str, t.Any] = {"id": spec.label, "names": spec.names, "changed": False, "failed": False,
                                "msg": "", "problem": None, "order_url": spec.order_url, "order_status": None,
                                "authorizations": [], "challenges": {}, "records": [], "valid_identifiers": [],
                                "recovered": None, "abandoned_order": None,
                                "attributes_changed": []}
    result.update(spec.paths())
    return result


def _guarded(work: Work, spec: CertSpec) -> dict[str, t.Any]:
    result = base_result(spec)
    try:
        return work(spec, result)
    except Dns01Error as exc:
        # Keep what was learnt before the failure: the records to clean up, the order URL.
        result.update(exc.result())
        result.update(failed=True, problem=exc.details.get("problem"))
        return result


def run_all(specs: list[CertSpec], work: Work, concurrency: int) -> list[dict[str, t.Any]]:
    """``work`` for every spec, ``concurrency`` at a time; results in the order of ``specs``."""
    workers = max(1, min(concurrency, len(specs)))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_guarded, work, spec) for spec in specs]
        return [future.result() for future in futures]


def raise_if_failed(results: list[dict[str, t.Any]], summary: dict[str, t.Any]) -> None:
    """Fail the run, with every result attached, when any certificate failed."""
    failed = [result for result in results if result["failed"]]
    if not failed:
        return
    labels = ", ".join(f"{result['id']} ({result['msg']})" for result in failed)
    raise AcmeError(f"{len(failed)} of {len(results)} certificates failed: {labels}", **summary)
