"""The default transport: HTTP/1.1 over a socket, with a small keep-alive pool, TLS, and the
proxies the environment names (HTTP_PROXY, HTTPS_PROXY, NO_PROXY, as requests reads them).

Hand-written instead of `http.client` because of what that module costs to import, not to use:
it pulls in the `email` package to parse headers; `transport.connection` holds the small part
of HTTP/1.1 a JSON API client needs. Warm-path module: see docs/startup.md.

Plain `http://` uses the `_socket` extension module directly (the `socket` wrapper adds
`selectors`, `array` and enum conversions for nothing we use); `https://` imports `socket` and
`ssl`, which TLS needs anyway. `transport.proxy` is imported only when a *_proxy variable is set.
"""

from __future__ import annotations

import _socket
import os
import sys
from _thread import allocate_lock

from pocketstack.client.errors import (
    ConnectFailure,
    InvalidResponse,
    RequestTimeout,
    SSLFailure,
)
from pocketstack.client.transport import Headers, Request, Response, TLSOptions
from pocketstack.client.transport.connection import (
    CLOSED,
    Connection,
    Malformed,
    Unanswered,
    Unsent,
    split_url,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Mapping

    from pocketstack.client.transport.connection import Socket
    from pocketstack.client.transport.proxy import Proxy, ProxySettings

__all__ = ["Connection", "HTTPTransport", "TLSOptions", "build_ssl_context"]

# (scheme, host, port) of the origin, and the proxy's pool identity ("" when direct): a
# connection through a proxy (a tunnel to one origin, or a socket that a proxy holds with
# credentials of its own) is never taken for a direct one, another proxy's, or another origin's.
_PoolKey = tuple[str, str, int, str]
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# What may be sent again when it may have reached the application: urllib3's
# Retry.DEFAULT_ALLOWED_METHODS, the methods RFC 9110 calls idempotent (POST and PATCH are not).
_IDEMPOTENT = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"})


def build_ssl_context(options: TLSOptions) -> ssl.SSLContext:
    import ssl

    context = ssl.create_default_context(cafile=options.cafile)
    if not options.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if options.certfile:
        context.load_cert_chain(options.certfile, options.keyfile)
    return context


def proxy_settings(environ: Mapping[str, str]) -> ProxySettings | None:
    """The proxies `environ` names; None, without importing `transport.proxy`, when it names
    none (the usual case, and a warm run's)."""
    for name in environ:
        if name[-6:].lower() == "_proxy":
            from pocketstack.client.transport.proxy import ProxySettings

            settings = ProxySettings.from_environment(environ)
            return settings if settings.any else None
    return None


def _check_header(name: str, value: str) -> None:
    # Never let a header value start another header (or the body): refuse CR, LF and NUL.
    if not name or any(c in name for c in ":\r\n\0 \t") or any(c in value for c in "\r\n\0"):
        raise ValueError(f"Invalid header {name!r}: {value!r}")


def request_head(
    *, method: str, target: str, host: str, request: Request, proxy_authorization: str | None = None
) -> bytes:
    """The request line (ASCII, as http.client insists) and the headers (Latin-1)."""
    lines = []
    if proxy_authorization:
        lines.append(f"Proxy-Authorization: {proxy_authorization}")
    if "host" not in request.headers:
        lines.append(f"Host: {host}")
    # Without it any content coding is acceptable (RFC 9110); we decode none.
    if "accept-encoding" not in request.headers:
        lines.append("Accept-Encoding: identity")
    for name, value in request.headers.items():
        _check_header(name, value)
        lines.append(f"{name}: {value}")
    body = request.body
    if "content-length" not in request.headers and (body or method in _BODY_METHODS):
        lines.append(f"Content-Length: {len(body) if body else 0}")
    lines.append("\r\n")
    return f"{method} {target} HTTP/1.1\r\n".encode("ascii") + "\r\n".join(lines).encode(
        "iso-8859-1"
    )


def _ascii_host(host: str) -> bytes:
    # getaddrinfo() would encode a str host with the `idna` codec, importing encodings.idna
    # and stringprep even for 127.0.0.1; ASCII names need no IDNA step.
    try:
        return host.encode("ascii")
    except UnicodeEncodeError:
        return host.encode("idna")


def _connect_plain(host: str, port: int, timeout: float | None) -> Socket:
    last: OSError | None = None
    for family, kind, proto, _, address in _socket.getaddrinfo(
        _ascii_host(host), port, 0, _socket.SOCK_STREAM
    ):
        sock = _socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            sock.connect(address)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        return sock
    raise last or OSError(f"getaddrinfo returned no address for {host}")


class HTTPTransport:
    """`environ` is where proxy variables are read (os.environ when None); `debug` hears which
    proxy a new connection goes through, its credentials masked."""

    def __init__(
        self,
        *,
        tls: TLSOptions | None = None,
        pool_size: int = 4,
        environ: Mapping[str, str] | None = None,
        debug: Callable[[str], None] | None = None,
    ) -> None:
        self._tls = tls or TLSOptions()
        self._pool_size = pool_size
        self._ssl_context: ssl.SSLContext | None = None
        self._idle: dict[_PoolKey, list[Connection]] = {}
        self._lock = allocate_lock()
        self._proxies = proxy_settings(os.environ if environ is None else environ)
        self._debug = debug

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            import ssl

            try:
                self._ssl_context = build_ssl_context(self._tls)
            except (OSError, ssl.SSLError) as exc:
                raise SSLFailure(f"Cannot load TLS files: {exc}") from exc
        return self._ssl_context

    def _open(self, key: _PoolKey, proxy: Proxy | None, timeout: float | None) -> Connection:
        scheme, host, port, _ = key
        if proxy is not None:
            if self._debug is not None:
                self._debug(proxy.describe(scheme=scheme, host=host, port=port))
            if scheme == "http":
                return Connection(_connect_plain(proxy.host, proxy.port, timeout))
        elif scheme == "http":
            return Connection(_connect_plain(host, port, timeout))
        import socket

        context = self._context()
        if proxy is None:
            sock = socket.create_connection((host, port), timeout=timeout)
        else:
            sock = socket.create_connection((proxy.host, proxy.port), timeout=timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if proxy is not None:
                proxy.open_tunnel(Connection(sock), host=host, port=port)
            # Verified against the origin's name, tunnel or not: the proxy only carries bytes.
            return Connection(context.wrap_socket(sock, server_hostname=host))
        except BaseException:
            sock.close()
            raise

    def _acquire(
        self, key: _PoolKey, proxy: Proxy | None, timeout: float | None
    ) -> tuple[Connection, bool]:
        with self._lock:
            idle = self._idle.get(key, [])
            while idle:
                conn = idle.pop()
                if conn.is_dropped():
                    conn.close()
                    continue
                assert conn.sock is not None
                conn.sock.settimeout(timeout)
                return conn, True
        return self._open(key, proxy, timeout), False

    def _release(self, key: _PoolKey, conn: Connection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self._pool_size:
                idle.append(conn)
                return
        conn.close()

    def send(self, request: Request) -> Response:
        parts = split_url(request.url)
        if parts is None:
            raise ConnectFailure(
                f"Unsupported URL {request.url!r}: only http:// and https:// URLs can be used",
                method=request.method,
                url=request.url,
            )
        scheme, host, port, netloc, target = parts
        if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
            raise ConnectFailure(
                f"Invalid URL {request.url!r}: control characters or spaces in the path",
                method=request.method,
                url=request.url,
            )
        default_port = 443 if scheme == "https" else 80
        host_header = f"[{host}]" if ":" in host else host
        if port != default_port:
            host_header += f":{port}"
        proxy = None
        if self._proxies is not None:
            try:
                proxy = self._proxies.for_url(scheme=scheme, host=host, port=port)
            except ValueError as exc:
                raise ConnectFailure(
                    f"Cannot reach {request.url}: {exc}", method=request.method, url=request.url
                ) from exc
        key = (scheme, host, port, "" if proxy is None else proxy.pool_id)
        if proxy is not None and scheme == "http":
            # A proxy forwards plain HTTP itself, told the whole URL (absolute form).
            head = request_head(
                method=request.method,
                target=f"http://{host_header}{target}",
                host=host_header,
                request=request,
                proxy_authorization=proxy.authorization,
            )
        else:
            head = request_head(
                method=request.method, target=target, host=host_header, request=request
            )
        for attempt in range(2):
            conn: Connection | None = None
            reused = False
            try:
                conn, reused = self._acquire(key, proxy, request.timeout)
                status, reason, headers, body, will_close = conn.exchange(
                    method=request.method, head=head, body=request.body
                )
            except (Unsent, Unanswered, *CLOSED) as exc:
                if conn is not None:
                    conn.close()
                # A keep-alive connection the server closed while it sat in the pool (it idled
                # out, or restarted). Sending again is safe when not one byte of the request
                # left; after that, only for a method that may be repeated, and only when not
                # one byte of an answer came (as urllib3). A POST that may have been received
                # is never sent twice: the caller hears of the failure instead.
                if (
                    reused
                    and attempt == 0
                    and (
                        isinstance(exc, Unsent)
                        or (isinstance(exc, Unanswered) and request.method in _IDEMPOTENT)
                    )
                ):
                    continue
                detail = f"Connection to {netloc} was closed: {exc}"
                if isinstance(exc, Unanswered) and request.method not in _IDEMPOTENT:
                    detail += f" (the {request.method} may have reached the server; not resent)"
                raise ConnectFailure(detail, method=request.method, url=request.url) from exc
            except BaseException as exc:
                if conn is not None:
                    conn.close()
                raise _translate(exc, request=request, netloc=netloc, proxy=proxy) from exc
            if will_close:
                conn.close()
            else:
                self._release(key, conn)
            return Response(
                status=status, reason=reason, headers=Headers(headers), body=body, url=request.url
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        with self._lock:
            for idle in self._idle.values():
                for conn in idle:
                    conn.close()
            self._idle.clear()


def _translate(
    exc: BaseException, *, request: Request, netloc: str, proxy: Proxy | None
) -> BaseException:
    where = {"method": request.method, "url": request.url}
    # Never the proxy's URL as given: it may carry credentials.
    via = "" if proxy is None else f" through the proxy {proxy.shown}"
    if isinstance(exc, Malformed):
        return InvalidResponse(f"Invalid HTTP answer from {netloc}{via}: {exc}")
    ssl_module = sys.modules.get("ssl")
    if ssl_module is not None and isinstance(
        exc, ssl_module.SSLError | ssl_module.CertificateError
    ):
        reason = getattr(exc, "reason", None) or str(exc)
        return SSLFailure(f"SSL exception connecting to {request.url}{via}: {reason}", **where)
    if isinstance(exc, TimeoutError):
        return RequestTimeout(f"Request to {request.url}{via} timed out", **where)
    if isinstance(exc, _socket.gaierror):
        name = netloc if proxy is None else proxy.shown
        return ConnectFailure(f"Unable to resolve {name}: {exc.strerror or exc}", **where)
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        return ConnectFailure(
            f"Unable to establish connection to {request.url}{via}: {reason}", **where
        )
    return exc
