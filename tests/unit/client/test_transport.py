from __future__ import annotations

import socket
from pathlib import Path

import pytest

from pocketstack.client.errors import ConnectFailure, SSLFailure
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
