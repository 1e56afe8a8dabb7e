# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP/2 for a requests session, built on the h2 protocol library.

This is a private module_utils file: its API may change without notice.
requests speaks only HTTP/1.1, but some DNS-over-HTTPS servers (unbound
among them) speak only HTTP/2, which RFC 8484 recommends as the minimum.
``Http2Adapter`` is mounted on a session for ``https://``: it offers h2 by
ALPN and falls back to requests' own adapter when the server declines, so
callers keep one ``requests.Session`` seam either way.
"""

from __future__ import annotations

import http.client
import io
import os
import socket
import ssl
import time
import typing as t
import urllib.parse

try:
    import requests
    import requests.adapters
    import requests.certs
    import requests.exceptions
    import requests.models
    import requests.structures
    import requests.utils
except ImportError:
    requests = None

try:
    import h2.config
    import h2.connection
    import h2.events
    import h2.exceptions
except ImportError as exc:
    H2_IMPORT_ERROR: ImportError | None = exc
else:
    H2_IMPORT_ERROR = None

# HTTP/2 forbids connection-specific headers (RFC 9113 8.2.2); Host becomes :authority.
# Accept-Encoding is left out so the body needs no decoding here.
_DROPPED_HEADERS = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host", "te",
                    "accept-encoding"}
_RECV_SIZE = 65535
_BaseAdapter: t.Any = requests.adapters.BaseAdapter if requests is not None else object


def _timeouts(timeout: t.Any) -> tuple[float | None, float | None]:
    """requests' ``timeout`` (None, seconds, or a (connect, read) pair) as a pair."""
    if isinstance(timeout, tuple):
        return timeout[0], timeout[1]
    return timeout, timeout


def _tls_context(verify: t.Any, cert: t.Any) -> ssl.SSLContext:
    """A client TLS context as requests would verify: a CA bundle path, True (certifi) or False."""
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif isinstance(verify, str) and os.path.isdir(verify):
        context = ssl.create_default_context(capath=verify)
    else:
        context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else requests.certs.where())
    if isinstance(cert, tuple):
        context.load_cert_chain(*cert)
    elif cert:
        context.load_cert_chain(cert)
    context.set_alpn_protocols(["h2", "http/1.1"])
    return context


def _headers(request: t.Any, url: urllib.parse.SplitResult, body: bytes) -> list[tuple[str, str]]:
    """The pseudo-headers, then the request's own headers that HTTP/2 allows."""
    path = url.path or "/"
    headers = [(":method", request.method), (":scheme", "https"),
               (":authority", url.netloc.rpartition("@")[2]), (":path", f"{path}?{url.query}" if url.query else path)]
    headers += [(name.lower(), str(value)) for name, value in request.headers.items()
                if name.lower() not in _DROPPED_HEADERS and name.lower() != "content-length"]
    if body:
        headers.append(("content-length", str(len(body))))
    return headers


class _Stream:
    """What came back on the one stream of a connection."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = b""
        self.ended = False

    def take(self, event: t.Any, connection: t.Any) -> None:
        """Apply one h2 event to this stream."""
        if isinstance(event, h2.events.ResponseReceived):
            self.headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in event.headers}
            self.status = int(self.headers.pop(":status", "0"))
        elif isinstance(event, h2.events.DataReceived):
            self.body += event.data
            connection.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            self.ended = True
        elif isinstance(event, (h2.events.StreamReset, h2.events.ConnectionTerminated)):
            raise requests.exceptions.ConnectionError(f"HTTP/2 stream closed by the server: {event.error_code!r}")


class Http2Adapter(_BaseAdapter):
    """Sends a request over HTTP/2 when the server offers h2, through requests' adapter otherwise.

    One connection per request: DoH polls are seconds apart, and a
    connection that no two threads share needs no locking. A server without
    h2 costs one extra TLS handshake per request.
    """

    def __init__(self) -> None:
        super().__init__()
        self.fallback = requests.adapters.HTTPAdapter()

    def send(self, request: t.Any, stream: bool = False, timeout: t.Any = None, verify: t.Any = True,
             cert: t.Any = None, proxies: t.Any = None) -> t.Any:
        """Send ``request`` and return a ``requests.Response`` whose body is read in full."""
        url = urllib.parse.urlsplit(request.url)
        fallback = {"stream": stream, "timeout": timeout, "verify": verify, "cert": cert, "proxies": proxies}
        # Through a proxy, requests' CONNECT handling is needed: stay on HTTP/1.1.
        if url.scheme != "https" or requests.utils.select_proxy(request.url, proxies or {}):
            return self.fallback.send(request, **fallback)
        connect_timeout, read_timeout = _timeouts(timeout)
        tls = self._connect(url, verify, cert, connect_timeout)
        if tls.selected_alpn_protocol() != "h2":
            tls.close()
            return self.fallback.send(request, **fallback)
        with tls:
            answer = self._exchange(tls, request, url, read_timeout)
        return self._response(request, answer)

    def close(self) -> None:
        self.fallback.close()

    @staticmethod
    def _connect(url: urllib.parse.SplitResult, verify: t.Any, cert: t.Any, timeout: float | None) -> ssl.SSLSocket:
        """TCP and TLS within ``timeout``, with requests' exceptions for what fails."""
        try:
            raw = socket.create_connection((url.hostname, url.port or 443), timeout=timeout)
        except TimeoutError as exc:
            raise requests.exceptions.ConnectTimeout(f"connect to {url.netloc}: {exc}") from exc
        except OSError as exc:
            raise requests.exceptions.ConnectionError(f"connect to {url.netloc}: {exc}") from exc
        try:
            return _tls_context(verify, cert).wrap_socket(raw, server_hostname=url.hostname)
        except TimeoutError as exc:
            raw.close()
            raise requests.exceptions.ConnectTimeout(f"TLS handshake with {url.netloc}: {exc}") from exc
        except ssl.SSLError as exc:
            raw.close()
            raise requests.exceptions.SSLError(f"TLS handshake with {url.netloc}: {exc}") from exc
        except OSError as exc:
            raw.close()
            raise requests.exceptions.ConnectionError(f"TLS handshake with {url.netloc}: {exc}") from exc

    @staticmethod
    def _exchange(tls: ssl.SSLSocket, request: t.Any, url: urllib.parse.SplitResult, timeout: float | None) -> _Stream:
        """One request on stream 1; the whole answer must arrive within ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        body = request.body.encode("utf-8") if isinstance(request.body, str) else (request.body or b"")
        connection = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
        answer = _Stream()
        try:
            connection.initiate_connection()
            stream_id = connection.get_next_available_stream_id()
            connection.send_headers(stream_id, _headers(request, url, body), end_stream=not body)
            if body:
                # DNS messages fit the initial 64 KiB window; frames are smaller than that.
                size = connection.max_outbound_frame_size
                for start in range(0, len(body), size):
                    connection.send_data(stream_id, body[start:start + size], end_stream=start + size >= len(body))
            tls.sendall(connection.data_to_send())
            while not answer.ended:
                for event in connection.receive_data(_recv(tls, deadline)):
                    answer.take(event, connection)
                tls.sendall(connection.data_to_send())
        except TimeoutError as exc:
            raise requests.exceptions.ReadTimeout(f"no answer from {url.netloc} within {timeout}s") from exc
        except (OSError, h2.exceptions.H2Error) as exc:
            raise requests.exceptions.ConnectionError(f"HTTP/2 exchange with {url.netloc}: {exc}") from exc
        return answer

    def _response(self, request: t.Any, answer: _Stream) -> t.Any:
        response = requests.models.Response()
        response.status_code = answer.status
        response.reason = http.client.responses.get(answer.status, "")
        response.headers = requests.structures.CaseInsensitiveDict(answer.headers)
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        response.raw = io.BytesIO(answer.body)
        response.url = request.url
        response.request = request
        response.connection = self
        return response


def _recv(tls: ssl.SSLSocket, deadline: float | None) -> bytes:
    """The next bytes from the server before ``deadline``; a closed connection is an error."""
    if deadline is not None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        tls.settimeout(remaining)
    data = tls.recv(_RECV_SIZE)
    if not data:
        raise ConnectionResetError("the server closed the connection")
    return data
