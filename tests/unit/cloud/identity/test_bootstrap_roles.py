"""Bootstrap's roles are Keystone's (2023.2+): admin, manager, member, reader and service; a
cloud bootstrapped before manager and service existed gains them, keeping its roles' ids."""

from __future__ import annotations

from sqlalchemy import delete, select

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity.bootstrap import bootstrap_identity
from pocketstack.cloud.store.models.identity import Role
from tests.fixtures.cloud import ADMIN_PASSWORD, create_user
from tests.unit.cloud.identity.conftest import Client

KEYSTONE_ROLES = ["admin", "manager", "member", "reader", "service"]


def _roles(deps: CloudDeps) -> dict[str, str]:
    with deps.store.session() as session:
        return {r.name: r.id for r in session.scalars(select(Role))}


def test_a_fresh_cloud_has_keystones_roles(client: Client, admin: str) -> None:
    listed = client.get("/v3/roles", token=admin).json["roles"]
    assert sorted(r["name"] for r in listed) == KEYSTONE_ROLES


def test_an_older_cloud_gains_manager_and_service_and_keeps_its_ids(deps: CloudDeps) -> None:
    with deps.store.session(write=True) as session:
        session.execute(delete(Role).where(Role.name.in_(["manager", "service"])))
    before = _roles(deps)
    assert sorted(before) == ["admin", "member", "reader"]
    bootstrap_identity(deps, admin_password=ADMIN_PASSWORD)
    after = _roles(deps)
    assert sorted(after) == KEYSTONE_ROLES
    assert {name: after[name] for name in before} == before
    bootstrap_identity(deps, admin_password=ADMIN_PASSWORD)
    assert _roles(deps) == after


def test_a_manager_and_a_service_user_log_in_with_their_role(client: Client) -> None:
    for name, role in (("mia", "manager"), ("nova", "service")):
        user = create_user(client.deps, name=name, project_name="alpha", roles=(role,))
        token = client.password_token(user=name, password=user.password, project="alpha")
        assert token.status_code == 201, token.text
        assert [r["name"] for r in token.json["token"]["roles"]] == [role]
