"""Project tags (/v3/projects/{id}/tags, `tags` on projects, the list's tag filters), through
the identity app as a client reaches it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cloud.identity.conftest import IDENTITY, Client


def _project(client: Client, admin: str, name: str, tags: list[str] | None = None) -> str:
    body: dict[str, object] = {"name": name}
    if tags is not None:
        body["tags"] = tags
    made = client.post("/v3/projects", json={"project": body}, token=admin)
    assert made.status_code == 201, made.text
    return str(made.json["project"]["id"])


def _tags(client: Client, token: str, project_id: str) -> list[str]:
    listed = client.get(f"/v3/projects/{project_id}/tags", token=token)
    assert listed.status_code == 200, listed.text
    return list(listed.json["tags"])


def test_tempest_flow_add_check_replace_list_delete(client: Client, admin: str) -> None:
    pid = _project(client, admin, "tagged")
    base = f"/v3/projects/{pid}/tags"
    added = client.request("PUT", f"{base}/first", token=admin)
    assert added.status_code == 201, added.text
    assert added.headers["Location"] == f"{IDENTITY}/v3/projects/{pid}/tags/first"
    assert client.get(f"{base}/first", token=admin).status_code == 204
    assert client.request("HEAD", f"{base}/first", token=admin).status_code == 204

    replaced = client.request("PUT", base, json={"tags": ["b", "a", "c"]}, token=admin)
    assert replaced.status_code == 200, replaced.text
    assert sorted(replaced.json["tags"]) == ["a", "b", "c"]
    assert sorted(_tags(client, admin, pid)) == ["a", "b", "c"]
    # The replaced tag is gone.
    assert client.get(f"{base}/first", token=admin).status_code == 404

    assert client.request("DELETE", f"{base}/a", token=admin).status_code == 204
    missing = client.get(f"{base}/a", token=admin)
    assert missing.status_code == 404
    assert missing.json["error"]["message"] == "Could not find project tag: a."
    assert client.request("DELETE", f"{base}/a", token=admin).status_code == 404

    assert client.request("DELETE", base, token=admin).status_code == 204
    assert _tags(client, admin, pid) == []


def test_tags_on_create_show_patch_and_list(client: Client, admin: str) -> None:
    pid = _project(client, admin, "born-tagged", tags=["x", "y"])
    shown = client.get(f"/v3/projects/{pid}", token=admin).json["project"]
    assert sorted(shown["tags"]) == ["x", "y"]
    patched = client.request(
        "PATCH", f"/v3/projects/{pid}", json={"project": {"tags": ["z"]}}, token=admin
    )
    assert patched.status_code == 200, patched.text
    assert patched.json["project"]["tags"] == ["z"]
    # A PATCH without tags leaves them.
    renamed = client.request(
        "PATCH", f"/v3/projects/{pid}", json={"project": {"description": "d"}}, token=admin
    )
    assert renamed.json["project"]["tags"] == ["z"]
    listed = client.get("/v3/projects", token=admin, query="name=born-tagged").json["projects"]
    assert listed[0]["tags"] == ["z"]


def test_list_filters(client: Client, admin: str) -> None:
    ids = {
        "ab": _project(client, admin, "p-ab", tags=["a", "b"]),
        "a": _project(client, admin, "p-a", tags=["a"]),
        "c": _project(client, admin, "p-c", tags=["c"]),
    }

    def names(query: str) -> set[str]:
        listed = client.get("/v3/projects", token=admin, query=query)
        assert listed.status_code == 200, listed.text
        found = {p["id"] for p in listed.json["projects"]}
        return {k for k, v in ids.items() if v in found}

    assert names("tags=a,b") == {"ab"}
    assert names("tags=a") == {"ab", "a"}
    assert names("tags-any=b,c") == {"ab", "c"}
    assert names("not-tags=a,b") == {"a", "c"}
    assert names("not-tags-any=a") == {"c"}


@pytest.mark.parametrize(
    "tags",
    [
        ["with/slash"],
        ["with,comma"],
        ["x" * 256],
        [""],
        ["dup", "dup"],
        [f"t{i}" for i in range(81)],
    ],
)
def test_keystone_limits_are_400s(client: Client, admin: str, tags: list[str]) -> None:
    pid = _project(client, admin, "limited")
    replaced = client.request("PUT", f"/v3/projects/{pid}/tags", json={"tags": tags}, token=admin)
    assert replaced.status_code == 400, replaced.text
    created = client.post(
        "/v3/projects", json={"project": {"name": "n", "tags": tags}}, token=admin
    )
    assert created.status_code == 400, created.text
    assert _tags(client, admin, pid) == []


def test_single_tag_limits(client: Client, admin: str) -> None:
    pid = _project(client, admin, "single", tags=[f"t{i}" for i in range(80)])
    base = f"/v3/projects/{pid}/tags"
    assert client.request("PUT", f"{base}/one-more", token=admin).status_code == 400
    assert client.request("PUT", f"{base}/t1", token=admin).status_code == 400
    assert client.request("PUT", f"{base}/a,b", token=admin).status_code == 400
    assert client.request("PUT", f"{base}/{'x' * 256}", token=admin).status_code == 400
    assert len(_tags(client, admin, pid)) == 80
    unknown = client.request("PUT", "/v3/projects/nope/tags/t", token=admin)
    assert unknown.status_code == 404
    assert client.get("/v3/projects/nope/tags", token=admin).status_code == 404


def test_policy_reader_on_project_may_read_not_write(client: Client, admin: str) -> None:
    pid = _project(client, admin, "proj", tags=["seen"])
    other = _project(client, admin, "other", tags=["hidden"])
    user = client.post("/v3/users", json={"user": {"name": "u", "password": "pw"}}, token=admin)
    uid = user.json["user"]["id"]
    member = client.get("/v3/roles", token=admin, query="name=member").json["roles"][0]["id"]
    granted = client.request("PUT", f"/v3/projects/{pid}/users/{uid}/roles/{member}", token=admin)
    assert granted.status_code == 204
    issued = client.password_token(user="u", password="pw", project="proj")
    token = str(issued.headers["X-Subject-Token"])
    assert _tags(client, token, pid) == ["seen"]
    assert client.get(f"/v3/projects/{pid}/tags/seen", token=token).status_code == 204
    assert client.get(f"/v3/projects/{other}/tags", token=token).status_code == 403
    assert client.request("PUT", f"/v3/projects/{pid}/tags/new", token=token).status_code == 403
    assert (
        client.request(
            "PUT", f"/v3/projects/{pid}/tags", json={"tags": []}, token=token
        ).status_code
        == 403
    )
    assert client.request("DELETE", f"/v3/projects/{pid}/tags", token=token).status_code == 403
    assert _tags(client, admin, pid) == ["seen"]


def test_deleting_a_project_takes_its_tags(client: Client, admin: str) -> None:
    pid = _project(client, admin, "doomed", tags=["t"])
    assert client.request("DELETE", f"/v3/projects/{pid}", token=admin).status_code == 204
    again = _project(client, admin, "doomed")
    assert _tags(client, admin, again) == []


def _race(workers: int, call: Callable[[], int]) -> list[int]:
    start = threading.Barrier(workers)
    statuses: list[int] = []
    lock = threading.Lock()

    def run() -> None:
        start.wait()
        status = call()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sorted(statuses)


def test_concurrent_identical_writes_never_500(
    db_url: str, tmp_path: Path, clock: OffsetClock
) -> None:
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=clock)
    try:
        client = Client(deps)
        admin = client.admin_token()
        pid = _project(client, admin, "raced")
        base = f"/v3/projects/{pid}/tags"
        workers = 4

        def add() -> int:
            return client.request("PUT", f"{base}/same", token=admin).status_code

        # One add wins; the others find the tag there, Keystone's 400.
        assert _race(workers, add) == [201] + [400] * (workers - 1)
        assert _tags(client, admin, pid) == ["same"]

        def replace() -> int:
            body = {"tags": ["x", "y"]}
            return client.request("PUT", base, json=body, token=admin).status_code

        assert _race(workers, replace) == [200] * workers
        assert sorted(_tags(client, admin, pid)) == ["x", "y"]
    finally:
        deps.store.dispose()


def test_a_users_projects_show_their_tags(client: Client, admin: str) -> None:
    pid = _project(client, admin, "tagged-mine", tags=["blue"])
    me = client.get("/v3/auth/tokens", token=admin, headers={"X-Subject-Token": admin})
    user_id = me.json["token"]["user"]["id"]
    role = client.get("/v3/roles", token=admin, query="name=member").json["roles"][0]["id"]
    granted = client.request("PUT", f"/v3/projects/{pid}/users/{user_id}/roles/{role}",
                             token=admin)  # fmt: skip
    assert granted.status_code == 204, granted.text
    for path in (f"/v3/users/{user_id}/projects", "/v3/auth/projects"):
        listed = client.get(path, token=admin).json["projects"]
        assert [p["tags"] for p in listed if p["id"] == pid] == [["blue"]], path
