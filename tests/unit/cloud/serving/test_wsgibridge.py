"""The services run from the event loop (serving/wsgibridge.py): what a WSGI app says reaches
the client whole, streamed bodies included, and the environ is what WSGI servers give."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from pocketstack.cloud.serving.wsgibridge import WSGIBridge, build_environ

SCOPE: dict[str, Any] = {
    "type": "http", "method": "POST", "path": "/identity/v3/auth/tokens",
    "raw_path": b"/identity/v3/auth/tokens", "query_string": b"nocatalog",
    "root_path": "", "http_version": "1.1", "scheme": "http",
    "server": ("127.0.0.1", 8770), "client": ("10.0.0.5", 50123),
    "headers": [(b"content-type", b"application/json"), (b"content-length", b"2"),
                (b"x-auth-token", b"t"), (b"accept", b"a"), (b"accept", b"b")],
}


def _run(app: Callable[..., Iterable[bytes]]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(dict(message))

    bridge = WSGIBridge(app, threads=2)
    try:
        asyncio.run(bridge(SCOPE, b"{}", send))
    finally:
        bridge.close()
    return sent


def test_environ_is_what_a_wsgi_server_gives() -> None:
    environ = build_environ(SCOPE, b"{}")
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["PATH_INFO"] == "/identity/v3/auth/tokens"
    assert environ["QUERY_STRING"] == "nocatalog"
    assert environ["RAW_URI"] == "/identity/v3/auth/tokens?nocatalog"
    assert environ["CONTENT_TYPE"] == "application/json"
    assert environ["CONTENT_LENGTH"] == "2"
    assert environ["HTTP_X_AUTH_TOKEN"] == "t"
    assert environ["HTTP_ACCEPT"] == "a,b"
    assert environ["REMOTE_ADDR"] == "10.0.0.5"
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == ("127.0.0.1", "8770")
    assert environ["wsgi.input"].read() == b"{}"


def test_non_ascii_paths_reach_the_app_as_wsgi_latin_1_strings() -> None:
    scope = {**SCOPE, "path": "/compute/v2.1/servers/x/tags/é"}
    assert build_environ(scope, b"")["PATH_INFO"] == "/compute/v2.1/servers/x/tags/\xc3\xa9"


def test_a_list_body_comes_back_in_one_message() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("201 Created", [("Content-Type", "application/json")])
        return [b'{"a":', environ["wsgi.input"].read(), b"}"]

    sent = _run(app)
    assert sent[0] == {"type": "http.response.start", "status": 201,
                       "headers": [(b"content-type", b"application/json")]}
    assert sent[1] == {"type": "http.response.body", "body": b'{"a":{}}'}
    assert len(sent) == 2


def test_a_streamed_body_is_sent_chunk_by_chunk_and_closed() -> None:
    closed = []

    class Stream:
        def __init__(self, start_response: Callable[..., Any]) -> None:
            self.start_response = start_response

        def __iter__(self) -> Iterator[bytes]:
            # start_response with the first chunk, as PEP 3333 allows.
            self.start_response("200 OK", [("Content-Type", "application/octet-stream")])
            yield from (b"one", b"", b"two")

        def close(self) -> None:
            closed.append(True)

    sent = _run(lambda environ, start_response: Stream(start_response))
    assert sent[0]["status"] == 200
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b"onetwo"
    assert sent[-1] == {"type": "http.response.body", "body": b""}
    assert closed == [True]


def test_an_app_that_never_starts_a_response_is_an_error() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        yield from ()

    with pytest.raises(RuntimeError, match="start_response"):
        _run(app)
