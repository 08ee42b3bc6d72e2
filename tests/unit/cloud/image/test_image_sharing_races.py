"""Concurrent member adds, on SQLite, PostgreSQL and MariaDB: the same project added to one
image by many requests at once is one member (one 200, every other a 409, never a 500), and
many different projects added at once never pass the member limit."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from falcon import testing
from sqlalchemy import func, select

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image import members
from pocketstack.cloud.image.app import create_app
from pocketstack.cloud.store.models.image_member import ImageMember
from tests.fixtures.cloud import create_user, issue_token

WORKERS = 6


def _race(
    client: testing.TestClient, path: str, headers: dict[str, str], bodies: list[Any]
) -> list[int]:
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(bodies))

    def run(body: Any) -> None:
        start.wait()
        status = client.simulate_post(path, headers=headers, json=body).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def test_concurrent_member_adds(
    cloud_deps_any_db: CloudDeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    deps = cloud_deps_any_db
    user = create_user(deps, name="alice", project_name="alpha")
    owner = {"X-Auth-Token": issue_token(deps, user_id=user.id, project_id=user.project_id)}
    client = testing.TestClient(create_app(deps))
    made = client.simulate_post("/v2/images", headers=owner, json={"visibility": "shared"})
    path = f"/v2/images/{made.json['id']}/members"

    same = _race(client, path, owner, [{"member": "beta"}] * WORKERS)
    assert same == [200] + [409] * (WORKERS - 1)

    monkeypatch.setattr(members, "MAX_MEMBERS", 3)
    many = _race(client, path, owner, [{"member": f"p{n}"} for n in range(WORKERS)])
    assert many == [200] * 2 + [413] * (WORKERS - 2)
    with deps.store.session() as session:
        count = session.scalar(select(func.count()).select_from(ImageMember))
    assert count == 3
