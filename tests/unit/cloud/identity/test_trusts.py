"""Trusts (/v3/OS-TRUST/trusts) and trust-scoped tokens, through the identity app as a client
reaches it."""

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
TRUSTS = "/v3/OS-TRUST/trusts"


class Setup:
    """`alice` (member and reader on `proj`) delegates to `bob` (no role there)."""

    def __init__(self, client: Client, admin: str) -> None:
        self.client = client
        self.admin = admin
        project = client.post("/v3/projects", json={"project": {"name": "proj"}}, token=admin)
        assert project.status_code == 201, project.text
        self.project_id: str = project.json["project"]["id"]
        self.users: dict[str, str] = {}
        for name in ("alice", "bob", "carol"):
            user = client.post(
                "/v3/users", json={"user": {"name": name, "password": f"{name}-pw"}}, token=admin
            )
            assert user.status_code == 201, user.text
            self.users[name] = user.json["user"]["id"]
        self.roles: dict[str, str] = {}
        for name in ("member", "reader", "admin"):
            found = client.get("/v3/roles", token=admin, query=f"name={name}").json["roles"]
            self.roles[name] = found[0]["id"]
        for name in ("member", "reader"):
            self.grant("alice", name)
        self.alice = self.token("alice", project="proj")
        self.bob = self.token("bob", project=None)

    def grant_path(self, user: str, role: str) -> str:
        return f"/v3/projects/{self.project_id}/users/{self.users[user]}/roles/{self.roles[role]}"

    def grant(self, user: str, role: str) -> None:
        result = self.client.request("PUT", self.grant_path(user, role), token=self.admin)
        assert result.status_code == 204, result.text

    def token(self, user: str, *, project: str | None) -> str:
        result = self.client.password_token(user=user, password=f"{user}-pw", project=project)
        assert result.status_code == 201, result.text
        return str(result.headers["X-Subject-Token"])

    def create(self, token: str | None = None, **fields: Any) -> falcon.testing.Result:
        body = {
            "trustor_user_id": self.users["alice"],
            "trustee_user_id": self.users["bob"],
            "project_id": self.project_id,
            "impersonation": False,
            "roles": [{"name": "member"}],
            **fields,
        }
        return self.client.post(TRUSTS, json={"trust": body}, token=token or self.alice)

    def created(self, **fields: Any) -> dict[str, Any]:
        result = self.create(**fields)
        assert result.status_code == 201, result.text
        trust: dict[str, Any] = result.json["trust"]
        return trust

    def trust_login(
        self, trust_id: str, *, user: str = "bob", query: str | None = None
    ) -> falcon.testing.Result:
        auth = {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"id": self.users[user], "password": f"{user}-pw"}},
            },
            "scope": {"OS-TRUST:trust": {"id": trust_id}},
        }
        return self.client.post(TOKENS, json={"auth": auth}, query=query)

    def trust_token(self, trust_id: str) -> str:
        result = self.trust_login(trust_id)
        assert result.status_code == 201, result.text
        return str(result.headers["X-Subject-Token"])

    def validate(self, token_id: str) -> falcon.testing.Result:
        return self.client.get(TOKENS, token=self.admin, subject=token_id)


@pytest.fixture
def s(client: Client, admin: str) -> Setup:
    return Setup(client, admin)


def test_create_show_and_roles(client: Client, s: Setup) -> None:
    trust = s.created(expires_at="2099-01-02T03:04:05.123456Z", remaining_uses=3)
    link = f"{IDENTITY}{TRUSTS}/{trust['id']}"
    assert trust == {
        "id": trust["id"],
        "trustor_user_id": s.users["alice"],
        "trustee_user_id": s.users["bob"],
        "project_id": s.project_id,
        "impersonation": False,
        "expires_at": "2099-01-02T03:04:05.000000Z",
        "remaining_uses": 3,
        "redelegated_trust_id": None,
        "redelegation_count": 0,
        "deleted_at": None,
        "roles": [
            {"id": s.roles["member"], "name": "member", "domain_id": None, "description": None,
             "options": {}, "links": {"self": f"{IDENTITY}/v3/roles/{s.roles['member']}"}},
        ],
        "roles_links": {"self": f"{link}/roles", "previous": None, "next": None},
        "links": {"self": link},
    }  # fmt: skip
    for token in (s.alice, s.bob, s.admin):
        shown = client.get(f"{TRUSTS}/{trust['id']}", token=token)
        assert shown.status_code == 200, shown.text
        assert shown.json["trust"] == trust
    roles = client.get(f"{TRUSTS}/{trust['id']}/roles", token=s.bob)
    assert roles.status_code == 200
    assert roles.json["roles"] == trust["roles"]
    member = f"{TRUSTS}/{trust['id']}/roles/{s.roles['member']}"
    assert client.get(member, token=s.bob).json["role"] == trust["roles"][0]
    assert client.request("HEAD", member, token=s.bob).status_code == 200
    assert client.request("HEAD", f"{TRUSTS}/{trust['id']}/roles", token=s.bob).status_code == 200
    reader = f"{TRUSTS}/{trust['id']}/roles/{s.roles['reader']}"
    assert client.get(reader, token=s.bob).status_code == 404
    carol = s.token("carol", project=None)
    assert client.get(f"{TRUSTS}/{trust['id']}", token=carol).status_code == 403
    assert client.get(f"{TRUSTS}/{'0' * 32}", token=s.alice).status_code == 404


def test_create_refusals(s: Setup) -> None:
    # Not in one's own name.
    assert s.create(token=s.bob).status_code == 403
    # A role the trustor does not hold there, by id or by name; an unknown role; no role.
    assert s.create(roles=[{"id": s.roles["admin"]}]).status_code == 404
    assert s.create(roles=[{"name": "no-such-role"}]).status_code == 404
    no_roles = s.create(roles=[])
    assert no_roles.status_code == 403
    assert "At least one role should be specified" in no_roles.text
    # An unknown trustee or project; a body the schema refuses.
    assert s.create(trustee_user_id="nobody").status_code == 404
    assert s.create(project_id="nowhere").status_code == 404
    assert s.create(remaining_uses=0).status_code == 400
    assert s.create(impersonation="yes").status_code == 400
    assert s.create(expires_at="not a time").status_code == 400
    # Past what the columns and the calendar hold: a 400, never a 500.
    assert s.create(remaining_uses=2**63).status_code == 400
    assert s.create(expires_at="9999-12-31T23:59:59-05:00").status_code == 400
    assert s.create(allow_redelegation=True, remaining_uses=2).status_code == 400
    # The reader role is implied by member: a trustor holding only member may delegate it.
    assert s.create(roles=[{"name": "reader"}]).status_code == 201


def test_list_is_filtered_by_party(client: Client, s: Setup) -> None:
    trust = s.created()
    alice, bob = s.users["alice"], s.users["bob"]
    mine = client.get(TRUSTS, token=s.alice, query=f"trustor_user_id={alice}")
    assert mine.status_code == 200
    assert [t["id"] for t in mine.json["trusts"]] == [trust["id"]]
    assert "roles" not in mine.json["trusts"][0]
    theirs = client.get(TRUSTS, token=s.bob, query=f"trustee_user_id={bob}")
    assert [t["id"] for t in theirs.json["trusts"]] == [trust["id"]]
    assert client.get(TRUSTS, token=s.bob, query=f"trustee_user_id={alice}").status_code == 403
    # Someone else's trusts, or all of them, are an admin's to list.
    assert client.get(TRUSTS, token=s.bob, query=f"trustor_user_id={alice}").status_code == 403
    assert client.get(TRUSTS, token=s.alice).status_code == 403
    everything = client.get(TRUSTS, token=s.admin)
    assert everything.status_code == 200
    assert client.request("HEAD", TRUSTS, token=s.admin).status_code == 200
    assert client.request("HEAD", f"{TRUSTS}/{trust['id']}", token=s.bob).status_code == 200
    assert [t["id"] for t in everything.json["trusts"]] == [trust["id"]]


def test_trust_token_without_impersonation(client: Client, s: Setup) -> None:
    trust = s.created()
    result = s.trust_login(trust["id"])
    assert result.status_code == 201, result.text
    token = result.json["token"]
    assert token["user"]["id"] == s.users["bob"]
    assert token["project"]["id"] == s.project_id
    assert [r["name"] for r in token["roles"]] == ["member"]
    assert token["OS-TRUST:trust"] == {
        "id": trust["id"],
        "impersonation": False,
        "trustor_user": {"id": s.users["alice"]},
        "trustee_user": {"id": s.users["bob"]},
    }
    assert "catalog" in token
    validated = s.validate(result.headers["X-Subject-Token"])
    assert validated.status_code == 200, validated.text
    assert validated.json["token"]["OS-TRUST:trust"] == token["OS-TRUST:trust"]
    assert validated.json["token"]["roles"] == token["roles"]
    assert validated.json["token"]["user"]["id"] == s.users["bob"]


def test_trust_token_with_impersonation_is_the_trustors(client: Client, s: Setup) -> None:
    trust = s.created(impersonation=True)
    result = s.trust_login(trust["id"])
    assert result.status_code == 201, result.text
    token = result.json["token"]
    assert token["user"]["id"] == s.users["alice"]
    assert token["user"]["name"] == "alice"
    assert token["OS-TRUST:trust"]["impersonation"] is True
    validated = s.validate(result.headers["X-Subject-Token"]).json["token"]
    assert validated["user"]["id"] == s.users["alice"]
    assert validated["OS-TRUST:trust"]["trustee_user"] == {"id": s.users["bob"]}


def test_only_the_trustee_uses_the_trust(s: Setup) -> None:
    trust = s.created()
    assert s.trust_login(trust["id"], user="carol").status_code == 403
    assert s.trust_login("0" * 32).status_code == 401
    # A trust-scoped token is not exchanged for another token.
    trust_token = s.trust_token(trust["id"])
    auth = {"identity": {"methods": ["token"], "token": {"id": trust_token}},
            "scope": {"project": {"id": s.project_id}}}  # fmt: skip
    rescoped = s.client.post(TOKENS, json={"auth": auth})
    assert rescoped.status_code == 403
    assert "trust-scoped token" in rescoped.text
    # The trustee's own token (unscoped) may ask for the trust's scope.
    auth = {"identity": {"methods": ["token"], "token": {"id": s.bob}},
            "scope": {"OS-TRUST:trust": {"id": trust["id"]}}}  # fmt: skip
    by_token = s.client.post(TOKENS, json={"auth": auth})
    assert by_token.status_code == 201, by_token.text
    # A trust scope without its id.
    auth = {"identity": {"methods": ["token"], "token": {"id": s.bob}},
            "scope": {"OS-TRUST:trust": {}}}  # fmt: skip
    assert s.client.post(TOKENS, json={"auth": auth}).status_code == 400


def test_remaining_uses_count_down(client: Client, s: Setup) -> None:
    trust = s.created(remaining_uses=2)
    first = s.trust_token(trust["id"])
    shown = client.get(f"{TRUSTS}/{trust['id']}", token=s.alice).json["trust"]
    assert shown["remaining_uses"] == 1
    s.trust_token(trust["id"])
    assert s.trust_login(trust["id"]).status_code == 401
    # Spent: not shown (still listed, as Keystone), but the tokens it issued still hold.
    assert client.get(f"{TRUSTS}/{trust['id']}", token=s.alice).status_code == 404
    listed = client.get(TRUSTS, token=s.admin).json["trusts"]
    assert [(t["id"], t["remaining_uses"]) for t in listed] == [(trust["id"], 0)]
    assert s.validate(first).status_code == 200


def test_expiry_caps_the_token_and_ends_the_trust(
    client: Client, s: Setup, clock: OffsetClock
) -> None:
    soon = clock.now().replace(microsecond=0) + dt.timedelta(minutes=10)
    trust = s.created(expires_at=soon.isoformat())
    token = s.trust_login(trust["id"]).json["token"]
    assert token["expires_at"] == soon.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    clock.advance(11 * 60)
    assert s.trust_login(trust["id"]).status_code == 401
    assert client.get(f"{TRUSTS}/{trust['id']}", token=s.alice).status_code == 404


def test_deleting_the_trust_revokes_its_tokens(client: Client, s: Setup) -> None:
    trust = s.created()
    token_id = s.trust_token(trust["id"])
    assert client.request("DELETE", f"{TRUSTS}/{trust['id']}", token=s.bob).status_code == 403
    assert client.request("DELETE", f"{TRUSTS}/{trust['id']}", token=s.alice).status_code == 204
    assert s.validate(token_id).status_code == 404
    assert client.get(TOKENS, token=token_id, subject=token_id).status_code == 401
    assert client.request("DELETE", f"{TRUSTS}/{trust['id']}", token=s.alice).status_code == 404
    assert s.trust_login(trust["id"]).status_code == 401


def test_trustor_losing_the_role_invalidates(client: Client, s: Setup, deps: CloudDeps) -> None:
    trust = s.created()
    token_id = s.trust_token(trust["id"])
    compute = falcon.testing.TestClient(create_compute_app(deps))
    servers = compute.simulate_get("/v2.1/servers", headers={"X-Auth-Token": token_id})
    assert servers.status_code == 200, servers.text
    gone = client.request("DELETE", s.grant_path("alice", "member"), token=s.admin)
    assert gone.status_code == 204
    refused = compute.simulate_get("/v2.1/servers", headers={"X-Auth-Token": token_id})
    assert refused.status_code == 401
    assert s.validate(token_id).status_code == 404
    login = s.trust_login(trust["id"])
    assert login.status_code == 403
    assert "Trustee has no delegated roles." in login.text


def test_disabling_either_user_revokes(client: Client, s: Setup) -> None:
    trust = s.created(impersonation=True)
    token_id = s.trust_token(trust["id"])
    assert s.validate(token_id).status_code == 200
    # The token is the trustor's; disabling the trustee must kill it too.
    disabled = client.request(
        "PATCH", f"/v3/users/{s.users['bob']}", json={"user": {"enabled": False}}, token=s.admin
    )
    assert disabled.status_code == 200, disabled.text
    assert s.validate(token_id).status_code == 404


def test_application_credential_tokens_manage_no_trust(client: Client, s: Setup) -> None:
    path = f"/v3/users/{s.users['alice']}/application_credentials"
    cred = client.post(
        path, json={"application_credential": {"name": "c", "secret": "s"}}, token=s.alice
    ).json["application_credential"]
    auth = {"identity": {"methods": ["application_credential"],
                         "application_credential": {"id": cred["id"], "secret": "s"}}}  # fmt: skip
    token = client.post(TOKENS, json={"auth": auth}).headers["X-Subject-Token"]
    refused = s.create(token=token)
    assert refused.status_code == 403
    assert "Delegated tokens cannot manage trusts." in refused.text


def test_redelegation(client: Client, s: Setup) -> None:
    trust = s.created(allow_redelegation=True)
    assert trust["redelegation_count"] == 3
    bob_trust = s.trust_token(trust["id"])
    carol = s.users["carol"]
    body = {"trustor_user_id": s.users["bob"], "trustee_user_id": carol, "impersonation": False,
            "project_id": s.project_id, "roles": [{"name": "member"}]}  # fmt: skip
    child = client.post(TRUSTS, json={"trust": body}, token=bob_trust)
    assert child.status_code == 201, child.text
    assert child.json["trust"]["redelegated_trust_id"] == trust["id"]
    assert child.json["trust"]["redelegation_count"] == 0
    widened = client.post(TRUSTS, json={"trust": {**body, "impersonation": True}}, token=bob_trust)
    assert widened.status_code == 403
    # A trust that allows none cannot be redelegated.
    plain = s.created()
    plain_token = s.trust_token(plain["id"])
    assert client.post(TRUSTS, json={"trust": body}, token=plain_token).status_code == 403
    # Deleting the first trust takes the redelegated one, and its tokens, with it.
    carol_token = s.trust_login(child.json["trust"]["id"], user="carol")
    assert carol_token.status_code == 201, carol_token.text
    assert client.request("DELETE", f"{TRUSTS}/{trust['id']}", token=s.alice).status_code == 204
    assert s.validate(carol_token.headers["X-Subject-Token"]).status_code == 404


def test_tokens_keep_decoding_across_payload_forms(deps: CloudDeps) -> None:
    plain = deps.tokens.issue(user_id="u", methods=["password"], project_id="p", roles=["r"])
    with_cred = deps.tokens.issue(
        user_id="u", methods=["application_credential"], project_id="p",
        roles=["r"], application_credential_id="c" * 32,
    )  # fmt: skip
    with_trust = deps.tokens.issue(
        user_id="b", methods=["password"], project_id="p", roles=["r"],
        trust=("t" * 32, "a", "b"),
    )  # fmt: skip
    decoded = deps.tokens.decode(with_trust.token_id)
    assert (decoded.trust_id, decoded.trustor_user_id, decoded.trustee_user_id) == (
        "t" * 32, "a", "b",
    )  # fmt: skip
    assert decoded.application_credential_id is None
    assert deps.tokens.decode(plain.token_id).trust_id is None
    assert deps.tokens.decode(with_cred.token_id).application_credential_id == "c" * 32
    deps.tokens.revoke_trust("t" * 32)
    assert deps.tokens.is_revoked(decoded)
    assert not deps.tokens.is_revoked(deps.tokens.decode(plain.token_id))
    assert not deps.tokens.is_revoked(deps.tokens.decode(with_cred.token_id))
    # Revoking the trustor (not the token's user) kills it too.
    other = deps.tokens.issue(
        user_id="b", methods=["password"], project_id="p", roles=["r"],
        trust=("x" * 32, "a", "b"),
    )  # fmt: skip
    deps.tokens.revoke_user("a")
    assert deps.tokens.is_revoked(deps.tokens.decode(other.token_id))


def test_regaining_the_role_lets_the_trust_work_again(s: Setup, clock: OffsetClock) -> None:
    trust = s.created()
    old = s.trust_token(trust["id"])
    assert s.client.request("DELETE", s.grant_path("alice", "member"), token=s.admin).status_code
    clock.advance(1)
    s.grant("alice", "member")
    new = s.trust_token(trust["id"])
    assert s.validate(new).status_code == 200
    assert s.validate(old).status_code == 404


def test_concurrent_logins_take_each_use_once_on_every_backend(
    db_url: str, tmp_path: Path, clock: OffsetClock
) -> None:
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=clock)
    try:
        client = Client(deps)
        s = Setup(client, client.admin_token())
        trust = s.created(remaining_uses=2)
        workers = 4
        start = threading.Barrier(workers)
        results: list[falcon.testing.Result] = []
        lock = threading.Lock()

        def login() -> None:
            start.wait()
            result = s.trust_login(trust["id"])
            with lock:
                results.append(result)

        threads = [threading.Thread(target=login) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sorted(r.status_code for r in results) == [201, 201, 401, 401]
        issued = [r.headers["X-Subject-Token"] for r in results if r.status_code == 201]
        # The trustor losing the role kills them (the revocation event written per backend).
        gone = client.request("DELETE", s.grant_path("alice", "member"), token=s.admin)
        assert gone.status_code == 204
        assert [s.validate(token_id).status_code for token_id in issued] == [404, 404]
        assert all(deps.tokens.is_revoked(deps.tokens.decode(t)) for t in issued)
    finally:
        deps.store.dispose()


def test_a_trust_without_a_project_gives_a_token_without_roles(s: Setup) -> None:
    assert s.create(project_id=None, roles=[{"name": "member"}]).status_code == 404
    trust = s.created(project_id=None, roles=[])
    result = s.trust_login(trust["id"])
    assert result.status_code == 201, result.text
    token = result.json["token"]
    assert "project" not in token
    assert token["OS-TRUST:trust"]["id"] == trust["id"]
    validated = s.validate(result.headers["X-Subject-Token"])
    assert validated.status_code == 200, validated.text
    assert validated.json["token"]["OS-TRUST:trust"]["id"] == trust["id"]
