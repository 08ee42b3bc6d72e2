from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity.bootstrap import bootstrap_identity
from pocketstack.cloud.store.models.identity import (
    Endpoint,
    Project,
    RoleAssignment,
    Service,
    User,
)
from tests.fixtures.cloud import ADMIN_PASSWORD, OffsetClock
from tests.unit.cloud.identity.conftest import Client, build


@pytest.fixture
def locking(tmp_path: Path, clock: OffsetClock) -> Iterator[Client]:
    deps = build(tmp_path, clock, lockout_failure_attempts=3, lockout_duration=60)
    yield Client(deps)
    deps.store.dispose()


def test_lockout_refuses_the_right_password_until_it_passes(
    locking: Client, clock: OffsetClock
) -> None:
    for _ in range(3):
        assert locking.password_token(password="wrong").status_code == 401
    locked = locking.password_token()
    assert locked.status_code == 401
    assert locked.json["error"]["message"] == "The request you have made requires authentication."
    clock.advance(61)
    assert locking.password_token().status_code == 201
    # Success reset the counter: two more failures do not lock.
    for _ in range(2):
        assert locking.password_token(password="wrong").status_code == 401
    assert locking.password_token().status_code == 201


def test_old_failures_do_not_count(locking: Client, clock: OffsetClock) -> None:
    for _ in range(2):
        locking.password_token(password="wrong")
    clock.advance(61)
    locking.password_token(password="wrong")
    assert locking.password_token().status_code == 201


def test_no_lockout_by_default(client: Client) -> None:
    for _ in range(6):
        client.password_token(password="wrong")
    assert client.password_token().status_code == 201


def test_bootstrap_is_idempotent_and_follows_public_url(deps: CloudDeps) -> None:
    def counts() -> tuple[int, ...]:
        with deps.store.session() as session:
            return tuple(
                session.scalar(select(func.count()).select_from(m)) or 0
                for m in (User, Project, Service, Endpoint, RoleAssignment)
            )

    before = counts()
    assert before == (1, 1, 3, 9, 2)
    bootstrap_identity(deps, admin_password=ADMIN_PASSWORD)
    assert counts() == before
    moved = CloudDeps(
        config=CloudConfig(
            data_dir=deps.config.data_dir,
            db_url=deps.config.db_url,
            public_url="http://127.0.0.1:9999",
            bcrypt_rounds=4,
        ),
        store=deps.store,
        keys=deps.keys,
        tokens=deps.tokens,
        clock=deps.clock,
    )
    bootstrap_identity(moved, admin_password="changed")
    assert counts() == before
    with deps.store.session() as session:
        urls = set(session.scalars(select(Endpoint.url)))
    assert urls == {
        "http://127.0.0.1:9999/identity",
        "http://127.0.0.1:9999/compute/v2.1",
        "http://127.0.0.1:9999/image",
    }
    client = Client(deps)
    assert client.password_token(password="changed").status_code == 201
    assert client.password_token().status_code == 401
