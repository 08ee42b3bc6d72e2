"""The default transport: HTTP/1.1 over a socket, with a small keep-alive pool and TLS.

Hand-written instead of `http.client` because of what that module costs to import, not to use:
it pulls in `email.parser`/`email.feedparser`/`email.utils` (and through them `socket`,
`random`, `calendar`, `base64`, ...) to parse headers. Measured on our 2-core machine (Python 3.11,
CPU time user+sys, medians of 25-30 interleaved runs): `import json, argparse` 23.4 ms, the same
plus `http.client` 48.0 ms, plus `_socket` instead about 1 ms; a warm `pocketstack list` went from
99.8 ms to 37.0 ms with this module and the lazy imports elsewhere (http.client was the largest
single cost). A JSON API client needs a small part of HTTP/1.1: a request line and headers,
`Content-Length`, chunked or close-delimited bodies, keep-alive, timeouts. That part is here.

Plain `http://` uses the `_socket` extension module directly (the `socket` wrapper adds
`selectors`, `array` and enum conversions for nothing we use); `https://` imports `socket` and
`ssl`, which TLS needs anyway, and runs the same HTTP code over the TLS socket.
"""

from __future__ import annotations

import _socket
import sys
from _thread import allocate_lock

from pocketstack.client.errors import (
    ConnectFailure,
    InvalidResponse,
    RequestTimeout,
    SSLFailure,
)
from pocketstack.client.transport import Headers, Request, Response, TLSOptions

# Not `typing.TYPE_CHECKING`: typing costs a warm run ~3 ms to import; mypy honours the name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from typing import Protocol

    class _Socket(Protocol):
        """What the HTTP code needs of a plain or TLS socket."""

        def send(self, data: memoryview, /) -> int: ...

        def recv(self, size: int, /) -> bytes: ...

        def recv_into(self, buffer: memoryview, /) -> int: ...

        def settimeout(self, timeout: float | None, /) -> None: ...

        def shutdown(self, how: int, /) -> None: ...

        def fileno(self) -> int: ...

        def close(self) -> None: ...


__all__ = ["HTTPTransport", "TLSOptions", "build_ssl_context"]

_PoolKey = tuple[str, str, int]
_MAX_LINE = 65536  # as http.client: a longer status or header line is not HTTP
_MAX_HEADERS = 100
_RECV_SIZE = 65536
_NO_BODY_STATUS = frozenset({204, 304})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# What may be sent again when it may have reached the application: urllib3's
# Retry.DEFAULT_ALLOWED_METHODS, the methods RFC 9110 calls idempotent (POST and PATCH are not).
_IDEMPOTENT = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"})
_CLOSED = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class _Unsent(Exception):
    """The connection failed before one byte of the request left: nobody can have seen it."""


class _Unanswered(Exception):
    """The request went (maybe in part), then the peer closed or reset the connection before
    one byte of an answer: the application may or may not have received it."""


class _Malformed(Exception):
    """The bytes that came back are not an HTTP/1.x answer."""


def build_ssl_context(options: TLSOptions) -> ssl.SSLContext:
    import ssl

    context = ssl.create_default_context(cafile=options.cafile)
    if not options.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if options.certfile:
        context.load_cert_chain(options.certfile, options.keyfile)
    return context


class Connection:
    """One HTTP/1.1 connection: a socket and the bytes read from it but not used yet."""

    __slots__ = ("_buffer", "sock")

    def __init__(self, sock: _Socket) -> None:
        self.sock: _Socket | None = sock
        self._buffer = b""

    def close(self) -> None:
        sock, self.sock = self.sock, None
        if sock is not None:
            sock.close()

    def is_dropped(self) -> bool:
        """An idle keep-alive socket that is readable has been closed (or sent junk) by the
        server; so has one with unread bytes."""
        sock = self.sock
        if sock is None or self._buffer:
            return True
        # Only a reused connection gets here: a one-request command never loads `select`.
        import select

        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    # reading ------------------------------------------------------------------------------
    def _fill(self) -> bool:
        assert self.sock is not None
        data = self.sock.recv(_RECV_SIZE)
        if not data:
            return False
        self._buffer += data
        return True

    def _line(self) -> bytes | None:
        """The next CRLF- (or LF-) terminated line without its ending; None at end of stream."""
        start = 0
        while True:
            end = self._buffer.find(b"\n", start)
            if end >= 0:
                line = self._buffer[:end]
                self._buffer = self._buffer[end + 1 :]
                if len(line) > _MAX_LINE:
                    raise _Malformed("line too long")
                return line[:-1] if line.endswith(b"\r") else line
            if len(self._buffer) > _MAX_LINE:
                raise _Malformed("line too long")
            start = len(self._buffer)
            if not self._fill():
                if self._buffer:
                    raise _Malformed("connection closed in the middle of a line")
                return None

    def _exactly(self, size: int) -> bytes:
        have = len(self._buffer)
        if have >= size:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
            return data
        assert self.sock is not None
        # One buffer of the announced size, filled in place: no chunk list, no join.
        body = bytearray(size)
        view = memoryview(body)
        view[:have] = self._buffer
        self._buffer = b""
        while have < size:
            count = self.sock.recv_into(view[have:])
            if not count:
                raise _Malformed(f"connection closed after {have} of {size} body bytes")
            have += count
        return bytes(body)

    def _until_close(self) -> bytes:
        assert self.sock is not None
        chunks = [self._buffer]
        self._buffer = b""
        while data := self.sock.recv(_RECV_SIZE):
            chunks.append(data)
        return b"".join(chunks)

    def _chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            line = self._line()
            if line is None:
                raise _Malformed("connection closed inside a chunked body")
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise _Malformed(f"bad chunk size {size_text!r}") from None
            if size < 0:
                raise _Malformed(f"bad chunk size {size_text!r}")
            if size == 0:
                break
            chunks.append(self._exactly(size))
            if self._exactly(2) != b"\r\n":
                raise _Malformed("chunk not followed by CRLF")
        # Trailers, if any, end with an empty line.
        while True:
            line = self._line()
            if not line:
                break
        return b"".join(chunks)

    def _send(self, data: bytes) -> None:
        assert self.sock is not None
        view = memoryview(data)
        try:
            sent = self.sock.send(view)
        except _CLOSED as exc:
            raise _Unsent(str(exc)) from exc
        try:
            while sent < len(view):
                sent += self.sock.send(view[sent:])
        except _CLOSED as exc:
            raise _Unanswered(str(exc)) from exc

    def _first_line(self) -> bytes:
        # Nothing is left over from an earlier answer here (see is_dropped), so an empty buffer
        # means no byte of this answer came.
        try:
            line = self._line()
        except _CLOSED as exc:
            if self._buffer:
                raise
            raise _Unanswered(str(exc)) from exc
        if line is None:
            raise _Unanswered("connection closed without an answer")
        return line

    def _head(self, line: bytes | None) -> tuple[bytes, int, str, list[tuple[str, str]]]:
        if line is None:
            raise _Malformed("connection closed after an interim answer")
        parts = line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise _Malformed(f"bad status line {line[:100]!r}")
        code = parts[1]
        if len(code) != 3 or not code.isdigit():
            raise _Malformed(f"bad status line {line[:100]!r}")
        reason = parts[2].decode("iso-8859-1").strip() if len(parts) > 2 else ""
        headers: list[tuple[str, str]] = []
        while True:
            raw = self._line()
            if raw is None:
                raise _Malformed("connection closed inside the headers")
            if not raw:
                break
            if raw[:1] in (b" ", b"\t") and headers:
                # An obsolete folded continuation line belongs to the previous header.
                name, value = headers[-1]
                headers[-1] = (name, f"{value} {raw.decode('iso-8859-1').strip()}")
                continue
            name_bytes, colon, value_bytes = raw.partition(b":")
            if not colon:
                raise _Malformed(f"bad header line {raw[:100]!r}")
            headers.append(
                (name_bytes.decode("iso-8859-1").strip(), value_bytes.decode("iso-8859-1").strip())
            )
            if len(headers) > _MAX_HEADERS:
                raise _Malformed(f"more than {_MAX_HEADERS} headers")
        return parts[0], int(code), reason, headers

    # one exchange -------------------------------------------------------------------------
    def exchange(
        self, *, method: str, head: bytes, body: bytes | None
    ) -> tuple[int, str, list[tuple[str, str]], bytes, bool]:
        """Send the request and read its answer: (status, reason, headers, body, will_close)."""
        self._send(head + body if body else head)
        line: bytes | None = self._first_line()
        while True:
            version, status, reason, headers = self._head(line)
            # Interim answers (100 Continue, 103 Early Hints) precede the real one.
            if not 100 <= status < 200 or status == 101:
                break
            line = self._line()
        fields = {name.lower(): value for name, value in headers}
        connection = fields.get("connection", "").lower()
        will_close = "close" in connection or (
            version == b"HTTP/1.0" and "keep-alive" not in connection
        )
        if method == "HEAD" or status in _NO_BODY_STATUS or 100 <= status < 200:
            data = b""
        elif "chunked" in fields.get("transfer-encoding", "").lower():
            data = self._chunked()
        elif "content-length" in fields:
            try:
                length = int(fields["content-length"])
            except ValueError:
                raise _Malformed(f"bad Content-Length {fields['content-length']!r}") from None
            if length < 0:
                raise _Malformed(f"bad Content-Length {fields['content-length']!r}")
            data = self._exactly(length)
        else:
            data = self._until_close()
            will_close = True
        return status, reason, headers, data, will_close


def _check_header(name: str, value: str) -> None:
    # Never let a header value start another header (or the body): refuse CR, LF and NUL.
    if not name or any(c in name for c in ":\r\n\0 \t") or any(c in value for c in "\r\n\0"):
        raise ValueError(f"Invalid header {name!r}: {value!r}")


def request_head(*, method: str, target: str, host: str, request: Request) -> bytes:
    """The request line (ASCII, as http.client insists) and the headers (Latin-1)."""
    lines = []
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
    # and stringprep (~4 ms) even for 127.0.0.1; ASCII names need no IDNA step.
    try:
        return host.encode("ascii")
    except UnicodeEncodeError:
        return host.encode("idna")


def _connect_plain(host: str, port: int, timeout: float | None) -> _Socket:
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


def _split_url(url: str) -> tuple[str, str, int, str, str] | None:
    """(scheme, host, port, netloc, target) of an http(s) URL, or None if it is not one."""
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in ("http", "https"):
        return None
    cut = len(rest)
    for mark in "/?#":
        found = rest.find(mark)
        if 0 <= found < cut:
            cut = found
    netloc, target = rest[:cut], rest[cut:]
    target = target.partition("#")[0].removesuffix("?")
    if target.startswith("?"):
        target = "/" + target
    if not target:
        target = "/"
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):
        host, bracket, tail = hostport[1:].partition("]")
        if not bracket or (tail and not tail.startswith(":")):
            return None
        port_text = tail[1:]
    else:
        host, _, port_text = hostport.partition(":")
    if not host:
        return None
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            return None
        port = int(port_text)
    else:
        port = 443 if scheme == "https" else 80
    return scheme, host.lower(), port, netloc, target


class HTTPTransport:
    def __init__(self, *, tls: TLSOptions | None = None, pool_size: int = 4) -> None:
        self._tls = tls or TLSOptions()
        self._pool_size = pool_size
        self._ssl_context: ssl.SSLContext | None = None
        self._idle: dict[_PoolKey, list[Connection]] = {}
        self._lock = allocate_lock()

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            import ssl

            try:
                self._ssl_context = build_ssl_context(self._tls)
            except (OSError, ssl.SSLError) as exc:
                raise SSLFailure(f"Cannot load TLS files: {exc}") from exc
        return self._ssl_context

    def _open(self, key: _PoolKey, timeout: float | None) -> Connection:
        scheme, host, port = key
        if scheme == "http":
            return Connection(_connect_plain(host, port, timeout))
        import socket

        context = self._context()
        sock = socket.create_connection((host, port), timeout=timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return Connection(context.wrap_socket(sock, server_hostname=host))
        except BaseException:
            sock.close()
            raise

    def _acquire(self, key: _PoolKey, timeout: float | None) -> tuple[Connection, bool]:
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
        return self._open(key, timeout), False

    def _release(self, key: _PoolKey, conn: Connection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self._pool_size:
                idle.append(conn)
                return
        conn.close()

    def send(self, request: Request) -> Response:
        parts = _split_url(request.url)
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
        key = (scheme, host, port)
        default_port = 443 if scheme == "https" else 80
        host_header = f"[{host}]" if ":" in host else host
        if port != default_port:
            host_header += f":{port}"
        head = request_head(method=request.method, target=target, host=host_header, request=request)
        for attempt in range(2):
            conn: Connection | None = None
            reused = False
            try:
                conn, reused = self._acquire(key, request.timeout)
                status, reason, headers, body, will_close = conn.exchange(
                    method=request.method, head=head, body=request.body
                )
            except (_Unsent, _Unanswered, *_CLOSED) as exc:
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
                        isinstance(exc, _Unsent)
                        or (isinstance(exc, _Unanswered) and request.method in _IDEMPOTENT)
                    )
                ):
                    continue
                detail = f"Connection to {netloc} was closed: {exc}"
                if isinstance(exc, _Unanswered) and request.method not in _IDEMPOTENT:
                    detail += f" (the {request.method} may have reached the server; not resent)"
                raise ConnectFailure(detail, method=request.method, url=request.url) from exc
            except BaseException as exc:
                if conn is not None:
                    conn.close()
                raise _translate(exc, request=request, netloc=netloc) from exc
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


def _translate(exc: BaseException, *, request: Request, netloc: str) -> BaseException:
    where = {"method": request.method, "url": request.url}
    if isinstance(exc, _Malformed):
        return InvalidResponse(f"Invalid HTTP answer from {netloc}: {exc}")
    ssl_module = sys.modules.get("ssl")
    if ssl_module is not None and isinstance(
        exc, ssl_module.SSLError | ssl_module.CertificateError
    ):
        reason = getattr(exc, "reason", None) or str(exc)
        return SSLFailure(f"SSL exception connecting to {request.url}: {reason}", **where)
    if isinstance(exc, TimeoutError):
        return RequestTimeout(f"Request to {request.url} timed out", **where)
    if isinstance(exc, _socket.gaierror):
        return ConnectFailure(f"Unable to resolve {netloc}: {exc.strerror or exc}", **where)
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        return ConnectFailure(f"Unable to establish connection to {request.url}: {reason}", **where)
    return exc
