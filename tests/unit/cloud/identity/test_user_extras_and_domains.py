"""A user's other attributes kept and answered (Keystone's `extra`), a domain read by the
tokens scoped inside it, and a disabled domain's deletion taking its contents with it."""

from __future__ import annotations

import threading
from pathlib import Path

from tests.fixtures.cloud import OffsetClock, create_user, issue_token, make_deps
from tests.unit.cloud.identity.conftest import Client


def test_user_extra_attributes_are_kept(client: Client, admin: str) -> None:
    made = client.post("/v3/users", token=admin, json={"user": {
        "name": "u1", "project_id": "p-1", "email": "u1@example.test", "color": None}})  # fmt: skip
    assert made.status_code == 201, made.text
    user = made.json["user"]
    assert (user["project_id"], user["email"], user["color"]) == ("p-1", "u1@example.test", None)
    item = f"/v3/users/{user['id']}"
    assert client.get(item, token=admin).json["user"]["project_id"] == "p-1"
    changed = client.request("PATCH", item, token=admin,
                             json={"user": {"project_id": "p-2", "shoe": 42}})  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert (changed.json["user"]["project_id"], changed.json["user"]["shoe"]) == ("p-2", 42)
    assert changed.json["user"]["color"] is None
    listed = client.get("/v3/users", token=admin, query="name=u1").json["users"]
    assert listed[0]["project_id"] == "p-2"
    # An extra attribute never hides one the API answers.
    links = client.request("PATCH", item, token=admin, json={"user": {"links": "x"}})
    assert links.json["user"]["links"]["self"].endswith(item)


def test_default_domain_is_readable_from_inside(client: Client, admin: str) -> None:
    member = create_user(client.deps, name="plain", project_name="plain")
    token = issue_token(client.deps, user_id=member.id, project_id=member.project_id)
    assert client.get("/v3/domains/default", token=token).status_code == 200
    other = client.post("/v3/domains", json={"domain": {"name": "elsewhere"}}, token=admin)
    refused = client.get(f"/v3/domains/{other.json['domain']['id']}", token=token)
    assert refused.status_code == 403


def test_domain_delete_takes_its_contents(client: Client, admin: str) -> None:
    domain = client.post("/v3/domains", json={"domain": {"name": "gone"}}, token=admin)
    domain_id = domain.json["domain"]["id"]
    parent = client.post("/v3/projects", token=admin,
                         json={"project": {"name": "top", "domain_id": domain_id}})  # fmt: skip
    below = {"name": "below", "domain_id": domain_id, "parent_id": parent.json["project"]["id"]}
    child = client.post("/v3/projects", token=admin, json={"project": below})
    assert child.status_code == 201, child.text
    user = client.post("/v3/users", token=admin,
                       json={"user": {"name": "u", "domain_id": domain_id}})  # fmt: skip
    group = client.post("/v3/groups", token=admin,
                        json={"group": {"name": "g", "domain_id": domain_id}})  # fmt: skip
    enabled = client.request("DELETE", f"/v3/domains/{domain_id}", token=admin)
    assert enabled.status_code == 403
    client.request("PATCH", f"/v3/domains/{domain_id}", token=admin,
                   json={"domain": {"enabled": False}})  # fmt: skip
    assert client.request("DELETE", f"/v3/domains/{domain_id}", token=admin).status_code == 204
    for path in (f"/v3/domains/{domain_id}", f"/v3/users/{user.json['user']['id']}",
                 f"/v3/groups/{group.json['group']['id']}",
                 f"/v3/projects/{parent.json['project']['id']}",
                 f"/v3/projects/{child.json['project']['id']}"):  # fmt: skip
        assert client.get(path, token=admin).status_code == 404, path


def test_racing_extra_updates_keep_every_attribute(
    db_url: str, tmp_path: Path, clock: OffsetClock
) -> None:
    """Updates of a user's other attributes at once, each naming its own: all answered 200 and
    none lost, on every backend."""
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=clock)
    try:
        client = Client(deps)
        admin = client.admin_token()
        made = client.post("/v3/users", token=admin, json={"user": {"name": "u"}})
        item = f"/v3/users/{made.json['user']['id']}"
        statuses: list[int] = []

        def patch(key: str) -> None:
            body = {"user": {key: key}}
            statuses.append(client.request("PATCH", item, token=admin, json=body).status_code)

        keys = [f"attr{n}" for n in range(4)]
        threads = [threading.Thread(target=patch, args=(key,)) for key in keys]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert statuses == [200] * 4
        user = client.get(item, token=admin).json["user"]
        assert {key: user.get(key) for key in keys} == {key: key for key in keys}
    finally:
        deps.store.dispose()
