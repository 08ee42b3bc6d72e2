"""Run `pocketstack ...` in-process: the real entry point, the real cloud app over the
in-process transport, a private cache directory, and captured streams."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from pocketstack.cli.main import main
from pocketstack.client.transport.wsgi import WSGITransport
from pocketstack.cloud.app import WSGIApp
from tests.fixtures.cloud import ADMIN_PASSWORD, TEST_PUBLIC_URL

V3_ENV = {
    "OS_AUTH_URL": f"{TEST_PUBLIC_URL}/identity/v3",
    "OS_USERNAME": "admin",
    "OS_PASSWORD": ADMIN_PASSWORD,
    "OS_PROJECT_NAME": "admin",
    "OS_USER_DOMAIN_NAME": "Default",
    "OS_PROJECT_DOMAIN_NAME": "Default",
}
V2_ENV = {
    "OS_AUTH_URL": f"{TEST_PUBLIC_URL}/identity/v2.0",
    "OS_USERNAME": "admin",
    "OS_PASSWORD": ADMIN_PASSWORD,
    "OS_TENANT_NAME": "admin",
}


@dataclasses.dataclass
class Result:
    code: int
    out: str
    err: str


Runner = Callable[..., Result]


@pytest.fixture
def cli_transport(cloud_app: WSGIApp) -> WSGITransport:
    return WSGITransport(cloud_app)


@pytest.fixture
def run_cli(cli_transport: WSGITransport, tmp_path: Path) -> Runner:
    def run(*argv: str, env: dict[str, str] | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = main(
            list(argv),
            environ=V3_ENV if env is None else env,
            stdout=out,
            stderr=err,
            transport=cli_transport,
            cache_dir=tmp_path / "auth-cache",
        )
        return Result(code, out.getvalue(), err.getvalue())

    return run
