"""Real loopback servers for transport tests: plain HTTP/1.1 keep-alive, TLS (self-signed),
and a forward proxy that records what it was asked."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.message
import http.client
import http.server
import ipaddress
import socket
import socketserver
import ssl
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DOCUMENT = (
    b'{"version": {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": "/v3/"}]}}'
)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = DOCUMENT
        # One write: headers and body together (no Nagle/delayed-ACK stall on loopback).
        self.wfile.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + b"Content-Length: %d\r\n\r\n" % len(body)
            + body
        )

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    connections = 0

    def get_request(self):  # type: ignore[no-untyped-def]
        conn, addr = super().get_request()
        self.connections += 1
        return conn, addr


@contextmanager
def http_server(*, tls: tuple[Path, Path] | None = None) -> Iterator[_Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by itself: (cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


# A forward proxy ----------------------------------------------------------------------------
class ProxyLog:
    """What the proxy was asked: (method, target, Proxy-Authorization or None) per request."""

    def __init__(self, *, credentials: str | None) -> None:
        self.credentials = credentials  # "Basic ..." the proxy demands, else None
        self.seen: list[tuple[str, str, str | None]] = []
        self.connections = 0
        self.lock = threading.Lock()

    def record(self, method: str, target: str, authorization: str | None) -> None:
        with self.lock:
            self.seen.append((method, target, authorization))


class _ProxyHandler(socketserver.StreamRequestHandler):
    server: _ProxyServer

    def handle(self) -> None:
        log = self.server.log
        with log.lock:
            log.connections += 1
        while True:
            line = self.rfile.readline(65537)
            if not line.strip():
                return
            method, target, _ = line.decode("ascii").split(" ", 2)
            headers = http.client.parse_headers(self.rfile)
            authorization = headers.get("Proxy-Authorization")
            log.record(method, target, authorization)
            if log.credentials is not None and authorization != log.credentials:
                self.wfile.write(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n'
                )
                continue
            if method == "CONNECT":
                self._tunnel(target)
                return
            self._forward(method, target, headers)

    def _tunnel(self, authority: str) -> None:
        host, _, port = authority.rpartition(":")
        upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()

        def pump(source: socket.socket, sink: socket.socket) -> None:
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass
            finally:
                with contextlib.suppress(OSError):
                    sink.shutdown(socket.SHUT_WR)

        back = threading.Thread(target=pump, args=(upstream, self.connection), daemon=True)
        back.start()
        pump(self.connection, upstream)
        back.join(10)
        upstream.close()

    def _forward(self, method: str, target: str, headers: email.message.Message) -> None:
        parts = urllib.parse.urlsplit(target)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            # Not the absolute form a proxy needs.
            self.wfile.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        length = int(headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        upstream = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        passed = {k: v for k, v in headers.items() if k.lower() != "proxy-authorization"}
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        upstream.request(method, path or "/", body=body, headers=passed)
        answer = upstream.getresponse()
        data = answer.read()
        upstream.close()
        head = [f"HTTP/1.1 {answer.status} {answer.reason}"]
        head += [f"{k}: {v}" for k, v in answer.getheaders() if k.lower() != "content-length"]
        head.append(f"Content-Length: {len(data)}")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("iso-8859-1") + data)


class _ProxyServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    log: ProxyLog


@contextmanager
def forward_proxy(*, credentials: str | None = None) -> Iterator[tuple[str, ProxyLog]]:
    """A forward proxy on loopback (absolute-form requests and CONNECT tunnels): its URL and
    the log of what it was asked. With `credentials` ("Basic ..."), anything else gets 407."""
    server = _ProxyServer(("127.0.0.1", 0), _ProxyHandler)
    server.log = ProxyLog(credentials=credentials)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.log
    finally:
        server.shutdown()
        server.server_close()
