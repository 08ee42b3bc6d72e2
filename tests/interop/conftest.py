"""Fixtures of the interoperability tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.interop.live_clients import Live


@pytest.fixture
def live(interop_venv: Path, live_cloud: Any, tmp_path: Path) -> Live:
    env = live_cloud.client_env()
    env["OS_COMPUTE_API_VERSION"] = "2.latest"
    return Live(interop_venv, env, tmp_path)
