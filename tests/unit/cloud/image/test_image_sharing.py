"""Image members (Glance v2): the owner of a shared image shares it, each member accepts or
rejects it, and what every project then sees; tags; the schemas clients read."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image.app import create_app
from tests.fixtures.cloud import admin_token, create_user, issue_token


@dataclasses.dataclass
class Sharing:
    client: testing.TestClient
    admin: dict[str, str]
    owner: dict[str, str]
    alt: dict[str, str]
    other: dict[str, str]
    alt_project: str
    other_project: str

    def create(self, headers: dict[str, str] | None = None, **body: Any) -> str:
        result = self.client.simulate_post("/v2/images", headers=headers or self.owner, json=body)
        assert result.status_code == 201, result.text
        image_id: str = result.json["id"]
        return image_id

    def add(self, image_id: str, member: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.simulate_post(
            f"/v2/images/{image_id}/members", headers=headers or self.owner, json={"member": member}
        )

    def set_status(self, image_id: str, member: str, status: Any, headers: dict[str, str]) -> Any:
        return self.client.simulate_put(
            f"/v2/images/{image_id}/members/{member}", headers=headers, json={"status": status}
        )

    def listed(self, headers: dict[str, str], **params: str) -> list[str]:
        result = self.client.simulate_get("/v2/images", headers=headers, params=params)
        assert result.status_code == 200, result.text
        return [i["id"] for i in result.json["images"]]


def _token(deps: CloudDeps, name: str, project: str) -> tuple[dict[str, str], str]:
    user = create_user(deps, name=name, project_name=project)
    token = issue_token(deps, user_id=user.id, project_id=user.project_id)
    return {"X-Auth-Token": token}, user.project_id


@pytest.fixture
def sharing(cloud_deps: CloudDeps) -> Sharing:
    owner, _ = _token(cloud_deps, "alice", "alpha")
    alt, alt_project = _token(cloud_deps, "bob", "beta")
    other, other_project = _token(cloud_deps, "carol", "gamma")
    return Sharing(
        client=testing.TestClient(create_app(cloud_deps)),
        admin={"X-Auth-Token": admin_token(cloud_deps)},
        owner=owner, alt=alt, other=other,
        alt_project=alt_project, other_project=other_project,
    )  # fmt: skip


def test_share_accept_reject_and_what_each_project_lists(sharing: Sharing) -> None:
    s = sharing
    image = s.create(name="shared-one", visibility="shared")
    added = s.add(image, s.alt_project)
    assert added.status_code == 200
    assert added.json["status"] == "pending"
    assert (added.json["member_id"], added.json["image_id"]) == (s.alt_project, image)
    assert added.json["schema"] == "/v2/schemas/member"
    # Pending: shown by id, but not in the member's default listing.
    assert s.client.simulate_get(f"/v2/images/{image}", headers=s.alt).status_code == 200
    assert image not in s.listed(s.alt)
    assert s.listed(s.alt, member_status="pending", visibility="shared") == [image]
    assert image not in s.listed(s.alt, member_status="accepted")
    # A project that is no member sees nothing of it.
    assert s.client.simulate_get(f"/v2/images/{image}", headers=s.other).status_code == 404
    assert image not in s.listed(s.other, member_status="all")
    # The owner cannot accept on the member's behalf; the member can.
    assert s.set_status(image, s.alt_project, "accepted", s.owner).status_code == 403
    accepted = s.set_status(image, s.alt_project, "accepted", s.alt)
    assert accepted.status_code == 200
    assert accepted.json["status"] == "accepted"
    assert image in s.listed(s.alt)
    assert s.listed(s.alt, visibility="shared") == [image]
    rejected = s.set_status(image, s.alt_project, "rejected", s.alt)
    assert rejected.json["status"] == "rejected"
    assert image not in s.listed(s.alt)
    assert s.listed(s.alt, member_status="rejected", visibility="shared") == [image]
    assert s.listed(s.alt, member_status="all", visibility="shared") == [image]
    # The owner lists its own shared image whatever the members decide.
    assert image in s.listed(s.owner)


def test_member_listing_show_and_removal(sharing: Sharing) -> None:
    s = sharing
    image = s.create(visibility="shared")
    assert s.add(image, s.alt_project).status_code == 200
    assert s.add(image, s.other_project).status_code == 200
    members = s.client.simulate_get(f"/v2/images/{image}/members", headers=s.owner).json
    assert {m["member_id"] for m in members["members"]} == {s.alt_project, s.other_project}
    assert members["schema"] == "/v2/schemas/members"
    # A member sees its own membership only.
    own = s.client.simulate_get(f"/v2/images/{image}/members", headers=s.alt).json["members"]
    assert [m["member_id"] for m in own] == [s.alt_project]
    path = f"/v2/images/{image}/members"
    assert s.client.simulate_get(f"{path}/{s.alt_project}", headers=s.alt).status_code == 200
    assert s.client.simulate_get(f"{path}/{s.other_project}", headers=s.alt).status_code == 404
    assert s.client.simulate_get(f"{path}/nobody", headers=s.owner).status_code == 404
    # Only the owner removes a member; then the image is gone for that project.
    assert s.client.simulate_delete(f"{path}/{s.alt_project}", headers=s.alt).status_code == 403
    assert s.client.simulate_delete(f"{path}/{s.alt_project}", headers=s.owner).status_code == 204
    assert s.client.simulate_get(f"/v2/images/{image}", headers=s.alt).status_code == 404
    assert s.client.simulate_delete(f"{path}/{s.alt_project}", headers=s.owner).status_code == 404
    # Deleting the image takes its members with it.
    assert s.client.simulate_delete(f"/v2/images/{image}", headers=s.owner).status_code == 204
    assert s.client.simulate_get(path, headers=s.admin).status_code == 404


def test_member_refusals(sharing: Sharing) -> None:
    s = sharing
    private = s.create(visibility="private")
    refused = s.add(private, s.alt_project)
    assert refused.status_code == 403
    assert "Not allowed to create members" in refused.json["message"]
    listing = s.client.simulate_get(f"/v2/images/{private}/members", headers=s.owner)
    assert listing.status_code == 403
    assert "Only shared images have members" in listing.json["message"]
    image = s.create(visibility="shared")
    assert s.add(image, s.alt_project).status_code == 200
    duplicate = s.add(image, s.alt_project)
    assert duplicate.status_code == 409
    assert f"Member {s.alt_project} is duplicated" in duplicate.json["message"]
    # A member cannot share further; a stranger cannot find the image.
    assert s.add(image, s.other_project, headers=s.alt).status_code == 403
    assert s.add(image, s.other_project, headers=s.other).status_code == 404
    bad = s.set_status(image, s.alt_project, "maybe", s.alt)
    assert bad.status_code == 400
    assert "Status must be" in bad.json["message"]
    path = f"/v2/images/{image}/members"
    for body in ({}, {"member": ""}, ["x"]):
        assert s.client.simulate_post(path, headers=s.owner, json=body).status_code == 400
    no_status = s.client.simulate_put(f"{path}/{s.alt_project}", headers=s.alt, json={})
    assert no_status.status_code == 400
    # Making the image private again hides it from its members.
    patched = s.client.simulate_patch(
        f"/v2/images/{image}",
        headers={**s.owner, "Content-Type": "application/openstack-images-v2.1-json-patch"},
        body=json.dumps([{"op": "replace", "path": "/visibility", "value": "private"}]),
    )
    assert patched.status_code == 200
    assert s.client.simulate_get(f"/v2/images/{image}", headers=s.alt).status_code == 404


def test_member_quota(sharing: Sharing, monkeypatch: pytest.MonkeyPatch) -> None:
    from pocketstack.cloud.image import members

    monkeypatch.setattr(members, "MAX_MEMBERS", 2)
    s = sharing
    image = s.create(visibility="shared")
    assert s.add(image, "p1").status_code == 200
    assert s.add(image, "p2").status_code == 200
    over = s.add(image, "p3")
    assert over.status_code == 413
    assert "Image member limit exceeded" in over.json["message"]


def test_admin_shares_any_shared_image(sharing: Sharing) -> None:
    s = sharing
    image = s.create(visibility="shared")
    assert s.add(image, s.alt_project, headers=s.admin).status_code == 200
    assert s.set_status(image, s.alt_project, "accepted", s.admin).status_code == 200
    assert image in s.listed(s.alt)


def test_tags_one_at_a_time(sharing: Sharing) -> None:
    s = sharing
    image = s.create(tags=["a"])
    path = f"/v2/images/{image}/tags"
    assert s.client.simulate_put(f"{path}/b", headers=s.owner).status_code == 204
    assert s.client.simulate_put(f"{path}/b", headers=s.owner).status_code == 204  # no twice
    shown = s.client.simulate_get(f"/v2/images/{image}", headers=s.owner).json
    assert shown["tags"] == ["a", "b"]
    assert s.listed(s.owner, tag="b") == [image]
    assert s.listed(s.owner, tag="zzz") == []
    assert s.client.simulate_delete(f"{path}/a", headers=s.owner).status_code == 204
    missing = s.client.simulate_delete(f"{path}/a", headers=s.owner)
    assert missing.status_code == 404
    assert "Tag a not found" in missing.json["message"]
    assert s.client.simulate_get(f"/v2/images/{image}", headers=s.owner).json["tags"] == ["b"]
    assert s.client.simulate_put(f"{path}/{'x' * 256}", headers=s.owner).status_code == 400
    nowhere = "/v2/images/00000000-0000-0000-0000-000000000000/tags/x"
    assert s.client.simulate_put(nowhere, headers=s.owner).status_code == 404
    # Another project's public image is visible but not theirs to tag.
    public = s.create(headers=s.admin, visibility="public")
    assert s.client.simulate_put(f"/v2/images/{public}/tags/t", headers=s.owner).status_code == 403


@pytest.mark.parametrize("name", ["image", "images", "member", "members"])
def test_schemas_clients_read(sharing: Sharing, name: str) -> None:
    result = sharing.client.simulate_get(f"/v2/schemas/{name}", headers=sharing.owner)
    assert result.status_code == 200
    assert result.json["name"] == name
    doc = result.json
    if name == "image":
        props = doc["properties"]
        assert props["protected"]["type"] == "boolean"
        assert props["status"]["readOnly"] is True
        assert "qcow2" in props["disk_format"]["enum"]
        assert doc["additionalProperties"] == {"type": "string"}
        assert props["os_distro"]["is_base"] is False
    if name == "images":
        assert doc["properties"]["images"]["items"]["name"] == "image"
    if name == "member":
        assert doc["properties"]["status"]["enum"] == ["pending", "accepted", "rejected"]
