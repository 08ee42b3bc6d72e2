"""One HTTP/1.1 connection: send a request head and body, read the answer that comes back.

A JSON API client needs a small part of HTTP/1.1: a status line and headers, `Content-Length`,
chunked or close-delimited bodies, keep-alive. That part is here, over any socket-like object
(plain, TLS, or TLS inside a proxy's CONNECT tunnel). Warm-path module: see docs/startup.md.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class Socket(Protocol):
        """What the HTTP code needs of a plain or TLS socket."""

        def send(self, data: memoryview, /) -> int: ...

        def recv(self, size: int, /) -> bytes: ...

        def recv_into(self, buffer: memoryview, /) -> int: ...

        def settimeout(self, timeout: float | None, /) -> None: ...

        def shutdown(self, how: int, /) -> None: ...

        def fileno(self) -> int: ...

        def close(self) -> None: ...


_MAX_LINE = 65536  # as http.client: a longer status or header line is not HTTP
_MAX_HEADERS = 100
_RECV_SIZE = 65536
_NO_BODY_STATUS = frozenset({204, 304})
CLOSED = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class Unsent(Exception):
    """The connection failed before one byte of the request left: nobody can have seen it."""


class Unanswered(Exception):
    """The request went (maybe in part), then the peer closed or reset the connection before
    one byte of an answer: the application may or may not have received it."""


class Malformed(Exception):
    """The bytes that came back are not an HTTP/1.x answer."""


class Connection:
    """One HTTP/1.1 connection: a socket and the bytes read from it but not used yet."""

    __slots__ = ("_buffer", "sock")

    def __init__(self, sock: Socket) -> None:
        self.sock: Socket | None = sock
        self._buffer = b""

    def close(self) -> None:
        sock, self.sock = self.sock, None
        if sock is not None:
            sock.close()

    def detach(self) -> Socket:
        """Take the socket for another protocol to run over (TLS inside a CONNECT tunnel)."""
        if self._buffer:
            # They would belong to that protocol, which reads from the socket only.
            raise Malformed("bytes after the answer to CONNECT, before the tunnel's TLS")
        sock, self.sock = self.sock, None
        assert sock is not None
        return sock

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
                    raise Malformed("line too long")
                return line[:-1] if line.endswith(b"\r") else line
            if len(self._buffer) > _MAX_LINE:
                raise Malformed("line too long")
            start = len(self._buffer)
            if not self._fill():
                if self._buffer:
                    raise Malformed("connection closed in the middle of a line")
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
                raise Malformed(f"connection closed after {have} of {size} body bytes")
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
                raise Malformed("connection closed inside a chunked body")
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise Malformed(f"bad chunk size {size_text!r}") from None
            if size < 0:
                raise Malformed(f"bad chunk size {size_text!r}")
            if size == 0:
                break
            chunks.append(self._exactly(size))
            if self._exactly(2) != b"\r\n":
                raise Malformed("chunk not followed by CRLF")
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
        except CLOSED as exc:
            raise Unsent(str(exc)) from exc
        try:
            while sent < len(view):
                sent += self.sock.send(view[sent:])
        except CLOSED as exc:
            raise Unanswered(str(exc)) from exc

    def _first_line(self) -> bytes:
        # Nothing is left over from an earlier answer here (see is_dropped), so an empty buffer
        # means no byte of this answer came.
        try:
            line = self._line()
        except CLOSED as exc:
            if self._buffer:
                raise
            raise Unanswered(str(exc)) from exc
        if line is None:
            raise Unanswered("connection closed without an answer")
        return line

    def _head(self, line: bytes | None) -> tuple[bytes, int, str, list[tuple[str, str]]]:
        if line is None:
            raise Malformed("connection closed after an interim answer")
        parts = line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise Malformed(f"bad status line {line[:100]!r}")
        code = parts[1]
        if len(code) != 3 or not code.isdigit():
            raise Malformed(f"bad status line {line[:100]!r}")
        reason = parts[2].decode("iso-8859-1").strip() if len(parts) > 2 else ""
        headers: list[tuple[str, str]] = []
        while True:
            raw = self._line()
            if raw is None:
                raise Malformed("connection closed inside the headers")
            if not raw:
                break
            if raw[:1] in (b" ", b"\t") and headers:
                # An obsolete folded continuation line belongs to the previous header.
                name, value = headers[-1]
                headers[-1] = (name, f"{value} {raw.decode('iso-8859-1').strip()}")
                continue
            name_bytes, colon, value_bytes = raw.partition(b":")
            if not colon:
                raise Malformed(f"bad header line {raw[:100]!r}")
            headers.append(
                (name_bytes.decode("iso-8859-1").strip(), value_bytes.decode("iso-8859-1").strip())
            )
            if len(headers) > _MAX_HEADERS:
                raise Malformed(f"more than {_MAX_HEADERS} headers")
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
        if (
            method == "HEAD"
            or status in _NO_BODY_STATUS
            or 100 <= status < 200
            # A tunnel follows a CONNECT's 2xx head, not a body (RFC 9110 9.3.6).
            or (method == "CONNECT" and 200 <= status < 300)
        ):
            data = b""
        elif "chunked" in fields.get("transfer-encoding", "").lower():
            data = self._chunked()
        elif "content-length" in fields:
            try:
                length = int(fields["content-length"])
            except ValueError:
                raise Malformed(f"bad Content-Length {fields['content-length']!r}") from None
            if length < 0:
                raise Malformed(f"bad Content-Length {fields['content-length']!r}")
            data = self._exactly(length)
        else:
            data = self._until_close()
            will_close = True
        return status, reason, headers, data, will_close


def split_url(url: str) -> tuple[str, str, int, str, str] | None:
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
