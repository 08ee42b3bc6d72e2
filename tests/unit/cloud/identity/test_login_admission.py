"""Admission control of password logins, through the real identity app in process: throttling
per source address and per user (429 + Retry-After, before any bcrypt work), and the bounded
queue of password checks, during which token validation still answers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import falcon.testing
import pytest

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity import passwords
from pocketstack.cloud.identity.app import create_app
from tests.fixtures.cloud import ADMIN_PASSWORD, OffsetClock
from tests.unit.cloud.identity.conftest import HOST, SCRIPT_NAME, build


class Door:
    """The identity app, reached from a chosen client address."""

    def __init__(self, deps: CloudDeps) -> None:
        self.app = create_app(deps)

    def login(
        self, source: str, *, user: str = "admin", password: str = ADMIN_PASSWORD
    ) -> falcon.testing.Result:
        auth = {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user, "domain": {"id": "default"}, "password": password}
                },
            },
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
        }
        return falcon.testing.simulate_request(
            self.app,
            "POST",
            "/v3/auth/tokens",
            json={"auth": auth},
            headers={"Host": HOST},
            remote_addr=source,
            extras={"SCRIPT_NAME": SCRIPT_NAME},
        )

    def validate(self, token: str) -> falcon.testing.Result:
        return falcon.testing.simulate_request(
            self.app,
            "GET",
            "/v3/auth/tokens",
            headers={"Host": HOST, "X-Auth-Token": token, "X-Subject-Token": token},
            extras={"SCRIPT_NAME": SCRIPT_NAME},
        )


@pytest.fixture
def door_with(tmp_path: Path, clock: OffsetClock) -> Iterator[Any]:
    made: list[CloudDeps] = []

    def make(**settings: Any) -> Door:
        deps = build(tmp_path, clock, **settings)
        made.append(deps)
        return Door(deps)

    yield make
    for deps in made:
        deps.store.dispose()


def assert_throttled(result: falcon.testing.Result) -> None:
    assert result.status_code == 429, result.text
    assert int(result.headers["Retry-After"]) >= 1
    error = result.json["error"]
    assert error["code"] == 429
    assert error["title"] == "Too Many Requests"


def test_a_source_past_its_failures_is_refused_and_others_still_log_in(door_with: Any) -> None:
    door = door_with(login_failures_per_source=3, login_failures_per_user=0)
    for _ in range(3):
        assert door.login("192.0.2.1", password="wrong").status_code == 401
    # Even the right password: the source is refused before any check is made.
    assert_throttled(door.login("192.0.2.1"))
    assert door.login("192.0.2.2").status_code == 201


def test_a_guessed_user_still_logs_in_from_a_clean_address(door_with: Any) -> None:
    door = door_with(login_failures_per_source=0, login_failures_per_user=2)
    assert door.login("192.0.2.1", password="wrong").status_code == 401
    assert door.login("192.0.2.2", password="wrong").status_code == 401
    # The user is past its limit: a source that has failed is refused...
    assert_throttled(door.login("192.0.2.1"))
    # ... and one with no failure gets its check, as the user's own machine would.
    assert door.login("192.0.2.3").status_code == 201


def test_unknown_and_known_users_are_throttled_alike(door_with: Any) -> None:
    door = door_with(login_failures_per_source=0, login_failures_per_user=1)
    for user in ("admin", "nobody-by-this-name"):
        assert door.login("192.0.2.7", user=user, password="wrong").status_code == 401
        assert_throttled(door.login("192.0.2.7", user=user, password="wrong"))


def test_a_full_hashing_queue_answers_429_and_token_validation_goes_on(
    door_with: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    door = door_with(hash_concurrency=1, hash_queue=0)
    token = door.login("192.0.2.1").headers["X-Subject-Token"]
    started = threading.Event()
    release = threading.Event()
    real_checkpw = passwords.bcrypt.checkpw

    def slow_checkpw(password: bytes, hashed: bytes) -> bool:
        started.set()
        release.wait(timeout=30)
        return bool(real_checkpw(password, hashed))

    monkeypatch.setattr(passwords.bcrypt, "checkpw", slow_checkpw)
    results: list[falcon.testing.Result] = []
    holder = threading.Thread(target=lambda: results.append(door.login("192.0.2.1")))
    holder.start()
    try:
        assert started.wait(timeout=10)
        assert_throttled(door.login("192.0.2.2"))
        assert door.validate(token).status_code == 200
    finally:
        release.set()
        holder.join(timeout=30)
    assert results[0].status_code == 201
