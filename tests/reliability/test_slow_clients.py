"""Slow and oversized requests against a real `pocketstack serve`: clients that never finish a
request head or body hold connections, not the service; chunked bodies are read; what the front
end refuses by itself is JSON in the shape of the service the path names."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.reliability.conftest import HOST, Served, ServeStarter, password_auth

pytestmark = pytest.mark.e2e

HEADER_TIMEOUT = 3.0
BODY_TIMEOUT = 3.0
# A bystander must be answered within this, however many slow clients hold connections.
ANSWER_WITHIN = 5.0


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    starter = ServeStarter()
    config = f"header_timeout = {HEADER_TIMEOUT}\nbody_timeout = {BODY_TIMEOUT}\n"
    try:
        yield starter(tmp_path_factory.mktemp("slow") / "cloud", config=config)
    finally:
        starter.stop_all()


def connect(served: Served) -> socket.socket:
    return socket.create_connection((HOST, served.port), timeout=10)


def exchange(served: Served, raw: bytes, *, timeout: float = 10.0) -> bytes:
    """Send raw bytes on a fresh connection; everything the server says until it closes."""
    with connect(served) as sock:
        sock.settimeout(timeout)
        sock.sendall(raw)
        return read_all(sock)


def read_all(sock: socket.socket) -> bytes:
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            return data
        if not chunk:
            return data
        data += chunk


def parse(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def chunked(body: bytes, size: int = 64) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size])
             for i in range(0, len(body), size)]  # fmt: skip
    return b"".join(parts) + b"0\r\n\r\n"


def bystander_validates(served: Served, token: str) -> float:
    """Seconds a token validation took; fails the test past ANSWER_WITHIN."""
    start = time.monotonic()
    reply = served.request(
        "GET",
        "/identity/v3/auth/tokens?nocatalog",
        token=token,
        headers={"X-Subject-Token": token},
        timeout=ANSWER_WITHIN,
    )
    assert reply.status == 200, reply
    return time.monotonic() - start


def test_half_sent_heads_hold_no_service_and_are_dropped_in_time(served: Served) -> None:
    token = served.admin_token()
    held = []
    try:
        for _ in range(100):
            sock = connect(served)
            sock.sendall(b"GET /identity/v3 HTTP/1.1\r\nHost: cloud\r\nX-Slow: ")
            held.append(sock)
        silent = connect(served)
        held.append(silent)
        opened = time.monotonic()
        # gunicorn's sync workers left every other client unanswered here.
        for _ in range(5):
            assert bystander_validates(served, token) < ANSWER_WITHIN
        # The slow heads are answered 408 (Keystone's shape: the path is /identity) and closed.
        held[0].settimeout(HEADER_TIMEOUT + 10)
        status, headers, body = parse(read_all(held[0]))
        assert time.monotonic() - opened < HEADER_TIMEOUT + 5
        assert status == 408
        assert headers["content-type"] == "application/json"
        assert json.loads(body)["error"]["code"] == 408
        # A connection that never sent a byte is closed, without an answer.
        silent.settimeout(HEADER_TIMEOUT + 10)
        assert read_all(silent) == b""
        assert time.monotonic() - opened < HEADER_TIMEOUT + 5
    finally:
        for sock in held:
            sock.close()


def test_a_body_that_never_arrives_is_answered_408_and_others_are_served(served: Served) -> None:
    token = served.admin_token()
    held = []
    try:
        for _ in range(20):
            sock = connect(served)
            sock.sendall(
                b"POST /compute/v2.1/servers HTTP/1.1\r\nHost: cloud\r\n"
                b'Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{"server": '
            )
            held.append(sock)
        assert bystander_validates(served, token) < ANSWER_WITHIN
        held[0].settimeout(BODY_TIMEOUT + 10)
        status, _, body = parse(read_all(held[0]))
        assert status == 408
        assert json.loads(body)["computeFault"]["code"] == 408  # Nova's shape for /compute
    finally:
        for sock in held:
            sock.close()


def test_a_chunked_token_request_is_read(served: Served) -> None:
    body = json.dumps(password_auth("admin", served.admin_password, project_name="admin"))
    status, headers, _ = parse(
        exchange(
            served,
            b"POST /identity/v3/auth/tokens?nocatalog HTTP/1.1\r\nHost: cloud\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            b"Connection: close\r\n\r\n" + chunked(body.encode()),
        )
    )
    assert status == 201
    assert headers["x-subject-token"]


def test_an_oversized_chunked_body_is_413_in_novas_shape(served: Served) -> None:
    token = served.admin_token()
    huge = b'{"server": {"name": "' + b"x" * 200_000 + b'"}}'
    status, headers, body = parse(
        exchange(
            served,
            b"POST /compute/v2.1/servers HTTP/1.1\r\nHost: cloud\r\n"
            + f"X-Auth-Token: {token}\r\n".encode()
            + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunked(huge, 8192),
        )
    )
    assert status == 413
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"overLimit": {"code": 413, "message": "Request is too large."}}


@pytest.mark.parametrize(
    ("path", "status", "shape"),
    [
        ("/compute/v2.1/servers?name=" + "a" * 9000, 414, "computeFault"),
        ("/identity/v3/projects?name=" + "a" * 9000, 414, "error"),
        ("/image/v2/images?name=" + "a" * 9000, 414, "code"),
        ("/networking/v2.0/networks?name=" + "a" * 9000, 414, "NeutronError"),
    ],
)
def test_an_overlong_request_line_is_json(
    served: Served, path: str, status: int, shape: str
) -> None:
    code, headers, body = parse(
        exchange(served, f"GET {path} HTTP/1.1\r\nHost: cloud\r\n\r\n".encode())
    )
    assert code == status
    assert headers["content-type"] == "application/json"
    assert shape in json.loads(body)


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/compute/v2.1/servers/x/tags/\u00e9x", "badRequest"),
        ("/identity/v3/projects/\u00e9", "error"),
        ("/image/v2/images/\u00e9", "code"),
        ("/networking/v2.0/networks/\u00e9", "NeutronError"),
    ],
)
def test_a_raw_non_ascii_target_is_refused_in_its_services_shape(
    served: Served, path: str, shape: str
) -> None:
    """httptools refuses an unencoded UTF-8 byte in the target before it hands the target over;
    the 400 still names the service the path does, as for a target too long."""
    code, headers, body = parse(
        exchange(served, f"PUT {path} HTTP/1.1\r\nHost: cloud\r\n\r\n".encode())
    )
    assert code == 400
    assert headers["content-type"] == "application/json"
    assert shape in json.loads(body), body


@pytest.mark.parametrize("size", [40_000, 300_000])
def test_overlong_headers_are_json(served: Served, size: int) -> None:
    code, headers, body = parse(
        exchange(
            served,
            b"GET /identity/v3 HTTP/1.1\r\nHost: cloud\r\nX-Big: " + b"a" * size + b"\r\n\r\n",
        )
    )
    assert code == 431
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["title"] == "Request Header Fields Too Large"


def test_links_follow_forwarded_proto_only_from_trusted_addresses(served: Served) -> None:
    def self_link(source: str) -> str:
        with socket.create_connection((HOST, served.port), source_address=(source, 0)) as sock:
            sock.settimeout(10)
            sock.sendall(
                b"GET /identity/v3 HTTP/1.1\r\nHost: cloud.example.com\r\n"
                b"X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n"
            )
            _, _, body = parse(read_all(sock))
        link: str = json.loads(body)["version"]["links"][0]["href"]
        return link

    # FORWARDED_ALLOW_IPS defaults to loopback's 127.0.0.1 and ::1 alone.
    assert self_link("127.0.0.1") == "https://cloud.example.com/identity/v3/"
    assert self_link("127.0.0.2") == "http://cloud.example.com/identity/v3/"


def test_sigterm_lets_a_request_in_flight_finish(
    serve_factory: ServeStarter, tmp_path: Path
) -> None:
    server = serve_factory(tmp_path / "cloud")
    body = json.dumps(password_auth("admin", server.admin_password, project_name="admin")).encode()
    with connect(server) as sock:
        sock.sendall(
            b"POST /identity/v3/auth/tokens?nocatalog HTTP/1.1\r\nHost: cloud\r\n"
            b"Content-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[:10]
        )
        # Time for a worker to take the connection even on a loaded machine: a connection still
        # in the listen backlog when SIGTERM closes the socket is reset, not served.
        time.sleep(2.0)
        os.kill(server.process.pid, signal.SIGTERM)
        time.sleep(1.0)
        sock.sendall(body[10:])
        status, headers, _ = parse(read_all(sock))
    assert status == 201
    assert headers["x-subject-token"]
    assert server.process.wait(timeout=30) == 0
    assert not (server.data_dir / "pocketstack.pid").exists()


def test_a_malformed_chunked_body_is_a_json_400(served: Served) -> None:
    token = served.admin_token()
    code, headers, body = parse(
        exchange(
            served,
            b"POST /compute/v2.1/servers HTTP/1.1\r\nHost: cloud\r\n"
            + f"X-Auth-Token: {token}\r\n".encode()
            + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b'5\r\n{"ser\r\nzz\r\nnot a chunk\r\n',
        )
    )
    assert code == 400
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["badRequest"]["code"] == 400


def test_image_data_is_spooled_only_for_a_known_caller(served: Served) -> None:
    """An upload streams past the request size limit into the data directory's spool, but only
    for a token the cloud issued: anyone else is answered 401 before a byte is stored."""
    data = b"x" * (3 << 20)
    target = f"/image/v2/images/{uuid.uuid4()}/file"
    for token in ("", "gAAAAABnot-a-token"):
        auth = f"X-Auth-Token: {token}\r\n" if token else ""
        head = (f"PUT {target} HTTP/1.1\r\nHost: cloud\r\n{auth}Content-Type:"
                " application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")  # fmt: skip
        status, headers, body = parse(exchange(served, head.encode() + chunked(data, 65536)))
        assert status == 401, body
        assert headers["content-type"].startswith("application/json")
        assert not any((served.data_dir / "spool").iterdir())
    # A known caller's upload of an image that is not there reaches the app: Glance's 404.
    head = (f"PUT {target} HTTP/1.1\r\nHost: cloud\r\nX-Auth-Token: {served.admin_token()}\r\n"
            "Content-Type: application/octet-stream\r\nConnection: close\r\n"
            f"Content-Length: {len(data)}\r\n\r\n")  # fmt: skip
    status, _, body = parse(exchange(served, head.encode() + data))
    assert status == 404, body
    assert not any((served.data_dir / "spool").iterdir())


def _dashboard_session(served: Served) -> tuple[str, str]:
    """(Cookie header, CSRF token) of a dashboard session signed in as admin over HTTP."""
    status, headers, body = parse(exchange(
        served, b"GET /dashboard/auth/login HTTP/1.1\r\nHost: cloud\r\nConnection: close\r\n\r\n"))
    login_cookie = headers["set-cookie"].split(";")[0]
    found = re.search(rb'name="csrf_token" value="([^"]+)"', body)
    assert status == 200
    assert found
    form = urlencode({"csrf_token": found.group(1).decode(), "domain": "Default",
                      "username": "admin", "password": served.admin_password}).encode()
    head = ("POST /dashboard/auth/login HTTP/1.1\r\nHost: cloud\r\nConnection: close\r\n"
            f"Cookie: {login_cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(form)}\r\n\r\n")  # fmt: skip
    status, headers, _ = parse(exchange(served, head.encode() + form))
    assert status == 303
    cookie = headers["set-cookie"].split(";")[0]
    assert cookie.startswith("pocketstack_session=")
    status, _, page = parse(exchange(served, (
        "GET /dashboard/project/images/create HTTP/1.1\r\nHost: cloud\r\nConnection: close\r\n"
        f"Cookie: {cookie}\r\n\r\n").encode()))  # fmt: skip
    found = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    assert status == 200
    assert found
    return cookie, found.group(1).decode()


def test_the_dashboards_image_form_is_spooled_only_for_a_live_session(served: Served) -> None:
    """The dashboard's upload form may be as large as image data (past the request size limit),
    and is spooled only for a browser with a session: anyone else is sent to the login page
    before a byte is stored."""
    boundary = "b0undary"
    data = bytes(range(256)) * (8 << 10)  # 2 MiB: far past the 112 KiB request limit
    cookie, csrf = _dashboard_session(served)

    def form(token: str) -> bytes:
        fields = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                  f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"name\""
                  f"\r\n\r\nfrom-the-browser\r\n--{boundary}\r\nContent-Disposition: form-data;"
                  ' name="file"; filename="disk.raw"\r\nContent-Type: application/octet-stream'
                  "\r\n\r\n")  # fmt: skip
        return fields.encode() + data + f"\r\n--{boundary}--\r\n".encode()

    def post(cookie_header: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        head = ("POST /dashboard/project/images/create HTTP/1.1\r\nHost: cloud\r\n"
                f"{cookie_header}Content-Type: multipart/form-data; boundary={boundary}\r\n"
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")  # fmt: skip
        return parse(exchange(served, head.encode() + chunked(body, 65536)))

    for stranger in ("", "Cookie: pocketstack_session=not-a-session\r\n"):
        # Only the head: a form the cloud waited for would be a 408 after the body timeout.
        head = ("POST /dashboard/project/images/create HTTP/1.1\r\nHost: cloud\r\n"
                f"{stranger}Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {len(form(csrf))}\r\nConnection: close\r\n\r\n")  # fmt: skip
        status, headers, _ = parse(exchange(served, head.encode()))
        assert status == 303
        assert headers["location"].startswith("/dashboard/auth/login")
        assert not any((served.data_dir / "spool").iterdir())
    status, headers, body = post(f"Cookie: {cookie}\r\n", form(csrf))
    assert status == 303, body[:300]
    assert headers["location"] == "/dashboard/project/images"
    token = served.admin_token()
    found = served.request("GET", "/image/v2/images?name=from-the-browser", token=token)
    (image,) = json.loads(found.body)["images"]
    assert (image["status"], image["size"]) == ("active", len(data))
    assert not any((served.data_dir / "spool").iterdir())
