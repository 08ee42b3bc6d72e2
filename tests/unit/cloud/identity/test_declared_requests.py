"""Request bodies validated from their declared schemas (Keystone's, worded as Keystone's
SchemaValidationError) and handed to the responders typed; the rules a token answers alone
enforced from their declarations, before any body is read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity.api import SERVICE
from tests.fixtures.cloud import create_user, issue_token
from tests.unit.cloud.identity.conftest import Client

USERS = "/v3/users"


def _bad_request(result: Any) -> str:
    assert result.status_code == 400, result.text
    error = result.json["error"]
    assert (error["code"], error["title"]) == (400, "Bad Request")
    message: str = error["message"]
    return message


def _member(client: Client, deps: CloudDeps) -> str:
    alice = create_user(deps, name="alice", project_name="p1")
    return issue_token(deps, user_id=alice.id, project_id=alice.project_id)


def test_every_body_has_a_real_schema_and_becomes_a_typed_request() -> None:
    bodies = [op for op in SERVICE.operations if op.request]
    assert len(bodies) == 37
    for op in bodies:
        schema = op.request_schema(None)
        assert schema is not None, op.key
        assert schema["properties"], op.key
        assert op.parse is not None, op.key


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        ("POST", USERS, {"user": {"name": 5}},
         "Invalid input for field 'name': 5 is not of type 'string'"),
        ("POST", USERS, {"user": {"name": "x", "enabled": "yes"}},
         "Invalid input for field 'enabled': 'yes' is not of type 'boolean'"),
        ("POST", USERS, {"user": {"name": "x", "default_project_id": "a b"}},
         "Invalid input for field 'default_project_id': 'a b' does not match"
         " '^[a-zA-Z0-9-]+$'"),
        ("POST", USERS, {}, "'user' is a required property"),
        ("POST", USERS, {"user": "carol"}, "'carol' is not of type 'object'"),
        ("POST", USERS, {"user": {"name": "x"}, "extra": 1},
         "Additional properties are not allowed ('extra' was unexpected)"),
        ("PATCH", f"{USERS}/USER", {"user": {}}, "{} should be non-empty"),
        ("PATCH", f"{USERS}/USER", {"user": {"name": None}},
         "Invalid input for field 'name': None is not of type 'string'"),
        ("POST", "/v3/projects", {"project": {"name": "   "}},
         "Invalid input for field 'name': '   ' does not match '[\\\\S]+'"),
        ("POST", "/v3/projects", {"project": {"name": "p" * 65}},
         f"Invalid input for field 'name': '{'p' * 65}' is too long"),
        ("POST", "/v3/domains", {"domain": {"name": "d", "tags": ["a/b"]}},
         "Invalid input for field 'tags/0': 'a/b' does not match '^[^,/]*$'"),
        ("POST", "/v3/endpoints",
         {"endpoint": {"service_id": "s", "interface": "sideways", "url": "http://x"}},
         "Invalid input for field 'interface': 'sideways' is not one of"
         " ['admin', 'internal', 'public']"),
        ("POST", "/v3/endpoints",
         {"endpoint": {"service_id": "s", "interface": "public", "url": "no scheme"}},
         "Invalid input for field 'url': 'no scheme' does not match '^[a-zA-Z0-9+.-]+:.+'"),
        ("POST", "/v3/regions", {"region": {"id": "r" * 300}},
         f"Invalid input for field 'id': '{'r' * 76}..."),
        ("POST", "/v3/auth/tokens", {"auth": {"identity": {"methods": 5}}},
         "Invalid input for field 'identity/methods': 5 is not of type 'array'"),
        ("POST", "/v2.0/tokens", {"auth": {"passwordCredentials": {"username": 5}}},
         "Invalid input for field 'passwordCredentials/username': 5 is not of type"
         " 'string', 'null'"),
    ],
)  # fmt: skip
def test_a_body_its_schema_refuses_is_keystones_400(
    client: Client, admin: str, method: str, path: str, body: Any, message: str
) -> None:
    user_id = client.get(USERS, token=admin, query="name=admin").json["users"][0]["id"]
    result = client.request(method, path.replace("USER", user_id), json=body, token=admin)
    assert _bad_request(result).startswith(message)


def test_a_long_value_is_quoted_short(client: Client, admin: str) -> None:
    result = client.post(USERS, json={"user": {"name": "n" * 5_000}}, token=admin)
    message = _bad_request(result)
    assert message == f"Invalid input for field 'name': '{'n' * 76}... is too long"


def test_what_no_column_holds_is_refused_after_the_schema(client: Client, admin: str) -> None:
    # 40,000 two-byte characters: within the body limit, past a MariaDB TEXT column.
    body = json.dumps({"user": {"name": "long", "description": "é" * 40_000}}, ensure_ascii=False)
    message = _bad_request(client.post(USERS, body=body.encode(), token=admin))
    assert message.startswith("Invalid input for field 'description': 'ééé")
    assert message.endswith("is too long (at most 65535 bytes)")
    project = {"project": {"name": "x", "is_domain": True, "parent_id": "default"}}
    message = _bad_request(client.post("/v3/projects", json=project, token=admin))
    assert message == (
        "Invalid input for field 'is_domain': a project acting as a domain has no parent and"
        " no domain"
    )


def test_a_declared_rule_refuses_before_the_body_is_read(
    client: Client, admin: str, deps: CloudDeps
) -> None:
    member = _member(client, deps)
    for body in (b"{not json", b'{"user": {"name": 5}}', b'{"user": {"name": "ok"}}'):
        refused = client.post(USERS, body=body, token=member)
        assert refused.status_code == 403
        assert refused.json["error"]["message"] == (
            "You are not authorized to perform the requested action: identity:create_user."
        )
    assert client.post(USERS, body=b"{not json", token=admin).status_code == 400
    unauthenticated = client.post(USERS, body=b'{"user": {"name": 5}}')
    assert unauthenticated.status_code == 401
    assert "WWW-Authenticate" in unauthenticated.headers


def test_a_refusal_names_the_rule_keystone_names(
    client: Client, admin: str, deps: CloudDeps
) -> None:
    member = _member(client, deps)
    role = client.get("/v3/roles", token=admin, query="name=reader").json["roles"][0]["id"]
    user = client.get(USERS, token=admin, query="name=alice").json["users"][0]["id"]
    for method, path, rule in [
        ("PUT", f"/v3/system/users/{user}/roles/{role}", "create_system_grant_for_user"),
        ("GET", f"/v3/system/users/{user}/roles", "list_system_grants_for_user"),
        ("GET", f"/v3/domains/default/users/{user}/roles", "list_grants"),
        ("DELETE", f"/v3/domains/default/users/{user}/roles/{role}", "revoke_grant"),
    ]:
        result = client.request(method, path, token=member)
        assert result.status_code == 403, path
        assert result.json["error"]["message"].endswith(f": identity:{rule}.")


def test_regions_are_anyones_to_read_and_admins_to_write(
    client: Client, admin: str, deps: CloudDeps
) -> None:
    member = _member(client, deps)
    listed = client.get("/v3/regions", token=member)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json["regions"]] == ["RegionOne"]
    assert client.get("/v3/regions/RegionOne", token=member).status_code == 200
    assert client.post("/v3/regions", json={"region": {}}, token=member).status_code == 403
    assert client.get("/v3/regions").status_code == 401


def test_a_user_update_changes_what_it_names_and_clears_what_it_nulls(
    client: Client, admin: str
) -> None:
    created = client.post(
        USERS,
        json={"user": {"name": "erin", "email": "e@x.test", "description": "d",
                       "options": {"ignore_password_expiry": True}}},
        token=admin,
    ).json["user"]  # fmt: skip
    path = f"{USERS}/{created['id']}"
    changed = client.request("PATCH", path, json={"user": {"email": None}}, token=admin)
    assert changed.status_code == 200
    assert "email" not in changed.json["user"]
    assert changed.json["user"]["description"] == "d"
    assert changed.json["user"]["name"] == "erin"
    renamed = client.request("PATCH", path, json={"user": {"name": "erin2"}}, token=admin)
    assert renamed.json["user"]["name"] == "erin2"
    assert renamed.json["user"]["description"] == "d"


def test_endpoints_take_keystones_urls_and_the_legacy_region(client: Client, admin: str) -> None:
    service = client.post("/v3/services", json={"service": {"type": "volume"}}, token=admin).json[
        "service"
    ]
    body = {"endpoint": {"service_id": service["id"], "interface": "internal",
                         "url": "ftp://cloud.test/volume", "region": "RegionOne"}}  # fmt: skip
    created = client.post("/v3/endpoints", json=body, token=admin)
    assert created.status_code == 201, created.text
    assert created.json["endpoint"]["region_id"] == "RegionOne"
    assert created.json["endpoint"]["enabled"] is True
    missing = {"endpoint": {**body["endpoint"], "service_id": "nope"}}
    assert client.post("/v3/endpoints", json=missing, token=admin).status_code == 404


@pytest.mark.timeout(30)
def test_a_long_unsortable_array_is_checked_for_duplicates_in_one_pass(
    client: Client, admin: str
) -> None:
    # Items that do not sort against each other: jsonschema's own uniqueItems compares every
    # pair of them (about a minute for this many); the body stays under the size limit.
    unsortable: list[object] = ["a", *range(16_000)]
    tagged = client.post("/v3/projects", json={"project": {"name": "p", "tags": unsortable}},
                         token=admin)  # fmt: skip
    assert _bad_request(tagged).startswith("Invalid input for field 'tags")
    rules = {"user": {"name": "u", "options": {"multi_factor_auth_rules": unsortable}}}
    assert _bad_request(client.post(USERS, json=rules, token=admin)).startswith(
        "Invalid input for field 'options/multi_factor_auth_rules"
    )
    twice = {"project": {"name": "p", "tags": ["a", "a"]}}
    assert _bad_request(client.post("/v3/projects", json=twice, token=admin)) == (
        "Invalid input for field 'tags': ['a', 'a'] has non-unique elements"
    )
    rule = {"user": {"name": "u", "options": {"multi_factor_auth_rules": [["password"]] * 2}}}
    assert "has non-unique elements" in _bad_request(client.post(USERS, json=rule, token=admin))
    distinct = {"project": {"name": "p", "tags": ["a", "b"]}}
    assert client.post("/v3/projects", json=distinct, token=admin).status_code == 201
