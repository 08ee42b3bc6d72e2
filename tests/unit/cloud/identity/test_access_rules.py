"""Access rules of application credentials: kept once per user and shared by the user's
credentials, listed, shown and deleted (not while a credential uses one), and enforced by every
service the cloud serves — a restricted credential's token passes only where a rule allows it,
as keystonemiddleware enforces them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import falcon.testing
import pytest

from pocketstack.cloud.app import create_cloud_app
from pocketstack.cloud.auth.access_rules import path_pattern
from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cloud.identity.conftest import Client
from tests.unit.cloud.identity.test_application_credentials import Setup, login
from tests.unit.cloud.network.helpers import race

SERVERS = {"service": "compute", "path": "/v2.1/servers", "method": "GET"}
ONE_SERVER = {"service": "compute", "path": "/v2.1/servers/*", "method": "GET"}


@pytest.fixture
def ci(client: Client, admin: str) -> Setup:
    return Setup(client, admin)


def _rules_path(ci: Setup) -> str:
    return f"/v3/users/{ci.user_id}/access_rules"


def _token(client: Client, ci: Setup, name: str, rules: list[dict[str, Any]]) -> str:
    cred = ci.created(name=name, secret="s", access_rules=rules)
    made = login(client, {"id": cred["id"], "secret": "s"})
    assert made.status_code == 201, made.text
    return str(made.headers["X-Subject-Token"])


def test_patterns_match_segments_as_keystonemiddleware() -> None:
    assert path_pattern("/v2.1/servers/*").fullmatch("/v2.1/servers/abc")
    assert not path_pattern("/v2.1/servers/*").fullmatch("/v2.1/servers/abc/action")
    assert not path_pattern("/v2.1/servers/*").fullmatch("/v2.1/servers/")
    assert path_pattern("/v2.1/servers/{server_id}/ips").fullmatch("/v2.1/servers/x/ips")
    assert path_pattern("/v2/images/**").fullmatch("/v2/images/a/file")
    assert not path_pattern("/v2.1/servers").fullmatch("/v2.1/servers/detail")
    assert not path_pattern("/v2.1/servers").fullmatch("/v2X1/servers")


def test_rules_are_the_users_once_and_listed(client: Client, ci: Setup) -> None:
    first = ci.created(name="a", access_rules=[SERVERS, ONE_SERVER])
    second = ci.created(name="b", access_rules=[SERVERS])
    # The second credential's rule is the first's, by the same id.
    assert second["access_rules"][0]["id"] == first["access_rules"][0]["id"]
    listed = client.get(_rules_path(ci), token=ci.token)
    assert listed.status_code == 200
    rules = listed.json["access_rules"]
    assert sorted((r["path"], r["method"], r["service"]) for r in rules) == [
        ("/v2.1/servers", "GET", "compute"), ("/v2.1/servers/*", "GET", "compute"),
    ]  # fmt: skip
    one = rules[0]
    shown = client.get(f"{_rules_path(ci)}/{one['id']}", token=ci.token)
    assert shown.status_code == 200
    assert shown.json["access_rule"] == one
    assert one["links"]["self"].endswith(f"/v3/users/{ci.user_id}/access_rules/{one['id']}")
    # Named by id, a rule of the user's is taken as it is.
    third = ci.created(name="c", access_rules=[{"id": one["id"]}])
    assert third["access_rules"] == [{k: one[k] for k in ("id", "service", "path", "method")}]
    # An id of no rule of the user's is not found.
    missing = ci.create(name="d", access_rules=[{"id": "f" * 32}])
    assert missing.status_code == 404


def test_a_rule_in_use_cannot_be_deleted(client: Client, ci: Setup) -> None:
    cred = ci.created(name="a", access_rules=[SERVERS])
    rule_id = cred["access_rules"][0]["id"]
    refused = client.request("DELETE", f"{_rules_path(ci)}/{rule_id}", token=ci.token)
    assert refused.status_code == 403
    assert refused.json["error"]["message"] == "May not delete access rule in use"
    gone = client.request("DELETE", f"{ci.path}/{cred['id']}", token=ci.token)
    assert gone.status_code == 204
    # The credential's deletion leaves the rule; now unused, it goes.
    assert (
        client.request("DELETE", f"{_rules_path(ci)}/{rule_id}", token=ci.token).status_code == 204
    )
    assert client.get(f"{_rules_path(ci)}/{rule_id}", token=ci.token).status_code == 404
    assert client.get(_rules_path(ci), token=ci.token).json["access_rules"] == []


def test_other_users_neither_see_nor_delete_them(client: Client, ci: Setup, admin: str) -> None:
    rule_id = ci.created(name="a", access_rules=[SERVERS])["access_rules"][0]["id"]
    other = client.post("/v3/users", json={"user": {"name": "eve", "password": "eve-pass"}},
                        token=admin)  # fmt: skip
    assert other.status_code == 201
    eve = client.password_token(user="eve", password="eve-pass", project=None)
    eve_token = eve.headers["X-Subject-Token"]
    assert client.get(_rules_path(ci), token=eve_token).status_code == 403
    refused = client.request("DELETE", f"{_rules_path(ci)}/{rule_id}", token=eve_token)
    assert refused.status_code == 403
    # The admin reads them.
    assert client.get(f"{_rules_path(ci)}/{rule_id}", token=admin).status_code == 200


def test_every_service_enforces_them(client: Client, ci: Setup, deps: CloudDeps) -> None:
    cloud = falcon.testing.TestClient(create_cloud_app(deps))
    token = _token(client, ci, "nova-reader", [SERVERS, ONE_SERVER])

    def status(method: str, path: str) -> int:
        result = cloud.simulate_request(method, path, headers={"X-Auth-Token": token})
        return result.status_code

    assert status("GET", "/compute/v2.1/servers") == 200
    assert status("GET", "/compute/v2.1/servers/no-such-server") == 404
    refused = cloud.simulate_get("/compute/v2.1/os-keypairs", headers={"X-Auth-Token": token})
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Keystone uri=")
    assert status("GET", "/compute/v2.1/flavors") == 401
    assert status("GET", "/image/v2/images") == 401
    assert status("GET", "/networking/v2.0/networks") == 401
    assert status("GET", "/identity/v3/projects") == 401
    # Its own token can always be looked at.
    both = {"X-Auth-Token": token, "X-Subject-Token": token}
    looked = cloud.simulate_get("/identity/v3/auth/tokens", headers=both)
    assert looked.status_code == 200
    # A credential without rules is not restricted by them.
    free = _token(client, ci, "free", [])
    assert cloud.simulate_get("/image/v2/images", headers={"X-Auth-Token": free}).status_code == 200


def test_one_new_rule_from_creates_at_once(db_url: str, tmp_path: Path, clock: OffsetClock) -> None:
    deps = make_deps(data_dir=tmp_path, db_url=db_url, clock=clock)
    try:
        client = Client(deps)
        admin = client.admin_token()
        ci = Setup(client, admin)
        calls = [lambda n=n: ci.create(name=f"c{n}", access_rules=[SERVERS]) for n in range(6)]
        results = race(calls)  # type: ignore[arg-type]
        assert [r.status_code for r in results] == [201] * 6
        ids = {r.json["application_credential"]["access_rules"][0]["id"] for r in results}
        assert len(ids) == 1
        assert len(client.get(_rules_path(ci), token=ci.token).json["access_rules"]) == 1
    finally:
        deps.store.dispose()
