# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run the acme-dns double: ``python server.py --domain auth.acme-dns.test ...``.

Importable too: ``AcmeDnsDouble(DoubleConfig(...)).start()`` serves the API
and DNS from background threads, on ephemeral ports when the ports are 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading
import time
import typing as t
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the package importable from its parent directory.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# pylint: disable=wrong-import-position
from acmedns_double.api import AcmeDnsApi, ApiSettings, make_http_server  # noqa: E402
from acmedns_double.nameserver import Zone, ZoneSettings, make_dns_servers  # noqa: E402
from acmedns_double.store import Store  # noqa: E402


@dataclasses.dataclass(frozen=True)
class DoubleConfig:  # pylint: disable=too-many-instance-attributes  # mirrors config.cfg keys
    """The subset of acme-dns's config.cfg the double understands."""

    domain: str
    nsname: str
    db: str
    api_address: str = "127.0.0.1"
    api_port: int = 0
    dns_address: str = "127.0.0.1"
    dns_port: int = 0
    nsadmin: str | None = None
    ns_address: str | None = None
    disable_registration: bool = False
    use_header: bool = False
    header_name: str = "X-Forwarded-For"
    bcrypt_cost: int = 10

    def zone_settings(self) -> ZoneSettings:
        """The DNS side's settings; address records point at the DNS listener by default."""
        address = self.ns_address
        if address is None and self.dns_address not in ("0.0.0.0", "::", ""):
            address = self.dns_address
        return ZoneSettings(self.domain.rstrip("."), self.nsname.rstrip("."), self.nsadmin or f"admin.{self.domain.rstrip('.')}", address)

    def api_settings(self) -> ApiSettings:
        """The API side's settings."""
        return ApiSettings(self.domain.rstrip("."), self.disable_registration, self.use_header, self.header_name)


class AcmeDnsDouble:
    """One acme-dns instance: API and DNS over UDP and TCP, sharing one database file."""

    def __init__(self, config: DoubleConfig, clock: t.Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self._store: Store | None = None
        self._servers: list[t.Any] = []
        self._threads: list[threading.Thread] = []

    @property
    def api_port(self) -> int:
        """The bound API port."""
        return int(self._servers[0].server_address[1])

    @property
    def dns_port(self) -> int:
        """The bound DNS port, the same for UDP and TCP."""
        return int(self._servers[1].server_address[1])

    @property
    def api_url(self) -> str:
        """Base URL of the API."""
        host = self.config.api_address
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.api_port}"

    def start(self) -> "AcmeDnsDouble":
        """Open the database, bind every listener, then serve from daemon threads."""
        self._store = Store(self.config.db, self.config.bcrypt_cost, self.clock)
        try:
            api = AcmeDnsApi(self._store, self.config.api_settings())
            self._servers.append(make_http_server(api, self.config.api_address, self.config.api_port))
            zone = Zone(self.config.zone_settings(), self._store)
            self._servers.extend(make_dns_servers(zone, self.config.dns_address, self.config.dns_port))
        except BaseException:
            self.stop()
            raise
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop serving and close the listeners and the database."""
        if self._threads:
            # shutdown() waits out one poll interval: stop all listeners at once, not in turn.
            stoppers = [threading.Thread(target=server.shutdown) for server in self._servers]
            for stopper in stoppers:
                stopper.start()
            for thread in stoppers + self._threads:
                thread.join(timeout=5)
        for server in self._servers:
            server.server_close()
        self._servers, self._threads = [], []
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> "AcmeDnsDouble":
        return self.start()

    def __exit__(self, *exc: t.Any) -> None:
        self.stop()


def parse_args(argv: t.Sequence[str] | None = None) -> DoubleConfig:
    """The command line, named after acme-dns's config.cfg keys."""
    parser = argparse.ArgumentParser(description="acme-dns test double: HTTP API and authoritative DNS")
    parser.add_argument("--api-address", default="127.0.0.1")
    parser.add_argument("--api-port", type=int, default=80)
    parser.add_argument("--dns-address", default="127.0.0.1")
    parser.add_argument("--dns-port", type=int, default=53)
    parser.add_argument("--domain", required=True, help="zone acme-dns is authoritative for")
    parser.add_argument("--nsname", required=True, help="name server name in the NS and SOA records")
    parser.add_argument("--nsadmin", help="SOA mailbox (default admin.DOMAIN)")
    parser.add_argument("--ns-address", help="address for the A/AAAA records (default: --dns-address)")
    parser.add_argument("--db", required=True, help="SQLite database file, may be shared by instances")
    parser.add_argument("--disable-registration", action="store_true")
    parser.add_argument("--use-header", action="store_true", help="check allowfrom against --header-name")
    parser.add_argument("--header-name", default="X-Forwarded-For")
    parser.add_argument("--bcrypt-cost", type=int, default=10)
    args = parser.parse_args(argv)
    return DoubleConfig(**{field.name: getattr(args, field.name) for field in dataclasses.fields(DoubleConfig)})


def main(argv: t.Sequence[str] | None = None) -> int:
    """Serve until SIGTERM or SIGINT."""
    double = AcmeDnsDouble(parse_args(argv)).start()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    sys.stderr.write(f"acme-dns double ready: api {double.api_url} dns {double.config.dns_address}:{double.dns_port} udp+tcp\n")
    sys.stderr.flush()
    stopping.wait()
    double.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
