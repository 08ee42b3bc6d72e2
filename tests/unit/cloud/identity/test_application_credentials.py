"""Application credentials (/v3/users/{user_id}/application_credentials and the
`application_credential` auth method), through the identity app as a client reaches it."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import falcon.testing
import pytest

from pocketstack.cloud.compute.app import create_app as create_compute_app
from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cloud.identity.conftest import IDENTITY, Client

TOKENS = "/v3/auth/tokens"


class Setup:
    """A user `ci` with the member and reader roles on project `proj`, and their token."""

    def __init__(self, client: Client, admin: str) -> None:
        self.client = client
        self.admin = admin
        project = client.post("/v3/projects", json={"project": {"name": "proj"}}, token=admin)
        assert project.status_code == 201, project.text
        self.project_id: str = project.json["project"]["id"]
        user = client.post(
            "/v3/users", json={"user": {"name": "ci", "password": "ci-pass"}}, token=admin
        )
        assert user.status_code == 201, user.text
        self.user_id: str = user.json["user"]["id"]
        self.roles: dict[str, str] = {}
        for name in ("member", "reader"):
            found = client.get("/v3/roles", token=admin, query=f"name={name}").json["roles"]
            self.roles[name] = found[0]["id"]
            self.grant(name)
        self.token = self.password_token()

    def grant_path(self, role: str) -> str:
        return f"/v3/projects/{self.project_id}/users/{self.user_id}/roles/{self.roles[role]}"

    def grant(self, role: str) -> None:
        result = self.client.request("PUT", self.grant_path(role), token=self.admin)
        assert result.status_code == 204, result.text

    def password_token(self) -> str:
        result = self.client.password_token(user="ci", password="ci-pass", project="proj")
        assert result.status_code == 201, result.text
        return str(result.headers["X-Subject-Token"])

    @property
    def path(self) -> str:
        return f"/v3/users/{self.user_id}/application_credentials"

    def create(self, token: str | None = None, **fields: Any) -> falcon.testing.Result:
        return self.client.post(
            self.path, json={"application_credential": fields}, token=token or self.token
        )

    def created(self, **fields: Any) -> dict[str, Any]:
        result = self.create(**fields)
        assert result.status_code == 201, result.text
        cred: dict[str, Any] = result.json["application_credential"]
        return cred


def login(client: Client, credential: dict[str, Any], **extra: Any) -> falcon.testing.Result:
    auth = {
        "identity": {"methods": ["application_credential"], "application_credential": credential},
        **extra,
    }
    return client.post(TOKENS, json={"auth": auth})


@pytest.fixture
def ci(client: Client, admin: str) -> Setup:
    return Setup(client, admin)


def test_create_shows_the_generated_secret_once(client: Client, ci: Setup) -> None:
    cred = ci.created(name="deploy", description="CI deploys")
    secret = cred.pop("secret")
    # Keystone's generated secret: 64 random bytes, url-safe base64 without padding.
    assert len(secret) == 86
    assert "=" not in secret
    assert cred == {
        "id": cred["id"],
        "name": "deploy",
        "description": "CI deploys",
        "expires_at": None,
        "project_id": ci.project_id,
        "roles": cred["roles"],
        "unrestricted": False,
        "access_rules": [],
        "links": {"self": f"{IDENTITY}{ci.path}/{cred['id']}"},
    }
    # Every role of the token, as none were named.
    assert sorted(r["name"] for r in cred["roles"]) == ["member", "reader"]
    shown = client.get(f"{ci.path}/{cred['id']}", token=ci.token)
    assert shown.status_code == 200
    assert shown.json["application_credential"] == cred
    listed = client.get(ci.path, token=ci.token)
    assert listed.json["application_credentials"] == [cred]
    assert "secret" not in str(listed.json)


def test_list_filters_by_name_and_delete_is_204(client: Client, ci: Setup) -> None:
    first = ci.created(name="one")
    ci.created(name="two")
    only = client.get(ci.path, token=ci.token, query="name=one").json["application_credentials"]
    assert [c["id"] for c in only] == [first["id"]]
    gone = client.request("DELETE", f"{ci.path}/{first['id']}", token=ci.token)
    assert gone.status_code == 204
    assert client.get(f"{ci.path}/{first['id']}", token=ci.token).status_code == 404
    names = [c["name"] for c in client.get(ci.path, token=ci.token).json["application_credentials"]]
    assert names == ["two"]


def test_duplicate_name_is_409(ci: Setup) -> None:
    ci.created(name="dup")
    again = ci.create(name="dup")
    assert again.status_code == 409, again.text


def test_concurrent_creates_give_one_201_and_409s(
    db_url: str, tmp_path: Path, clock: OffsetClock
) -> None:
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=clock)
    try:
        client = Client(deps)
        ci = Setup(client, client.admin_token())
        workers = 4
        start = threading.Barrier(workers)
        statuses: list[int] = []
        lock = threading.Lock()

        def create() -> None:
            start.wait()
            status = ci.create(name="race", secret="s3cret").status_code
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=create) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sorted(statuses) == [201] + [409] * (workers - 1)
        listed = client.get(ci.path, token=ci.token).json["application_credentials"]
        assert [c["name"] for c in listed] == ["race"]
    finally:
        deps.store.dispose()


def test_auth_by_id_restricts_the_token_to_the_credential_roles(client: Client, ci: Setup) -> None:
    cred = ci.created(name="ro", secret="my-secret", roles=[{"name": "reader"}])
    issued = login(client, {"id": cred["id"], "secret": "my-secret"})
    assert issued.status_code == 201, issued.text
    token = issued.json["token"]
    assert token["methods"] == ["application_credential"]
    assert token["project"]["id"] == ci.project_id
    assert [r["name"] for r in token["roles"]] == ["reader"]
    assert token["application_credential"] == {"id": cred["id"], "name": "ro", "restricted": True}
    # Validation shows the same restriction.
    token_id = issued.headers["X-Subject-Token"]
    checked = client.get(TOKENS, token=ci.token, subject=token_id)
    assert checked.status_code == 200, checked.text
    assert [r["name"] for r in checked.json["token"]["roles"]] == ["reader"]
    assert checked.json["token"]["application_credential"]["id"] == cred["id"]


def test_auth_by_name_and_user(client: Client, ci: Setup) -> None:
    ci.created(name="by-name", secret="pw")
    by_user_id = login(client, {"name": "by-name", "secret": "pw", "user": {"id": ci.user_id}})
    assert by_user_id.status_code == 201, by_user_id.text
    by_user_name = login(
        client,
        {"name": "by-name", "secret": "pw", "user": {"name": "ci", "domain": {"id": "default"}}},
    )
    assert by_user_name.status_code == 201, by_user_name.text
    wrong_user = login(client, {"name": "by-name", "secret": "pw", "user": {"id": "nobody"}})
    assert wrong_user.status_code == 401


def test_wrong_secret_unknown_id_and_scope_are_refused(client: Client, ci: Setup) -> None:
    cred = ci.created(name="c", secret="right")
    assert login(client, {"id": cred["id"], "secret": "wrong"}).status_code == 401
    assert login(client, {"id": "0" * 32, "secret": "right"}).status_code == 401
    scoped = login(
        client,
        {"id": cred["id"], "secret": "right"},
        scope={"project": {"id": ci.project_id}},
    )
    assert scoped.status_code == 401
    assert "cannot request a scope" in scoped.json["error"]["message"]
    assert login(client, {"secret": "right"}).status_code == 400


def test_expired_credential_is_401_and_caps_token_expiry(
    client: Client, ci: Setup, clock: OffsetClock
) -> None:
    soon = clock.now().replace(microsecond=0) + dt.timedelta(minutes=10)
    cred = ci.created(name="short", secret="x", expires_at=soon.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert cred["expires_at"] == soon.strftime("%Y-%m-%dT%H:%M:%S.000000")
    issued = login(client, {"id": cred["id"], "secret": "x"})
    assert issued.status_code == 201
    assert issued.json["token"]["expires_at"].startswith(soon.strftime("%Y-%m-%dT%H:%M:%S"))
    clock.advance(11 * 60)
    assert login(client, {"id": cred["id"], "secret": "x"}).status_code == 401
    # As tempest sends it (a naive UTC isoformat) and reads it back.
    precise = ci.created(name="precise", expires_at="2030-01-02T03:04:05.123456")
    assert precise["expires_at"] == "2030-01-02T03:04:05.123456"
    past = ci.create(name="past", expires_at="2000-01-01T00:00:00")
    assert past.status_code == 400
    assert ci.create(name="bad", expires_at="tomorrow").status_code == 400


def test_deleting_the_credential_revokes_its_tokens(client: Client, ci: Setup) -> None:
    cred = ci.created(name="gone", secret="s")
    token_id = login(client, {"id": cred["id"], "secret": "s"}).headers["X-Subject-Token"]
    assert client.get(TOKENS, token=ci.token, subject=token_id).status_code == 200
    assert client.get("/v3/auth/projects", token=token_id).status_code == 200
    assert client.request("DELETE", f"{ci.path}/{cred['id']}", token=ci.token).status_code == 204
    assert client.get(TOKENS, token=ci.token, subject=token_id).status_code == 404
    assert client.get("/v3/auth/projects", token=token_id).status_code == 401
    # The user's own token lives on.
    assert client.get("/v3/auth/projects", token=ci.token).status_code == 200


def test_losing_a_role_grant_deletes_the_credential(client: Client, ci: Setup) -> None:
    # Keystone deletes the user's credentials on a project when a grant of theirs there goes,
    # even one of a role the credential does not hold (app_credential_reaping.py).
    cred = ci.created(name="reader-only", secret="s", roles=[{"name": "reader"}])
    token_id = login(client, {"id": cred["id"], "secret": "s"}).headers["X-Subject-Token"]
    assert client.request("DELETE", ci.grant_path("member"), token=ci.admin).status_code == 204
    assert client.get("/v3/auth/projects", token=token_id).status_code == 401
    assert login(client, {"id": cred["id"], "secret": "s"}).status_code == 401
    shown = client.get(f"{ci.path}/{cred['id']}", token=ci.admin)
    assert shown.status_code == 404


def test_roles_lost_otherwise_narrow_new_tokens(client: Client, ci: Setup) -> None:
    # A role held through a group goes with the membership: the credential stays (no grant of
    # the user's own went), its tokens end, and new ones name only what is left.
    group = client.post("/v3/groups", json={"group": {"name": "g"}}, token=ci.admin).json["group"]
    member = f"/v3/groups/{group['id']}/users/{ci.user_id}"
    assert client.request("PUT", member, token=ci.admin).status_code == 204
    admin_role = client.get("/v3/roles", token=ci.admin, query="name=admin").json["roles"][0]
    grant = f"/v3/projects/{ci.project_id}/groups/{group['id']}/roles/{admin_role['id']}"
    assert client.request("PUT", grant, token=ci.admin).status_code == 204
    token = ci.password_token()
    cred = ci.created(token=token, name="wide", secret="s")
    issued = login(client, {"id": cred["id"], "secret": "s"})
    assert sorted(r["name"] for r in issued.json["token"]["roles"]) == ["admin", "member", "reader"]
    assert client.request("DELETE", member, token=ci.admin).status_code == 204
    gone = issued.headers["X-Subject-Token"]
    assert client.get("/v3/auth/projects", token=gone).status_code == 401
    again = login(client, {"id": cred["id"], "secret": "s"})
    assert again.status_code == 201, again.text
    assert sorted(r["name"] for r in again.json["token"]["roles"]) == ["member", "reader"]


def test_deleting_the_user_or_disabling_the_project_ends_it(client: Client, ci: Setup) -> None:
    cred = ci.created(name="c", secret="s")
    token_id = login(client, {"id": cred["id"], "secret": "s"}).headers["X-Subject-Token"]
    disabled = client.request(
        "PATCH",
        f"/v3/projects/{ci.project_id}",
        json={"project": {"enabled": False}},
        token=ci.admin,
    )
    assert disabled.status_code == 200
    assert client.get("/v3/auth/projects", token=token_id).status_code == 401
    assert login(client, {"id": cred["id"], "secret": "s"}).status_code == 401
    assert client.request("DELETE", f"/v3/users/{ci.user_id}", token=ci.admin).status_code == 204
    listed = client.get(f"/v3/users/{ci.user_id}/application_credentials", token=ci.admin)
    assert listed.json["application_credentials"] == []


def test_deleting_a_role_deletes_its_holders_credentials(client: Client, ci: Setup) -> None:
    cred = ci.created(name="c", secret="s", roles=[{"name": "member"}])
    extra = client.post("/v3/roles", json={"role": {"name": "extra"}}, token=ci.admin).json["role"]
    ci.roles["extra"] = extra["id"]
    ci.grant("extra")
    assert client.request("DELETE", f"/v3/roles/{extra['id']}", token=ci.admin).status_code == 204
    assert client.get(f"{ci.path}/{cred['id']}", token=ci.admin).status_code == 404


def test_disabling_the_user_deletes_credentials_and_access_rules(
    client: Client, ci: Setup
) -> None:
    rule = {"service": "compute", "method": "GET", "path": "/v2.1/servers"}
    cred = ci.created(name="c", secret="s", access_rules=[rule])
    disabled = client.request(
        "PATCH", f"/v3/users/{ci.user_id}", json={"user": {"enabled": False}}, token=ci.admin
    )
    assert disabled.status_code == 200, disabled.text
    enabled = client.request(
        "PATCH", f"/v3/users/{ci.user_id}", json={"user": {"enabled": True}}, token=ci.admin
    )
    assert enabled.status_code == 200
    assert login(client, {"id": cred["id"], "secret": "s"}).status_code == 401
    assert client.get(ci.path, token=ci.admin).json["application_credentials"] == []
    rules = client.get(f"/v3/users/{ci.user_id}/access_rules", token=ci.admin)
    assert rules.json["access_rules"] == []


def test_roles_must_be_the_callers(client: Client, ci: Setup) -> None:
    refused = ci.create(name="esc", roles=[{"name": "admin"}])
    assert refused.status_code == 400
    assert "unassigned role" in refused.json["error"]["message"]
    assert ci.create(name="none", roles=[{"name": "no-such-role"}]).status_code == 404
    # An expiry past what a UTC time holds is a bad date, not a server error.
    late = ci.create(name="late", expires_at="9999-12-31T23:59:59-05:00")
    assert late.status_code == 400, late.text
    # A role granted after the token was issued is the user's all the same (as tempest does).
    found = client.get("/v3/roles", token=ci.admin, query="name=manager").json["roles"]
    ci.roles["manager"] = found[0]["id"]
    ci.grant("manager")
    granted = ci.create(name="later", roles=[{"id": ci.roles["manager"]}])
    assert granted.status_code == 201, granted.text
    assert [r["name"] for r in granted.json["application_credential"]["roles"]] == ["manager"]


def test_who_may_manage(client: Client, ci: Setup) -> None:
    cred = ci.created(name="mine", secret="s")
    # Only the user creates their own, even an admin may not for them.
    assert ci.create(token=ci.admin, name="theirs").status_code == 403
    other = client.post(
        "/v3/users", json={"user": {"name": "eve", "password": "eve-pass"}}, token=ci.admin
    ).json["user"]
    client.request(
        "PUT",
        f"/v3/projects/{ci.project_id}/users/{other['id']}/roles/{ci.roles['member']}",
        token=ci.admin,
    )
    eve = client.password_token(user="eve", password="eve-pass", project="proj")
    eve_token = eve.headers["X-Subject-Token"]
    assert client.get(ci.path, token=eve_token).status_code == 403
    assert client.get(f"{ci.path}/{cred['id']}", token=eve_token).status_code == 403
    # Naming her own user id in the path does not reach ci's credential.
    eve_path = f"/v3/users/{other['id']}/application_credentials/{cred['id']}"
    assert client.get(eve_path, token=eve_token).status_code == 404
    assert client.get(f"{ci.path}/{cred['id']}", token=ci.admin).status_code == 200
    unscoped = client.password_token(user="ci", password="ci-pass", project=None)
    assert ci.create(token=unscoped.headers["X-Subject-Token"], name="u").status_code == 400


def test_restricted_credential_token_may_not_manage_credentials(client: Client, ci: Setup) -> None:
    restricted = ci.created(name="r", secret="s")
    free = ci.created(name="f", secret="s", unrestricted=True)
    r_token = login(client, {"id": restricted["id"], "secret": "s"}).headers["X-Subject-Token"]
    f_token = login(client, {"id": free["id"], "secret": "s"}).headers["X-Subject-Token"]
    refused = ci.create(token=r_token, name="child")
    assert refused.status_code == 403
    assert "not allowed for managing" in refused.json["error"]["message"]
    gone = client.request("DELETE", f"{ci.path}/{free['id']}", token=r_token)
    assert gone.status_code == 403
    assert ci.create(token=f_token, name="child").status_code == 201
    # Reading is allowed to any of the user's tokens.
    assert client.get(ci.path, token=r_token).status_code == 200
    # Nor is such a token exchanged for another.
    rescoped = client.post(
        TOKENS,
        json={"auth": {"identity": {"methods": ["token"], "token": {"id": r_token}}}},
    )
    assert rescoped.status_code == 403


def test_access_rules_are_kept_and_shown(client: Client, ci: Setup) -> None:
    rule = {"service": "compute", "path": "/v2.1/servers", "method": "GET"}
    cred = ci.created(name="rules", secret="s", access_rules=[rule])
    assert [{k: r[k] for k in rule} for r in cred["access_rules"]] == [rule]
    assert all(len(r["id"]) == 32 for r in cred["access_rules"])
    token = login(client, {"id": cred["id"], "secret": "s"}).json["token"]
    assert token["application_credential"]["access_rules"] == cred["access_rules"]


def test_old_tokens_without_the_credential_field_still_validate(deps: CloudDeps) -> None:
    issued = deps.tokens.issue(user_id="u", methods=["password"], project_id="p", roles=["r"])
    decoded = deps.tokens.decode(issued.token_id)
    assert decoded.application_credential_id is None
    with_cred = deps.tokens.issue(
        user_id="u", methods=["application_credential"], project_id="p",
        roles=["r"], application_credential_id="c" * 32,
    )  # fmt: skip
    assert deps.tokens.decode(with_cred.token_id).application_credential_id == "c" * 32
    deps.tokens.revoke_application_credential("c" * 32)
    assert deps.tokens.is_revoked(deps.tokens.decode(with_cred.token_id))
    assert not deps.tokens.is_revoked(decoded)


def test_compute_takes_the_token_until_the_credential_goes(
    client: Client, ci: Setup, deps: CloudDeps
) -> None:
    compute = falcon.testing.TestClient(create_compute_app(deps))
    cred = ci.created(name="nova", secret="s", roles=[{"name": "member"}])
    token_id = login(client, {"id": cred["id"], "secret": "s"}).headers["X-Subject-Token"]
    servers = compute.simulate_get("/v2.1/servers", headers={"X-Auth-Token": token_id})
    assert servers.status_code == 200, servers.text
    assert client.request("DELETE", f"{ci.path}/{cred['id']}", token=ci.token).status_code == 204
    refused = compute.simulate_get("/v2.1/servers", headers={"X-Auth-Token": token_id})
    assert refused.status_code == 401
