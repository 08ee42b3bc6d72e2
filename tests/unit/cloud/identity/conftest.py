"""The identity app in process, over a bootstrapped cloud, reached as a client would reach it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import falcon.testing
import pytest

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity.app import create_app
from tests.fixtures.cloud import ADMIN_PASSWORD, OffsetClock, make_deps

SCRIPT_NAME = "/identity"
HOST = "cloud.test"
IDENTITY = f"http://{HOST}{SCRIPT_NAME}"


def build(tmp_path: Path, clock: OffsetClock, **settings: Any) -> CloudDeps:
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700, exist_ok=True)
    return make_deps(
        data_dir=data_dir,
        db_url=f"sqlite:///{data_dir / 'pocketstack.db'}",
        clock=clock,
        settings=settings,
    )


@pytest.fixture
def deps(tmp_path: Path, clock: OffsetClock) -> Iterator[CloudDeps]:
    built = build(tmp_path, clock)
    yield built
    built.store.dispose()


class Client:
    """falcon's test client with the identity app mounted at /identity on cloud.test."""

    def __init__(self, deps: CloudDeps) -> None:
        self.deps = deps
        self.app = create_app(deps)
        self._client = falcon.testing.TestClient(self.app)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        body: bytes | str | None = None,
        token: str | None = None,
        subject: str | None = None,
        headers: dict[str, str] | None = None,
        query: str | None = None,
    ) -> falcon.testing.Result:
        all_headers = {"Host": HOST, **(headers or {})}
        if token is not None:
            all_headers["X-Auth-Token"] = token
        if subject is not None:
            all_headers["X-Subject-Token"] = subject
        return self._client.simulate_request(
            method,
            path,
            json=json,
            body=body,
            headers=all_headers,
            query_string=query,
            extras={"SCRIPT_NAME": SCRIPT_NAME},
        )

    def get(self, path: str, **kw: Any) -> falcon.testing.Result:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> falcon.testing.Result:
        return self.request("POST", path, **kw)

    def password_token(
        self,
        *,
        user: str = "admin",
        password: str = ADMIN_PASSWORD,
        project: str | None = "admin",
        query: str | None = None,
    ) -> falcon.testing.Result:
        auth: dict[str, Any] = {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user, "domain": {"id": "default"}, "password": password}
                },
            }
        }
        if project is not None:
            auth["scope"] = {"project": {"name": project, "domain": {"id": "default"}}}
        return self.post("/v3/auth/tokens", json={"auth": auth}, query=query)

    def admin_token(self) -> str:
        result = self.password_token()
        assert result.status_code == 201, result.text
        return str(result.headers["X-Subject-Token"])


@pytest.fixture
def client(deps: CloudDeps) -> Client:
    return Client(deps)


@pytest.fixture
def admin(client: Client) -> str:
    return client.admin_token()
