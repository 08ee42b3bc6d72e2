"""Policy blobs (/v3/policies) and domain configuration as a client sees them, with Keystone's
answers: extra attributes kept, admins only, the options a domain may set, sensitive options
never shown, and its 403s and 404s."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from tests.fixtures.cloud import OffsetClock, create_user, issue_token, make_deps
from tests.unit.cloud.identity.conftest import Client


def _member(client: Client) -> str:
    user = create_user(client.deps, name="plain", project_name="plain")
    return issue_token(client.deps, user_id=user.id, project_id=user.project_id)


def test_policy_crud_keeps_extra_attributes(client: Client, admin: str) -> None:
    body = {"policy": {"blob": "{}", "type": "application/json", "x": 1}}
    made = client.post("/v3/policies", token=admin, json=body)
    assert made.status_code == 201, made.text
    policy = made.json["policy"]
    assert (policy["blob"], policy["type"], policy["x"]) == ("{}", "application/json", 1)
    item = f"/v3/policies/{policy['id']}"
    changed = client.request("PATCH", item, token=admin, json={"policy": {"type": "t2"}})
    assert changed.status_code == 200, changed.text
    assert changed.json["policy"]["type"] == "t2"
    assert changed.json["policy"]["x"] == 1
    assert client.get(item, token=admin).json["policy"] == changed.json["policy"]
    listed = client.get("/v3/policies", token=admin, query="type=t2").json["policies"]
    assert [p["id"] for p in listed] == [policy["id"]]
    assert client.get("/v3/policies", token=admin, query="type=other").json["policies"] == []
    other_id = client.request("PATCH", item, token=admin, json={"policy": {"id": "other"}})
    assert other_id.status_code == 400
    assert client.request("DELETE", item, token=admin).status_code == 204
    assert client.get(item, token=admin).status_code == 404


def test_policy_refusals(client: Client, admin: str) -> None:
    missing = client.post("/v3/policies", token=admin, json={"policy": {"blob": "x"}})
    assert missing.status_code == 400
    empty = client.request("PATCH", "/v3/policies/nope", token=admin, json={"policy": {}})
    assert empty.status_code == 400
    member = _member(client)
    for method, path in (("GET", "/v3/policies"), ("POST", "/v3/policies")):
        body = {"policy": {"blob": "x", "type": "y"}} if method == "POST" else None
        refused = client.request(method, path, token=member, json=body)
        assert refused.status_code == 403, refused.text


CONFIG: dict[str, Any] = {
    "identity": {"driver": "ldap"},
    "ldap": {"url": "ldap://example.test/", "user_tree_dn": "ou=Users", "password": "s3cret"},
}


def _domain(client: Client, admin: str) -> str:
    made = client.post("/v3/domains", json={"domain": {"name": "d1"}}, token=admin)
    assert made.status_code == 201, made.text
    return str(made.json["domain"]["id"])


def test_domain_config_lifecycle(client: Client, admin: str) -> None:
    domain = _domain(client, admin)
    base = f"/v3/domains/{domain}/config"
    assert client.get(base, token=admin).status_code == 404
    made = client.request("PUT", base, token=admin, json={"config": CONFIG})
    assert made.status_code == 201, made.text
    shown = {"identity": {"driver": "ldap"},
             "ldap": {"url": "ldap://example.test/", "user_tree_dn": "ou=Users"}}  # fmt: skip
    assert made.json["config"] == shown
    again = client.request("PUT", base, token=admin, json={"config": CONFIG})
    assert again.status_code == 200
    assert client.get(base, token=admin).json["config"] == shown
    assert client.get(f"{base}/ldap", token=admin).json["config"] == {"ldap": shown["ldap"]}
    assert client.get(f"{base}/ldap/url", token=admin).json["config"] == {
        "url": "ldap://example.test/"}  # fmt: skip
    # The password is kept, never shown.
    assert client.get(f"{base}/ldap/password", token=admin).status_code == 404
    body = {"config": {"identity": {"driver": "sql", "list_limit": 5}}}
    limit = client.request("PATCH", f"{base}/identity", token=admin, json=body)
    assert limit.status_code == 200, limit.text
    assert limit.json["config"]["identity"] == {"driver": "sql", "list_limit": 5}
    one = client.request("PATCH", f"{base}/identity/driver", token=admin,
                         json={"config": {"driver": "ldap"}})  # fmt: skip
    assert one.json["config"]["identity"]["driver"] == "ldap"
    wrong = client.request("PATCH", f"{base}/identity", token=admin,
                           json={"config": {"ldap": {"url": "x"}}})  # fmt: skip
    assert wrong.status_code == 403
    absent = client.request("PATCH", f"{base}/ldap/user", token=admin,
                            json={"config": {"user": "cn=x"}})  # fmt: skip
    assert absent.status_code == 404
    assert client.request("DELETE", f"{base}/identity/driver", token=admin).status_code == 204
    assert client.get(f"{base}/identity/driver", token=admin).status_code == 404
    assert client.request("DELETE", f"{base}/identity/driver", token=admin).status_code == 404
    assert client.request("DELETE", f"{base}/identity", token=admin).status_code == 204
    assert client.get(f"{base}/identity", token=admin).status_code == 404
    assert client.request("DELETE", base, token=admin).status_code == 204
    assert client.get(base, token=admin).status_code == 404


def test_domain_config_refusals(client: Client, admin: str) -> None:
    domain = _domain(client, admin)
    base = f"/v3/domains/{domain}/config"
    configs: list[dict[str, Any]] = [
        {},
        {"nova": {"x": 1}},
        {"ldap": {"not_an_option": 1}},
        {"ldap": {}},
        {"ldap": "url"},
    ]
    for config in configs:
        refused = client.request("PUT", base, token=admin, json={"config": config})
        assert refused.status_code == 403, (config, refused.text)
        assert refused.json["error"]["message"].startswith(
            "Invalid domain specific configuration: "
        )
    assert client.request("PUT", base, token=admin, json={}).status_code == 403
    assert client.get(f"{base}/nova", token=admin).status_code == 403
    nowhere = client.request("PUT", "/v3/domains/nope/config", token=admin,
                             json={"config": CONFIG})  # fmt: skip
    assert nowhere.status_code == 404
    member = _member(client)
    assert client.get("/v3/domains/config/default", token=member).status_code == 403
    assert client.request("PUT", base, token=member, json={"config": CONFIG}).status_code == 403


def test_domain_config_defaults(client: Client, admin: str) -> None:
    every = client.get("/v3/domains/config/default", token=admin)
    assert every.status_code == 200, every.text
    assert every.json["config"]["identity"] == {"driver": "sql", "list_limit": None}
    assert "password" not in every.json["config"]["ldap"]
    group = client.get("/v3/domains/config/ldap/default", token=admin).json["config"]
    assert group["ldap"]["url"] == "ldap://localhost"
    option = client.get("/v3/domains/config/ldap/url/default", token=admin).json["config"]
    assert option == {"url": "ldap://localhost"}
    assert client.get("/v3/domains/config/ldap/password/default", token=admin).status_code == 403
    assert client.get("/v3/domains/config/nova/default", token=admin).status_code == 403
    assert client.request("HEAD", "/v3/domains/config/default", token=admin).status_code == 200


def test_config_goes_with_its_domain(client: Client, admin: str) -> None:
    domain = _domain(client, admin)
    base = f"/v3/domains/{domain}/config"
    assert client.request("PUT", base, token=admin, json={"config": CONFIG}).status_code == 201
    disabled = client.request("PATCH", f"/v3/domains/{domain}", token=admin,
                              json={"domain": {"enabled": False}})  # fmt: skip
    assert disabled.status_code == 200
    assert client.request("DELETE", f"/v3/domains/{domain}", token=admin).status_code == 204
    assert client.get(base, token=admin).status_code == 404


def test_racing_config_writes(db_url: str, tmp_path: Path, clock: OffsetClock) -> None:
    """PUTs and PATCHes of one domain's configuration at once: each answered as Keystone would
    (a 409 for a loser at most), never a 500, and what is left is one writer's whole."""
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=clock)
    try:
        client = Client(deps)
        admin = client.admin_token()
        base = f"/v3/domains/{_domain(client, admin)}/config"
        statuses: list[int] = []
        drivers = [f"driver-{n}" for n in range(3)]

        def put(driver: str) -> None:
            body = {"config": {"identity": {"driver": driver}, "ldap": {"url": driver}}}
            statuses.append(client.request("PUT", base, token=admin, json=body).status_code)

        def patch(driver: str) -> None:
            body = {"config": {"ldap": {"user": driver}}}
            statuses.append(client.request("PATCH", base, token=admin, json=body).status_code)

        threads = [threading.Thread(target=put, args=(d,)) for d in drivers]
        threads += [threading.Thread(target=patch, args=(d,)) for d in drivers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(statuses) == 6
        assert set(statuses) <= {200, 201, 409}, statuses
        assert 201 in statuses
        config = client.get(base, token=admin).json["config"]
        assert config["identity"]["driver"] == config["ldap"]["url"]
    finally:
        deps.store.dispose()
