"""The ASGI front door of the cloud: reads each request's body in the event loop, bounded in
size and time, then runs the WSGI app (identity, compute, image) in a thread pool (wsgibridge.py).

A slow client therefore costs a connection and a little memory, never a thread: the threads
only ever run requests that have fully arrived. The body:

- is refused with 413 when its Content-Length is over the limit, and when a chunked body grows
  past the limit, never buffered beyond it: what follows is read and dropped, up to DRAIN_BYTES,
  so that a client still sending gets the 413 rather than a connection reset;
- must arrive whole within `body_timeout` seconds, else 408 and the connection is closed;
- reaches the WSGI app with a Content-Length, chunked or not.

Image data (PUT /image/v2/images/{id}/file and .../stage, and the dashboard's upload form) is
the exception to the size limit: up to `max_data` bytes (Glance's image_size_cap), spooled to a
file in `spool_dir` rather than held in memory, with `body_timeout` as the longest silence
between two of its chunks rather than a deadline for the whole upload, and only for a caller
the cloud knows (a valid token; for the form, a live dashboard session). It reaches the app
whole as well, from that file.

It also writes the access log line of each request (`pocketstack.access`, as ACCESS_FORMAT):
the request line, status, size and duration; never a header or a body.
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any, BinaryIO, cast

from pocketstack.cloud.app import WSGIApp
from pocketstack.cloud.serving.errorpages import JSON_TYPE, error_body
from pocketstack.cloud.serving.wsgibridge import WSGIBridge

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ACCESS_LOG = logging.getLogger("pocketstack.access")
TOO_LARGE = "Request is too large."
TOO_SLOW = "The request's body did not arrive in time."
# Bytes of an oversized body read and dropped before the 413; past them the connection is cut.
DRAIN_BYTES = 1 << 20


class _BodyTooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


# The requests whose body is image data: the image API's (PUT) and the dashboard's form (POST).
_DATA_PATH = re.compile(r"^/image/v2/images/[^/]+/(?:file|stage)$")
UPLOAD_FORM_PATH = "/dashboard/project/images/create"
# The form's other fields and its multipart framing, beyond the image data itself.
FORM_ROOM = 64 * 1024
# Image data held in memory before it goes to the spool file.
_SPOOL_MEMORY = 1 << 20


# Image uploads spooled at once by one worker; more wait their turn.
SPOOLS = 4


class FrontDoor:
    def __init__(self, app: WSGIApp, *, max_body: int, body_timeout: float, threads: int,
                 max_data: int = 0, spool_dir: Path | None = None,
                 token_valid: Callable[[str], bool] | None = None,
                 session_valid: Callable[[str], bool] | None = None,
                 inline: bool = True) -> None:  # fmt: skip
        self.max_body = max_body
        self.body_timeout = body_timeout
        # 0: image data is bounded like any other body.
        self.max_data = max_data
        self.spool_dir = spool_dir
        # Whether a token is good: image data is spooled only for a caller the cloud knows.
        self.token_valid = token_valid
        # Whether a Cookie header holds a live dashboard session: the same, for the upload form.
        self.session_valid = session_valid
        self._spools = asyncio.Semaphore(SPOOLS)
        self._bridge = WSGIBridge(app, threads=threads, inline=inline)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # Lifespan is off and nothing here speaks websocket.
            return
        start = time.perf_counter()
        sent = {"status": 0, "bytes": 0}

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
            else:
                sent["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self._serve(scope, receive, counted)
        finally:
            if sent["status"]:
                _log_access(scope, sent["status"], sent["bytes"], time.perf_counter() - start)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        length, chunked = _framing(scope["headers"])
        if self.max_data and _is_data(scope):
            await self._serve_data(scope, receive, send, length)
            return
        if length is not None and length > self.max_body + DRAIN_BYTES:
            await _refuse(scope, send, 413, TOO_LARGE)
            return
        try:
            async with asyncio.timeout(self.body_timeout):
                body = await _read_body(receive, self.max_body)
        except TimeoutError:
            await _refuse(scope, send, 408, TOO_SLOW)
            return
        except _BodyTooLarge:
            await _refuse(scope, send, 413, TOO_LARGE)
            return
        except _Disconnected:
            return
        if chunked:
            scope = _with_length(scope, len(body))
        await self._bridge(scope, body, send)

    async def _serve_data(
        self, scope: Scope, receive: Receive, send: Send, length: int | None
    ) -> None:
        if length is not None and length > self._data_limit(scope):
            await _refuse(scope, send, 413, TOO_LARGE)
            return
        if not await self._known_caller(scope):
            # The app answers (401 in the image service's shape) without the body, unread.
            await self._bridge(_with_length(scope, 0), b"", send)
            return
        async with self._spools:
            await self._spool(scope, receive, send)

    def _data_limit(self, scope: Scope) -> int:
        return self.max_data + (FORM_ROOM if scope["method"] == "POST" else 0)

    async def _known_caller(self, scope: Scope) -> bool:
        if scope["method"] == "POST":
            check, header = self.session_valid, b"cookie"
        else:
            check, header = self.token_valid, b"x-auth-token"
        if check is None:
            return True
        value = b"; ".join(v for n, v in scope["headers"] if n == header).decode("latin-1")
        if not value:
            return False
        loop = asyncio.get_running_loop()
        # The check reads a table (revocations, sessions): off the event loop.
        return await loop.run_in_executor(None, check, value)

    async def _spool(self, scope: Scope, receive: Receive, send: Send) -> None:
        spool_dir = None if self.spool_dir is None else str(self.spool_dir)
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY, dir=spool_dir) as spool:
            try:
                size = await _spool_body(receive, spool, self._data_limit(scope),
                                         self.body_timeout)  # fmt: skip
            except TimeoutError:
                await _refuse(scope, send, 408, TOO_SLOW)
                return
            except _BodyTooLarge:
                await _refuse(scope, send, 413, TOO_LARGE)
                return
            except _Disconnected:
                return
            spool.seek(0)
            await self._bridge(_with_length(scope, size), cast(BinaryIO, spool), send)


def _is_data(scope: Scope) -> bool:
    method = scope.get("method")
    if method == "PUT":
        return _DATA_PATH.match(scope["path"]) is not None
    return method == "POST" and scope["path"] == UPLOAD_FORM_PATH


def _with_length(scope: Scope, size: int) -> Scope:
    """The WSGI app reads by Content-Length: the one the body turned out to have."""
    scope = dict(scope)
    scope["headers"] = [
        (name, value)
        for name, value in scope["headers"]
        if name not in (b"content-length", b"transfer-encoding")
    ] + [(b"content-length", str(size).encode())]
    return scope


async def _spool_body(receive: Receive, spool: Any, limit: int, idle: float) -> int:
    """The body written to `spool`, chunk by chunk as it comes; its size. TimeoutError when
    the client is silent for `idle` seconds."""
    size = 0
    while True:
        async with asyncio.timeout(idle):
            message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge()
        spool.write(chunk)
        if not message.get("more_body", False):
            return size


def _framing(headers: list[tuple[bytes, bytes]]) -> tuple[int | None, bool]:
    """(Content-Length, chunked) of a request; the server has already refused a bad pair."""
    length = None
    chunked = False
    for name, value in headers:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                length = None
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    return (None if chunked else length), chunked


async def _read_body(receive: Receive, limit: int) -> bytes:
    body = bytearray()
    dropped = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected()
        chunk = message.get("body", b"")
        if dropped or len(body) + len(chunk) > limit:
            dropped += len(chunk)
            if dropped > DRAIN_BYTES:
                raise _BodyTooLarge()
        else:
            body += chunk
        if not message.get("more_body", False):
            if dropped:
                raise _BodyTooLarge()
            return bytes(body)


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    body = error_body(scope.get("path", ""), status, message)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            # The rest of the body, if any, is never read: the connection cannot be reused.
            "headers": [
                (b"content-type", JSON_TYPE),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _log_access(scope: Scope, status: int, size: int, seconds: float) -> None:
    client = scope.get("client")
    target = scope.get("raw_path") or scope.get("path", "").encode()
    query = scope.get("query_string", b"")
    if query:
        target = target + b"?" + query
    ACCESS_LOG.info(
        '%s "%s %s HTTP/%s" %d %d %dms',
        client[0] if client else "-",
        scope.get("method", "-"),
        target.decode("latin-1"),
        scope.get("http_version", "1.1"),
        status,
        size,
        round(seconds * 1000),
    )
