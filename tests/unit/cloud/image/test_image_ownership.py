"""Who owns an image, and what goes with it: no token without a project owns an image of no
owner (the bootstrap ones), the data of an image deleted through Nova's proxy or a rolled-back
snapshot delete is where it should be, an upload needs the formats first, and the data
directory is private at every level."""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator

import sqlalchemy

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import PayloadTooLarge
from pocketstack.cloud.image import data_store, snapshots, uploads
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from pocketstack.cloud.store.models.image import Image
from tests.fixtures.cloud import create_user
from tests.unit.cloud.image.test_image_data import DATA, Cloud, _cloud, _with
from tests.unit.cloud.image.test_image_data import cloud as cloud


def _domain_member(c: Cloud) -> dict[str, str]:
    user = create_user(c.deps, name="dora", project_name="delta", roles=("member",))
    issued = c.deps.tokens.issue(user_id=user.id, methods=["password"], domain_id="default",
                                 roles=("member",))  # fmt: skip
    return {"X-Auth-Token": issued.token_id}


def test_a_token_of_no_project_owns_no_image_of_no_owner(cloud: Cloud) -> None:
    dora = _domain_member(cloud)
    patch = cloud.client.simulate_patch(
        f"/v2/images/{CIRROS_ID}", body='[{"op": "replace", "path": "/name", "value": "x"}]',
        headers={**dora, "Content-Type": "application/openstack-images-v2.1-json-patch"},
    )  # fmt: skip
    assert patch.status_code == 403
    assert cloud.client.simulate_delete(f"/v2/images/{CIRROS_ID}", headers=dora
                                        ).status_code == 403  # fmt: skip
    assert cloud.show(CIRROS_ID)["name"] != "x"
    # Nor does it see a private image of no owner.
    with cloud.deps.store.session(write=True) as session:
        session.get(Image, CIRROS_ID).visibility = "private"  # type: ignore[union-attr]
    assert cloud.client.simulate_get(f"/v2/images/{CIRROS_ID}", headers=dora
                                     ).status_code == 404  # fmt: skip


def test_an_upload_needs_both_formats(cloud: Cloud) -> None:
    made = cloud.client.simulate_post("/v2/images", headers=cloud.alice, json={"name": "bare"})
    put = cloud.put(made.json["id"], DATA)
    assert put.status_code == 400
    assert "disk_format, container_format must be set" in put.text
    assert cloud.show(made.json["id"])["status"] == "queued"


def test_the_images_directory_is_private_at_every_level(cloud: Cloud) -> None:
    staging = data_store.staging_dir(cloud.deps)
    for level in (staging, staging.parent):
        assert stat.S_IMODE(level.stat().st_mode) == 0o700, level


def test_a_snapshot_delete_that_rolls_back_keeps_the_data(cloud: Cloud) -> None:
    image_id = cloud.create()
    assert cloud.put(image_id, DATA).status_code == 204
    try:
        with cloud.deps.store.session(write=True) as session:
            snapshots.delete(cloud.deps, session, image_id)
            raise RuntimeError("the request failed after the delete")
    except RuntimeError:
        pass
    assert cloud.get(image_id).content == DATA
    with cloud.deps.store.session(write=True) as session:
        snapshots.delete(cloud.deps, session, image_id)
    assert not data_store.data_path(cloud.deps, image_id).exists()


def test_an_admin_lists_other_projects_community_images_only_when_asked(cloud: Cloud) -> None:
    image_id = cloud.create(visibility="community")

    def listed(query: str = "") -> list[str]:
        got = cloud.client.simulate_get("/v2/images", headers=cloud.admin, query_string=query)
        return [i["id"] for i in got.json["images"]]

    assert image_id not in listed()
    assert image_id in listed("visibility=community")
    assert image_id in listed("visibility=all")




def test_two_uploads_that_fit_alone_but_not_together_keep_one(cloud_deps: CloudDeps) -> None:
    c = _cloud(_with(cloud_deps, user_storage_quota=150_000))
    first, second = c.create(), c.create()
    token = c.alice["X-Auth-Token"]
    ctx = RequestContext(token_id=token, payload=c.deps.tokens.validate(token))
    both_checked = threading.Barrier(2, timeout=30)
    outcomes: dict[str, int] = {}

    def chunks() -> Iterator[bytes]:
        # Both uploads have passed the first check of the quota before either sends a byte.
        both_checked.wait()
        yield b"x" * 100_000

    def upload(image_id: str) -> None:
        try:
            uploads.receive(c.deps, ctx, image_id, chunks(), length=None, staging=False)
            outcomes[image_id] = 204
        except PayloadTooLarge:
            outcomes[image_id] = 413

    threads = [threading.Thread(target=upload, args=(i,)) for i in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == [204, 413]
    refused = next(i for i, status in outcomes.items() if status == 413)
    assert c.show(refused)["status"] == "queued"
    assert not data_store.data_path(c.deps, refused).exists()


def test_a_deleted_images_id_is_never_taken_again(cloud: Cloud) -> None:
    image_id = cloud.create()
    assert cloud.client.simulate_delete(f"/v2/images/{image_id}", headers=cloud.alice
                                        ).status_code == 204  # fmt: skip
    again = cloud.client.simulate_post("/v2/images", headers=cloud.bob, json={
        "id": image_id, "name": "impostor", "visibility": "community"})  # fmt: skip
    assert again.status_code == 409, again.text
    assert cloud.client.simulate_get(f"/v2/images/{image_id}", headers=cloud.alice
                                     ).status_code == 404  # fmt: skip


def test_a_tag_or_property_filter_reads_no_more_as_images_accumulate(cloud: Cloud) -> None:
    """The database drops the images that cannot match: the statements a filtered page takes
    do not grow with the images around it (the exact match is still checked on the rest)."""
    wanted = cloud.create(tags=["needle"], os_distro="arch")

    def statements(query: str) -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append("x")

        engine = cloud.deps.store.engine
        sqlalchemy.event.listen(engine, "before_cursor_execute", count)
        try:
            got = cloud.client.simulate_get("/v2/images", headers=cloud.alice, query_string=query)
        finally:
            sqlalchemy.event.remove(engine, "before_cursor_execute", count)
        assert [i["id"] for i in got.json["images"]] == [wanted], query
        return len(seen)

    few = {q: statements(q) for q in ("tag=needle", "os_distro=arch")}
    with cloud.deps.store.session(write=True) as session:
        owner = session.get(Image, wanted).owner  # type: ignore[union-attr]
        now = cloud.deps.clock.now()
        for n in range(1200):
            session.add(Image(id=f"00000000-0000-4000-8000-{n:012d}", name=f"hay-{n}",
                              status="queued", visibility="private", owner=owner,
                              tags='["hay"]', properties='{"os_distro": "other"}',
                              created_at=now, updated_at=now))  # fmt: skip
    assert {q: statements(q) for q in few} == few
