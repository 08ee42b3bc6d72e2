"""`PATCH /v2/images/{id}` (Glance's JSON patch): what changes, what is refused and how."""

from __future__ import annotations

import json
from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image.app import create_app
from tests.fixtures.cloud import admin_token, create_user, issue_token

V21 = "application/openstack-images-v2.1-json-patch"
V20 = "application/openstack-images-v2.0-json-patch"


class Patching:
    def __init__(self, deps: CloudDeps) -> None:
        user = create_user(deps, name="alice", project_name="alpha")
        other = create_user(deps, name="bob", project_name="beta")
        self.client = testing.TestClient(create_app(deps))
        self.owner = {
            "X-Auth-Token": issue_token(deps, user_id=user.id, project_id=user.project_id)
        }
        self.other = {
            "X-Auth-Token": issue_token(deps, user_id=other.id, project_id=other.project_id)
        }
        self.admin = {"X-Auth-Token": admin_token(deps)}
        self.other_project = other.project_id
        made = self.client.simulate_post(
            "/v2/images", headers=self.owner,
            json={"name": "base", "disk_format": "qcow2", "container_format": "bare",
                  "os_distro": "cirros", "visibility": "private"},
        )  # fmt: skip
        self.image: str = made.json["id"]

    def patch(
        self, ops: Any, *, headers: dict[str, str] | None = None, media: str = V21
    ) -> testing.Result:
        return self.client.simulate_patch(
            f"/v2/images/{self.image}",
            headers={**(headers or self.owner), "Content-Type": media},
            body=json.dumps(ops),
        )

    def shown(self) -> dict[str, Any]:
        result: dict[str, Any] = self.client.simulate_get(
            f"/v2/images/{self.image}", headers=self.owner
        ).json
        return result


@pytest.fixture
def p(cloud_deps: CloudDeps) -> Patching:
    return Patching(cloud_deps)


def _op(op: str, path: str, value: Any = None) -> dict[str, Any]:
    change = {"op": op, "path": path}
    if op != "remove":
        change["value"] = value
    return change


def test_add_replace_remove_core_and_custom(p: Patching) -> None:
    result = p.patch([
        _op("replace", "/name", "renamed"),
        _op("add", "/hw_disk_bus", "scsi"),
        _op("replace", "/os_distro", "ubuntu"),
        _op("replace", "/min_ram", 512),
        _op("replace", "/protected", True),
        _op("replace", "/tags", ["x", "y", "x"]),
        _op("replace", "/os_hidden", True),
    ])  # fmt: skip
    assert result.status_code == 200, result.text
    image = result.json
    assert (image["name"], image["hw_disk_bus"], image["os_distro"]) == (
        "renamed",
        "scsi",
        "ubuntu",
    )
    assert (image["min_ram"], image["protected"], image["os_hidden"]) == (512, True, True)
    assert image["tags"] == ["x", "y"]
    assert p.shown()["name"] == "renamed"
    removed = p.patch([_op("remove", "/hw_disk_bus")])
    assert "hw_disk_bus" not in removed.json
    # add in v2.1 sets whether or not the property exists; ~1 escapes a slash.
    again = p.patch([_op("add", "/name", "third"), _op("add", "/a~1b", "c")])
    assert (again.json["name"], again.json["a/b"]) == ("third", "c")


def test_old_patch_form(p: Patching) -> None:
    result = p.patch([{"replace": "/name", "value": "old-form"}], media=V20)
    assert result.status_code == 200
    assert result.json["name"] == "old-form"
    # The 2.0 form's add of something the image has is a conflict.
    assert p.patch([{"add": "/name", "value": "x"}], media=V20).status_code == 409
    assert p.patch([{"add": "/new_key", "value": "x"}], media=V20).status_code == 200


def test_media_type_and_document_shape(p: Patching) -> None:
    wrong = p.patch([_op("replace", "/name", "x")], media="application/json")
    assert wrong.status_code == 415
    assert "Image PATCH expects Content-Type" in wrong.json["message"]
    assert p.patch({"op": "replace"}).status_code == 400
    assert p.patch(["x"]).status_code == 400
    assert p.patch([{"op": "move", "path": "/name", "value": "x"}]).status_code == 400
    assert p.patch([{"path": "/name", "value": "x"}]).status_code == 400
    assert p.patch([{"op": "replace", "path": "/name"}]).status_code == 400
    assert p.patch([_op("replace", "name", "x")]).status_code == 400
    assert p.patch([_op("replace", "/name/deeper", "x")]).status_code == 400
    assert p.shown()["name"] == "base"


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        (_op("replace", "/status", "active"), 403, "Attribute 'status' is read-only."),
        (_op("replace", "/id", "x"), 403, "Attribute 'id' is read-only."),
        (_op("add", "/os_hash_value", "x"), 403, "Attribute 'os_hash_value' is read-only."),
        (_op("add", "/os_glance_import_task", "x"), 403, "is reserved"),
        (_op("add", "/deleted", "x"), 403, "Attribute 'deleted' is reserved."),
        (_op("remove", "/name"), 403, "Property name may not be removed."),
        (_op("remove", "/nope"), 409, "Property nope does not exist."),
        (_op("replace", "/nope", "x"), 409, "Property nope does not exist."),
        (_op("replace", "/protected", "true"), 400, "does not match schema"),
        (_op("replace", "/min_disk", "1"), 400, "does not match schema"),
        (_op("replace", "/min_disk", -1), 400, "Cannot be a negative value"),
        (_op("replace", "/disk_format", "floppy"), 400, "does not match schema"),
        (_op("replace", "/visibility", "everyone"), 400, "does not match schema"),
        (_op("add", "/custom", 5), 400, "does not match schema"),
        (_op("replace", "/owner", "someone"), 403, "Owner can't be updated by non admin."),
        (_op("replace", "/visibility", "public"), 403, "publicize_image"),
    ],
)
def test_refusals(p: Patching, change: dict[str, Any], status: int, message: str) -> None:
    result = p.patch([_op("replace", "/name", "changed"), change])
    assert result.status_code == status
    assert message in result.json["message"]
    # All or nothing: the change before the refused one is not applied either.
    assert p.shown()["name"] == "base"


def test_visibility_owner_and_who_may_patch(p: Patching) -> None:
    assert p.patch([_op("replace", "/visibility", "community")]).json["visibility"] == "community"
    # Community images are visible to all, changed by their owner only.
    assert p.patch([_op("replace", "/name", "x")], headers=p.other).status_code == 403
    assert p.patch([_op("replace", "/visibility", "shared")]).json["visibility"] == "shared"
    assert p.patch([_op("replace", "/name", "x")], headers=p.other).status_code == 404
    admin = p.patch(
        [_op("replace", "/visibility", "public"), _op("replace", "/owner", p.other_project)],
        headers=p.admin,
    )
    assert admin.status_code == 200
    assert (admin.json["visibility"], admin.json["owner"]) == ("public", p.other_project)
    # The image now belongs to the other project.
    assert p.patch([_op("replace", "/name", "y")], headers=p.other).status_code == 200
    assert p.patch([_op("replace", "/name", "z")]).status_code == 403


def test_property_quota(p: Patching, monkeypatch: pytest.MonkeyPatch) -> None:
    from pocketstack.cloud.image import patch

    monkeypatch.setattr(patch, "MAX_PROPERTIES", 2)
    assert p.patch([_op("add", "/one", "1")]).status_code == 200  # os_distro + one
    over = p.patch([_op("add", "/two", "2")])
    assert over.status_code == 413
    assert "Maximum: 2" in over.json["message"]
    # Replacing one keeps the count.
    assert p.patch([_op("remove", "/one"), _op("add", "/two", "2")]).status_code == 200


def test_formats_fixed_once_not_queued(p: Patching, cloud_deps: CloudDeps) -> None:
    from pocketstack.cloud.store.models.image import Image

    with cloud_deps.store.session(write=True) as session:
        row = session.get(Image, p.image)
        assert row is not None
        row.status = "active"
    refused = p.patch([_op("replace", "/disk_format", "raw")])
    assert refused.status_code == 403
    assert p.patch([_op("replace", "/disk_format", "qcow2")]).status_code == 200
