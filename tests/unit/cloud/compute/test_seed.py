"""The seeding engine: projects, users, and a spread of servers that the API lists."""

from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from pocketstack.cloud.image.bootstrap import CIRROS_ID
from pocketstack.cloud.seed import seed
from pocketstack.cloud.store.models.compute import Instance
from tests.fixtures.cloud import OffsetClock, issue_token, make_deps
from tests.unit.cloud.compute.helpers import Compute, build_compute


def test_seed_spreads_servers_and_is_listable(compute: Compute) -> None:
    calls: list[tuple[int, int]] = []
    result = seed(compute.deps, servers=1200, projects=3,
                  progress=lambda done, total: calls.append((done, total)))  # fmt: skip
    assert result.servers == 1200
    assert [p.name for p in result.projects] == ["demo1", "demo2", "demo3"]
    assert calls[-1] == (1200, 1200)
    with compute.deps.store.session() as session:
        assert session.scalar(select(func.count()).select_from(Instance)) == 1200
        per_project = collections.Counter(session.scalars(select(Instance.project_id)))
        vm_states = collections.Counter(session.scalars(select(Instance.vm_state)))
        images = collections.Counter(session.scalars(select(Instance.image_ref)))
    assert sorted(per_project.values()) == [400, 400, 400]
    # bootstrap's cirros and the seed's own images, each on a fair share of the servers
    assert len(images) == 4
    assert min(images.values()) > 200
    assert {"active", "stopped", "error", "deleted", "building"} <= set(vm_states)

    admin = compute.get("/v2.1/servers/detail", headers=compute.admin, version="2.100",
                        params={"all_tenants": "1", "limit": "1000"})  # fmt: skip
    assert admin.status_code == 200
    assert len(admin.json["servers"]) == 1000
    assert "servers_links" in admin.json
    demo = result.projects[0]
    with compute.deps.store.session() as session:
        from pocketstack.cloud.store.models.identity import User

        user_id = session.scalars(select(User.id).where(User.name == demo.user_name)).one()
    headers = {"X-Auth-Token": issue_token(compute.deps, user_id=user_id, project_id=demo.id)}
    mine = compute.get("/v2.1/servers", headers=headers, params={"limit": "1000"})
    assert 0 < len(mine.json["servers"]) <= 400
    tagged = compute.get("/v2.1/servers", headers=headers, version="2.26",
                         params={"tags": "prod"})  # fmt: skip
    assert tagged.json["servers"]


def test_seed_with_the_admin_project_gives_the_admin_servers_of_its_own(
    compute: Compute,
) -> None:
    result = seed(compute.deps, servers=9, projects=2, admin_project=True)
    # The demo projects and their users as before; the admin project is not one of them.
    assert [p.name for p in result.projects] == ["demo1", "demo2"]
    with compute.deps.store.session() as session:
        per_project = collections.Counter(session.scalars(select(Instance.project_id)))
        from pocketstack.cloud.store.models.identity import User

        admin_id = session.scalars(select(User.id).where(User.name == "admin")).one()
        owners = set(
            session.scalars(
                select(Instance.user_id).where(Instance.project_id == compute.admin_project)
            )
        )
    assert per_project == {compute.admin_project: 3, **{p.id: 3 for p in result.projects}}
    assert owners == {admin_id}
    # The admin's own listing (no all_tenants) shows them, and only them.
    mine = compute.get("/v2.1/servers/detail", headers=compute.admin)
    assert mine.status_code == 200
    listed = mine.json["servers"]
    assert listed
    assert {s["tenant_id"] for s in listed} == {compute.admin_project}
    every = compute.get("/v2.1/servers/detail", headers=compute.admin,
                        params={"all_tenants": "1"})  # fmt: skip
    assert len({s["tenant_id"] for s in every.json["servers"]}) == 3


def test_seed_twice_adds_more_and_keeps_projects(compute: Compute) -> None:
    seed(compute.deps, servers=10, projects=2)
    again = seed(compute.deps, servers=5, projects=2)
    assert [p.name for p in again.projects] == ["demo1", "demo2"]
    with compute.deps.store.session() as session:
        assert session.scalar(select(func.count()).select_from(Instance)) == 15


def test_seeded_rows_read_back_alike_on_every_backend(
    db_url: str, tmp_path: Path, clock: OffsetClock
) -> None:
    # The seeder writes rows in each driver's own terms (no SQLAlchemy type processing):
    # times must come back as the same UTC instants, and list and filter as any server's.
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=clock)
    try:
        seed(deps, servers=300, projects=1)
        now = clock.now()
        with deps.store.session() as session:
            rows = list(session.scalars(select(Instance).order_by(Instance.id)))
        assert len(rows) == 300
        for row in rows:
            assert row.created_at.tzinfo is not None
            assert now - dt.timedelta(days=91) <= row.created_at <= now
            assert row.created_at <= row.updated_at <= now
            assert (row.deleted_at is not None) == row.deleted
        # Created in order over the span, to the microsecond.
        assert [r.created_at for r in rows] == sorted(r.created_at for r in rows)
        assert any(r.created_at.microsecond for r in rows)
        compute = build_compute(deps)
        middle = rows[150].created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        listed = compute.get(
            "/v2.1/servers/detail", headers=compute.admin, version="2.100",
            params={"all_tenants": "1", "limit": "1000", "changes-since": middle},
        )  # fmt: skip
        assert listed.status_code == 200
        expected = {r.uuid for r in rows if r.updated_at >= rows[150].created_at}
        assert {s["id"] for s in listed.json["servers"]} == expected
        # The seeded ids were written, not drawn: the next create still gets a fresh one.
        body = {"server": {"name": "after-seed", "imageRef": CIRROS_ID, "flavorRef": "1"}}
        made = compute.call("POST", "/v2.1/servers", headers=compute.admin, body=body)
        assert made.status_code == 202, made.text
    finally:
        deps.store.dispose()


def test_the_owner_of_a_seeded_project_can_still_create_servers(compute: Compute) -> None:
    # 30 servers over one project: three times Nova's default quota of 10.
    seed(compute.deps, servers=30, projects=1, admin_project=True)
    body = {"server": {"name": "after-seed", "imageRef": CIRROS_ID, "flavorRef": "1",
                       "networks": "auto"}}  # fmt: skip
    made = compute.call("POST", "/v2.1/servers", headers=compute.admin, version="2.52", body=body)
    assert made.status_code == 202, made.text
    shown = compute.get(f"/v2.1/servers/{made.json['server']['id']}", headers=compute.admin)
    assert shown.json["server"]["status"] == "ACTIVE"
