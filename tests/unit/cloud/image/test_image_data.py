"""Image data as Glance v2 keeps it: upload, download (ranges), status transitions, the size cap
and storage quota, deactivate/reactivate, and the data store the other services call."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from falcon import testing

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import PayloadTooLarge
from pocketstack.cloud.image import data_store, uploads
from pocketstack.cloud.image.app import create_app
from pocketstack.cloud.store.models.image import Image
from tests.fixtures.cloud import admin_token, create_user, issue_token

OCTETS = {"Content-Type": "application/octet-stream"}
DATA = os.urandom(200_000)


@dataclasses.dataclass
class Cloud:
    deps: CloudDeps
    client: testing.TestClient
    admin: dict[str, str]
    alice: dict[str, str]  # member of alpha
    reader: dict[str, str]  # reader only, of alpha
    bob: dict[str, str]  # member of beta

    def create(self, headers: dict[str, str] | None = None, **body: object) -> str:
        body = {"disk_format": "raw", "container_format": "bare", **body}
        result = self.client.simulate_post("/v2/images", headers=headers or self.alice, json=body)
        assert result.status_code == 201, result.text
        image_id: str = result.json["id"]
        return image_id

    def put(
        self, image_id: str, data: bytes, headers: dict[str, str] | None = None, part: str = "file"
    ) -> testing.Result:
        return self.client.simulate_put(
            f"/v2/images/{image_id}/{part}",
            headers={**(headers or self.alice), **OCTETS},
            body=data,
        )

    def show(self, image_id: str) -> dict[str, object]:
        shown: dict[str, object] = self.client.simulate_get(
            f"/v2/images/{image_id}", headers=self.admin
        ).json
        return shown

    def get(
        self, image_id: str, headers: dict[str, str] | None = None, **extra: str
    ) -> testing.Result:
        return self.client.simulate_get(
            f"/v2/images/{image_id}/file", headers={**(headers or self.alice), **extra}
        )


def _cloud(deps: CloudDeps) -> Cloud:
    def token(name: str, project: str, roles: tuple[str, ...] = ("member",)) -> dict[str, str]:
        user = create_user(deps, name=name, project_name=project, roles=roles)
        return {"X-Auth-Token": issue_token(deps, user_id=user.id, project_id=user.project_id)}

    return Cloud(
        deps=deps,
        client=testing.TestClient(create_app(deps)),
        admin={"X-Auth-Token": admin_token(deps)},
        alice=token("alice", "alpha"),
        reader=token("rita", "alpha", ("reader",)),
        bob=token("bob", "beta"),
    )


@pytest.fixture
def cloud(cloud_deps: CloudDeps) -> Cloud:
    return _cloud(cloud_deps)


def _with(
    deps: CloudDeps, *, image_size_cap: int | None = None, user_storage_quota: int = 0
) -> CloudDeps:
    cap = deps.config.image_size_cap if image_size_cap is None else image_size_cap
    config = dataclasses.replace(
        deps.config, image_size_cap=cap, user_storage_quota=user_storage_quota
    )
    return dataclasses.replace(deps, config=config)


def _leftovers(deps: CloudDeps) -> list[str]:
    return sorted(p.name for p in data_store.images_dir(deps).rglob(".part-*"))


def test_upload_then_download_the_same_bytes(cloud: Cloud) -> None:
    image_id = cloud.create()
    assert cloud.put(image_id, DATA).status_code == 204
    shown = cloud.show(image_id)
    assert shown["status"] == "active"
    assert shown["size"] == len(DATA)
    assert shown["checksum"] == hashlib.md5(DATA).hexdigest()
    assert shown["os_hash_algo"] == "sha512"
    assert shown["os_hash_value"] == hashlib.sha512(DATA).hexdigest()
    got = cloud.get(image_id)
    assert got.status_code == 200
    assert got.content == DATA
    assert got.headers["Content-Type"] == "application/octet-stream"
    assert got.headers["Content-MD5"] == shown["checksum"]
    assert got.headers["Content-Length"] == str(len(DATA))
    path = data_store.data_path(cloud.deps, image_id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert _leftovers(cloud.deps) == []


def test_empty_image_is_active_with_no_bytes(cloud: Cloud) -> None:
    image_id = cloud.create()
    assert cloud.put(image_id, b"").status_code == 204
    assert cloud.show(image_id)["size"] == 0
    got = cloud.get(image_id)
    assert (got.status_code, got.content) == (200, b"")


def test_ranges(cloud: Cloud) -> None:
    image_id = cloud.create()
    cloud.put(image_id, DATA)
    size = len(DATA)
    first = cloud.get(image_id, Range="bytes=0-9")
    assert first.status_code == 206
    assert first.content == DATA[:10]
    assert first.headers["Content-Range"] == f"bytes 0-9/{size}"
    assert first.headers["Content-Length"] == "10"
    tail = cloud.get(image_id, Range="bytes=-5")
    assert (tail.status_code, tail.content) == (206, DATA[-5:])
    assert tail.headers["Content-Range"] == f"bytes {size - 5}-{size - 1}/{size}"
    rest = cloud.get(image_id, Range=f"bytes={size - 3}-")
    assert rest.content == DATA[-3:]
    past_end = cloud.get(image_id, Range=f"bytes=100-{size + 50}")
    assert past_end.content == DATA[100:]
    assert cloud.get(image_id, Range=f"bytes={size}-").status_code == 416
    assert cloud.get(image_id, Range="bytes=9-2").status_code == 416
    assert cloud.get(image_id, Range="pages=1-2").status_code == 416


def test_no_data_is_204_and_upload_rules(cloud: Cloud) -> None:
    image_id = cloud.create()
    assert cloud.get(image_id).status_code == 204
    # Another project cannot see alpha's image; alpha's reader sees it but may not write.
    assert cloud.put(image_id, b"x", headers=cloud.bob).status_code == 404
    refused = cloud.put(image_id, b"x", headers=cloud.reader)
    assert refused.status_code == 403
    assert "upload_image" in refused.json["message"]
    wrong_type = cloud.client.simulate_put(
        f"/v2/images/{image_id}/file",
        headers={**cloud.alice, "Content-Type": "application/json"},
        body=b"{}",
    )
    assert wrong_type.status_code == 415
    elsewhere = cloud.client.simulate_put(
        f"/v2/images/{image_id}/file",
        headers={**cloud.alice, **OCTETS, "X-Image-Meta-Store": "swift"},
        body=b"x",
    )
    assert elsewhere.status_code == 400
    assert cloud.show(image_id)["status"] == "queued"
    assert cloud.put(image_id, DATA).status_code == 204
    again = cloud.put(image_id, b"other")
    assert again.status_code == 409
    assert "from active to saving" in again.json["message"]
    assert cloud.get(image_id).content == DATA
    assert cloud.put("00000000-0000-0000-0000-000000000000", b"x").status_code == 404


def test_size_cap_refuses_with_413_and_keeps_nothing(cloud_deps: CloudDeps) -> None:
    cloud = _cloud(_with(cloud_deps, image_size_cap=1000))
    image_id = cloud.create()
    refused = cloud.put(image_id, b"x" * 1001)
    assert refused.status_code == 413
    assert "too large" in refused.json["message"]
    assert cloud.show(image_id)["status"] == "queued"
    assert not data_store.data_path(cloud.deps, image_id).exists()
    assert cloud.put(image_id, b"x" * 1000).status_code == 204


def test_cap_while_streaming_without_length(cloud_deps: CloudDeps) -> None:
    deps = _with(cloud_deps, image_size_cap=100_000)
    cloud = _cloud(deps)
    image_id = cloud.create()
    chunks = (DATA[i : i + 30_000] for i in range(0, len(DATA), 30_000))
    with pytest.raises(PayloadTooLarge):
        uploads.receive(
            deps, _context(cloud, cloud.alice), image_id, chunks, length=None, staging=False
        )
    assert cloud.show(image_id)["status"] == "queued"
    assert _leftovers(deps) == []
    assert not data_store.data_path(deps, image_id).exists()


def _context(cloud: Cloud, headers: dict[str, str]) -> RequestContext:
    """The request context a token stands for, as the middleware makes it."""
    token = headers["X-Auth-Token"]
    return RequestContext(token_id=token, payload=cloud.deps.tokens.validate(token))


def test_storage_quota_per_owner(cloud_deps: CloudDeps) -> None:
    cloud = _cloud(_with(cloud_deps, user_storage_quota=150_000))
    first, second = cloud.create(), cloud.create()
    assert cloud.put(first, b"a" * 100_000).status_code == 204
    refused = cloud.put(second, b"b" * 60_000)
    assert refused.status_code == 413
    assert "storage quota" in refused.json["message"]
    assert cloud.show(second)["status"] == "queued"
    # Another project's quota is its own.
    theirs = cloud.create(headers=cloud.bob)
    assert cloud.put(theirs, b"c" * 60_000, headers=cloud.bob).status_code == 204
    assert cloud.put(second, b"b" * 50_000).status_code == 204


def test_aborted_upload_leaves_queued_and_no_file(cloud: Cloud) -> None:
    image_id = cloud.create()

    def broken() -> Iterator[bytes]:
        yield b"x" * 70_000
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        uploads.receive(
            cloud.deps, _context(cloud, cloud.alice), image_id, broken(), length=None, staging=False
        )
    assert cloud.show(image_id)["status"] == "queued"
    assert _leftovers(cloud.deps) == []
    assert cloud.put(image_id, b"retry").status_code == 204


def test_image_deleted_during_upload_is_410_and_cleaned(cloud: Cloud) -> None:
    image_id = cloud.create()

    def deleting() -> Iterator[bytes]:
        yield b"x" * 1000
        with cloud.deps.store.session(write=True) as session:
            session.delete(session.get(Image, image_id))

    with pytest.raises(uploads.Gone):
        uploads.receive(
            cloud.deps,
            _context(cloud, cloud.alice),
            image_id,
            deleting(),
            length=None,
            staging=False,
        )
    assert not data_store.data_path(cloud.deps, image_id).exists()
    assert _leftovers(cloud.deps) == []


def test_concurrent_uploads_one_wins(cloud_deps_any_db: CloudDeps) -> None:
    cloud = _cloud(cloud_deps_any_db)
    image_id = cloud.create()
    bodies = [bytes([n]) * 50_000 for n in range(4)]
    statuses: list[int] = []
    start = threading.Barrier(len(bodies))

    def upload(body: bytes) -> None:
        start.wait()
        statuses.append(cloud.put(image_id, body).status_code)

    threads = [threading.Thread(target=upload, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [204, 409, 409, 409]
    stored = cloud.get(image_id).content
    assert stored in bodies
    assert cloud.show(image_id)["checksum"] == hashlib.md5(stored).hexdigest()


def test_upload_refused_while_another_is_saving(cloud: Cloud) -> None:
    image_id = cloud.create()
    saving = threading.Event()
    release = threading.Event()

    def slow() -> Iterator[bytes]:
        yield b"first"
        saving.set()
        release.wait(10)
        yield b"-done"

    winner = threading.Thread(
        target=uploads.receive,
        args=(cloud.deps, _context(cloud, cloud.alice), image_id, slow()),
        kwargs={"length": None, "staging": False},
    )
    winner.start()
    assert saving.wait(10)
    assert cloud.show(image_id)["status"] == "saving"
    loser = cloud.put(image_id, b"second")
    release.set()
    winner.join()
    assert loser.status_code == 409
    assert "from saving to saving" in loser.json["message"]
    assert cloud.get(image_id).content == b"first-done"


def test_deactivate_and_reactivate(cloud: Cloud) -> None:
    image_id = cloud.create()
    path = f"/v2/images/{image_id}/actions"
    queued = cloud.client.simulate_post(f"{path}/deactivate", headers=cloud.alice)
    assert queued.status_code == 403
    assert "Not allowed to deactivate image in status 'queued'" in queued.json["message"]
    cloud.put(image_id, DATA)
    assert cloud.client.simulate_post(f"{path}/deactivate", headers=cloud.bob).status_code == 404
    assert cloud.client.simulate_post(f"{path}/deactivate", headers=cloud.reader).status_code == 403
    for _ in range(2):  # a second deactivate changes nothing
        assert (
            cloud.client.simulate_post(f"{path}/deactivate", headers=cloud.alice).status_code == 204
        )
    assert cloud.show(image_id)["status"] == "deactivated"
    refused = cloud.get(image_id)
    assert refused.status_code == 403
    assert "deactivated" in refused.json["message"]
    assert cloud.get(image_id, headers=cloud.admin).content == DATA
    assert cloud.put(image_id, b"x").status_code == 409
    for _ in range(2):
        assert (
            cloud.client.simulate_post(f"{path}/reactivate", headers=cloud.alice).status_code == 204
        )
    assert cloud.show(image_id)["status"] == "active"
    assert cloud.get(image_id).content == DATA
    queued_id = cloud.create()
    again = cloud.client.simulate_post(
        f"/v2/images/{queued_id}/actions/reactivate", headers=cloud.admin
    )
    assert again.status_code == 403


def test_public_image_others_may_download_not_deactivate(cloud: Cloud) -> None:
    image_id = cloud.create(headers=cloud.admin, visibility="public")
    assert cloud.put(image_id, DATA, headers=cloud.admin).status_code == 204
    assert cloud.get(image_id, headers=cloud.bob).content == DATA
    assert cloud.put(image_id, b"x", headers=cloud.bob).status_code in (403, 409)
    denied = cloud.client.simulate_post(
        f"/v2/images/{image_id}/actions/deactivate", headers=cloud.bob
    )
    assert denied.status_code == 403
    # Glance's download_image asks for the member role.
    assert cloud.get(image_id, headers=cloud.reader).status_code == 403


def test_discovery(cloud: Cloud) -> None:
    info = cloud.client.simulate_get("/v2/info/import", headers=cloud.alice)
    assert info.json["import-methods"]["value"] == ["glance-direct"]
    stores = cloud.client.simulate_get("/v2/info/stores", headers=cloud.alice).json["stores"]
    assert [s["id"] for s in stores] == ["file"]
    assert stores[0]["default"] == "true"
    assert cloud.client.simulate_get("/v2/info/import").status_code == 401


def test_stage_then_glance_direct_import(cloud: Cloud) -> None:
    image_id = cloud.create()
    path = f"/v2/images/{image_id}/import"
    method = {"method": {"name": "glance-direct"}}
    not_staged = cloud.client.simulate_post(path, headers=cloud.alice, json=method)
    assert not_staged.status_code == 409
    assert "needs to be staged" in not_staged.json["message"]
    assert cloud.put(image_id, DATA, part="stage").status_code == 204
    shown = cloud.show(image_id)
    assert (shown["status"], shown["size"]) == ("uploading", len(DATA))
    assert cloud.get(image_id).status_code == 204
    assert cloud.put(image_id, DATA, part="stage").status_code == 409
    assert cloud.put(image_id, DATA).status_code == 409
    web = cloud.client.simulate_post(
        path, headers=cloud.alice, json={"method": {"name": "web-download", "uri": "http://x/"}}
    )
    assert web.status_code == 400
    assert "Unknown import method name 'web-download'" in web.json["message"]
    assert cloud.client.simulate_post(path, headers=cloud.alice, json={}).status_code == 400
    assert cloud.client.simulate_post(path, headers=cloud.bob, json=method).status_code == 404
    assert cloud.client.simulate_post(path, headers=cloud.reader, json=method).status_code == 403
    unknown = cloud.client.simulate_post(
        path, headers=cloud.alice, json={**method, "stores": ["ceph"]}
    )
    assert unknown.status_code == 409
    assert "Unknown scheme 'ceph'" in unknown.json["message"]
    both = cloud.client.simulate_post(
        path, headers=cloud.alice, json={**method, "stores": ["file"], "all_stores": True}
    )
    assert both.status_code == 400
    assert cloud.show(image_id)["status"] == "uploading"
    assert cloud.client.simulate_get(f"/v2/images/{image_id}/tasks", headers=cloud.alice).json == {
        "tasks": []
    }
    done = cloud.client.simulate_post(
        path, headers=cloud.alice, json={**method, "all_stores": True}
    )
    assert done.status_code == 202
    tasks = cloud.client.simulate_get(f"/v2/images/{image_id}/tasks", headers=cloud.alice)
    assert tasks.status_code == 200
    [task] = tasks.json["tasks"]
    assert (task["status"], task["type"]) == ("success", "api_image_import")
    assert task["request_id"] == done.headers["x-openstack-request-id"]
    assert task["input"]["import_req"]["method"]["name"] == "glance-direct"
    assert (
        cloud.client.simulate_get(f"/v2/images/{image_id}/tasks", headers=cloud.bob).status_code
        == 404
    )
    shown = cloud.show(image_id)
    assert shown["status"] == "active"
    assert shown["checksum"] == hashlib.md5(DATA).hexdigest()
    assert shown["os_hash_value"] == hashlib.sha512(DATA).hexdigest()
    assert cloud.get(image_id).content == DATA
    assert not data_store.staged_path(cloud.deps, image_id).exists()
    data_store.discard(cloud.deps, image_id)
    assert not data_store.tasks_path(cloud.deps, image_id).exists()
    active = cloud.client.simulate_post(path, headers=cloud.alice, json=method)
    assert active.status_code == 409
    assert "status active cannot be target for import" in active.json["message"]


def test_import_needs_formats(cloud: Cloud) -> None:
    image_id = cloud.create(container_format=None)
    assert cloud.put(image_id, b"data", part="stage").status_code == 204
    result = cloud.client.simulate_post(
        f"/v2/images/{image_id}/import",
        headers=cloud.alice,
        json={"method": {"name": "glance-direct"}},
    )
    assert result.status_code == 409
    assert "'container_format' needs to be set" in result.json["message"]


def test_data_store_functions(cloud: Cloud, tmp_path: Path) -> None:
    image_id = cloud.create()
    assert data_store.open_data(cloud.deps, image_id) is None
    with cloud.deps.store.session(write=True) as session:
        image = session.get(Image, image_id)
        assert image is not None
        data_store.put_data(cloud.deps, session, image, iter([DATA[:1000], DATA[1000:]]))
    shown = cloud.show(image_id)
    assert shown["status"] == "active"
    assert shown["os_hash_value"] == hashlib.sha512(DATA).hexdigest()
    chunks = data_store.open_data(cloud.deps, image_id)
    assert chunks is not None
    assert b"".join(chunks) == DATA
    data_store.discard(cloud.deps, image_id)
    assert data_store.open_data(cloud.deps, image_id) is None
    data_store.discard(cloud.deps, image_id)  # nothing there: fine


def _snapshot(deps: CloudDeps, image_id: str, data: bytes, *, fail: bool) -> None:
    with deps.store.session(write=True) as session:
        image = session.get(Image, image_id)
        assert image is not None
        data_store.put_data(deps, session, image, [data])
        if fail:
            raise RuntimeError("the caller's transaction fails")


def test_put_data_rolled_back_leaves_no_file(cloud: Cloud) -> None:
    image_id = cloud.create()
    with pytest.raises(RuntimeError):
        _snapshot(cloud.deps, image_id, b"snapshot", fail=True)
    assert cloud.show(image_id)["status"] == "queued"
    assert data_store.open_data(cloud.deps, image_id) is None
    over = _with(cloud.deps, image_size_cap=4)
    with pytest.raises(PayloadTooLarge):
        _snapshot(over, image_id, b"snapshot", fail=False)
    assert _leftovers(over) == []
    assert cloud.show(image_id)["status"] == "queued"
    _snapshot(cloud.deps, image_id, b"snapshot", fail=False)
    assert cloud.get(image_id).content == b"snapshot"


def test_lost_staged_data_fails_the_import_task(cloud: Cloud) -> None:
    image_id = cloud.create()
    cloud.put(image_id, b"staged", part="stage")
    data_store.staged_path(cloud.deps, image_id).unlink()
    result = cloud.client.simulate_post(
        f"/v2/images/{image_id}/import",
        headers=cloud.alice,
        json={"method": {"name": "glance-direct"}},
    )
    assert result.status_code == 202
    assert cloud.show(image_id)["status"] == "queued"
    tasks = cloud.client.simulate_get(f"/v2/images/{image_id}/tasks", headers=cloud.alice).json
    assert [t["status"] for t in tasks["tasks"]] == ["failure"]
    assert cloud.put(image_id, b"again", part="stage").status_code == 204
