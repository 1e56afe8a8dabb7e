# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: renewal_hooks
short_description: The hooks to run after a renewal, one entry per action
version_added: 0.2.0
description:
  - Takes the C(hooks) of every certificate whose report status is V(renewed) and turns them into one flat list of
    actions, in the certificate's order, so each action can run and fail on its own.
  - Certificates that were not renewed (not due, failed, dry runs report none) get no action.
  - A command given as a string is one program path without arguments; a list is the argument vector, never
    passed through a shell.
  - C(copy_to) yields one action per file of the certificate (C(cert_path), C(chain_path), C(fullchain_path),
    C(key_path)) and target; the key is always written with mode V(0600).
options:
  _input:
    description: The certificate definitions, as in C(dns01_renewal_certificates).
    type: list
    elements: dict
    required: true
  report:
    description: The renewal role's C(dns01_renewal_report) (C(id) and C(status) of each certificate).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Run the commands of the renewed certificates
  ansible.builtin.command:
    argv: "{{ item.argv }}"
  loop: >-
    {{ dns01_renewal_certificates | portable.dns01.renewal_hooks(dns01_renewal_report)
       | selectattr('kind', 'equalto', 'command') }}
"""

RETURN = r"""
_value:
  description: One entry per action.
  type: list
  elements: dict
  contains:
    certificate:
      description: The certificate's label.
      type: str
    kind:
      description: V(service), V(command) or V(copy).
      type: str
    label:
      description: What the action does, in words, for reports.
      type: str
    name:
      description: The service (V(service)).
      type: str
    state:
      description: The service's state, V(reloaded) unless set (V(service)).
      type: str
    argv:
      description: The argument vector (V(command)).
      type: list
      elements: str
    host:
      description: The inventory host to copy to (V(copy)).
      type: str
    src:
      description: The installed file on the renewal host (V(copy)); the same path is written on O(_input[].hooks.copy_to[].host).
      type: str
    secret:
      description: Whether the file is the private key (V(copy)).
      type: bool
    owner:
      description: The copy's owner, or null (V(copy)).
      type: str
    group:
      description: The copy's group, or null (V(copy)).
      type: str
    mode:
      description: The copy's mode (V(copy)); V(0600) for the key, V(0644) unless set otherwise.
      type: str
"""

from ansible_collections.portable.dns01.plugins.module_utils._renewal.certificates import label

FILE_KEYS = ("cert_path", "chain_path", "fullchain_path", "key_path")


def _actions(cert_id: str, certificate: dict, hooks: dict) -> list[dict]:
    actions = []
    for service in hooks.get("services") or []:
        state = service.get("state") or "reloaded"
        actions.append({"certificate": cert_id, "kind": "service", "name": service["name"], "state": state,
                        "label": f"service {service['name']} {state}"})
    for command in hooks.get("commands") or []:
        argv = [command] if isinstance(command, str) else [str(arg) for arg in command]
        actions.append({"certificate": cert_id, "kind": "command", "argv": argv, "label": "command " + " ".join(argv)})
    for target in hooks.get("copy_to") or []:
        for key in FILE_KEYS:
            path = certificate.get(key)
            if not path:
                continue
            secret = key == "key_path"
            actions.append({"certificate": cert_id, "kind": "copy", "host": target["host"], "src": path,
                            "secret": secret, "owner": target.get("owner"), "group": target.get("group"),
                            "mode": "0600" if secret else (target.get("mode") or "0644"),
                            "label": f"copy {path} to {target['host']}"})
    return actions


def renewal_hooks(certificates: list[dict], report: list[dict]) -> list[dict]:
    """The actions of the renewed certificates' hooks, certificate by certificate."""
    renewed = {str(entry.get("id")) for entry in report or [] if entry.get("status") == "renewed"}
    actions = []
    for certificate in certificates or []:
        cert_id = label(certificate)
        if cert_id in renewed and certificate.get("hooks"):
            actions.extend(_actions(cert_id, certificate, certificate["hooks"]))
    return actions


class FilterModule:
    """portable.dns01 filters."""

    def filters(self) -> dict:
        return {"renewal_hooks": renewal_hooks}
