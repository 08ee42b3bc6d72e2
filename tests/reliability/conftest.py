"""Fixtures for the reliability and security tests."""

# --- part A ---
# The OpenAPI, fuzzing and malformed-input tests: one in-process cloud per module (the real WSGI
# apps, through falcon.testing), with an admin, a plain member, and servers of the member's.

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import falcon.testing
import pytest

from pocketstack.cloud.app import WSGIApp, create_cloud_app
from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import (
    OffsetClock,
    TestUser,
    admin_token,
    create_user,
    issue_token,
    make_deps,
)
from tests.fixtures.databases import BACKENDS, make_database

MICROVERSION = "compute 2.73"


@dataclasses.dataclass(frozen=True)
class InProcessCloud:
    deps: CloudDeps
    app: WSGIApp
    admin_token: str
    member: TestUser
    member_token: str
    image_id: str
    server_ids: tuple[str, ...]

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        query_string: str | None = None,
    ) -> falcon.testing.Result:
        """A request through the whole cloud app; `token` defaults to the member's."""
        sent = {"X-Auth-Token": token if token is not None else self.member_token}
        if path.startswith("/compute"):
            sent["OpenStack-API-Version"] = MICROVERSION
        if body is not None or raw is not None:
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        return falcon.testing.simulate_request(
            self.app, method, path, headers=sent, body=data, query_string=query_string
        )


def _create_server(cloud: InProcessCloud, name: str, token: str) -> str:
    result = cloud.request(
        "POST",
        "/compute/v2.1/servers",
        token=token,
        body={"server": {"name": name, "imageRef": cloud.image_id, "flavorRef": "1",
                         "networks": "none", "metadata": {"purpose": "fixture"}}},
    )  # fmt: skip
    assert result.status_code == 202, result.text
    server_id: str = result.json["server"]["id"]
    return server_id


@pytest.fixture(scope="module")
def inprocess_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessCloud]:
    data_dir = tmp_path_factory.mktemp("reliability") / "cloud"
    data_dir.mkdir(mode=0o700)
    yield from _inprocess_cloud(data_dir, f"sqlite:///{data_dir / 'pocketstack.db'}")


@pytest.fixture(scope="module", params=BACKENDS)
def inprocess_cloud_any_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[InProcessCloud]:
    """The same cloud once per database backend (SQLite, PostgreSQL, MariaDB), per module."""
    tmp = tmp_path_factory.mktemp(f"reliability-{request.param}")
    data_dir = tmp / "cloud"
    data_dir.mkdir(mode=0o700)
    for db_url in make_database(request.param, tmp):
        yield from _inprocess_cloud(data_dir, db_url)


def _inprocess_cloud(data_dir: Path, db_url: str) -> Iterator[InProcessCloud]:
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=OffsetClock())
    member = create_user(deps, name="fuzz-member", project_name="fuzz-project")
    app = create_cloud_app(deps)
    cloud = InProcessCloud(
        deps=deps, app=app, admin_token=admin_token(deps), member=member,
        member_token=issue_token(deps, user_id=member.id, project_id=member.project_id),
        image_id="", server_ids=(),
    )  # fmt: skip
    images = cloud.request("GET", "/image/v2/images").json["images"]
    cloud = dataclasses.replace(cloud, image_id=images[0]["id"])
    ids = tuple(_create_server(cloud, f"fixture-{n}", cloud.member_token) for n in range(3))
    cloud = dataclasses.replace(cloud, server_ids=ids)
    yield cloud
    deps.store.dispose()


# --- part B ---
# Isolation, crash safety, load, secrets, scale-out and token lifecycle: talking HTTP to real
# `pocketstack serve` processes (each in its own process group, so `kill -9` takes the gunicorn
# master and its workers at once), and to the in-process cloud.

import dataclasses as _dataclasses  # noqa: E402
import http.client as _http_client  # noqa: E402
import json as _json  # noqa: E402
import os as _os  # noqa: E402
import signal as _signal  # noqa: E402
import subprocess as _subprocess  # noqa: E402
from collections.abc import Iterator as _Iterator  # noqa: E402
from pathlib import Path as _Path  # noqa: E402
from typing import Any as _Any  # noqa: E402

import pytest as _pytest  # noqa: E402, PT013

from tests.fixtures.server import (  # noqa: E402
    HOST,
    clean_env,
    free_port,
    pocketstack_command,
    wait_until_answers,
    write_test_config,
)

# The microversion the reliability tests speak: tags (2.26), locked_reason (2.73).
COMPUTE_VERSION = "compute 2.73"
REQUEST_TIMEOUT = 15.0


@_dataclasses.dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> _Any:
        return _json.loads(self.body) if self.body else None


def http_request(
    base_url: str,
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: object = None,
    headers: dict[str, str] | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> Reply:
    """One request on a fresh loopback connection (gunicorn's sync workers close after each).

    Connection errors propagate: a caller that kills the server decides what they mean.
    """
    host_port = base_url.split("://", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    conn = _http_client.HTTPConnection(host, int(port), timeout=timeout)
    sent = dict(headers or {})
    if token is not None:
        sent["X-Auth-Token"] = token
    data = None
    if body is not None:
        data = _json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    if path.startswith("/compute"):
        sent.setdefault("OpenStack-API-Version", COMPUTE_VERSION)
    try:
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        return Reply(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        conn.close()


def password_auth(
    name: str, password: str, *, project_id: str | None = None, project_name: str | None = None
) -> dict[str, object]:
    auth: dict[str, object] = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": name, "domain": {"id": "default"}, "password": password}},
        }
    }
    if project_id is not None:
        auth["scope"] = {"project": {"id": project_id}}
    elif project_name is not None:
        auth["scope"] = {"project": {"name": project_name, "domain": {"id": "default"}}}
    return {"auth": auth}


def issue_password_token(
    base_url: str,
    name: str,
    password: str,
    *,
    project_id: str | None = None,
    project_name: str | None = None,
) -> str:
    reply = http_request(
        base_url,
        "POST",
        "/identity/v3/auth/tokens?nocatalog",
        body=password_auth(name, password, project_id=project_id, project_name=project_name),
    )
    assert reply.status == 201, reply
    return reply.headers["x-subject-token"]


@_dataclasses.dataclass
class Served:
    """A `pocketstack serve` process group on a loopback port."""

    process: _subprocess.Popen[bytes]
    base_url: str
    port: int
    data_dir: _Path
    output: _Path
    command: list[str]
    env: dict[str, str]

    @property
    def admin_password(self) -> str:
        return (self.data_dir / "admin-password").read_text().strip()

    @property
    def log_file(self) -> _Path:
        return self.data_dir / "pocketstack.log"

    def admin_token(self) -> str:
        return issue_password_token(
            self.base_url, "admin", self.admin_password, project_name="admin"
        )

    def request(self, method: str, path: str, **kwargs: _Any) -> Reply:
        return http_request(self.base_url, method, path, **kwargs)

    def lift_server_quotas(self, admin_token: str) -> None:
        """No limit on servers, cores and RAM for any project (the default quota class), as an
        operator sets a cloud up for load: these tests create far more than Nova's 10."""
        reply = self.request(
            "PUT", "/compute/v2.1/os-quota-class-sets/default", token=admin_token,
            body={"quota_class_set": {"instances": -1, "cores": -1, "ram": -1}},
        )  # fmt: skip
        assert reply.status == 200, reply.body

    def kill9(self) -> None:
        """SIGKILL to the whole group (master and workers), as a power cut would."""
        if self.process.poll() is None:
            _os.killpg(self.process.pid, _signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            _os.killpg(self.process.pid, _signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except _subprocess.TimeoutExpired:
                _os.killpg(self.process.pid, _signal.SIGKILL)
                self.process.wait(timeout=30)

    def restart(self, *, timeout: float = 90.0) -> None:
        self.kill9()
        self.process = _start(self.command, self.env, self.output)
        wait_until_answers(self.base_url, self.process, self.output, timeout=timeout)


def _start(command: list[str], env: dict[str, str], output: _Path) -> _subprocess.Popen[bytes]:
    with output.open("ab") as out:
        return _subprocess.Popen(
            command,
            stdin=_subprocess.DEVNULL,
            stdout=out,
            stderr=_subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


class ServeStarter:
    """Starts `pocketstack serve` (bcrypt 4 rounds) and, on `stop_all`, stops each it started."""

    def __init__(self) -> None:
        self.started: list[Served] = []

    def __call__(
        self,
        data_dir: _Path,
        *,
        db_url: str | None = None,
        config: str = "",
        workers: int = 2,
        timeout: float = 90.0,
    ) -> Served:
        if not (data_dir / "pocketstack.toml").exists():
            write_test_config(data_dir, extra=config)
        port = free_port()
        base_url = f"http://{HOST}:{port}"
        command = [
            *pocketstack_command(),
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            "--workers",
            str(workers),
        ]
        if db_url is not None:
            command += ["--db-url", db_url]
        env = clean_env()
        output = data_dir.parent / f"serve-{data_dir.name}-{port}.out"
        served = Served(
            process=_start(command, env, output),
            base_url=base_url,
            port=port,
            data_dir=data_dir,
            output=output,
            command=command,
            env=env,
        )
        self.started.append(served)
        wait_until_answers(base_url, served.process, output, timeout=timeout)
        return served

    def stop_all(self) -> None:
        for served in self.started:
            served.stop()


ServeFactory = ServeStarter


@_pytest.fixture
def serve_factory() -> _Iterator[ServeStarter]:
    starter = ServeStarter()
    yield starter
    starter.stop_all()


# Figures the part-B tests measured (kills survived, load, examples run): shown at the end of the
# run by pytest_terminal_summary, even when pytest captures the tests' output.
FIGURES: list[str] = []


def report_figure(line: str) -> None:
    FIGURES.append(line)
    print("\n" + line)


def pytest_terminal_summary(terminalreporter: _Any) -> None:
    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
