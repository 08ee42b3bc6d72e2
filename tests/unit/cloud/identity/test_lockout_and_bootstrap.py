from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from pocketstack.cloud.bootstrap import bootstrap
from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity.bootstrap import bootstrap_identity
from pocketstack.cloud.store.models.identity import (
    Endpoint,
    Project,
    RevocationEvent,
    Role,
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
    assert before == (1, 1, 4, 12, 2)
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
        login_attempts=deps.login_attempts,
    )
    bootstrap_identity(moved, admin_password="changed")
    assert counts() == before
    with deps.store.session() as session:
        urls = set(session.scalars(select(Endpoint.url)))
    assert urls == {
        "http://127.0.0.1:9999/identity",
        "http://127.0.0.1:9999/compute/v2.1",
        "http://127.0.0.1:9999/image",
        "http://127.0.0.1:9999/networking",
    }
    client = Client(deps)
    assert client.password_token(password="changed").status_code == 201
    assert client.password_token().status_code == 401


def _admin_ids(client: Client, admin: str) -> tuple[str, str, str]:
    user = client.get("/v3/users", token=admin, query="name=admin").json["users"][0]["id"]
    project = client.get("/v3/projects", token=admin, query="name=admin").json["projects"][0]["id"]
    role = client.get("/v3/roles", token=admin, query="name=admin").json["roles"][0]["id"]
    return user, project, role


def test_bootstrap_lets_the_admin_back_in_after_the_default_domain_is_disabled(
    client: Client, admin: str, deps: CloudDeps
) -> None:
    disabled = client.request(
        "PATCH", "/v3/domains/default", json={"domain": {"enabled": False}}, token=admin
    )
    assert disabled.status_code == 200, disabled.text
    assert client.password_token().status_code == 401
    # What `serve` runs on every start and `manage bootstrap` runs on demand.
    bootstrap(deps, admin_password=ADMIN_PASSWORD)
    again = client.password_token()
    assert again.status_code == 201, again.text
    assert [r["name"] for r in again.json["token"]["roles"]] == ["admin"]
    domain = client.get("/v3/domains/default", token=again.headers["X-Subject-Token"])
    assert domain.json["domain"]["enabled"] is True
    # The tokens the disabling ended stay ended.
    assert (
        client.get(
            "/v3/auth/tokens", token=again.headers["X-Subject-Token"], subject=admin
        ).status_code
        == 404
    )


def test_bootstrap_restores_the_admins_project_user_role_and_grants(
    client: Client, admin: str, deps: CloudDeps
) -> None:
    user_id, project_id, role_id = _admin_ids(client, admin)
    # As an admin could leave things (the API refuses nothing of this): the project and the
    # account disabled, the admin role deleted with every grant of it.
    with deps.store.session(write=True) as session:
        session.execute(update(Project).where(Project.id == project_id).values(enabled=False))
        session.execute(update(User).where(User.id == user_id).values(enabled=False))
        session.execute(delete(Role).where(Role.id == role_id))
    assert client.password_token().status_code == 401
    bootstrap(deps, admin_password=ADMIN_PASSWORD)
    token = client.password_token()
    assert token.status_code == 201, token.text
    assert token.json["token"]["project"]["id"] == project_id
    assert token.json["token"]["user"]["id"] == user_id
    assert [r["name"] for r in token.json["token"]["roles"]] == ["admin"]
    system = client.post(
        "/v3/auth/tokens",
        json={
            "auth": {
                "identity": {
                    "methods": ["token"],
                    "token": {"id": token.headers["X-Subject-Token"]},
                },
                "scope": {"system": {"all": True}},
            }
        },
    )
    assert system.status_code == 201, system.text
    assert role_id not in {r["id"] for r in token.json["token"]["roles"]}


def test_bootstrap_clears_the_admins_lockout(locking: Client) -> None:
    for _ in range(3):
        assert locking.password_token(password="wrong").status_code == 401
    assert locking.password_token().status_code == 401
    bootstrap(locking.deps, admin_password=ADMIN_PASSWORD)
    assert locking.password_token().status_code == 201


def test_bootstrap_prunes_revocation_events_too_old_to_matter(
    deps: CloudDeps, clock: OffsetClock
) -> None:
    def events() -> int:
        with deps.store.session() as session:
            return session.scalar(select(func.count()).select_from(RevocationEvent)) or 0

    deps.tokens.revoke_user("someone")
    deps.tokens.revoke_project("somewhere")
    assert events() == 2
    clock.advance(2 * deps.config.token_expiration + 1)
    bootstrap(deps, admin_password=ADMIN_PASSWORD)
    assert events() == 0
