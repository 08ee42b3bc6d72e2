"""Revocations as wide as Keystone's and no wider, through the whole cloud on every backend.

A disabled domain ends every token scoped to it or to its projects — whoever's domain the user is
in — and every token of its users; a removed role assignment ends that user's tokens on that
target only, so an admin removing one of their own grants keeps the token they work with.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import falcon.testing
import pytest

from pocketstack.cloud.app import create_cloud_app
from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import ADMIN_PASSWORD, OffsetClock
from tests.reliability.test_token_lifecycle import ALIVE, DEAD

COMPUTE = {"OpenStack-API-Version": "compute 2.1"}


@dataclasses.dataclass
class Api:
    deps: CloudDeps
    clock: OffsetClock
    client: falcon.testing.TestClient
    admin: str = ""

    def call(
        self, method: str, path: str, *, token: str | None = None, body: Any = None
    ) -> falcon.testing.Result:
        headers = {"X-Auth-Token": token or self.admin}
        if path.startswith("/compute"):
            headers.update(COMPUTE)
        return self.client.simulate_request(method, path, headers=headers, json=body)

    def created(self, path: str, key: str, body: dict[str, Any]) -> str:
        result = self.call("POST", f"/identity/v3/{path}", body={key: body})
        assert result.status_code == 201, result.text
        ident: str = result.json[key]["id"]
        return ident

    def role_id(self, name: str) -> str:
        roles = self.call("GET", f"/identity/v3/roles?name={name}").json["roles"]
        ident: str = roles[0]["id"]
        return ident

    def grant(self, method: str, target: str, user_id: str, role: str) -> None:
        path = f"/identity/v3/{target}/users/{user_id}/roles/{self.role_id(role)}"
        result = self.call(method, path)
        assert result.status_code == 204, result.text

    def login(self, user_id: str, password: str, scope: dict[str, Any] | None) -> str:
        auth: dict[str, Any] = {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"id": user_id, "password": password}},
            }
        }
        if scope is not None:
            auth["scope"] = scope
        result = self.client.simulate_post(
            "/identity/v3/auth/tokens", params={"nocatalog": ""}, json={"auth": auth}
        )
        assert result.status_code == 201, result.text
        token: str = result.headers["X-Subject-Token"]
        return token

    def login_fails(self, user_id: str, password: str, scope: dict[str, Any]) -> bool:
        auth = {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"id": user_id, "password": password}},
            },
            "scope": scope,
        }
        result = self.client.simulate_post("/identity/v3/auth/tokens", json={"auth": auth})
        return result.status_code == 401

    def admin_login(self) -> str:
        result = self.client.simulate_post(
            "/identity/v3/auth/tokens",
            params={"nocatalog": ""},
            json={
                "auth": {
                    "identity": {
                        "methods": ["password"],
                        "password": {
                            "user": {
                                "name": "admin",
                                "domain": {"id": "default"},
                                "password": ADMIN_PASSWORD,
                            }
                        },
                    },
                    "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
                }
            },
        )
        assert result.status_code == 201, result.text
        token: str = result.headers["X-Subject-Token"]
        return token

    def statuses(self, token: str) -> dict[str, int]:
        """As test_token_lifecycle's Cloud.statuses: each service, as caller and as subject."""
        checker = self.admin_login()
        return {
            "compute": self.call("GET", "/compute/v2.1/servers", token=token).status_code,
            "image": self.call("GET", "/image/v2/images", token=token).status_code,
            "identity-caller": self.call(
                "GET", "/identity/v3/auth/projects", token=token
            ).status_code,
            "identity-v3-check": self.client.simulate_get(
                "/identity/v3/auth/tokens",
                headers={"X-Auth-Token": checker, "X-Subject-Token": token},
            ).status_code,
            "identity-v2-check": self.call(
                "GET", f"/identity/v2.0/tokens/{token}", token=checker
            ).status_code,
        }

    def identity_statuses(self, token: str) -> tuple[int, int]:
        """For tokens compute refuses anyway (domain or system scope): as caller, as subject."""
        checker = self.admin_login()
        caller = self.call("GET", "/identity/v3/auth/projects", token=token).status_code
        subject = self.client.simulate_get(
            "/identity/v3/auth/tokens", headers={"X-Auth-Token": checker, "X-Subject-Token": token}
        ).status_code
        return caller, subject


def _api(deps: CloudDeps, clock: OffsetClock) -> Api:
    api = Api(deps, clock, falcon.testing.TestClient(create_cloud_app(deps)))
    api.admin = api.admin_login()
    return api


@pytest.fixture
def api_any_db(cloud_deps_any_db: CloudDeps, clock: OffsetClock) -> Api:
    return _api(cloud_deps_any_db, clock)


@pytest.fixture
def api(cloud_deps: CloudDeps, clock: OffsetClock) -> Api:
    return _api(cloud_deps, clock)


def _user(api: Api, name: str, domain_id: str) -> str:
    return api.created(
        "users", "user", {"name": name, "password": f"{name}-pw", "domain_id": domain_id}
    )


def test_a_disabled_domain_ends_every_token_on_it_its_projects_and_its_users(
    api_any_db: Api,
) -> None:
    api = api_any_db
    domain = api.created("domains", "domain", {"name": "tenant"})
    inside = api.created("projects", "project", {"name": "inside", "domain_id": domain})
    outside = api.created("projects", "project", {"name": "outside", "domain_id": "default"})
    # A Default-domain user working in the domain's project, and elsewhere.
    alice = _user(api, "alice", "default")
    api.grant("PUT", f"projects/{inside}", alice, "member")
    api.grant("PUT", f"projects/{outside}", alice, "member")
    # A user of the domain, working in a Default-domain project.
    dave = _user(api, "dave", domain)
    api.grant("PUT", f"projects/{outside}", dave, "member")
    admin_user = api.call("GET", "/identity/v3/users?name=admin").json["users"][0]["id"]
    api.grant("PUT", f"domains/{domain}", admin_user, "admin")

    alice_inside = api.login(alice, "alice-pw", {"project": {"id": inside}})
    alice_outside = api.login(alice, "alice-pw", {"project": {"id": outside}})
    dave_outside = api.login(dave, "dave-pw", {"project": {"id": outside}})
    dave_unscoped = api.login(dave, "dave-pw", None)
    on_domain = api.login(admin_user, ADMIN_PASSWORD, {"domain": {"id": domain}})
    image = api.call("GET", "/image/v2/images").json["images"][0]["id"]
    server = api.call(
        "POST",
        "/compute/v2.1/servers",
        token=alice_inside,
        # No microversion header: before 2.37 `networks` is a list, and may be left out.
        body={"server": {"name": "s", "imageRef": image, "flavorRef": "1"}},
    )
    assert server.status_code == 202, server.text
    server_id = server.json["server"]["id"]
    for token in (alice_inside, alice_outside, dave_outside):
        assert api.statuses(token) == ALIVE
    assert api.identity_statuses(on_domain) == (200, 200)
    assert api.identity_statuses(dave_unscoped) == (200, 200)

    api.clock.advance(0.001)
    disabled = api.call(
        "PATCH", f"/identity/v3/domains/{domain}", body={"domain": {"enabled": False}}
    )
    assert disabled.status_code == 200, disabled.text

    assert api.statuses(alice_inside) == DEAD
    deleted = api.call("DELETE", f"/compute/v2.1/servers/{server_id}", token=alice_inside)
    assert deleted.status_code == 401
    assert api.identity_statuses(on_domain) == (401, 404)
    assert api.statuses(dave_outside) == DEAD
    assert api.identity_statuses(dave_unscoped) == (401, 404)
    # Neither the domain's users nor its projects get new tokens while it is disabled.
    assert api.login_fails(alice, "alice-pw", {"project": {"id": inside}})
    assert api.login_fails(dave, "dave-pw", {"project": {"id": outside}})
    # What has nothing to do with the domain lives on.
    assert api.statuses(alice_outside) == ALIVE
    assert api.statuses(api.admin) == ALIVE
    assert api.call("GET", f"/compute/v2.1/servers/{server_id}").status_code == 200


def test_a_removed_grant_ends_that_users_tokens_on_that_project_only(api: Api) -> None:
    p1 = api.created("projects", "project", {"name": "p1", "domain_id": "default"})
    p2 = api.created("projects", "project", {"name": "p2", "domain_id": "default"})
    alice = _user(api, "alice", "default")
    bob = _user(api, "bob", "default")
    for user in (alice, bob):
        api.grant("PUT", f"projects/{p1}", user, "member")
    api.grant("PUT", f"projects/{p2}", alice, "member")
    alice_p1 = api.login(alice, "alice-pw", {"project": {"id": p1}})
    alice_p2 = api.login(alice, "alice-pw", {"project": {"id": p2}})
    alice_unscoped = api.login(alice, "alice-pw", None)
    bob_p1 = api.login(bob, "bob-pw", {"project": {"id": p1}})
    api.clock.advance(0.001)

    api.grant("DELETE", f"projects/{p1}", alice, "member")
    assert api.statuses(alice_p1) == DEAD
    assert api.statuses(alice_p2) == ALIVE
    assert api.statuses(bob_p1) == ALIVE
    assert api.identity_statuses(alice_unscoped) == (200, 200)
    # The unscoped token still rescopes to what is left (tempest's test_rescope_token).
    rescoped = api.client.simulate_post(
        "/identity/v3/auth/tokens",
        json={
            "auth": {
                "identity": {"methods": ["token"], "token": {"id": alice_unscoped}},
                "scope": {"project": {"id": p2}},
            }
        },
    )
    assert rescoped.status_code == 201, rescoped.text


def test_an_admin_removing_a_grant_of_their_own_keeps_their_token(api: Api) -> None:
    """tempest's TokensV3TestJSON: a class's admin token must outlive its tests' clean-ups."""
    admin_user = api.call("GET", "/identity/v3/users?name=admin").json["users"][0]["id"]
    other = api.created("projects", "project", {"name": "other", "domain_id": "default"})
    api.grant("PUT", f"projects/{other}", admin_user, "admin")
    on_other = api.login(admin_user, ADMIN_PASSWORD, {"project": {"id": other}})
    api.clock.advance(0.001)
    api.grant("DELETE", f"projects/{other}", admin_user, "admin")
    assert api.statuses(on_other) == DEAD
    assert api.statuses(api.admin) == ALIVE


def test_a_deleted_role_ends_the_tokens_that_carried_it_and_no_others(api: Api) -> None:
    p1 = api.created("projects", "project", {"name": "p1", "domain_id": "default"})
    p2 = api.created("projects", "project", {"name": "p2", "domain_id": "default"})
    role = api.created("roles", "role", {"name": "auditor"})
    alice = _user(api, "alice", "default")
    admin_user = api.call("GET", "/identity/v3/users?name=admin").json["users"][0]["id"]
    api.grant("PUT", f"projects/{p1}", alice, "member")
    api.grant("PUT", f"projects/{p1}", alice, "auditor")
    api.grant("PUT", f"projects/{p2}", alice, "member")
    api.grant("PUT", f"projects/{p2}", admin_user, "auditor")
    api.grant("PUT", "system", alice, "auditor")
    alice_p1 = api.login(alice, "alice-pw", {"project": {"id": p1}})
    alice_p2 = api.login(alice, "alice-pw", {"project": {"id": p2}})
    alice_system = api.login(alice, "alice-pw", {"system": {"all": True}})
    api.clock.advance(0.001)

    assert api.call("DELETE", f"/identity/v3/roles/{role}").status_code == 204
    assert api.statuses(alice_p1) == DEAD
    assert api.identity_statuses(alice_system) == (401, 404)
    assert api.statuses(alice_p2) == ALIVE
    assert api.statuses(api.admin) == ALIVE
