# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: renewal_hook_results
short_description: What each hook action of a renewal did
version_added: 0.2.0
description:
  - From the registered results of the loops over P(portable.dns01.renewal_hooks#filter) actions, one entry per
    action that ran, with its certificate, what it did and whether it failed.
  - Output hidden by C(no_log) (the private key's copies) stays hidden.
options:
  _input:
    description: The registered results of the hook loops.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Keep what the hooks did
  ansible.builtin.set_fact:
    hook_results: "{{ [services, commands] | portable.dns01.renewal_hook_results }}"
"""

RETURN = r"""
_value:
  description: One entry per action that ran.
  type: list
  elements: dict
  contains:
    certificate:
      description: The certificate's label.
      type: str
    hook:
      description: What the action did, in words.
      type: str
    status:
      description: V(ok) or V(failed).
      type: str
    msg:
      description: Why it failed (a command's stderr or exit code), or null.
      type: str
    line:
      description: "The outcome in one line: C(hook <status>: <certificate>: <hook>[: <msg>])."
      type: str
"""

from ansible_collections.portable.dns01.plugins.plugin_utils._renewal_run import loop_results


def _why(result: dict) -> str:
    if "censored" in result:
        return "output hidden (the private key is secret)"
    stderr = str(result.get("stderr") or "").strip()
    if "rc" in result and result.get("rc") not in (None, 0):
        return f"exit code {result['rc']}" + (f": {stderr}" if stderr else "")
    return str(result.get("msg") or stderr or "failed")


def renewal_hook_results(registered: list[dict]) -> list[dict]:
    """One entry per hook action that ran, in order."""
    entries = []
    for loop in registered or []:
        for result in loop_results(loop):
            item = result.get("item") or {}
            if not item:
                continue
            failed = bool(result.get("failed"))
            status, msg = ("failed", _why(result)) if failed else ("ok", None)
            line = f"hook {status}: {item.get('certificate')}: {item.get('label')}" + (f": {msg}" if msg else "")
            entries.append({"certificate": item.get("certificate"), "hook": item.get("label"), "status": status,
                            "msg": msg, "line": line})
    return entries


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict:
        return {"renewal_hook_results": renewal_hook_results}
