"""`POST /v2/images` read and validated as Glance does (its deserializer, its image schema, its
400 body), handed to the responder typed; get_images and add_image enforced from their
declarations before any body is read."""

from __future__ import annotations

from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image.api import SERVICE
from pocketstack.cloud.image.app import create_app
from tests.fixtures.cloud import admin_token, create_user, issue_token

IMAGES = "/v2/images"
MISMATCH = "Provided object does not match schema 'image': "


@pytest.fixture
def client(cloud_deps: CloudDeps) -> testing.TestClient:
    return testing.TestClient(create_app(cloud_deps))


@pytest.fixture
def member(cloud_deps: CloudDeps) -> dict[str, str]:
    user = create_user(cloud_deps, name="alice", project_name="alpha")
    return {"X-Auth-Token": issue_token(cloud_deps, user_id=user.id, project_id=user.project_id)}


def _glance_400(result: Any) -> str:
    assert result.status_code == 400, result.text
    assert result.json["code"] == "400 Bad Request"
    message: str = result.json["message"]
    return message.removesuffix("<br /><br />\n\n\n")


def test_the_create_body_is_glances_image_schema_and_becomes_a_typed_request() -> None:
    create = SERVICE.find("POST", IMAGES)
    assert create is not None
    assert create.parse is not None
    schema = create.request_schema(None)
    assert schema is not None
    assert schema["additionalProperties"] == {"type": "string"}
    assert {"id", "name", "visibility", "protected", "min_ram", "tags"} <= set(schema["properties"])


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b"", "Body expected in request."), (b"{nope", "Malformed JSON in request body."),
     (b'"text"', "Unexpected body type. Expected list/dict."),
     (b"[]", MISMATCH + "[] is not of type 'object'")],
)  # fmt: skip
def test_bodies_glances_deserializer_refuses(
    client: testing.TestClient, member: dict[str, str], raw: bytes, message: str
) -> None:
    result = client.simulate_post(IMAGES, headers=member, body=raw)
    assert _glance_400(result) == message


@pytest.mark.parametrize(
    ("body", "reason"),
    [({"visibility": "everyone"},
      "'everyone' is not one of ['community', 'public', 'private', 'shared']"),
     ({"id": "not-a-uuid"}, "'not-a-uuid' does not match '^([0-9a-fA-F]){8}-"),
     ({"protected": "false"}, "'false' is not of type 'boolean'"),
     ({"disk_format": "floppy"}, "'floppy' is not one of [None, 'ami', "),
     ({"min_ram": 2**31}, "2147483648 is greater than the maximum of 2147483647"),
     ({"os_distro": 5}, "5 is not of type 'string'"),
     ({"name": "n" * 300}, f"'{'n' * 76}... is too long")],
)  # fmt: skip
def test_bodies_glances_image_schema_refuses(
    client: testing.TestClient, member: dict[str, str], body: dict[str, Any], reason: str
) -> None:
    message = _glance_400(client.simulate_post(IMAGES, headers=member, json=body))
    assert message.startswith(MISMATCH + reason)


def test_what_glance_checks_after_its_schema(
    client: testing.TestClient, member: dict[str, str]
) -> None:
    negative = client.simulate_post(IMAGES, headers=member, json={"min_disk": -1})
    assert _glance_400(negative) == (
        "Invalid value '-1' for parameter 'min_disk': Cannot be a negative value"
    )
    for key, verb in (("size", "read-only"), ("self", "read-only"), ("os_glance_x", "reserved")):
        value: Any = 5 if key == "size" else "x"
        refused = client.simulate_post(IMAGES, headers=member, json={key: value})
        assert refused.status_code == 403, key
        assert refused.json["message"].startswith(f"Attribute '{key}' is {verb}.")


def test_a_valid_body_reaches_the_responder_typed(
    client: testing.TestClient, member: dict[str, str]
) -> None:
    ident = "A1B2C3D4-0000-4000-8000-00000000000F"
    created = client.simulate_post(
        IMAGES, headers=member,
        json={"id": ident, "name": None, "min_ram": 2.0, "tags": ["t"], "hw_rng": "yes"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    image = created.json
    assert image["id"] == ident.lower()
    assert (image["name"], image["min_ram"], image["min_disk"]) == (None, 2, 0)
    assert (image["tags"], image["hw_rng"], image["visibility"]) == (["t"], "yes", "shared")


def test_listing_needs_a_project_reader_or_an_admin(
    client: testing.TestClient, cloud_deps: CloudDeps, member: dict[str, str]
) -> None:
    assert client.simulate_get(IMAGES, headers=member).status_code == 200
    user = create_user(cloud_deps, name="bob", project_name="beta")
    unscoped = cloud_deps.tokens.issue(user_id=user.id, methods=["password"], roles=())
    refused = client.simulate_get(IMAGES, headers={"X-Auth-Token": unscoped.token_id})
    assert refused.status_code == 403
    assert refused.json["message"].startswith(
        "You are not authorized to complete get_images action."
    )
    system_admin = cloud_deps.tokens.issue(
        user_id=user.id, methods=["password"], system=True, roles=("admin",)
    )
    assert (
        client.simulate_get(IMAGES, headers={"X-Auth-Token": system_admin.token_id}).status_code
        == 200
    )
    assert (
        client.simulate_get(IMAGES, headers={"X-Auth-Token": admin_token(cloud_deps)}).status_code
        == 200
    )


def test_a_reader_is_refused_add_image_before_the_body_is_read(
    client: testing.TestClient, cloud_deps: CloudDeps
) -> None:
    reader = create_user(cloud_deps, name="rita", project_name="alpha", roles=("reader",))
    token = {
        "X-Auth-Token": issue_token(cloud_deps, user_id=reader.id, project_id=reader.project_id)
    }
    for raw in (b"{nope", b'{"min_ram": "lots"}', b'{"name": "fine"}'):
        refused = client.simulate_post(IMAGES, headers=token, body=raw)
        assert refused.status_code == 403
        assert refused.json["message"].startswith(
            "You are not authorized to complete add_image action."
        )
    assert client.simulate_get(IMAGES, headers=token).status_code == 200
