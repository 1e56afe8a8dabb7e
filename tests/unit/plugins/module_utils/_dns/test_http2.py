# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Http2Adapter against real TLS servers on 127.0.0.1: HTTP/2, the HTTP/1.1 fallback, time-outs, verification."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import socket
import ssl
import threading
import time
import typing as t

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.portable.dns01.plugins.module_utils._dns.doh import new_session

h2_connection = pytest.importorskip("h2.connection")
h2_config = pytest.importorskip("h2.config")
h2_events = pytest.importorskip("h2.events")


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1: (cert path, key path); the cert is its own CA bundle."""
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
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return str(folder / "cert.pem"), str(folder / "key.pem")


def _server_context(cert: tuple[str, str], alpn: list[str]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*cert)
    context.set_alpn_protocols(alpn)
    return context


class H2Server:
    """Answers each HTTP/2 request with its own body reversed, or never when ``silent``."""

    def __init__(self, cert: tuple[str, str], silent: bool = False) -> None:
        self.context = _server_context(cert, ["h2"])
        self.silent = silent
        self.seen: list[tuple[dict[str, str], bytes]] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                raw, _address = self.sock.accept()
            except OSError:
                return
            try:
                with self.context.wrap_socket(raw, server_side=True) as tls:
                    self._handle(tls)
            except (OSError, ssl.SSLError):
                continue

    def _handle(self, tls: ssl.SSLSocket) -> None:
        connection = h2_connection.H2Connection(config=h2_config.H2Configuration(client_side=False))
        connection.initiate_connection()
        tls.sendall(connection.data_to_send())
        headers: dict[str, str] = {}
        body = b""
        while True:
            data = tls.recv(65535)
            if not data:
                return
            for event in connection.receive_data(data):
                if isinstance(event, h2_events.RequestReceived):
                    headers = {name.decode(): value.decode() for name, value in event.headers}
                elif isinstance(event, h2_events.DataReceived):
                    body += event.data
                elif isinstance(event, h2_events.StreamEnded) and not self.silent:
                    self.seen.append((headers, body))
                    connection.send_headers(event.stream_id, [(":status", "200"), ("content-type", "application/dns-message")])
                    connection.send_data(event.stream_id, body[::-1], end_stream=True)
            tls.sendall(connection.data_to_send())

    def close(self) -> None:
        self.sock.close()


class _Http1Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # pylint: disable=invalid-name
        body = self.rfile.read(int(self.headers["content-length"]))
        self.send_response(200)
        self.send_header("content-type", "application/dns-message")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[::-1])

    def log_message(self, *args: t.Any) -> None:
        pass


@pytest.fixture
def h2_server(cert: tuple[str, str]) -> t.Iterator[H2Server]:
    server = H2Server(cert)
    yield server
    server.close()


def post(port: int, verify: t.Any, timeout: float = 2.0) -> requests.Response:
    return new_session().post(f"https://127.0.0.1:{port}/dns-query?ct=1", data=b"\x00\x00query",
                              headers={"content-type": "application/dns-message"}, timeout=timeout, verify=verify)


def test_http2_round_trip(h2_server: H2Server, cert: tuple[str, str]) -> None:
    response = post(h2_server.port, cert[0])
    assert response.status_code == 200 and response.content == b"yreuq\x00\x00"
    assert response.headers["Content-Type"] == "application/dns-message"
    headers, body = h2_server.seen[0]
    assert body == b"\x00\x00query" and headers[":path"] == "/dns-query?ct=1" and headers[":method"] == "POST"
    assert headers[":authority"] == f"127.0.0.1:{h2_server.port}" and headers["content-length"] == "7"
    assert "connection" not in headers and "host" not in headers


def test_http11_server_is_reached_through_the_fallback(cert: tuple[str, str]) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Http1Handler)
    server.socket = _server_context(cert, ["http/1.1"]).wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        response = post(server.server_address[1], cert[0])
    finally:
        server.shutdown()
        server.server_close()
    assert response.status_code == 200 and response.content == b"yreuq\x00\x00"


def test_a_silent_server_times_out_within_the_timeout(cert: tuple[str, str]) -> None:
    server = H2Server(cert, silent=True)
    started = time.monotonic()
    try:
        with pytest.raises(requests.exceptions.ReadTimeout):
            post(server.port, cert[0], timeout=0.5)
    finally:
        server.close()
    assert time.monotonic() - started < 2.0


def test_an_untrusted_certificate_is_refused(h2_server: H2Server) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        post(h2_server.port, True)
    assert not h2_server.seen


def test_verification_can_be_turned_off(h2_server: H2Server) -> None:
    assert post(h2_server.port, False).status_code == 200


def test_nobody_listening_is_a_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(requests.exceptions.ConnectionError):
        post(port, False)
