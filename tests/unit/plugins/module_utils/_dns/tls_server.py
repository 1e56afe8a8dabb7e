# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Real DoH servers on 127.0.0.1 for the DoH client's tests: TLS, HTTP/2 (h2) or HTTP/1.1.

Each answers DNS queries from a ``FakeServer``. ``H2DohServer`` can also stay
silent, or end the connection with a GOAWAY sent in the same write as the answer.
"""

from __future__ import annotations

import base64
import datetime
import http.server
import ipaddress
import socket
import ssl
import threading
import time
import typing as t
import urllib.parse

import dns.message
import h2.config
import h2.connection
import h2.events
import h2.exceptions
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._dns.fakes import FakeServer


def make_cert(folder: t.Any) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 in ``folder``: (cert path, key path); the cert is its own CA bundle."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dns01 unit test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return str(folder / "cert.pem"), str(folder / "key.pem")


def server_context(cert: tuple[str, str], alpn: list[str]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*cert)
    context.set_alpn_protocols(alpn)
    return context


def dns_answer(resolver: FakeServer, method: str, path: str, body: bytes) -> bytes:
    """The wire answer of ``resolver`` to the query a DoH GET (in ?dns=) or POST (the body) carries."""
    if method == "GET":
        encoded = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["dns"][0]
        body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    query = dns.message.from_wire(body)
    return resolver.respond(query).to_wire(max_size=65535)


class H2DohServer:
    """A DoH server speaking only HTTP/2; ``mode`` is "answer", "silent" or "goaway" (answer, then GOAWAY at once).

    ``seen`` holds each request's headers and body; ``connections`` counts the TLS connections accepted.
    ``handshake_delay`` seconds pass before the TLS handshake is answered, as on a loaded server.
    """

    def __init__(self, cert: tuple[str, str], resolver: FakeServer, mode: str = "answer", handshake_delay: float = 0.0) -> None:
        self.context = server_context(cert, ["h2"])
        self.resolver = resolver
        self.mode = mode
        self.handshake_delay = handshake_delay
        self.seen: list[tuple[dict[str, str], bytes]] = []
        self.connections = 0
        self._lock = threading.Lock()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"https://127.0.0.1:{self.port}/dns-query"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                raw, _address = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._connection, args=(raw,), daemon=True).start()

    def _connection(self, raw: socket.socket) -> None:
        time.sleep(self.handshake_delay)
        try:
            with self.context.wrap_socket(raw, server_side=True) as tls:
                self._handle(tls)
        except (OSError, ssl.SSLError, h2.exceptions.H2Error):
            # Clients hang up at any point; a frame after our GOAWAY is theirs to send.
            pass

    def _handle(self, tls: ssl.SSLSocket) -> None:
        connection = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
        connection.initiate_connection()
        tls.sendall(connection.data_to_send())
        headers: dict[int, dict[str, str]] = {}
        bodies: dict[int, bytes] = {}
        while True:
            data = tls.recv(65535)
            if not data:
                return
            for event in connection.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    headers[event.stream_id] = {name.decode(): value.decode() for name, value in event.headers}
                elif isinstance(event, h2.events.DataReceived):
                    bodies[event.stream_id] = bodies.get(event.stream_id, b"") + event.data
                    connection.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded) and self.mode != "silent":
                    self._answer(connection, event.stream_id, headers[event.stream_id], bodies.get(event.stream_id, b""))
            tls.sendall(connection.data_to_send())

    def _answer(self, connection: t.Any, stream_id: int, headers: dict[str, str], body: bytes) -> None:
        with self._lock:
            self.seen.append((headers, body))
        answer = dns_answer(self.resolver, headers[":method"], headers[":path"], body)
        connection.send_headers(stream_id, [(":status", "200"), ("content-type", "application/dns-message"),
                                            ("content-length", str(len(answer)))])
        connection.send_data(stream_id, answer, end_stream=True)
        if self.mode == "goaway":
            # A server closing gracefully after its last answer: GOAWAY with NO_ERROR naming this stream.
            connection.close_connection(last_stream_id=stream_id)

    def close(self) -> None:
        self.sock.close()


class Http11DohServer:
    """A DoH server speaking only HTTP/1.1 over TLS."""

    def __init__(self, cert: tuple[str, str], resolver: FakeServer) -> None:
        handler = type("Handler", (_Http11Handler,), {"resolver": resolver})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.socket = server_context(cert, ["http/1.1"]).wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/dns-query"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Http11Handler(http.server.BaseHTTPRequestHandler):
    resolver: FakeServer

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        self._answer(b"")

    def do_POST(self) -> None:  # pylint: disable=invalid-name
        self._answer(self.rfile.read(int(self.headers["content-length"])))

    def _answer(self, body: bytes) -> None:
        answer = dns_answer(self.resolver, self.command, self.path, body)
        self.send_response(200)
        self.send_header("content-type", "application/dns-message")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: t.Any) -> None:
        pass
