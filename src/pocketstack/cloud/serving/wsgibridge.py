"""The services (WSGI apps) run from the event loop: one thread-pool call per request.

The front door hands over a request only once its body has arrived whole, so a request needs no
streaming in: the environ is built in the loop, the app runs in a pool thread, and an answer whose
body the app gave as a list (every answer of ours but a stream) comes back complete in the same
call. A streamed body (any other iterable) is pulled chunk by chunk, one pool call each, so the
loop never blocks on the app and a slow reader holds no thread.

Why not a2wsgi (the library made for this, used at first): measured on this machine with a
trivial app, one request at a time, p50 807 µs through a2wsgi against 426 µs with a single pool
call and 399 µs under gunicorn's sync worker. a2wsgi streams the request body through a queue and
each response message through call_soon_threadsafe and a wait; the cloud's own token validation
costs about 350 µs, so that overhead nearly doubled it.

Even one pool call is two thread wake-ups, on a small VM mostly across CPUs: measured on the
2-CPU bench machine, a token validation answered in 1.15 ms through the pool and 0.84 ms run on
the loop's own thread, the version document 0.39 and 0.22 ms. So a request that has been cheap
(Costs) runs on the loop thread: it holds the loop for less than the hop would have cost.
Anything else (a body, a write, never seen, slow of late) goes to the pool as before. Requests in
the pool meanwhile go on (none of them waits for the loop); beside a login flood, whose bcrypt
checks fill the pool, a token validation's p99 went from 4.8 to 2.7 ms this way (BENCHMARKS §6),
where waiting for the pool (a thread's wake-up on CPUs busy with bcrypt) had been its tail.
"""

from __future__ import annotations

import asyncio
import io
import re
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Scope = MutableMapping[str, Any]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]
# The app sets DROP_KEY in the environ to have the connection closed without an answer (an
# injected fault, cloud/controls/); the protocol puts the transport's abort in the scope at
# ABORT_KEY. Without one (another server), the app's own answer goes out.
DROP_KEY = "pocketstack.drop_connection"
ABORT_KEY = "pocketstack.abort"


# A request kind whose recent runs average under this many seconds may run on the loop thread.
INLINE_BELOW = 0.001
# Runs of a kind seen (in the pool) before it may: a first run may be cold (caches, lazy apps).
INLINE_AFTER = 3
# Kinds remembered; the oldest forgotten beyond (paths with names, not only ids, are many).
KINDS_KEPT = 512
# A path segment with a digit in it names one resource (an id, a name like "m1.tiny"): kinds
# are counted per collection, not per resource.
_NAMED = re.compile(r"/[^/]*[0-9][^/]*")
_INLINE_METHODS = frozenset({"GET", "HEAD"})


class Costs:
    """How long each kind of request (method and path shape) took the app of late, on average
    (each run weighs a quarter): the loop thread's own record, never touched by pool threads."""

    def __init__(self) -> None:
        self._kinds: dict[tuple[str, str], tuple[float, int]] = {}

    @staticmethod
    def kind(environ: dict[str, Any]) -> tuple[str, str] | None:
        """The kind of a request that might run on the loop thread: a read without a body."""
        method = environ["REQUEST_METHOD"]
        if method not in _INLINE_METHODS or environ.get("CONTENT_LENGTH", "0") not in ("", "0"):
            return None
        return method, _NAMED.sub("/*", environ["PATH_INFO"])

    def cheap(self, kind: tuple[str, str]) -> bool:
        average, runs = self._kinds.get(kind, (0.0, 0))
        return runs >= INLINE_AFTER and average < INLINE_BELOW

    def record(self, kind: tuple[str, str], seconds: float) -> None:
        average, runs = self._kinds.pop(kind, (seconds, 0))
        self._kinds[kind] = (average + (seconds - average) / 4, runs + 1)
        if len(self._kinds) > KINDS_KEPT:
            del self._kinds[next(iter(self._kinds))]


class _Answer:
    """What the app gave: status, headers and either the whole body or the rest to pull."""

    def __init__(self) -> None:
        # Seconds the app took to give it (to its first chunk, for a streamed body).
        self.took = 0.0
        self.status = 0
        self.headers: Headers = []
        self.body: list[bytes] = []
        self.rest: Iterator[bytes] | None = None
        self.iterable: Iterable[bytes] | None = None
        # Set once the status line has gone to the client (a streamed body's start).
        self.sent = False

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info is not None and self.sent:
            # Too late to change the status line: PEP 3333 says re-raise.
            raise exc_info[1].with_traceback(exc_info[2])
        self.status = int(status.split(" ", 1)[0])
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        return self.body.append


def build_environ(scope: Scope, body: bytes | BinaryIO) -> dict[str, Any]:
    """PEP 3333's environ for an ASGI HTTP scope whose body has been read: in memory, or
    spooled to a file for image data (frontdoor.py)."""
    script_name = scope.get("root_path", "").encode("utf-8").decode("latin-1")
    path = scope["path"].encode("utf-8").decode("latin-1")
    if script_name and path.startswith(script_name):
        path = path[len(script_name) :]
    query = scope.get("query_string", b"")
    raw = scope.get("raw_path") or scope["path"].encode("utf-8")
    server = scope.get("server") or ("localhost", 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path,
        "QUERY_STRING": query.decode("latin-1"),
        # The target as received, escapes kept (cloud/rawpath.py routes on it), as gunicorn sets.
        "RAW_URI": (raw + (b"?" + query if query else b"")).decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] or 0),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body) if isinstance(body, bytes) else body,
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = client[0], str(client[1])
    for name_bytes, value_bytes in scope.get("headers", ()):
        name = name_bytes.decode("latin-1").upper().replace("-", "_")
        if name not in ("CONTENT_LENGTH", "CONTENT_TYPE"):
            name = "HTTP_" + name
        value = value_bytes.decode("latin-1")
        environ[name] = f"{environ[name]},{value}" if name in environ else value
    return environ


class WSGIBridge:
    """`inline`: cheap requests may run on the loop thread (off where a request may sleep in the
    app on purpose: the test controls' injected latency)."""

    def __init__(self, app: WSGIApp, *, threads: int, inline: bool = True) -> None:
        self._app = app
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="pocketstack")
        self._costs = Costs() if inline else None
        # Requests run on the loop thread so far (tests read it).
        self.inline_runs = 0

    async def __call__(self, scope: Scope, body: bytes | BinaryIO, send: Send) -> None:
        loop = asyncio.get_running_loop()
        environ = build_environ(scope, body)
        costs = self._costs
        kind = None if costs is None else costs.kind(environ)
        if kind is not None and costs is not None and costs.cheap(kind):
            self.inline_runs += 1
            answer = self._call(environ)
        else:
            answer = await loop.run_in_executor(self._pool, self._call, environ)
        if kind is not None and costs is not None:
            costs.record(kind, answer.took)
        abort = scope.get(ABORT_KEY)
        if environ.get(DROP_KEY) and abort is not None:
            await loop.run_in_executor(self._pool, _close, answer.iterable)
            abort()
            # connection_lost runs on the next turn of the loop: the server then knows the
            # client is gone and sends nothing of its own.
            await asyncio.sleep(0)
            return
        answer.sent = True
        await send({"type": "http.response.start", "status": answer.status,
                    "headers": answer.headers})
        if answer.rest is None:
            await send({"type": "http.response.body", "body": b"".join(answer.body)})
            return
        try:
            for first in answer.body:
                await send({"type": "http.response.body", "body": first, "more_body": True})
            while True:
                chunk = await loop.run_in_executor(self._pool, _next, answer.rest)
                if chunk is None:
                    break
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await loop.run_in_executor(self._pool, _close, answer.iterable)

    def _call(self, environ: dict[str, Any]) -> _Answer:
        answer = _Answer()
        started = time.perf_counter()
        result = self._app(environ, answer.start_response)
        if isinstance(result, list | tuple):
            answer.body.extend(result)
            _close(result)
            answer.took = time.perf_counter() - started
            return answer
        answer.iterable = result
        answer.rest = iter(result)
        # An app may call start_response only with its first chunk (PEP 3333 allows it).
        while not answer.status:
            chunk = next(answer.rest, None)
            if chunk is None:
                _close(result)
                raise RuntimeError("the WSGI app returned without calling start_response")
            answer.body.append(chunk)
        answer.took = time.perf_counter() - started
        return answer

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _next(rest: Iterator[bytes]) -> bytes | None:
    return next(rest, None)


def _close(iterable: Iterable[bytes] | None) -> None:
    close = getattr(iterable, "close", None)
    if close is not None:
        close()
