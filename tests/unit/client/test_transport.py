from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pocketstack.client.errors import ConnectFailure, InvalidResponse, RequestTimeout, SSLFailure
from pocketstack.client.session import Session
from pocketstack.client.transport import Headers, Request
from pocketstack.client.transport.http import HTTPTransport, TLSOptions
from pocketstack.client.transport.wsgi import WSGITransport
from tests.unit.client.loopback import http_server, self_signed


def _get(transport: HTTPTransport, url: str) -> int:
    return transport.send(Request(method="GET", url=url, headers=Headers({}), timeout=5)).status


def test_keep_alive_reuses_one_connection() -> None:
    with http_server() as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/v3"
        transport = HTTPTransport()
        assert [_get(transport, url) for _ in range(5)] == [200] * 5
        assert server.connections == 1
        transport.close()


def test_a_connection_closed_by_the_server_is_replaced() -> None:
    with http_server() as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/v3"
        transport = HTTPTransport()
        _get(transport, url)
        for idle in transport._idle.values():  # the server's side of the story: it hung up
            for conn in idle:
                assert conn.sock is not None
                conn.sock.shutdown(socket.SHUT_RDWR)
        assert _get(transport, url) == 200


def test_connection_refused_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    session = Session(transport=HTTPTransport())
    with pytest.raises(
        ConnectFailure, match=f"Unable to establish connection to http://127.0.0.1:{port}/"
    ):
        session.request(f"http://127.0.0.1:{port}/", "GET")


def test_tls_verification(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with http_server(tls=(cert, key)) as server:
        url = f"https://127.0.0.1:{server.server_address[1]}/v3"
        with pytest.raises(SSLFailure, match="CERTIFICATE_VERIFY_FAILED"):
            _get(HTTPTransport(), url)
        assert _get(HTTPTransport(tls=TLSOptions(verify=False)), url) == 200
        assert _get(HTTPTransport(tls=TLSOptions(cafile=str(cert))), url) == 200


def test_missing_ca_file_is_an_ssl_error(tmp_path: Path) -> None:
    transport = HTTPTransport(tls=TLSOptions(cafile=str(tmp_path / "none.pem")))
    with pytest.raises(SSLFailure, match="Cannot load TLS files"):
        _get(transport, "https://127.0.0.1:1/")


def test_wsgi_transport_builds_a_proper_environ() -> None:
    seen = {}

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        seen.update(environ)
        start_response("204 No Content", [("X-Thing", "1")])
        return [b""]

    transport = WSGITransport(app)
    response = transport.send(
        Request(
            method="POST",
            url="https://h.test:8443/a%20b?x=1",
            headers=Headers({"Content-Type": "application/json", "X-Auth-Token": "t"}),
            body=b"{}",
        )
    )
    assert response.status == 204
    assert response.headers["x-thing"] == "1"
    assert (seen["PATH_INFO"], seen["QUERY_STRING"], seen["SERVER_PORT"]) == ("/a b", "x=1", "8443")
    assert (seen["CONTENT_TYPE"], seen["CONTENT_LENGTH"], seen["HTTP_X_AUTH_TOKEN"]) == (
        "application/json",
        "2",
        "t",
    )
    assert seen["wsgi.url_scheme"] == "https"


# The hand-written HTTP/1.1 code against a server that answers with exact bytes ---------------
@contextmanager
def canned_server(*answers: bytes, close_after: bool = False) -> Iterator[tuple[str, list[bytes]]]:
    """A loopback server answering each request on one connection with the next canned
    bytes; yields (base URL, the raw requests it got)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    received: list[bytes] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            pending = b""
            for answer in answers:
                while b"\r\n\r\n" not in pending:
                    data = conn.recv(65536)
                    if not data:
                        return
                    pending += data
                head, _, pending = pending.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(pending) < length:
                    pending += conn.recv(65536)
                received.append(head + b"\r\n\r\n" + pending[:length])
                pending = pending[length:]
                conn.sendall(answer)
            if close_after:
                conn.shutdown(socket.SHUT_RDWR)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", received
    finally:
        listener.close()
        thread.join(timeout=5)


def _send(transport: HTTPTransport, url: str, *, method: str = "GET", body: bytes | None = None):  # type: ignore[no-untyped-def]
    return transport.send(
        Request(
            method=method,
            url=url,
            headers=Headers({"Accept": "application/json"}),
            body=body,
            timeout=5,
        )
    )


def test_chunked_and_content_length_bodies_share_one_connection() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Folded: a\r\n b\r\n\r\n"
        b'4;ext=1\r\n{"a"\r\n5\r\n: 1}\n\r\n0\r\nTrailer: x\r\n\r\n'
    )
    sized = b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
    with canned_server(chunked, sized) as (base, received):
        transport = HTTPTransport()
        first = _send(transport, base + "/a?x=1")
        second = _send(transport, base + "/b", method="POST", body=b"{}")
    assert (first.status, first.reason, first.body) == (200, "OK", b'{"a": 1}\n')
    assert first.headers["x-folded"] == "a b"
    assert (second.status, second.body) == (201, b"ok")
    assert received[0].startswith(b"GET /a?x=1 HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"\r\nAccept: application/json\r\n" in received[0]
    assert received[1].startswith(b"POST /b HTTP/1.1\r\n")
    assert received[1].endswith(b"Content-Length: 2\r\n\r\n{}")


def test_interim_answers_are_skipped_and_no_body_statuses_read_nothing() -> None:
    answers = (
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n",  # HEAD: the length is not sent
        b"HTTP/1.0 200 OK\r\n\r\nuntil the end",
    )
    with canned_server(*answers, close_after=True) as (base, _):
        transport = HTTPTransport()
        assert _send(transport, base).status == 204
        head = _send(transport, base, method="HEAD")
        assert (head.status, head.body) == (200, b"")
        assert _send(transport, base).body == b"until the end"


def test_a_short_body_is_an_invalid_response() -> None:
    short = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"
    with (
        canned_server(short, close_after=True) as (base, _),
        pytest.raises(InvalidResponse, match="closed after 5 of 10 body bytes"),
    ):
        _send(HTTPTransport(), base)


def test_garbage_is_an_invalid_response() -> None:
    with (
        canned_server(b"SSH-2.0-OpenSSH\r\n\r\n", close_after=True) as (base, _),
        pytest.raises(InvalidResponse, match="bad status line"),
    ):
        _send(HTTPTransport(), base)


def test_a_silent_server_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        request = Request(method="GET", url=url, headers=Headers({}), timeout=0.2)
        with pytest.raises(RequestTimeout, match="timed out"):
            HTTPTransport().send(request)


def test_header_injection_is_refused() -> None:
    request = Request(
        method="GET", url="http://127.0.0.1:1/", headers=Headers({"X-A": "1\r\nX-B: 2"})
    )
    with pytest.raises(ValueError, match="Invalid header"):
        HTTPTransport().send(request)
