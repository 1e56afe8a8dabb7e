"""Reverse proxy that injects faults in front of one lab HTTP API.

The mode is read from a small file on every request, so ``lab.sh fault``
switches it without restarting anything. The file holds one line,
``MODE [SECONDS]``; a missing or empty file means ``none``.

Modes:
  none       forward verbatim (status, headers, body)
  slow [N]   wait N seconds (default 5), then forward
  http500    answer 500 with a JSON body
  http429    answer 429 with ``Retry-After: 2`` and a JSON body
  http503    answer 503 with ``Retry-After: 2`` and a JSON body
  http401    answer 401 with a JSON body
  blackhole  accept, read the request, never answer (until the client leaves)
  refused    reset the connection (SO_LINGER 0) as soon as it is accepted

The upstream connection is made from the client's own loopback address, so
an API that filters on the caller's address (acme-dns ``allowfrom``) sees the
real caller. Stdlib only: it runs with any Python 3.8+.
"""

import argparse
import http.client
import json
import select
import socket
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Headers that describe one hop, not the message: never forwarded.
HOP_BY_HOP = frozenset((
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "te", "trailer", "transfer-encoding", "upgrade", "content-length",
))

CANNED = {
    "http500": (500, {}, "internal server error (lab fault)"),
    "http429": (429, {"Retry-After": "2"}, "too many requests (lab fault)"),
    "http503": (503, {"Retry-After": "2"}, "service unavailable (lab fault)"),
    "http401": (401, {}, "unauthorized (lab fault)"),
}
MODES = frozenset(CANNED) | {"none", "slow", "blackhole", "refused"}
DEFAULT_SLOW_SECONDS = 5.0
BLACKHOLE_MAX_SECONDS = 600.0
UPSTREAM_TIMEOUT = 60.0


def read_mode(path):
    """Return (mode, seconds) from the mode file; unknown or absent -> none."""
    try:
        with open(path, encoding="ascii") as handle:
            words = handle.read().split()
    except OSError:
        return "none", 0.0
    if not words or words[0] not in MODES:
        return "none", 0.0
    seconds = DEFAULT_SLOW_SECONDS
    if len(words) > 1:
        try:
            seconds = float(words[1])
        except ValueError:
            pass
    return words[0], seconds


def reset_connection(sock):
    """Close with SO_LINGER 0 so the peer sees a TCP reset, not a clean FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def hold_until_peer_leaves(sock, limit):
    """Send nothing and keep the connection open until the client closes it."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        readable = select.select([sock], [], [], 1.0)[0]
        if readable:
            try:
                if not sock.recv(4096):
                    return
            except OSError:
                return


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, listen, upstream, mode_file):
        self.upstream = upstream
        self.mode_file = mode_file
        super().__init__(listen, FaultHandler)

    def verify_request(self, request, client_address):
        # "refused" acts before any byte is read, like a closed port would.
        if read_mode(self.mode_file)[0] == "refused":
            reset_connection(request)
            return False
        return True

    def handle_error(self, request, client_address):
        # Clients that give up (time-outs, resets under a fault) are expected.
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            sys.stderr.write("%s: %s\n" % (client_address[0], exc))
        else:
            super().handle_error(request, client_address)

    def shutdown_request(self, request):
        # A reset socket is already closed; closing it again must not fail.
        if request.fileno() != -1:
            super().shutdown_request(request)


class FaultHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lab-faultproxy"

    def do_GET(self):
        self.handle_any()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    mode = "none"

    def handle_any(self):
        mode, seconds = read_mode(self.server.mode_file)
        self.mode = mode
        body = self.read_body()
        if mode == "blackhole":
            self.close_connection = True
            hold_until_peer_leaves(self.connection, BLACKHOLE_MAX_SECONDS)
            return
        if mode == "refused":
            self.close_connection = True
            reset_connection(self.connection)
            return
        if mode in CANNED:
            self.send_canned(mode)
            return
        if mode == "slow":
            time.sleep(seconds)
        self.forward(body)

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self.read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def read_chunked(self):
        parts = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def send_canned(self, mode):
        status, extra, message = CANNED[mode]
        payload = json.dumps({"error": message, "lab_fault": mode}).encode()
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.write_body(payload)

    def forward(self, body):
        try:
            status, reason, headers, payload = self.call_upstream(body)
        except OSError as exc:
            payload = json.dumps({"error": "upstream unreachable: %s" % exc}).encode()
            status, reason = 502, "Bad Gateway"
            headers = [("Content-Type", "application/json")]
        self.send_response(status, reason)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.write_body(payload)

    def call_upstream(self, body):
        host, port = self.server.upstream
        conn = http.client.HTTPConnection(
            host, port, timeout=UPSTREAM_TIMEOUT,
            source_address=(self.client_address[0], 0))
        try:
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in HOP_BY_HOP}
            headers["X-Forwarded-For"] = self.client_address[0]
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.reason, resp.getheaders(), resp.read()
        finally:
            conn.close()

    def write_body(self, payload):
        if self.command != "HEAD":
            self.wfile.write(payload)

    def log_message(self, format, *args):  # noqa: A002 (stdlib signature)
        sys.stderr.write("%s %s [%s] %s\n" % (
            self.log_date_time_string(), self.client_address[0], self.mode, format % args))


def host_port(text):
    host, _sep, port = text.rpartition(":")
    return host, int(port)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=host_port, required=True, help="ADDR:PORT")
    parser.add_argument("--upstream", type=host_port, required=True, help="ADDR:PORT")
    parser.add_argument("--mode-file", required=True)
    args = parser.parse_args(argv)
    server = FaultServer(args.listen, args.upstream, args.mode_file)
    sys.stderr.write("faultproxy %s:%d -> %s:%d, mode file %s\n" % (
        args.listen + args.upstream + (args.mode_file,)))
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
