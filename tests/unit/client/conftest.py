"""The client stack wired to the real cloud app through the in-process WSGI transport."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pocketstack.client.auth.base import Scope
from pocketstack.client.auth.generic import Password
from pocketstack.client.cache import AuthStateCache
from pocketstack.client.session import Session
from pocketstack.client.transport.wsgi import WSGITransport
from pocketstack.cloud.app import WSGIApp
from tests.fixtures.cloud import ADMIN_PASSWORD, TEST_PUBLIC_URL

IDENTITY = f"{TEST_PUBLIC_URL}/identity"
V2_URL = f"{IDENTITY}/v2.0"
V3_URL = f"{IDENTITY}/v3"


@pytest.fixture
def transport(cloud_app: WSGIApp) -> WSGITransport:
    return WSGITransport(cloud_app)


def admin_password_plugin(
    auth_url: str, *, v3: bool = True, cache: AuthStateCache | None = None
) -> Password:
    domain = "Default" if v3 else None
    return Password(
        auth_url=auth_url,
        username="admin",
        password=ADMIN_PASSWORD,
        user_domain_name=domain,
        scope=Scope(project_name="admin", project_domain_name=domain),
        cache=cache,
    )


SessionFactory = Callable[..., Session]


@pytest.fixture
def make_session(transport: WSGITransport) -> SessionFactory:
    def make(*, auth_url: str = V3_URL, v3: bool = True, cache_dir: Path | None = None) -> Session:
        cache = AuthStateCache(directory=cache_dir) if cache_dir else None
        return Session(
            auth=admin_password_plugin(auth_url, v3=v3, cache=cache), transport=transport
        )

    return make


def paths(transport: WSGITransport) -> list[str]:
    """`METHOD path` of every request the transport carried."""
    return [f"{r.method} {r.url.removeprefix(TEST_PUBLIC_URL)}" for r in transport.sent]
