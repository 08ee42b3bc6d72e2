"""The cloud app and a browser signed in to nothing yet, for every dashboard test."""

from __future__ import annotations

import pytest

from pocketstack.cloud.app import WSGIApp, create_cloud_app
from pocketstack.cloud.deps import CloudDeps
from tests.unit.dashboard.browser import (
    Browser,
)


@pytest.fixture
def app(cloud_deps: CloudDeps) -> WSGIApp:
    return create_cloud_app(cloud_deps)


@pytest.fixture
def browser(app: WSGIApp) -> Browser:
    return Browser(app)

