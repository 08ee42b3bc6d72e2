"""Server groups (/os-server-groups): bodies by microversion, validation, who sees what, paging,
members, and what server create and placement get from the group store."""

from __future__ import annotations

from typing import Any

import pytest
from falcon import testing
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import server_group_db as groups
from pocketstack.cloud.compute import states
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.store.models.server_group import ServerGroup
from tests.fixtures.cloud import create_user, issue_token
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault

URL = "/v2.1/os-server-groups"


def create(
    c: Compute, headers: dict[str, str], version: str = "2.1", **group: Any
) -> testing.Result:
    body = {"server_group": {"name": "g", "policies": ["affinity"], **group}}
    if "policy" in group:
        del body["server_group"]["policies"]
    return c.call("POST", URL, headers=headers, version=version, body=body)


def made(c: Compute, headers: dict[str, str], version: str = "2.1", **group: Any) -> str:
    result = create(c, headers, version, **group)
    assert result.status_code == 200, result.text
    return str(result.json["server_group"]["id"])


def test_bodies_by_microversion(compute: Compute) -> None:
    old = create(compute, compute.alice_h, "2.1", name="web", policies=["anti-affinity"])
    assert old.status_code == 200
    group = old.json["server_group"]
    assert group == {"id": group["id"], "name": "web", "policies": ["anti-affinity"],
                     "members": [], "metadata": {}}  # fmt: skip
    owned = compute.get(f"{URL}/{group['id']}", headers=compute.alice_h, version="2.13")
    assert owned.json["server_group"]["project_id"] == compute.alice.project_id
    assert owned.json["server_group"]["user_id"] == compute.alice.id
    assert owned.json["server_group"]["policies"] == ["anti-affinity"]
    new = compute.get(f"{URL}/{group['id']}", headers=compute.alice_h, version="2.64")
    shown = new.json["server_group"]
    assert (shown["policy"], shown["rules"]) == ("anti-affinity", {})
    assert "policies" not in shown
    assert "metadata" not in shown
    assert compute.get(URL, headers=compute.alice_h, version="2.100").json["server_groups"] == [
        shown
    ]


def test_soft_policies_from_2_15_and_policy_with_rules_from_2_64(compute: Compute) -> None:
    soft = create(compute, compute.alice_h, "2.14", policies=["soft-affinity"])
    assert soft.status_code == 400
    soft_id = made(compute, compute.alice_h, "2.15", policies=["soft-anti-affinity"])
    # A soft policy made at 2.15 is still shown to an older client.
    at_21 = compute.get(f"{URL}/{soft_id}", headers=compute.alice_h, version="2.1")
    assert at_21.json["server_group"]["policies"] == ["soft-anti-affinity"]
    # The list form is gone at 2.64, the single form unknown before it.
    assert create(compute, compute.alice_h, "2.64").status_code == 400
    assert create(compute, compute.alice_h, "2.63", policy="affinity").status_code == 400
    ruled = create(compute, compute.alice_h, "2.64", policy="anti-affinity",
                   rules={"max_server_per_host": "3"})  # fmt: skip
    assert ruled.status_code == 200, ruled.text
    assert ruled.json["server_group"]["rules"] == {"max_server_per_host": 3}
    assert ruled.json["server_group"]["policy"] == "anti-affinity"
    plain = create(compute, compute.alice_h, "2.64", policy="affinity", rules={})
    assert plain.json["server_group"]["rules"] == {}
    refused = create(compute, compute.alice_h, "2.64", policy="affinity",
                     rules={"max_server_per_host": 2})  # fmt: skip
    assert fault(refused) == ("badRequest", "Only anti-affinity policy supports rules.")


@pytest.mark.parametrize(
    ("version", "group"),
    [
        ("2.1", {"name": ""}),
        ("2.1", {"name": " lead"}),
        ("2.1", {"name": "x" * 256}),
        ("2.1", {"name": 5}),
        ("2.1", {"policies": []}),
        ("2.1", {"policies": ["affinity", "anti-affinity"]}),
        ("2.1", {"policies": ["nope"]}),
        ("2.1", {"policies": "affinity"}),
        ("2.1", {"metadata": {}}),
        ("2.64", {"policy": "nope"}),
        ("2.64", {"policy": "anti-affinity", "rules": {"max_server_per_host": 0}}),
        ("2.64", {"policy": "anti-affinity", "rules": {"max_server_per_host": "x"}}),
        ("2.64", {"policy": "anti-affinity", "rules": {"other": 1}}),
    ],
)
def test_invalid_bodies_are_400(compute: Compute, version: str, group: dict[str, Any]) -> None:
    result = create(compute, compute.alice_h, version, **group)
    assert result.status_code == 400, result.text
    assert fault(result)[0] == "badRequest"


def test_missing_name_or_body(compute: Compute) -> None:
    no_name = compute.call("POST", URL, headers=compute.alice_h,
                           body={"server_group": {"policies": ["affinity"]}})  # fmt: skip
    name, message = fault(no_name)
    assert name == "badRequest"
    assert message.startswith("Invalid input for field/attribute server_group.")
    assert message.endswith("'name' is a required property")
    assert compute.call("POST", URL, headers=compute.alice_h, body={}).status_code == 400
    longest = create(compute, compute.alice_h, name="n" * 255)
    assert longest.status_code == 200


def test_another_projects_group_is_not_found_admin_sees_it(compute: Compute) -> None:
    group_id = made(compute, compute.alice_h)
    assert fault(compute.get(f"{URL}/{group_id}", headers=compute.bob_h)) == (
        "itemNotFound",
        f"Instance group {group_id} could not be found.",
    )
    assert compute.call("DELETE", f"{URL}/{group_id}", headers=compute.bob_h).status_code == 404
    assert compute.get(URL, headers=compute.bob_h).json["server_groups"] == []
    assert compute.get(f"{URL}/{group_id}", headers=compute.admin).status_code == 200
    assert compute.get(f"{URL}/not-a-uuid", headers=compute.alice_h).status_code == 404


def test_admin_lists_every_project_only_with_all_projects(compute: Compute) -> None:
    alices = made(compute, compute.alice_h)
    bobs = made(compute, compute.bob_h)
    admins = made(compute, compute.admin)

    def listed(headers: dict[str, str], query: str | None = None) -> list[str]:
        result = compute.get(URL, headers=headers, query=query)
        assert result.status_code == 200, result.text
        return [g["id"] for g in result.json["server_groups"]]

    assert listed(compute.admin) == [admins]
    # Any value asks for every project, as in Nova.
    assert listed(compute.admin, "all_projects=False") == [alices, bobs, admins]
    # A member asking for every project silently gets its own.
    assert listed(compute.alice_h, "all_projects=1") == [alices]


def test_readers_read_members_write(compute: Compute) -> None:
    reader = create_user(compute.deps, name="rita", project_name="alpha", roles=("reader",))
    reader_h = {"X-Auth-Token": issue_token(compute.deps, user_id=reader.id,
                                            project_id=reader.project_id)}  # fmt: skip
    group_id = made(compute, compute.alice_h)
    assert compute.get(f"{URL}/{group_id}", headers=reader_h).status_code == 200
    assert [g["id"] for g in compute.get(URL, headers=reader_h).json["server_groups"]] == [group_id]
    refused = create(compute, reader_h)
    assert refused.status_code == 403
    assert fault(refused)[1] == "Policy doesn't allow os_compute_api:os-server-groups:create" \
        " to be performed."  # fmt: skip
    assert compute.call("DELETE", f"{URL}/{group_id}", headers=reader_h).status_code == 403


def test_limit_offset_and_marker(compute: Compute) -> None:
    ids = [made(compute, compute.alice_h, name=f"g{i}") for i in range(5)]

    def page(query: str, version: str = "2.1") -> list[str]:
        result = compute.get(URL, headers=compute.alice_h, query=query, version=version)
        assert result.status_code == 200, result.text
        return [g["id"] for g in result.json["server_groups"]]

    assert page("") == ids
    assert page("limit=2") == ids[:2]
    assert page("limit=2&offset=2") == ids[2:4]
    assert page("offset=4") == ids[4:]
    assert page("limit=0") == ids  # 0 is the most there is, as in Nova
    assert page("limit=1&limit=3") == ids[:3]  # the last value counts
    assert page("offset=99999999999999999999") == []
    assert page(f"limit=2&marker={ids[1]}") == ids[2:4]
    assert page(f"marker={ids[4]}", "2.75") == []
    unknown = ids[0][:-1] + ("1" if ids[0].endswith("0") else "0")
    for bad in ("limit=-1", "offset=x", "limit=", f"marker={unknown}"):
        assert compute.get(URL, headers=compute.alice_h, query=bad).status_code == 400, bad
    # Another project's group is no marker of mine.
    bobs = made(compute, compute.bob_h)
    assert compute.get(URL, headers=compute.alice_h, query=f"marker={bobs}").status_code == 400
    # Unknown parameters: ignored before 2.75, refused from it.
    assert page("colour=red", "2.74") == ids
    strict = compute.get(URL, headers=compute.alice_h, query="colour=red", version="2.75")
    assert fault(strict) == (
        "badRequest",
        "Additional properties are not allowed ('colour' was unexpected)",
    )


def test_delete_then_gone_and_members_cascade(compute: Compute) -> None:
    group_id = made(compute, compute.alice_h)
    server = compute.make(project=compute.alice.project_id)
    with compute.deps.store.session(write=True) as session:
        ctx = _ctx(compute, compute.alice_h)
        groups.add_member(session, groups.group_for_hint(session, ctx, group_id), server)
    assert compute.call("DELETE", f"{URL}/{group_id}", headers=compute.alice_h).status_code == 204
    assert compute.get(f"{URL}/{group_id}", headers=compute.alice_h).status_code == 404
    assert compute.call("DELETE", f"{URL}/{group_id}", headers=compute.alice_h).status_code == 404
    with compute.deps.store.session() as session:
        assert groups.group_ids_of(session, [server]) == {server: []}
    # The server itself stays.
    assert compute.get(f"/v2.1/servers/{server}", headers=compute.alice_h).status_code == 200


def test_legacy_v2_root(compute: Compute) -> None:
    path = f"/v2/{compute.alice.project_id}/os-server-groups"
    result = compute.call(
        "POST",
        path,
        headers=compute.alice_h,
        body={"server_group": {"name": "old", "policies": ["affinity"]}},
    )
    assert result.status_code == 200, result.text
    assert "project_id" not in result.json["server_group"]


def test_quota_of_server_groups(compute: Compute) -> None:
    for i in range(10):
        made(compute, compute.alice_h, name=f"g{i}")
    over = create(compute, compute.alice_h)
    assert fault(over) == ("forbidden", "Quota exceeded, too many server groups.")
    # Bob's project has its own count.
    assert create(compute, compute.bob_h).status_code == 200


def _ctx(c: Compute, headers: dict[str, str]) -> RequestContext:
    return RequestContext(token_id="t", payload=c.deps.tokens.validate(headers["X-Auth-Token"]))


def test_members_hint_hosts_and_server_groups_field(compute: Compute) -> None:
    alice = _ctx(compute, compute.alice_h)
    group_id = made(compute, compute.alice_h, policies=["anti-affinity"])
    bobs_group = made(compute, compute.bob_h)
    first = compute.make(project=compute.alice.project_id, host="compute-1")
    second = compute.make(project=compute.alice.project_id, host="compute-2")
    gone = compute.make(project=compute.alice.project_id, host="compute-2",
                        vm_state=states.DELETED)  # fmt: skip
    with compute.deps.store.session(write=True) as session:
        group = groups.group_for_hint(session, alice, group_id)
        for server in (first, gone, second):
            groups.add_member(session, group, server)
    # A missing group, or another project's, is the create's 400.
    with compute.deps.store.session(write=True) as session:
        for hint in (bobs_group, "0" * 32, "nope"):
            with pytest.raises(BadRequest, match="could not be found"):
                groups.group_for_hint(session, alice, hint)
    members = compute.get(f"{URL}/{group_id}", headers=compute.alice_h).json["server_group"]
    assert members["members"] == [first, second]  # not the deleted one
    with compute.deps.store.session() as session:
        group = session.scalars(select(ServerGroup).where(ServerGroup.uuid == group_id)).one()
        placement = groups.placement_for(session, group)
        assert placement.used == {"compute-1": 1, "compute-2": 1}
        assert placement.hosts(["compute-1", "compute-2", "compute-3"]) == ["compute-3"]
        assert groups.group_ids_of(session, [first, second, "x"]) == {
            first: [group_id],
            second: [group_id],
            "x": [],
        }
    # Deleted through the API, a member leaves the group's view.
    assert (
        compute.call("DELETE", f"/v2.1/servers/{second}", headers=compute.alice_h).status_code
        == 204
    )
    after = compute.get(f"{URL}/{group_id}", headers=compute.alice_h).json["server_group"]
    assert after["members"] == [first]


def test_placement_by_policy() -> None:
    used = {"a": 2, "b": 1}
    hosts = ["a", "b", "c"]

    def place(policy: str, used: dict[str, int], per_host: int = 1) -> list[str]:
        return groups.GroupPlacement(policy=policy, used=used, max_per_host=per_host).hosts(hosts)

    assert place("affinity", {}) == hosts
    assert place("affinity", {"b": 1}) == ["b"]
    assert place("anti-affinity", used) == ["c"]
    assert place("anti-affinity", used, per_host=2) == ["b", "c"]
    assert place("soft-anti-affinity", used) == ["c", "b", "a"]
    assert place("soft-affinity", used) == ["a", "b", "c"]


def test_same_on_every_backend(cloud_deps_any_db: CloudDeps) -> None:
    c = build_compute(cloud_deps_any_db)
    ids = [made(c, c.alice_h, "2.64", name=f"g{i}", policy="anti-affinity",
                rules={"max_server_per_host": 2}) for i in range(3)]  # fmt: skip
    server = c.make(project=c.alice.project_id, host="compute-1")
    with c.deps.store.session(write=True) as session:
        group = groups.group_for_hint(session, _ctx(c, c.alice_h), ids[0])
        groups.add_member(session, group, server)
        assert groups.placement_for(session, group).hosts(["compute-1"]) == ["compute-1"]
    # An instance joins one group at most: the database refuses a second.
    with c.deps.store.session(write=True) as session:
        group = groups.group_for_hint(session, _ctx(c, c.alice_h), ids[1])
        with pytest.raises(IntegrityError):
            groups.add_member(session, group, server)
        session.rollback()
    page = c.get(URL, headers=c.alice_h, version="2.64", query=f"limit=1&marker={ids[0]}")
    assert [g["id"] for g in page.json["server_groups"]] == [ids[1]]
    shown = c.get(f"{URL}/{ids[0]}", headers=c.alice_h, version="2.64").json["server_group"]
    assert (shown["members"], shown["rules"]) == ([server], {"max_server_per_host": 2})
    assert c.get(f"{URL}/{'x' * 40}", headers=c.alice_h).status_code == 404
    assert c.call("DELETE", f"{URL}/{ids[0]}", headers=c.alice_h).status_code == 204
    with c.deps.store.session() as session:
        assert groups.group_ids_of(session, [server]) == {server: []}
