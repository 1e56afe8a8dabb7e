# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test doubles for the ACME unit tests: real certificates made with cryptography, a scripted HTTP session."""

from __future__ import annotations

import datetime
import json

import josepy as jose
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from ansible_collections.portable.dns01.plugins.module_utils._acme.keys import generate_key

NOW = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.timezone.utc)


def make_cert(names, key_type="ec256", days_left=60.0, lifetime=90, issuer_cn="Test Intermediate", serial=0x1234, key=None):
    """A certificate for ``names`` valid until NOW + ``days_left``, issued by a throwaway CA key."""
    key = key or generate_key(key_type)
    ca_key = generate_key("ec256")
    not_after = NOW + datetime.timedelta(days=days_left)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)]))
               .public_key(key.public_key()).serial_number(serial)
               .not_valid_before(not_after - datetime.timedelta(days=lifetime)).not_valid_after(not_after)
               .add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False))
    return builder.sign(ca_key, hashes.SHA256()), key


class FakeAcmeServer:
    """A scripted ACME server behind the requests-session seam.

    Every answer carries a fresh nonce. ``script(method, url, *answers)`` queues
    answers for a URL; the last one repeats. An answer is (status, json, headers)
    or an exception to raise, like a dropped connection.
    """

    DIRECTORY = "https://ca.test/dir"

    def __init__(self, directory=None):
        self.calls = []
        self.queues = {}
        self.count = 0
        base = {"newNonce": "https://ca.test/nonce", "newAccount": "https://ca.test/account",
                "newOrder": "https://ca.test/order", "revokeCert": "https://ca.test/revoke", "meta": {}}
        self.script("GET", self.DIRECTORY, (200, dict(base, **(directory or {})), {}))
        self.script("HEAD", base["newNonce"], (200, None, {}))

    def script(self, method, url, *answers):
        self.queues[(method, url)] = list(answers)

    def posts(self, url):
        return [call for call in self.calls if call[0] == "POST" and call[1] == url]

    def request(self, method, url, *args, **kwargs):
        self.calls.append((method, url, kwargs.get("data")))
        queue = self.queues[(method, url)]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, Hang):
            answer.wait(kwargs.get("timeout"))
        return self._response(*answer)

    def _response(self, status, body, headers):
        self.count += 1
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode() if body is not None else b""
        kind = "application/problem+json" if status >= 400 else "application/json"
        response.headers.update({"Content-Type": kind, "Replay-Nonce": jose.b64encode(b"nonce-%d" % self.count).decode()})
        response.headers.update(headers)
        return response

    def mount(self, prefix, adapter):
        pass

    def close(self):
        pass


class Hang:
    """An answer that never comes: the request's whole time-out passes on ``clock``, then requests gives up."""

    def __init__(self, clock):
        self.clock = clock
        self.timeouts = []

    def wait(self, timeout):
        self.timeouts.append(timeout)
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        self.clock.advance(read)
        raise requests.ReadTimeout(f"read timed out after {read}s")


def problem(code, detail="", status=400):
    return (status, {"type": f"urn:ietf:params:acme:error:{code}", "detail": detail or code}, {})
