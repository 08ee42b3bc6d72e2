"""uvicorn's HTTP/1.1 protocol (httptools) with what a server facing slow or hostile clients
needs and uvicorn lacks: a deadline for the request head, and limits on its size.

- A connection must send a complete head (request line and headers) within `header_timeout`
  seconds of opening, and each later request within that time of its first byte: a head that
  never completes is answered 408 and dropped; a connection that sends nothing is dropped.
  (uvicorn's keep-alive timer is cancelled by any byte received, so one byte every few seconds
  would hold a connection for ever.) The body has its own deadline, in the front door.
- A request line over `max_request_line` bytes is answered 414; headers over
  `max_header_bytes` bytes (or more than MAX_HEADER_FIELDS of them) 431. uvicorn's httptools
  protocol has no limit at all, and httptools buffers a header it has not finished whole.
- Every refusal, parse errors included, is JSON in the shape of the service the path names
  (errorpages.py), never plain text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from pocketstack.cloud.serving.errorpages import JSON_TYPE, error_body
from pocketstack.cloud.serving.wsgibridge import ABORT_KEY

ACCESS_LOG = logging.getLogger("pocketstack.access")
MAX_HEADER_FIELDS = 100
# What a refusal quotes of an over-long target in the access log.
_LOGGED_TARGET = 200
# Seconds a refused connection is kept half-open, its input read and dropped, before it closes:
# closing on unread input sends a reset, which can destroy the answer before the client reads it.
LINGER_S = 2.0
# One read's worth of slack on the byte count of an unfinished head: a read can also carry the
# end of the previous (pipelined) request.
_READ_SLACK = 65536
# How much of an unfinished head is kept to find its target in, should httptools refuse the
# request line before handing over the URL (a raw non-ASCII byte in it, say).
_HEAD_SCAN = 8192
# A request line in what was received; the last one is the request being refused (the bytes
# before it can be the end of a pipelined request's body).
_REQUEST_LINE = re.compile(rb"(?:^|\n)[A-Z]+ +([a-z]+://[^\s]*|/[^\s]*)")


@dataclasses.dataclass(frozen=True, kw_only=True)
class HeadLimits:
    header_timeout: float
    max_request_line: int
    max_header_bytes: int


class _Refused(Exception):
    """Raised from a parser callback: stops httptools, which hands it to send_400_response."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    limits: ClassVar[HeadLimits]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_started = False
        self._head_bytes = 0
        self._header_bytes = 0
        self._header_fields = 0
        self._refusal: tuple[int, str] | None = None
        self._lingering = False
        self._received = b""
        super().connection_made(transport)
        # A connection that sends nothing at all is held no longer than a slow head.
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            return
        if not self._head_started:
            self._received = data
        elif len(self._received) < _HEAD_SCAN:
            self._received += data[:_HEAD_SCAN]
        super().data_received(data)
        if self._head_started and not self._lingering and not self.transport.is_closing():
            # The head is still incomplete after all of `data`: it was all head. httptools holds
            # an unfinished header whole, so this is what bounds its memory.
            self._head_bytes += len(data)
            limit = self.limits.max_request_line + self.limits.max_header_bytes + _READ_SLACK
            if self._head_bytes > limit:
                self._refuse(431, "The request's headers are too large.")

    # --- parser callbacks -----------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # How the front door drops a connection on an injected fault (wsgibridge.DROP_KEY).
        self.scope[ABORT_KEY] = self.transport.abort  # type: ignore[literal-required]
        self._head_started = True
        self._head_bytes = 0
        self._header_bytes = 0
        self._header_fields = 0
        self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.limits.max_request_line:
            self._refusal = (414, "The request line is too long.")
            raise _Refused()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_fields += 1
        self._header_bytes += len(name) + len(value) + 4
        if (
            self._header_bytes > self.limits.max_header_bytes
            or self._header_fields > MAX_HEADER_FIELDS
        ):
            self._refusal = (431, "The request's headers are too large.")
            raise _Refused()
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_started = False
        self._cancel_head_timer()
        super().on_headers_complete()

    # --- refusals -------------------------------------------------------------------------

    def send_400_response(self, msg: str) -> None:
        # uvicorn's answer to anything httptools refuses, our limits included.
        status, message = self._refusal or (400, "The request could not be parsed.")
        self._refuse(status, message)

    def _refuse(self, status: int, message: str) -> None:
        self._cancel_head_timer()
        self._head_started = False
        if self._lingering or self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # A body that stopped parsing: the request being served learns that its client is
            # gone, and whatever it answers is dropped (this answer is the connection's last).
            cycle.disconnected = True
            cycle.message_event.set()
        target = self._target().decode("latin-1")
        body = error_body(target, status, message)
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: ", JSON_TYPE, b"\r\n",
            b"content-length: ", str(len(body)).encode(), b"\r\n",
            b"connection: close\r\n\r\n",
        ]  # fmt: skip
        self.transport.write(b"".join(head) + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self._lingering = True
            self.loop.call_later(LINGER_S, self.transport.close)
        else:
            self.transport.close()
        client = self.client[0] if self.client else "-"
        ACCESS_LOG.info('%s "%s" %d %d 0ms', client, target[:_LOGGED_TARGET], status, len(body))

    def _target(self) -> bytes:
        """The refused request's target: the URL httptools gave, else the raw request line's
        (httptools refuses a target with a byte it does not allow before handing it over,
        and the answer's shape still follows the service the path names)."""
        url: bytes = getattr(self, "url", b"")
        if url:
            return url
        found = _REQUEST_LINE.findall(self._received)
        return found[-1] if found else b""

    # --- the head's deadline --------------------------------------------------------------

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(
                self.limits.header_timeout, self._head_timed_out
            )

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._lingering or self.transport.is_closing():
            return
        if self._head_started:
            self._refuse(408, "The request's head did not arrive in time.")
        elif self.cycle is None or self.cycle.response_complete:
            # Nothing sent since the connection opened (or since the last answer).
            self.transport.close()


def guarded_protocol(limits: HeadLimits) -> type[GuardedHttpToolsProtocol]:
    """The protocol class for uvicorn's `http` setting, with these limits."""
    attrs: dict[str, Any] = {"limits": limits}
    return type("CloudHttpProtocol", (GuardedHttpToolsProtocol,), attrs)
