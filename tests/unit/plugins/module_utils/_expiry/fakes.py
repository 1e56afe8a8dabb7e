# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Certificates of chosen ages, and a TLS server that serves one: the seams of expiry checks."""

from __future__ import annotations

import contextlib
import datetime
import json
import pathlib
import socket
import ssl
import tempfile
import threading
import typing as t

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

KEY = ec.generate_private_key(ec.SECP256R1())


def make_cert(now: datetime.datetime, days_left: float, names: t.Sequence[str] = ("www.example.test",),
              serial: int | None = None) -> x509.Certificate:
    """A certificate that expires ``days_left`` days after ``now`` (negative: expired)."""
    not_after = now + datetime.timedelta(days=days_left)
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Expiry Test CA")])
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(issuer).public_key(KEY.public_key())
            .serial_number(serial or x509.random_serial_number())
            .not_valid_before(min(now, not_after) - datetime.timedelta(days=90))
            .not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(KEY.public_key()), critical=False)
            .sign(KEY, hashes.SHA256()))


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def write_cert(path: pathlib.Path, cert: x509.Certificate) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(pem(cert))
    return str(path)


@contextlib.contextmanager
def tls_server(cert: x509.Certificate, address: str = "127.0.0.1") -> t.Iterator[tuple[str, int, list[str]]]:
    """Serves ``cert`` on a free port; yields (address, port, the SNI names clients sent)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:
        cert_file, key_file = pathlib.Path(tmp, "cert.pem"), pathlib.Path(tmp, "key.pem")
        cert_file.write_text(pem(cert))
        key_file.write_bytes(KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        context.load_cert_chain(cert_file, key_file)
    names: list[str] = []
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,misc]
    listener = socket.create_server((address, 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _peer = listener.accept()
            except OSError:
                continue
            with contextlib.suppress(OSError, ssl.SSLError):
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield address, listener.getsockname()[1], names
    finally:
        stop.set()
        thread.join(2)
        listener.close()


# The CA's renewal information at the HTTP seam.
DIRECTORY = "https://ca.example/dir"
INFO = "https://ca.example/renewal-info"


class Answer:
    """A requests response: status and JSON body (a str body is parsed, so it may be invalid)."""

    def __init__(self, status: int, body: t.Any) -> None:
        self.status_code, self.body = status, body

    def json(self) -> t.Any:
        if isinstance(self.body, str):
            return json.loads(self.body)
        return self.body


class Session:
    """GET answers by URL; records what was asked."""

    def __init__(self, answers: dict[str, t.Any]) -> None:
        self.answers, self.asked = answers, []

    def get(self, url: str, timeout: float, verify: t.Any) -> Answer:
        self.asked.append(url)
        answer = self.answers[url]
        if isinstance(answer, Exception):
            raise answer
        return answer


WINDOW = {"suggestedWindow": {"start": "2026-11-20T00:00:00Z", "end": "2026-11-25T00:00:00Z"}}
