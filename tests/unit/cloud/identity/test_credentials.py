"""Credentials (/v3/credentials) and EC2 credentials (/v3/users/{id}/credentials/OS-EC2),
through the identity app as a client reaches it; and the blob encrypted at rest."""

from __future__ import annotations

import hashlib
import json
import stat
from typing import Any

import falcon.testing
import pytest
from sqlalchemy import select

from pocketstack.cloud.identity.credential_keys import DIRECTORY
from pocketstack.cloud.store.models.credential import Credential
from tests.unit.cloud.identity.conftest import IDENTITY, Client

CREDS = "/v3/credentials"


class People:
    """Two users with the member role on `proj` (and `proj2`), and their tokens."""

    def __init__(self, client: Client, admin: str) -> None:
        self.client = client
        self.admin = admin
        self.projects = [self._project(name) for name in ("proj", "proj2")]
        member = client.get("/v3/roles", token=admin, query="name=member").json["roles"][0]["id"]
        self.ids: dict[str, str] = {}
        self.tokens: dict[str, str] = {}
        for name in ("alice", "bob"):
            made = client.post(
                "/v3/users", json={"user": {"name": name, "password": "pw"}}, token=admin
            )
            uid = made.json["user"]["id"]
            self.ids[name] = uid
            for pid in self.projects:
                path = f"/v3/projects/{pid}/users/{uid}/roles/{member}"
                assert client.request("PUT", path, token=admin).status_code == 204
            issued = client.password_token(user=name, password="pw", project="proj")
            self.tokens[name] = str(issued.headers["X-Subject-Token"])

    def _project(self, name: str) -> str:
        made = self.client.post("/v3/projects", json={"project": {"name": name}}, token=self.admin)
        return str(made.json["project"]["id"])

    def create(self, token: str, **fields: Any) -> falcon.testing.Result:
        return self.client.post(CREDS, json={"credential": fields}, token=token)


@pytest.fixture
def people(client: Client, admin: str) -> People:
    return People(client, admin)


def _ec2_blob(access: str, secret: str = "s") -> str:
    return json.dumps({"access": access, "secret": secret})


def test_tempest_flow_create_update_show_delete(client: Client, people: People) -> None:
    admin, alice = people.admin, people.ids["alice"]
    blob = _ec2_blob("Access-1", "Secret-1")
    made = people.create(admin, user_id=alice, project_id=people.projects[0], blob=blob, type="ec2")
    assert made.status_code == 201, made.text
    cred = made.json["credential"]
    assert cred["id"] == hashlib.sha256(b"Access-1").hexdigest()
    assert json.loads(cred["blob"]) == {"access": "Access-1", "secret": "Secret-1"}
    assert cred["links"]["self"] == f"{IDENTITY}/v3/credentials/{cred['id']}"
    assert {cred["user_id"], cred["project_id"], cred["type"]} == {
        alice,
        people.projects[0],
        "ec2",
    }

    new_blob = _ec2_blob("NewAccess", "NewSecret")
    updated = client.request(
        "PATCH",
        f"{CREDS}/{cred['id']}",
        json={"credential": {"blob": new_blob, "project_id": people.projects[1], "type": "ec2"}},
        token=admin,
    )
    assert updated.status_code == 200, updated.text
    body = updated.json["credential"]
    assert body["id"] == cred["id"]
    assert body["project_id"] == people.projects[1]
    assert json.loads(body["blob"])["access"] == "NewAccess"
    shown = client.get(f"{CREDS}/{cred['id']}", token=admin)
    assert shown.json["credential"] == body

    assert client.request("DELETE", f"{CREDS}/{cred['id']}", token=admin).status_code == 204
    assert client.get(f"{CREDS}/{cred['id']}", token=admin).status_code == 404


def test_blob_is_encrypted_at_rest_with_its_own_keys(client: Client, people: People) -> None:
    made = people.create(
        people.admin, user_id=people.ids["alice"], blob="totp-seed-very-secret", type="totp"
    )
    assert made.status_code == 201, made.text
    with client.deps.store.session() as session:
        stored = session.execute(select(Credential.encrypted_blob)).scalar_one()
    assert "totp-seed-very-secret" not in stored
    keys = client.deps.config.data_dir / DIRECTORY
    assert keys != client.deps.config.key_repository
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    files = sorted(p.name for p in keys.iterdir())
    assert files == ["0", "1"]
    for name in files:
        assert stat.S_IMODE((keys / name).stat().st_mode) == 0o600
    token_keys = {p.read_bytes() for p in client.deps.config.key_repository.iterdir()}
    assert not token_keys & {p.read_bytes() for p in keys.iterdir()}


def test_list_filters_and_owner_only_views(client: Client, people: People) -> None:
    alice, bob = people.ids["alice"], people.ids["bob"]
    for user, kind in ((alice, "cert"), (alice, "totp"), (bob, "cert")):
        assert people.create(people.admin, user_id=user, blob="b", type=kind).status_code == 201

    def listed(token: str, query: str | None = None) -> list[tuple[str, str]]:
        got = client.get(CREDS, token=token, query=query)
        assert got.status_code == 200, got.text
        return sorted((c["user_id"], c["type"]) for c in got.json["credentials"])

    assert len(listed(people.admin)) == 3
    assert listed(people.admin, f"user_id={bob}") == [(bob, "cert")]
    assert listed(people.admin, "type=cert") == sorted([(alice, "cert"), (bob, "cert")])
    # A user sees their own only, whatever they ask for.
    assert listed(people.tokens["alice"]) == [(alice, "cert"), (alice, "totp")]
    assert listed(people.tokens["alice"], f"user_id={bob}") == []
    assert listed(people.tokens["bob"], "type=totp") == []


def test_owner_rules(client: Client, people: People) -> None:
    alice_token, bob = people.tokens["alice"], people.ids["bob"]
    own = people.create(alice_token, user_id=people.ids["alice"], blob="mine", type="cert")
    assert own.status_code == 201, own.text
    cred_id = own.json["credential"]["id"]
    # Not for someone else, and not given away.
    assert people.create(alice_token, user_id=bob, blob="x", type="cert").status_code == 403
    give = client.request(
        "PATCH", f"{CREDS}/{cred_id}", json={"credential": {"user_id": bob}}, token=alice_token
    )
    assert give.status_code == 403
    bob_token = people.tokens["bob"]
    for method in ("GET", "DELETE"):
        assert client.request(method, f"{CREDS}/{cred_id}", token=bob_token).status_code == 403
    edited = client.request(
        "PATCH", f"{CREDS}/{cred_id}", json={"credential": {"blob": "new"}}, token=alice_token
    )
    assert edited.status_code == 200, edited.text
    assert edited.json["credential"]["blob"] == "new"
    assert client.request("DELETE", f"{CREDS}/{cred_id}", token=alice_token).status_code == 204


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"type": "ec2", "blob": '{"access": "a"}'}, 400),  # no project
        ({"type": "ec2", "blob": "not json", "project_id": "P"}, 400),
        ({"type": "ec2", "blob": '{"secret": "s"}', "project_id": "P"}, 400),
        ({"type": "ec2", "blob": "[]", "project_id": "P"}, 400),
        ({"type": "cert"}, 400),  # no blob
        ({"type": "cert", "blob": 5}, 400),
        ({"type": "cert", "blob": "x" * 40_000}, 400),
        ({"type": "cert", "blob": "b", "project_id": "missing"}, 404),
    ],
)
def test_bad_creates(people: People, fields: dict[str, Any], status: int) -> None:
    if fields.get("project_id") == "P":
        fields = {**fields, "project_id": people.projects[0]}
    made = people.create(people.admin, user_id=people.ids["alice"], **fields)
    assert made.status_code == status, made.text


def test_same_access_key_twice_is_a_conflict(people: People) -> None:
    fields = {"user_id": people.ids["alice"], "project_id": people.projects[0], "type": "ec2"}
    assert people.create(people.admin, blob=_ec2_blob("dup"), **fields).status_code == 201
    again = people.create(people.admin, blob=_ec2_blob("dup", "other"), **fields)
    assert again.status_code == 409


def test_ec2_credentials(client: Client, people: People) -> None:
    alice, token = people.ids["alice"], people.tokens["alice"]
    path = f"/v3/users/{alice}/credentials/OS-EC2"
    made = client.post(path, json={"tenant_id": people.projects[0]}, token=token)
    assert made.status_code == 201, made.text
    cred = made.json["credential"]
    assert cred["user_id"] == alice
    assert cred["tenant_id"] == people.projects[0]
    assert cred["access"]
    assert cred["secret"]
    assert cred["links"]["self"] == f"{IDENTITY}{path}/{cred['access']}"

    listed = client.get(path, token=token)
    assert listed.status_code == 200
    assert [c["access"] for c in listed.json["credentials"]] == [cred["access"]]
    shown = client.get(f"{path}/{cred['access']}", token=token)
    assert shown.status_code == 200
    assert shown.json["credential"]["secret"] == cred["secret"]
    # Stored as an ec2 credential whose id hashes the access key.
    as_v3 = client.get(
        f"{CREDS}/{hashlib.sha256(cred['access'].encode()).hexdigest()}", token=token
    )
    assert as_v3.status_code == 200
    assert as_v3.json["credential"]["type"] == "ec2"

    # Another user may neither see nor delete it.
    bob_token = people.tokens["bob"]
    assert client.get(path, token=bob_token).status_code == 403
    assert client.request("DELETE", f"{path}/{cred['access']}", token=bob_token).status_code == 403

    assert client.request("DELETE", f"{path}/{cred['access']}", token=token).status_code == 204
    # tempest: NotFound once deleted.
    assert client.get(f"{path}/{cred['access']}", token=token).status_code == 404
    assert client.get(path, token=token).json["credentials"] == []


def test_ec2_view_of_a_non_ec2_credential_is_a_401(client: Client, people: People) -> None:
    alice = people.ids["alice"]
    # A cert credential whose id happens to be the hash of an "access key".
    made = people.create(people.admin, user_id=alice, blob="b", type="cert")
    assert made.status_code == 201
    with client.deps.store.session(write=True) as session:
        row = session.get(Credential, made.json["credential"]["id"])
        assert row is not None
        row.id = hashlib.sha256(b"not-ec2").hexdigest()
    shown = client.get(f"/v3/users/{alice}/credentials/OS-EC2/not-ec2", token=people.admin)
    assert shown.status_code == 401
    assert shown.json["error"]["message"] == "EC2 access key not found."


def test_ec2_create_needs_an_existing_project(client: Client, people: People) -> None:
    path = f"/v3/users/{people.ids['alice']}/credentials/OS-EC2"
    assert client.post(path, json={"tenant_id": "nope"}, token=people.admin).status_code == 404
    assert client.post(path, json={}, token=people.admin).status_code == 404
    unknown = client.post(
        "/v3/users/nobody/credentials/OS-EC2",
        json={"tenant_id": people.projects[0]},
        token=people.admin,
    )
    assert unknown.status_code == 404


def test_delegated_tokens_may_not_touch_credentials(client: Client, people: People) -> None:
    alice = people.ids["alice"]
    made = client.post(
        f"/v3/users/{alice}/application_credentials",
        json={"application_credential": {"name": "ci", "secret": "s3cret"}},
        token=people.tokens["alice"],
    )
    assert made.status_code == 201, made.text
    auth = {
        "identity": {
            "methods": ["application_credential"],
            "application_credential": {
                "id": made.json["application_credential"]["id"],
                "secret": "s3cret",
            },
        }
    }
    issued = client.post("/v3/auth/tokens", json={"auth": auth})
    assert issued.status_code == 201, issued.text
    delegated = str(issued.headers["X-Subject-Token"])
    refused = people.create(delegated, user_id=alice, blob="b", type="cert")
    assert refused.status_code == 403
    assert "Delegated tokens cannot access credentials directly" in refused.text
    # Keystone's listing leaves out what the token may not read: everything.
    assert (
        people.create(people.tokens["alice"], user_id=alice, blob="b", type="cert").status_code
        == 201
    )
    listed = client.get(CREDS, token=delegated)
    assert listed.status_code == 200
    assert listed.json["credentials"] == []
    ec2 = f"/v3/users/{alice}/credentials/OS-EC2"
    assert (
        client.post(ec2, json={"tenant_id": people.projects[0]}, token=delegated).status_code == 403
    )
