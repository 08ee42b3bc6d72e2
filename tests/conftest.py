"""Shared fixtures live in tests/fixtures/, one module per concern."""

pytest_plugins = [
    "tests.fixtures.databases",
    "tests.fixtures.cloud",
    "tests.fixtures.server",
    "tests.fixtures.interop",
    "tests.fixtures.keystone",
    "tests.fixtures.clone",
]
