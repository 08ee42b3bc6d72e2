"""Roles granted to groups: the grant API, the tokens and listings of their members, the role
assignments (effective or not), and the tokens that end when a role held through a group goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pocketstack.cloud.identity.admin import group_tokens
from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cloud.identity.conftest import IDENTITY, Client
from tests.unit.cloud.identity.test_groups import (
    GROUPS,
    member_path,
    new_group,
    new_project,
    new_user,
    role_id,
)

ASSIGNMENTS = "/v3/role_assignments"


def _login(client: Client, user: dict[str, Any], scope: dict[str, Any] | None) -> Any:
    auth: dict[str, Any] = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"id": user["id"], "password": f"pw-{user['name']}"}},
        }
    }
    if scope is not None:
        auth["scope"] = scope
    return client.post("/v3/auth/tokens", json={"auth": auth})


def _token(client: Client, user: dict[str, Any], scope: dict[str, Any] | None) -> str:
    issued = _login(client, user, scope)
    assert issued.status_code == 201, issued.text
    return str(issued.headers["X-Subject-Token"])


def _alive(client: Client, admin: str, token: str) -> bool:
    status = client.get("/v3/auth/tokens", token=admin, subject=token).status_code
    assert status in (200, 404)
    return status == 200


def _put(client: Client, admin: str, path: str) -> None:
    assert client.request("PUT", path, token=admin).status_code == 204, path


@pytest.fixture
def setup(client: Client, admin: str) -> dict[str, Any]:
    return _world(client, admin)


def _world(client: Client, admin: str) -> dict[str, Any]:
    """Group `ops` holds `member` on project `p1`; carol is in it; dave holds `reader` on `p2`."""
    p1, p2 = new_project(client, admin, "p1"), new_project(client, admin, "p2")
    ops = new_group(client, admin, "ops")
    carol, dave = new_user(client, admin, "carol"), new_user(client, admin, "dave")
    member, reader = role_id(client, admin, "member"), role_id(client, admin, "reader")
    grant = f"/v3/projects/{p1['id']}/groups/{ops['id']}/roles/{member}"
    _put(client, admin, grant)
    _put(client, admin, member_path(ops, carol))
    _put(client, admin, f"/v3/projects/{p2['id']}/users/{dave['id']}/roles/{reader}")
    return {"p1": p1, "p2": p2, "ops": ops, "carol": carol, "dave": dave, "member": member,
            "reader": reader, "grant": grant}  # fmt: skip


@pytest.mark.parametrize("target", ["project", "domain", "system"])
def test_group_grant_put_check_list_delete(client: Client, admin: str, target: str) -> None:
    group = new_group(client, admin, "ops")
    role = role_id(client, admin, "reader")
    if target == "project":
        base = f"/v3/projects/{new_project(client, admin, 'p')['id']}"
    elif target == "domain":
        base = "/v3/domains/default"
    else:
        base = "/v3/system"
    listing = f"{base}/groups/{group['id']}/roles"
    path = f"{listing}/{role}"
    assert client.request("HEAD", path, token=admin).status_code == 404
    assert client.request("PUT", path, token=admin).status_code == 204
    assert client.request("PUT", path, token=admin).status_code == 204
    assert client.request("HEAD", path, token=admin).status_code == 204
    assert client.request("GET", path, token=admin).status_code == 204
    listed = client.get(listing, token=admin).json
    assert [r["id"] for r in listed["roles"]] == [role]
    assert listed["links"]["self"] == f"{IDENTITY}{listing}"
    assert client.request("DELETE", path, token=admin).status_code == 204
    assert client.request("DELETE", path, token=admin).status_code == 404
    assert client.get(listing, token=admin).json["roles"] == []
    missing_group = client.request("PUT", f"{base}/groups/nope/roles/{role}", token=admin)
    assert missing_group.json["error"]["message"] == "Could not find group: nope."
    missing_role = client.request("PUT", f"{listing}/nope", token=admin)
    assert missing_role.json["error"]["message"] == "Could not find role: nope."


def test_group_grants_are_for_admins(client: Client, admin: str, setup: dict[str, Any]) -> None:
    token = _token(client, setup["carol"], {"project": {"id": setup["p1"]["id"]}})
    for method in ("PUT", "HEAD", "DELETE"):
        assert client.request(method, setup["grant"], token=token).status_code == 403
    listing = setup["grant"].rsplit("/", 1)[0]
    assert client.get(listing, token=token).status_code == 403


def test_a_members_token_carries_the_groups_roles(
    client: Client, admin: str, setup: dict[str, Any]
) -> None:
    carol, p1 = setup["carol"], setup["p1"]
    issued = _login(client, carol, {"project": {"id": p1["id"]}})
    assert issued.status_code == 201
    assert [r["name"] for r in issued.json["token"]["roles"]] == ["member"]
    token = str(issued.headers["X-Subject-Token"])
    projects = client.get("/v3/auth/projects", token=token).json["projects"]
    assert [p["id"] for p in projects] == [p1["id"]]
    mine = client.get(f"/v3/users/{carol['id']}/projects", token=token).json["projects"]
    assert [p["id"] for p in mine] == [p1["id"]]
    # Not a member of anything granted on p2.
    assert _login(client, carol, {"project": {"id": setup["p2"]["id"]}}).status_code == 401
    # The same role directly and through the group: once in the token.
    _put(client, admin, f"/v3/projects/{p1['id']}/users/{carol['id']}/roles/{setup['member']}")
    again = _login(client, carol, {"project": {"id": p1["id"]}}).json["token"]["roles"]
    assert [r["name"] for r in again] == ["member"]


def test_domain_and_system_grants_to_groups_scope_tokens(
    client: Client, admin: str, setup: dict[str, Any]
) -> None:
    carol, ops, reader = setup["carol"], setup["ops"], setup["reader"]
    assert _login(client, carol, {"domain": {"id": "default"}}).status_code == 401
    _put(client, admin, f"/v3/domains/default/groups/{ops['id']}/roles/{reader}")
    _put(client, admin, f"/v3/system/groups/{ops['id']}/roles/{reader}")
    domain_token = _login(client, carol, {"domain": {"id": "default"}})
    assert domain_token.status_code == 201
    assert [r["name"] for r in domain_token.json["token"]["roles"]] == ["reader"]
    token = str(domain_token.headers["X-Subject-Token"])
    domains = client.get("/v3/auth/domains", token=token).json["domains"]
    assert [d["id"] for d in domains] == ["default"]
    assert client.get("/v3/auth/system", token=token).json["system"] == [{"all": True}]
    assert _login(client, carol, {"system": {"all": True}}).status_code == 201


def test_leaving_the_group_ends_the_tokens_it_gave(
    client: Client, admin: str, setup: dict[str, Any]
) -> None:
    carol, p1, p2, ops = setup["carol"], setup["p1"], setup["p2"], setup["ops"]
    # carol also holds a role of her own on p2: that token owes nothing to the group.
    _put(client, admin, f"/v3/projects/{p2['id']}/users/{carol['id']}/roles/{setup['reader']}")
    through_group = _token(client, carol, {"project": {"id": p1["id"]}})
    own = _token(client, carol, {"project": {"id": p2["id"]}})
    assert _alive(client, admin, through_group)
    assert client.request("DELETE", member_path(ops, carol), token=admin).status_code == 204
    assert not _alive(client, admin, through_group)
    assert _alive(client, admin, own)
    assert _login(client, carol, {"project": {"id": p1["id"]}}).status_code == 401
    # Back in the group, a new token works at once.
    _put(client, admin, member_path(ops, carol))
    assert _alive(client, admin, _token(client, carol, {"project": {"id": p1["id"]}}))


def test_revoking_the_group_grant_ends_its_members_tokens(
    client: Client, admin: str, setup: dict[str, Any]
) -> None:
    carol, dave, p1, p2 = setup["carol"], setup["dave"], setup["p1"], setup["p2"]
    _put(client, admin, member_path(setup["ops"], dave))
    carols, daves = (_token(client, u, {"project": {"id": p1["id"]}}) for u in (carol, dave))
    daves_own = _token(client, dave, {"project": {"id": p2["id"]}})
    assert client.request("DELETE", setup["grant"], token=admin).status_code == 204
    assert not _alive(client, admin, carols)
    assert not _alive(client, admin, daves)
    assert _alive(client, admin, daves_own)


def test_deleting_the_group_or_the_role_ends_the_tokens(
    client: Client, admin: str, setup: dict[str, Any]
) -> None:
    carol, p1 = setup["carol"], setup["p1"]
    token = _token(client, carol, {"project": {"id": p1["id"]}})
    assert (
        client.request("DELETE", f"{GROUPS}/{setup['ops']['id']}", token=admin).status_code == 204
    )
    assert not _alive(client, admin, token)
    assert _login(client, carol, {"project": {"id": p1["id"]}}).status_code == 401
    # A role of its own, granted to a new group, then deleted.
    role = client.post("/v3/roles", json={"role": {"name": "ops-role"}}, token=admin).json["role"]
    again = new_group(client, admin, "ops2")
    _put(client, admin, f"/v3/projects/{p1['id']}/groups/{again['id']}/roles/{role['id']}")
    _put(client, admin, member_path(again, carol))
    token = _token(client, carol, {"project": {"id": p1["id"]}})
    assert client.request("DELETE", f"/v3/roles/{role['id']}", token=admin).status_code == 204
    assert not _alive(client, admin, token)


def test_assignments_list_group_grants_and_expand_them_when_effective(
    client: Client, admin: str, setup: dict[str, Any]
) -> None:
    ops, carol, p1, member = setup["ops"], setup["carol"], setup["p1"], setup["member"]
    grant_link = f"{IDENTITY}/v3/projects/{p1['id']}/groups/{ops['id']}/roles/{member}"
    direct = client.get(ASSIGNMENTS, token=admin, query=f"group.id={ops['id']}").json
    assert direct["role_assignments"] == [
        {
            "role": {"id": member},
            "group": {"id": ops["id"]},
            "scope": {"project": {"id": p1["id"]}},
            "links": {"assignment": grant_link},
        }
    ]
    scoped = client.get(ASSIGNMENTS, token=admin, query=f"scope.project.id={p1['id']}").json
    assert [("group" in a, "user" in a) for a in scoped["role_assignments"]] == [(True, False)]
    effective = client.get(
        ASSIGNMENTS, token=admin, query=f"scope.project.id={p1['id']}&effective"
    ).json["role_assignments"]
    assert effective == [
        {
            "role": {"id": member},
            "user": {"id": carol["id"]},
            "scope": {"project": {"id": p1["id"]}},
            "links": {
                "assignment": grant_link,
                "membership": f"{IDENTITY}/v3/groups/{ops['id']}/users/{carol['id']}",
            },
        }
    ]
    # A user's own listing: without `effective` only their own grants, with it the group's too.
    plain = client.get(ASSIGNMENTS, token=admin, query=f"user.id={carol['id']}").json
    assert plain["role_assignments"] == []
    theirs = _token(client, carol, {"project": {"id": p1["id"]}})
    own = client.get(ASSIGNMENTS, token=theirs, query=f"user.id={carol['id']}&effective=true")
    assert own.status_code == 200
    assert [a["role"]["id"] for a in own.json["role_assignments"]] == [member]


def test_assignment_names_of_groups_and_refused_combinations(
    client: Client, admin: str, setup: dict[str, Any]
) -> None:
    ops, carol, p1 = setup["ops"], setup["carol"], setup["p1"]
    named = client.get(
        ASSIGNMENTS, token=admin, query=f"group.id={ops['id']}&include_names=True"
    ).json["role_assignments"][0]
    assert named["group"] == {
        "id": ops["id"],
        "name": "ops",
        "domain": {"id": "default", "name": "Default"},
    }
    assert named["role"]["name"] == "member"
    assert named["scope"]["project"]["name"] == "p1"
    effective = client.get(
        ASSIGNMENTS, token=admin, query=f"user.id={carol['id']}&effective&include_names"
    ).json["role_assignments"]
    assert [a["user"]["name"] for a in effective] == ["carol"]
    for query in (
        f"group.id={ops['id']}&effective",
        f"group.id={ops['id']}&user.id={carol['id']}",
        f"scope.project.id={p1['id']}&scope.domain.id=default",
        "scope.system=all&scope.domain.id=default",
        "include_subtree=True",
    ):
        refused = client.get(ASSIGNMENTS, token=admin, query=query)
        assert refused.status_code == 400, query


def test_assignments_of_a_subtree(client: Client, admin: str, setup: dict[str, Any]) -> None:
    p1, ops, member = setup["p1"], setup["ops"], setup["member"]
    child = new_project(client, admin, "child", parent_id=p1["id"])
    _put(client, admin, f"/v3/projects/{child['id']}/groups/{ops['id']}/roles/{member}")
    tree = client.get(
        ASSIGNMENTS, token=admin, query=f"scope.project.id={p1['id']}&include_subtree=True"
    ).json["role_assignments"]
    assert sorted(a["scope"]["project"]["id"] for a in tree) == sorted([p1["id"], child["id"]])
    only = client.get(ASSIGNMENTS, token=admin, query=f"scope.project.id={p1['id']}").json
    assert len(only["role_assignments"]) == 1


def test_deleting_a_project_removes_the_group_grants_on_it(
    client: Client, admin: str, setup: dict[str, Any]
) -> None:
    p1, ops = setup["p1"], setup["ops"]
    path = f"/v3/projects/{p1['id']}"
    assert client.request("DELETE", path, token=admin).status_code == 204
    left = client.get(ASSIGNMENTS, token=admin, query=f"group.id={ops['id']}").json
    assert left["role_assignments"] == []


def test_past_the_event_budget_members_lose_every_token(
    client: Client, admin: str, setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    carol, p1, p2 = setup["carol"], setup["p1"], setup["p2"]
    _put(client, admin, f"/v3/projects/{p2['id']}/users/{carol['id']}/roles/{setup['reader']}")
    through_group = _token(client, carol, {"project": {"id": p1["id"]}})
    own = _token(client, carol, {"project": {"id": p2["id"]}})
    monkeypatch.setattr(group_tokens, "MAX_EVENTS", 0)
    assert (
        client.request("DELETE", member_path(setup["ops"], carol), token=admin).status_code == 204
    )
    assert not _alive(client, admin, through_group)
    assert not _alive(client, admin, own)
    assert _alive(client, admin, _token(client, carol, {"project": {"id": p2["id"]}}))


def test_roles_through_groups_on_every_backend(
    db_url: str, tmp_path: Path, clock: OffsetClock
) -> None:
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=clock)
    try:
        client = Client(deps)
        admin = client.admin_token()
        world = _world(client, admin)
        carol, p1 = world["carol"], world["p1"]
        _put(
            client,
            admin,
            f"/v3/domains/default/groups/{world['ops']['id']}/roles/{world['reader']}",
        )
        issued = _login(client, carol, {"project": {"id": p1["id"]}})
        assert [r["name"] for r in issued.json["token"]["roles"]] == ["member"]
        token = str(issued.headers["X-Subject-Token"])
        assert [p["id"] for p in client.get("/v3/auth/projects", token=token).json["projects"]] == [
            p1["id"]
        ]
        assert [d["id"] for d in client.get("/v3/auth/domains", token=token).json["domains"]] == [
            "default"
        ]
        effective = client.get(
            ASSIGNMENTS, token=admin, query=f"user.id={carol['id']}&effective&include_names"
        ).json["role_assignments"]
        assert sorted(a["role"]["name"] for a in effective) == ["member", "reader"]
        assert (
            client.request("DELETE", member_path(world["ops"], carol), token=admin).status_code
            == 204
        )
        assert not _alive(client, admin, token)
    finally:
        deps.store.dispose()
