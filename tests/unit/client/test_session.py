from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from pocketstack.client.adapter import Adapter
from pocketstack.client.catalog import EndpointFilter
from pocketstack.client.errors import (
    EndpointNotFound,
    HttpServerError,
    NotFound,
    ServiceUnavailable,
    TooManyRedirects,
)
from pocketstack.client.session import Session
from pocketstack.client.transport.wsgi import WSGITransport
from tests.unit.client.conftest import SessionFactory

COMPUTE = EndpointFilter(service_type="compute")


def test_nova_fault_body_becomes_a_typed_error(
    make_session: SessionFactory, transport: WSGITransport
) -> None:
    session = make_session()
    with pytest.raises(NotFound) as caught:
        session.request(
            "/servers/00000000-0000-0000-0000-000000000000", "GET", endpoint_filter=COMPUTE
        )
    error = caught.value
    assert error.status_code == 404
    assert "could not be found" in error.message
    assert error.request_id
    assert error.request_id.startswith("req-")
    assert f"(Request-ID: {error.request_id})" in str(error)


def test_raise_exc_false_returns_the_answer(make_session: SessionFactory) -> None:
    session = make_session()
    response = session.request("/servers/nope", "GET", endpoint_filter=COMPUTE, raise_exc=False)
    assert response.status == 404


def test_adapter_interface_spellings_and_microversion(
    make_session: SessionFactory, transport: WSGITransport
) -> None:
    session = make_session()
    adapter = Adapter(
        session,
        service_type="compute",
        interface="publicURL",
        region_name="RegionOne",
        microversion="2.10",
    )
    response = adapter.get("/servers")
    assert response.headers["OpenStack-API-Version"] == "compute 2.10"
    sent = transport.sent[-1].headers
    assert sent["OpenStack-API-Version"] == "compute 2.10"
    assert sent["X-OpenStack-Nova-API-Version"] == "2.10"
    assert adapter.get_endpoint() == "http://cloud.test/compute/v2.1"


def test_catalog_miss_names_what_was_missing(make_session: SessionFactory) -> None:
    session = make_session()
    adapter = Adapter(session, service_type="compute", region_name="RegionTwo")
    with pytest.raises(
        EndpointNotFound,
        match=r"^public endpoint for compute service in RegionTwo region not found$",
    ):
        adapter.get("/servers")
    with pytest.raises(EndpointNotFound, match="internal endpoint for volumev3 service not found"):
        Adapter(session, service_type="volumev3", interface="internalURL").get("/volumes")


def test_every_request_is_timed(make_session: SessionFactory) -> None:
    session = make_session()
    session.request("/servers", "GET", endpoint_filter=COMPUTE)
    assert [(t.method, t.status) for t in session.timings] == [
        ("GET", 200),
        ("POST", 201),
        ("GET", 200),
    ]
    assert all(t.elapsed > 0 for t in session.timings)


# Session behaviour the cloud never triggers (redirects, 503s) is exercised against a small
# WSGI application that answers with those statuses; it is a server, not a fake of the cloud.
Start = Callable[..., Any]


class Scripted:
    """Answers each request with the next (status, headers, body) and records what came in."""

    def __init__(self, answers: list[tuple[str, list[tuple[str, str]], bytes]]) -> None:
        self.answers = answers
        self.seen: list[tuple[str, str, bytes, str | None]] = []

    def __call__(self, environ: dict[str, Any], start: Start) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.seen.append(
            (
                environ["REQUEST_METHOD"],
                environ["PATH_INFO"],
                environ["wsgi.input"].read(length),
                environ.get("HTTP_X_AUTH_TOKEN"),
            )
        )
        status, headers, body = self.answers.pop(0) if self.answers else ("200 OK", [], b"{}")
        start(status, [("Content-Type", "application/json"), *headers])
        return [body]


def scripted_session(
    app: Scripted, *, sleeps: list[float] | None = None, status_retries: int = 0
) -> Session:
    record = sleeps if sleeps is not None else []
    return Session(transport=WSGITransport(app), status_retries=status_retries, sleep=record.append)


@pytest.mark.parametrize(
    ("status", "method"),
    [
        ("301 Moved", "GET"),
        ("302 Found", "GET"),
        ("303 See Other", "GET"),
        ("307 Temporary Redirect", "POST"),
        ("308 Permanent Redirect", "POST"),
    ],
)
def test_redirects(status: str, method: str) -> None:
    app = Scripted([(status, [("Location", "/there")], b"")])
    session = scripted_session(app)
    response = session.request("http://svc.test/here", "POST", json={"a": 1})
    assert response.status == 200
    assert [(m, p) for m, p, _, _ in app.seen] == [("POST", "/here"), (method, "/there")]
    assert app.seen[1][2] == (b'{"a": 1}' if method == "POST" else b"")


def test_redirects_are_bounded() -> None:
    app = Scripted([("302 Found", [("Location", "/loop")], b"")] * 50)
    session = Session(transport=WSGITransport(app), redirect_limit=3)
    with pytest.raises(TooManyRedirects):
        session.request("http://svc.test/loop", "GET")
    assert len(app.seen) == 4


def test_cross_host_redirect_drops_the_token() -> None:
    from pocketstack.client.auth.base import TokenEndpoint

    app = Scripted([("302 Found", [("Location", "http://elsewhere.test/x")], b"")])
    session = Session(
        transport=WSGITransport(app),
        auth=TokenEndpoint(endpoint="http://svc.test", token="secret-token"),
    )
    session.request("/start", "GET")
    assert app.seen[0][3] == "secret-token"
    assert app.seen[1][3] is None


def test_503_retries_honour_retry_after_with_a_cap() -> None:
    busy = ("503 Service Unavailable", [("Retry-After", "7")], b"")
    app = Scripted([busy, ("503 Service Unavailable", [], b""), busy])
    sleeps: list[float] = []
    session = scripted_session(app, sleeps=sleeps, status_retries=3)
    session.max_retry_delay = 5.0
    assert session.request("http://svc.test/x", "GET").status == 200
    assert sleeps == [5.0, 1.0, 5.0]  # 7 capped at 5; then 0.5 * 2**1; then capped again


def test_503_after_retries_is_service_unavailable() -> None:
    body = json.dumps({"computeFault": {"code": 503, "message": "busy"}}).encode()
    app = Scripted([("503 Service Unavailable", [], body)] * 3)
    session = scripted_session(app, status_retries=2)
    with pytest.raises(ServiceUnavailable, match="busy") as caught:
        session.request("http://svc.test/x", "GET")
    assert isinstance(caught.value, HttpServerError)
    assert len(app.seen) == 3


def test_unknown_5xx_falls_back_to_server_error() -> None:
    app = Scripted([("599 Odd", [], b"")])
    with pytest.raises(HttpServerError) as caught:
        scripted_session(app).request("http://svc.test/x", "GET")
    assert caught.value.status_code == 599
