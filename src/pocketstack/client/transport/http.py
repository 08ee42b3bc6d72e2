"""The default transport: stdlib `http.client` with a small keep-alive pool and TLS.

Chosen over urllib3/requests/httpx because it costs nothing extra to import beyond what a
JSON client needs and is as fast per request on loopback (figures in the issue 3 report).
"""

from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
from urllib.parse import urlsplit

from pocketstack.client.errors import (
    ConnectFailure,
    InvalidResponse,
    RequestTimeout,
    SSLFailure,
)
from pocketstack.client.transport import Headers, Request, Response, TLSOptions

__all__ = ["HTTPTransport", "TLSOptions", "build_ssl_context"]

_PoolKey = tuple[str, str, int]


def build_ssl_context(options: TLSOptions) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=options.cafile)
    if not options.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if options.certfile:
        context.load_cert_chain(options.certfile, options.keyfile)
    return context


def _is_dropped(conn: http.client.HTTPConnection) -> bool:
    """An idle keep-alive socket that is readable has been closed (or sent junk) by the server."""
    sock = conn.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class HTTPTransport:
    def __init__(self, *, tls: TLSOptions | None = None, pool_size: int = 4) -> None:
        self._tls = tls or TLSOptions()
        self._pool_size = pool_size
        self._ssl_context: ssl.SSLContext | None = None
        self._idle: dict[_PoolKey, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            try:
                self._ssl_context = build_ssl_context(self._tls)
            except (OSError, ssl.SSLError) as exc:
                raise SSLFailure(f"Cannot load TLS files: {exc}") from exc
        return self._ssl_context

    def _acquire(
        self, key: _PoolKey, timeout: float | None
    ) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            idle = self._idle.get(key, [])
            while idle:
                conn = idle.pop()
                if _is_dropped(conn):
                    conn.close()
                    continue
                if conn.sock is not None:
                    conn.sock.settimeout(timeout)
                conn.timeout = timeout
                return conn, True
        scheme, host, port = key
        if scheme == "https":
            return (
                http.client.HTTPSConnection(host, port, timeout=timeout, context=self._context()),
                False,
            )
        return http.client.HTTPConnection(host, port, timeout=timeout), False

    def _release(self, key: _PoolKey, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self._pool_size:
                idle.append(conn)
                return
        conn.close()

    def send(self, request: Request) -> Response:
        parts = urlsplit(request.url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise ConnectFailure(
                f"Unsupported URL {request.url!r}: only http:// and https:// URLs can be used",
                method=request.method,
                url=request.url,
            )
        port = parts.port or (443 if scheme == "https" else 80)
        key = (scheme, parts.hostname, port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        for attempt in range(2):
            conn, reused = self._acquire(key, request.timeout)
            try:
                conn.request(
                    request.method, target, body=request.body, headers=dict(request.headers)
                )
                raw = conn.getresponse()
                body = raw.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                conn.close()
                # A reused keep-alive connection the server closed meanwhile: the request
                # never reached the application, so sending it once more is safe.
                if reused and attempt == 0:
                    continue
                raise ConnectFailure(
                    f"Connection to {parts.netloc} was closed: {exc}",
                    method=request.method,
                    url=request.url,
                ) from exc
            except BaseException as exc:
                conn.close()
                raise _translate(exc, request=request, netloc=parts.netloc) from exc
            if raw.will_close:
                conn.close()
            else:
                self._release(key, conn)
            return Response(
                status=raw.status,
                reason=raw.reason,
                headers=Headers(raw.getheaders()),
                body=body,
                url=request.url,
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        with self._lock:
            for idle in self._idle.values():
                for conn in idle:
                    conn.close()
            self._idle.clear()


def _translate(exc: BaseException, *, request: Request, netloc: str) -> BaseException:
    where = {"method": request.method, "url": request.url}
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        reason = getattr(exc, "reason", None) or str(exc)
        return SSLFailure(f"SSL exception connecting to {request.url}: {reason}", **where)
    if isinstance(exc, TimeoutError | socket.timeout):
        return RequestTimeout(f"Request to {request.url} timed out", **where)
    if isinstance(exc, http.client.HTTPException):
        return InvalidResponse(f"Invalid HTTP answer from {netloc}: {exc!r}")
    if isinstance(exc, socket.gaierror):
        return ConnectFailure(f"Unable to resolve {netloc}: {exc.strerror or exc}", **where)
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        return ConnectFailure(f"Unable to establish connection to {request.url}: {reason}", **where)
    return exc
