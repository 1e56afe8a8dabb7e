# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fakes at the seams of publishing: time, providers and name lookups."""

from __future__ import annotations

import contextlib
import datetime
import http.server
import socket
import socketserver
import time
import struct
import threading
import typing as t

import dns.message
import dns.name
import dns.opcode
import dns.rdataclass
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.tsigkeyring

from ansible_collections.portable.dns01.tests.unit.fake_clock import FakeClock as SharedFakeClock
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import ProviderError
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context, Provider

SECRET = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA=="
ZONE = dns.name.from_text("fallback.test")
EPOCH = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)


class FakeClock(SharedFakeClock):
    """The shared fake clock, starting at this area's EPOCH."""

    def __init__(self) -> None:
        super().__init__(epoch=EPOCH)


class FakeProvider(Provider):
    """A provider that holds values in memory and fails from a script.

    ``failures`` is a list of exceptions raised by the next calls of
    publish/remove/list, one per call (None: that call works), before it
    starts to work; ``remove_failures`` the same for remove calls only.
    ``broken_gate`` lists names whose ``not_applicable`` raises once this
    provider has published something (a bug outside the provider's calls).
    ``calls``, when given, is the list every call is appended to, so a test
    that only has the options sees what the provider was asked.
    """

    type_name = "fake"

    def __init__(self, name: str, ctx: Context, options: dict[str, t.Any] | None = None, zone: str | None = None,
                 retries: int | None = None, **extra: t.Any) -> None:
        options = {**(options or {}), **extra}
        super().__init__(name, ctx, options, zone, retries)
        self.failures = list(options.get("failures") or [])
        self.store = options["store"] if options.get("store") is not None else {}
        self.calls: list[tuple[str, str]] = options["calls"] if options.get("calls") is not None else []
        self.cost = options.get("cost", 0.0)
        self.can_remove = options.get("can_remove", True)
        self.fail_on = set(options.get("fail_on") or ())
        self.fail_remove = options.get("fail_remove", False)
        self.remove_failures = list(options.get("remove_failures") or [])
        self.broken_gate = set(options.get("broken_gate") or ())

    def _step(self, what: str, name: str) -> None:
        self.calls.append((what, name))
        if self.cost:
            self.ctx.clock.sleep(self.cost)
        failure = self.failures.pop(0) if self.failures else None
        if failure is None and what == "remove" and self.remove_failures:
            failure = self.remove_failures.pop(0)
        if failure is not None:
            raise failure
        if name in self.fail_on or (what == "remove" and self.fail_remove):
            raise ProviderError(f"{self.name} is down")

    def not_applicable(self, name: str) -> str | None:
        if name in self.broken_gate and any(what == "publish" for what, _name in self.calls):
            raise RuntimeError(f"cannot decide about {name}")
        return super().not_applicable(name)

    def publish(self, name: str, values: set[str], ttl: int) -> None:
        self._step("publish", name)
        self.store.setdefault(name, set()).update(values)

    def remove(self, name: str, values: set[str]) -> None:
        self._step("remove", name)
        self.store.get(name, set()).difference_update(values)

    def list(self, name: str) -> set[str]:
        self._step("list", name)
        return set(self.store.get(name, set()))

    def check_health(self) -> None:
        self._step("health", "")


class FakeResolver:
    """CNAMEs and zones from dictionaries."""

    def __init__(self, cnames: dict[str, str] | None = None, zones: t.Iterable[str] = ()) -> None:
        self.cnames = cnames or {}
        self.zones = list(zones)

    def follow_cname(self, name: str) -> list[str]:
        chain = [name]
        while chain[-1] in self.cnames:
            chain.append(self.cnames[chain[-1]])
        return chain

    def find_zone(self, name: str) -> t.Any:
        zone = max((zone for zone in self.zones if name == zone or name.endswith("." + zone)), key=len)
        return type("Zone", (), {"name": zone, "nameservers": []})()


class ScriptedAdapter:
    """A requests transport adapter that answers from a script and records requests.

    Each script entry is ``(status, headers, body)`` or an exception to raise.
    """

    def __init__(self, script: list[t.Any]) -> None:
        self.script = list(script)
        self.requests: list[t.Any] = []
        self.timeouts: list[t.Any] = []

    def send(self, request: t.Any, **kwargs: t.Any) -> t.Any:
        import requests  # pylint: disable=import-outside-toplevel

        self.requests.append(request)
        self.timeouts.append(kwargs.get("timeout"))
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        status, headers, body = step
        response = requests.Response()
        response.status_code, response.url, response.request = status, request.url, request
        response.headers.update(headers)
        response._content = body.encode()  # pylint: disable=protected-access
        response.reason = {200: "OK", 401: "Unauthorized", 429: "Too Many Requests", 500: "Internal Server Error"}.get(status, "")
        return response

    def close(self) -> None:
        pass


def scripted_session(adapter: ScriptedAdapter) -> t.Callable[[], t.Any]:
    def factory() -> t.Any:
        import requests  # pylint: disable=import-outside-toplevel

        session = requests.Session()
        session.mount("http://", adapter)  # type: ignore[arg-type]
        session.mount("https://", adapter)  # type: ignore[arg-type]
        return session
    return factory


class Handler(socketserver.BaseRequestHandler):
    """One DNS message per connection: UPDATE changes the store, queries read it."""

    def handle(self) -> None:
        server: t.Any = self.server
        size = struct.unpack("!H", self._read(2))[0]
        query = dns.message.from_wire(self._read(size), keyring=server.keyring)
        response = dns.message.make_response(query)
        if server.tsig_answer:
            server.refuse_key(response)
        elif server.rcode:
            response.set_rcode(server.rcode)
        elif query.opcode() == dns.opcode.UPDATE:
            server.apply(query)
        else:
            server.answer(query, response)
        wire = response.to_wire()
        self.request.sendall(struct.pack("!H", len(wire)) + wire)

    def _read(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            data += self.request.recv(size - len(data))
        return data


class UpdateServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.keyring = dns.tsigkeyring.from_text({"acme-key": ("hmac-sha256", SECRET)})
        self.store: dict[dns.name.Name, set[bytes]] = {}
        self.rcode = 0
        # How the server turns the key down: "unsigned" answers FORMERR without
        # a TSIG (PowerDNS), "BADSIG" or "BADKEY" answer NOTAUTH with that TSIG error (BIND).
        self.tsig_answer: str | None = None

    def start(self) -> "UpdateServer":
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def refuse_key(self, response: t.Any) -> None:
        """Answer as a server that did not accept the request's TSIG key."""
        if self.tsig_answer == "unsigned":
            response.set_rcode(dns.rcode.FORMERR)
            response.tsig, response.keyring = None, None
        else:
            response.set_rcode(dns.rcode.NOTAUTH)
            response.use_tsig(self.keyring, keyname=response.keyname, tsig_error=dns.rcode.from_text(self.tsig_answer))

    def apply(self, update: t.Any) -> None:
        for rrset in update.update:
            values = self.store.setdefault(rrset.name, set())
            for rdata in rrset:
                (values.discard if rrset.deleting == dns.rdataclass.NONE else values.add)(b"".join(rdata.strings))

    def answer(self, query: t.Any, response: t.Any) -> None:
        question = query.question[0]
        if question.rdtype == dns.rdatatype.TXT and self.store.get(question.name):
            strings = [f'"{value.decode()}"' for value in sorted(self.store[question.name])]
            response.answer.append(dns.rrset.from_text_list(question.name, 60, "IN", "TXT", strings))
        else:
            response.authority.append(dns.rrset.from_text(ZONE, 60, "IN", "SOA", "ns1.fallback.test. admin.fallback.test. 1 60 60 60 60"))


@contextlib.contextmanager
def running_update_server() -> t.Iterator[UpdateServer]:
    """An UpdateServer for the duration of a test, shut down whatever happens."""
    stub = UpdateServer().start()
    try:
        yield stub
    finally:
        stub.shutdown()
        stub.server_close()


def workers(grace: float = 1.0) -> list[threading.Thread]:
    """Provider-call threads still running ``grace`` seconds from now (a loaded machine is slow to reap them)."""
    until = time.monotonic() + grace
    while True:
        alive = [thread for thread in threading.enumerate() if thread.name == "dns01-provider-call" and thread.is_alive()]
        if not alive or time.monotonic() > until:
            return alive
        time.sleep(0.05)


@contextlib.contextmanager
def blackholed_port() -> t.Iterator[int]:
    """A local TCP port whose accept queue is full: a connect to it times out, like a firewall DROP."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _index in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    time.sleep(0.05)
    try:
        yield port
    finally:
        for sock in fillers + [server]:
            sock.close()


def refused_port() -> int:
    """A local TCP port nobody listens on: a connect to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(handler: type[http.server.BaseHTTPRequestHandler], **attributes: t.Any) -> t.Iterator[http.server.ThreadingHTTPServer]:
    """A local HTTP API answering with ``handler``; ``attributes`` are set on the server for the handler to read."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    for name, value in attributes.items():
        setattr(httpd, name, value)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
