"""When a pooled connection fails, the transport sends the request again only when that cannot
repeat it: not one byte of it left, or an idempotent method and not one byte of an answer came
(urllib3's rule). A POST the server may have received is never sent twice.

Real loopback servers that answer, hang up (FIN) or reset (RST) on cue, per connection."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from pocketstack.client.errors import ConnectFailure
from pocketstack.client.transport import Headers, Request, Response
from pocketstack.client.transport.http import Connection, HTTPTransport

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
PARTIAL = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b"


@dataclass
class Scripted:
    url: str
    received: list[tuple[int, bytes]] = field(default_factory=list)
    closed: list[threading.Event] = field(default_factory=list)

    def methods(self) -> list[tuple[int, str]]:
        return [(conn, request.split(b" ", 1)[0].decode()) for conn, request in self.received]


def _read_request(conn: socket.socket, pending: bytes) -> tuple[bytes | None, bytes]:
    while b"\r\n\r\n" not in pending:
        data = conn.recv(65536)
        if not data:
            return None, pending
        pending += data
    head, _, pending = pending.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(pending) < length:
        pending += conn.recv(65536)
    return head + b"\r\n\r\n" + pending[:length], pending[length:]


def _reset(conn: socket.socket) -> None:
    # SO_LINGER 0: close() sends RST instead of FIN.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@contextmanager
def scripted_server(*connections: Sequence[str]) -> Iterator[Scripted]:
    """Per accepted connection, what to do with each request in turn: "ok" answers, "drop"
    reads it and hangs up unanswered, "partial" reads it and resets in the middle of the
    answer, "reset" (in place of a request) resets the idle connection. A connection whose
    script ends is closed (FIN)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    scripted = Scripted(url=f"http://127.0.0.1:{listener.getsockname()[1]}/")
    scripted.closed.extend(threading.Event() for _ in connections)

    def serve() -> None:
        for index, actions in enumerate(connections):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            pending = b""
            with conn:
                for action in actions:
                    if action == "reset":
                        _reset(conn)
                        break
                    request, pending = _read_request(conn, pending)
                    if request is None:
                        break
                    scripted.received.append((index, request))
                    if action == "ok":
                        conn.sendall(OK)
                    elif action == "partial":
                        conn.sendall(PARTIAL)
                        _reset(conn)
                        break
                    else:
                        break
            scripted.closed[index].set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield scripted
    finally:
        # Wakes an accept() waiting for a connection the test did not need (close() would not).
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(timeout=5)


def _send(transport: HTTPTransport, url: str, method: str) -> Response:
    body = b"{}" if method in ("POST", "PUT", "PATCH") else None
    request = Request(method=method, url=url, headers=Headers({}), body=body, timeout=5)
    return transport.send(request)


@pytest.fixture
def unnoticed_close(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pool checks an idle connection before reusing it; a close that lands just after
    # that check is the race this opens: the check never sees it.
    monkeypatch.setattr(Connection, "is_dropped", lambda self: False)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_request_the_server_may_have_received_is_not_sent_again(method: str) -> None:
    with scripted_server(["ok", "drop"], ["ok"]) as server:
        transport = HTTPTransport()
        assert _send(transport, server.url, "GET").status == 200
        with pytest.raises(ConnectFailure, match=f"the {method} may have reached the server"):
            _send(transport, server.url, method)
        transport.close()
    assert server.methods() == [(0, "GET"), (0, method)]


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE"])
def test_an_idempotent_request_unanswered_is_sent_again_once(method: str) -> None:
    with scripted_server(["ok", "drop"], ["ok"]) as server:
        transport = HTTPTransport()
        assert _send(transport, server.url, "GET").status == 200
        assert _send(transport, server.url, method).status == 200
        transport.close()
    assert server.methods() == [(0, "GET"), (0, method), (1, method)]


def test_an_idempotent_request_is_sent_at_most_twice() -> None:
    with scripted_server(["ok", "drop"], ["drop"], ["ok"]) as server:
        transport = HTTPTransport()
        _send(transport, server.url, "GET")
        with pytest.raises(ConnectFailure, match="was closed"):
            _send(transport, server.url, "GET")
        transport.close()
    assert server.methods() == [(0, "GET"), (0, "GET"), (1, "GET")]


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_reset_once_the_answer_began_is_not_retried(method: str) -> None:
    with scripted_server(["ok", "partial"], ["ok"]) as server:
        transport = HTTPTransport()
        _send(transport, server.url, "GET")
        with pytest.raises(ConnectFailure, match="was closed"):
            _send(transport, server.url, method)
        transport.close()
    assert server.methods() == [(0, "GET"), (0, method)]


@pytest.mark.usefixtures("unnoticed_close")
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_request_refused_before_one_byte_left_is_sent_again(method: str) -> None:
    # The server reset the idle connection: the first send fails, nothing of the request went
    # out, so even a POST is safe to send on a new connection.
    with scripted_server(["ok", "reset"], ["ok"]) as server:
        transport = HTTPTransport()
        _send(transport, server.url, "GET")
        assert server.closed[0].wait(5)
        assert _send(transport, server.url, method).status == 200
        transport.close()
    assert server.methods() == [(0, "GET"), (1, method)]


@pytest.mark.usefixtures("unnoticed_close")
def test_an_unnoticed_hang_up_resends_a_get_but_not_a_post() -> None:
    # The server closed the idle connection (FIN) unseen: the request is written, then the
    # answer is an end of stream. That looks the same as a server that received the request
    # and died, so a POST is reported, not repeated; a GET is repeated.
    with scripted_server(["ok"], ["ok"], ["ok"]) as server:
        transport = HTTPTransport()
        _send(transport, server.url, "GET")
        assert server.closed[0].wait(5)
        assert _send(transport, server.url, "GET").status == 200
        assert server.closed[1].wait(5)
        with pytest.raises(ConnectFailure, match="the POST may have reached the server"):
            _send(transport, server.url, "POST")
        transport.close()
    assert server.methods() == [(0, "GET"), (1, "GET")]


def test_a_new_connection_is_never_retried() -> None:
    with (
        scripted_server(["drop"], ["ok"]) as server,
        pytest.raises(ConnectFailure, match="was closed"),
    ):
        _send(HTTPTransport(), server.url, "GET")
    assert server.methods() == [(0, "GET")]
