# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A provider that keeps record sets in memory and pushes them to fake nameservers."""

from __future__ import annotations

import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context, Provider


class CnameProvider(Provider):
    """Record sets in ``store``; each change is copied to ``servers`` (``_dns`` FakeServers), after ``lag`` seconds
    on the last one when a transport to schedule it is given."""

    type_name = "fake"
    can_cname = True

    def __init__(self, name: str, ctx: Context, options: dict[str, t.Any], zone: str | None = None,
                 retries: int | None = None) -> None:
        super().__init__(name, ctx, options, zone, retries)
        self.store: dict[str, dict[str, list[str]]] = options["store"]
        self.servers: list[t.Any] = options.get("servers") or []
        self.transport = options.get("transport")
        self.lag = options.get("lag", 0.0)
        self.calls: list[tuple[str, ...]] = []

    def publish(self, name: str, values: set[str], ttl: int) -> None:
        raise NotImplementedError

    def remove(self, name: str, values: set[str]) -> None:
        raise NotImplementedError

    def list(self, name: str) -> set[str]:
        raise NotImplementedError

    def check_health(self) -> None:
        pass

    def rrsets(self, name: str) -> dict[str, list[str]]:
        self.calls.append(("rrsets", name))
        if self.zone is None:
            self.ctx.find_zone(name)  # as an API provider without a zone finds it: through the DNS
        return {rtype: list(values) for rtype, values in self.store.get(name, {}).items()}

    def set_cname(self, name: str, target: str, ttl: int) -> None:
        self.calls.append(("set_cname", name, target))
        self.store.setdefault(name, {})["CNAME"] = [target]
        self._push(name, target)

    def delete_rrset(self, name: str, rtype: str, values: list[str]) -> None:
        self.calls.append(("delete_rrset", name, rtype))
        self.store.get(name, {}).pop(rtype, None)
        if rtype == "CNAME":
            self._push(name, None)

    def _push(self, name: str, target: str | None) -> None:
        for index, server in enumerate(self.servers):
            def change(server: t.Any = server) -> None:
                server.remove(name, "CNAME")
                if target:
                    server.add(name, "CNAME", target + ".")
            if self.transport is not None and self.lag and index == len(self.servers) - 1:
                self.transport.at(self.lag, change)
            else:
                change()
