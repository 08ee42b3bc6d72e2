"""Cheap reads run on the event loop's own thread (serving/wsgibridge.py): only a read that has
been cheap, never a write or a body, never where the test controls may make a request sleep;
the requests in the pool meanwhile go on."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

from pocketstack.cloud.serving.wsgibridge import INLINE_AFTER, KINDS_KEPT, Costs, WSGIBridge

App = Callable[[dict[str, Any], Callable[..., Any]], list[bytes]]


def _scope(method: str, path: str, *, length: int = 0) -> dict[str, Any]:
    headers = [(b"content-length", str(length).encode())] if length else []
    return {
        "type": "http", "method": method, "path": path, "raw_path": path.encode(),
        "query_string": b"", "root_path": "", "http_version": "1.1", "scheme": "http",
        "server": ("127.0.0.1", 8770), "client": ("127.0.0.1", 50000), "headers": headers,
    }  # fmt: skip


def _threads_app(seen: list[str], *, pause: float = 0.0) -> App:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen.append(threading.current_thread().name)
        if pause:
            time.sleep(pause)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    return app


async def _one(bridge: WSGIBridge, scope: dict[str, Any], body: bytes = b"") -> int:
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(dict(message))

    await bridge(scope, body, send)
    assert sent[-1]["body"] == b"{}"
    return int(sent[0]["status"])


def _serve(bridge: WSGIBridge, requests: list[tuple[dict[str, Any], bytes]]) -> None:
    async def run() -> None:
        for scope, body in requests:
            assert await _one(bridge, scope, body) == 200

    try:
        asyncio.run(run())
    finally:
        bridge.close()


def test_a_read_that_was_cheap_runs_on_the_loop_thread() -> None:
    seen: list[str] = []
    bridge = WSGIBridge(_threads_app(seen), threads=2)
    _serve(bridge, [(_scope("GET", f"/identity/v3/users/{n}a"), b"") for n in range(6)])
    # The first runs of a kind go to the pool (a first run may be a cold one); then the loop.
    pool, loop = seen[:INLINE_AFTER], seen[INLINE_AFTER:]
    assert all(name.startswith("pocketstack") for name in pool)
    assert loop == ["MainThread"] * (6 - INLINE_AFTER)
    assert bridge.inline_runs == 6 - INLINE_AFTER


def test_writes_bodies_and_slow_reads_stay_in_the_pool() -> None:
    seen: list[str] = []
    bridge = WSGIBridge(_threads_app(seen), threads=2)
    _serve(bridge, [(_scope("POST", "/identity/v3/auth/tokens", length=2), b"{}")] * 6)
    _serve(WSGIBridge(_threads_app(seen), threads=2),
           [(_scope("GET", "/compute/v2.1/servers", length=2), b"{}")] * 6)  # fmt: skip
    slow: list[str] = []
    _serve(WSGIBridge(_threads_app(slow, pause=0.003), threads=2),
           [(_scope("GET", "/compute/v2.1/servers/detail"), b"")] * 6)  # fmt: skip
    assert not [name for name in seen + slow if not name.startswith("pocketstack")]


def test_without_inline_every_request_goes_to_the_pool() -> None:
    seen: list[str] = []
    bridge = WSGIBridge(_threads_app(seen), threads=2, inline=False)
    _serve(bridge, [(_scope("GET", "/identity/v3"), b"")] * 6)
    assert bridge.inline_runs == 0
    assert all(name.startswith("pocketstack") for name in seen)


def test_a_cheap_read_waits_for_no_one_while_another_request_runs() -> None:
    """A request in the pool (here one that waits for the cheap read to be answered): the cheap
    read is answered at once, on the loop thread, and the other one then finishes."""
    release = threading.Event()
    seen: list[str] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen.append(threading.current_thread().name)
        if environ["REQUEST_METHOD"] == "POST":
            assert release.wait(timeout=10), "the cheap read was never answered"
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    bridge = WSGIBridge(app, threads=4)
    cheap = _scope("GET", "/identity/v3")

    async def run() -> None:
        for _ in range(INLINE_AFTER):
            await _one(bridge, cheap)
        slow = asyncio.ensure_future(_one(bridge, _scope("POST", "/x", length=2), b"{}"))
        while len(seen) < INLINE_AFTER + 1:
            await asyncio.sleep(0.001)
        assert await _one(bridge, cheap) == 200
        release.set()
        assert await slow == 200

    try:
        asyncio.run(asyncio.wait_for(run(), timeout=20))
    finally:
        bridge.close()
    assert bridge.inline_runs == 1
    assert seen[-1] == "MainThread"


def test_a_kind_is_a_collection_not_one_resource_and_few_are_kept() -> None:
    costs = Costs()
    server = "/compute/v2.1/servers/3f9a2c1e-8b7d-4e6f-a5c4-1b2d3e4f5a6b"
    # (The API version too: a collection costs the same through v2 and v2.1.)
    assert costs.kind({"REQUEST_METHOD": "GET", "PATH_INFO": server}) == (
        "GET", "/compute/*/servers/*")  # fmt: skip
    assert costs.kind({"REQUEST_METHOD": "GET", "PATH_INFO": "/compute/v2.1/flavors/m1.tiny"}) \
        == ("GET", "/compute/*/flavors/*")  # fmt: skip
    assert costs.kind({"REQUEST_METHOD": "DELETE", "PATH_INFO": server}) is None
    # Key pairs go by name, names without digits are as many as users make.
    names = [f"/compute/v2.1/os-keypairs/{_letters(n)}" for n in range(KINDS_KEPT * 2)]
    for name in names:
        costs.record(("GET", name), 0.0001)
    assert len(costs._kinds) == KINDS_KEPT
    assert ("GET", names[-1]) in costs._kinds


def _letters(n: int) -> str:
    word = ""
    while True:
        n, rest = divmod(n, 26)
        word += chr(ord("a") + rest)
        if not n:
            return word


def test_a_kind_that_turned_slow_goes_back_to_the_pool() -> None:
    costs = Costs()
    kind = ("GET", "/identity/v3/auth/tokens")
    for _ in range(INLINE_AFTER):
        costs.record(kind, 0.0002)
    assert costs.cheap(kind)
    costs.record(kind, 0.05)
    assert not costs.cheap(kind)
