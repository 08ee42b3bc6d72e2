"""Shared fixtures live in tests/fixtures/, one module per concern."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

pytest_plugins = [
    "tests.fixtures.databases",
    "tests.fixtures.cloud",
    "tests.fixtures.server",
    "tests.fixtures.interop",
    "tests.fixtures.keystone",
    "tests.fixtures.ansible",
    "tests.fixtures.clone",
]


def pytest_configure() -> None:
    # What the code under test caches (tokens, the testing cloud's bootstrapped database) goes
    # to a directory of this run's, never the real home's; subprocesses inherit it.
    cache = tempfile.mkdtemp(prefix="pocketstack-test-cache-")
    atexit.register(shutil.rmtree, cache, True)
    os.environ["XDG_CACHE_HOME"] = cache
