"""Version documents, microversion negotiation, request ids, path project ids and token auth."""

from __future__ import annotations

import pytest

from tests.unit.cloud.compute.helpers import Compute, fault


def test_root_lists_both_versions_without_a_token(compute: Compute) -> None:
    result = compute.client.simulate_get("/")
    assert result.status_code == 200
    versions = {v["id"]: v for v in result.json["versions"]}
    assert versions["v2.1"]["version"] == "2.100"
    assert versions["v2.1"]["min_version"] == "2.1"
    assert versions["v2.1"]["status"] == "CURRENT"
    assert versions["v2.0"]["status"] == "DEPRECATED"
    assert versions["v2.1"]["links"][0]["href"].endswith("/v2.1/")


@pytest.mark.parametrize("path", ["/v2.1", "/v2.1/"])
def test_version_document(compute: Compute, path: str) -> None:
    result = compute.client.simulate_get(path)
    assert result.status_code == 200
    doc = result.json["version"]
    assert doc["id"] == "v2.1"
    assert doc["media-types"][0]["type"] == "application/vnd.openstack.compute+json;version=2.1"


def test_legacy_v2_document(compute: Compute) -> None:
    result = compute.client.simulate_get("/v2/")
    assert result.json["version"]["id"] == "v2.0"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "2.1"),
        ({"OpenStack-API-Version": "compute 2.47"}, "2.47"),
        ({"OpenStack-API-Version": "compute latest"}, "2.100"),
        ({"X-OpenStack-Nova-API-Version": "2.26"}, "2.26"),
        ({"OpenStack-API-Version": "volume 3.0, compute 2.9"}, "2.9"),
        ({"OpenStack-API-Version": "compute 2.3", "X-OpenStack-Nova-API-Version": "2.9"}, "2.3"),
    ],
)
def test_microversion_is_echoed(compute: Compute, headers: dict[str, str], expected: str) -> None:
    result = compute.client.simulate_get("/v2.1/servers", headers={**compute.admin, **headers})
    assert result.status_code == 200
    assert result.headers["OpenStack-API-Version"] == f"compute {expected}"
    assert result.headers["X-OpenStack-Nova-API-Version"] == expected
    assert "OpenStack-API-Version" in result.headers["Vary"]
    assert "X-OpenStack-Nova-API-Version" in result.headers["Vary"]


@pytest.mark.parametrize("value", ["2.x", "abc", "2", "02.1", "2.1.1"])
def test_malformed_microversion_is_400(compute: Compute, value: str) -> None:
    result = compute.client.simulate_get(
        "/v2.1/servers", headers={**compute.admin, "OpenStack-API-Version": f"compute {value}"}
    )
    assert result.status_code == 400
    assert fault(result)[0] == "badRequest"


@pytest.mark.parametrize("value", ["2.0", "2.101", "3.0", "1.1"])
def test_out_of_range_microversion_is_406(compute: Compute, value: str) -> None:
    result = compute.client.simulate_get(
        "/v2.1/servers", headers={**compute.admin, "X-OpenStack-Nova-API-Version": value}
    )
    assert result.status_code == 406
    name, message = fault(result)
    assert name == "computeFault"
    assert "Minimum is 2.1 and maximum is 2.100" in message


def test_errors_carry_version_and_request_ids(compute: Compute) -> None:
    result = compute.get("/v2.1/servers/nope", headers=compute.admin, version="2.9")
    assert result.status_code == 404
    assert fault(result) == ("itemNotFound", "Instance nope could not be found.")
    assert result.headers["OpenStack-API-Version"] == "compute 2.9"
    assert result.headers["x-openstack-request-id"].startswith("req-")
    assert result.headers["x-compute-request-id"] == result.headers["x-openstack-request-id"]


def test_request_ids_differ(compute: Compute) -> None:
    first = compute.get("/v2.1/servers", headers=compute.admin)
    second = compute.get("/v2.1/servers", headers=compute.admin)
    assert first.headers["x-openstack-request-id"] != second.headers["x-openstack-request-id"]


@pytest.mark.parametrize("token", [None, "", "garbage", "gAAAAABnot-a-real-token"])
def test_bad_token_gets_keystonemiddleware_401(compute: Compute, token: str | None) -> None:
    headers = {} if token is None else {"X-Auth-Token": token}
    result = compute.client.simulate_get("/v2.1/servers/detail", headers=headers)
    assert result.status_code == 401
    assert result.json == {
        "error": {
            "code": 401,
            "title": "Unauthorized",
            "message": "The request you have made requires authentication.",
        }
    }
    assert result.headers["WWW-Authenticate"] == 'Keystone uri="http://cloud.test/identity"'
    assert result.headers["x-openstack-request-id"].startswith("req-")


def test_revoked_and_expired_tokens_are_401(compute: Compute) -> None:
    payload = compute.deps.tokens.validate(compute.alice_h["X-Auth-Token"])
    compute.deps.tokens.revoke_token(payload)
    assert compute.get("/v2.1/servers", headers=compute.alice_h).status_code == 401
    compute.deps.clock.advance(7200)  # type: ignore[attr-defined]
    assert compute.get("/v2.1/servers", headers=compute.bob_h).status_code == 401


def test_project_id_in_path(compute: Compute) -> None:
    server = compute.boot(compute.alice_h, name="in-path")
    path = f"/v2.1/{compute.alice.project_id}/servers"
    result = compute.get(path, headers=compute.alice_h)
    assert result.status_code == 200
    (item,) = result.json["servers"]
    assert item["id"] == server
    assert item["links"][0]["href"] == (
        f"http://falconframework.org/v2.1/{compute.alice.project_id}/servers/{server}"
    )
    assert item["links"][1]["href"] == (
        f"http://falconframework.org/{compute.alice.project_id}/servers/{server}"
    )


def test_project_id_mismatch_is_400(compute: Compute) -> None:
    result = compute.get(f"/v2.1/{compute.bob.project_id}/servers", headers=compute.alice_h)
    assert result.status_code == 400
    assert "doesn't match Context's project_id" in fault(result)[1]


def test_legacy_v2_with_tenant_lists_and_ignores_microversions(compute: Compute) -> None:
    compute.boot(compute.alice_h, name="legacy")
    result = compute.client.simulate_get(
        f"/v2/{compute.alice.project_id}/servers/detail",
        headers={**compute.alice_h, "OpenStack-API-Version": "compute 2.90"},
    )
    assert result.status_code == 200
    (server,) = result.json["servers"]
    assert server["name"] == "legacy"
    assert "locked" not in server  # 2.9 field: the legacy API has no microversions
    assert "OpenStack-API-Version" not in result.headers


def test_unknown_path_and_method(compute: Compute) -> None:
    assert fault(compute.get("/v2.1/nothing-here/x/y", headers=compute.admin))[0] == (
        "itemNotFound"
    )
    result = compute.call("PATCH", "/v2.1/servers", headers=compute.admin)
    assert result.status_code == 405
    assert fault(result)[0] == "badMethod"


def test_reader_role_cannot_create(compute: Compute) -> None:
    from tests.fixtures.cloud import create_user, issue_token

    reader = create_user(compute.deps, name="carol", project_name="alpha", roles=("reader",))
    headers = {"X-Auth-Token": issue_token(compute.deps, user_id=reader.id,
                                           project_id=reader.project_id)}  # fmt: skip
    assert compute.get("/v2.1/servers", headers=headers).status_code == 200
    result = compute.call(
        "POST",
        "/v2.1/servers",
        headers=headers,
        body={"server": {"name": "x", "imageRef": "y", "flavorRef": "1"}},
    )
    assert result.status_code == 403
    assert fault(result) == (
        "forbidden",
        "Policy doesn't allow os_compute_api:servers:create to be performed.",
    )


@pytest.mark.parametrize("path", ["/v2.1/os-nova-networks", "/v2.1/foo/servers",
                                  "/v2.1/os-nothing"])
def test_unknown_resource_is_not_taken_for_a_project_id(compute: Compute, path: str) -> None:
    """Only a hex/dash segment can be a project id; anything else must not reach a real route."""
    anonymous = compute.client.simulate_get(path)
    assert anonymous.status_code == 401
    result = compute.client.simulate_get(path, headers=compute.admin)
    assert result.status_code == 404
    assert "version" not in (result.json or {})


@pytest.mark.parametrize(
    ("headers", "status", "echoed"),
    [
        ({"OpenStack-API-Version": "compute 2.999"}, 406, None),
        ({"OpenStack-API-Version": "compute 2.x"}, 400, None),
        ({"OpenStack-API-Version": "compute 2.60", "X-Auth-Token": "bogus"}, 401, "2.60"),
    ],
)
def test_errors_carry_vary_and_the_version_when_known(
    compute: Compute, headers: dict[str, str], status: int, echoed: str | None
) -> None:
    auth = {} if "X-Auth-Token" in headers else compute.admin
    result = compute.client.simulate_get("/v2.1/servers", headers={**auth, **headers})
    assert result.status_code == status
    assert "OpenStack-API-Version" in result.headers["Vary"]
    assert "X-OpenStack-Nova-API-Version" in result.headers["Vary"]
    if echoed is None:
        assert "OpenStack-API-Version" not in result.headers
    else:
        assert result.headers["OpenStack-API-Version"] == f"compute {echoed}"


def test_a_trailing_slash_matches_no_route_past_the_versions_root(compute: Compute) -> None:
    # As Nova's routes: `os-simple-tenant-usage/` is no project's usage, `os-security-groups/`
    # no group; the version's own root keeps its slash.
    for path in ("/v2.1/servers/", "/v2.1/os-simple-tenant-usage/", "/v2.1/flavors/1/"):
        assert compute.client.simulate_get(path, headers=compute.admin).status_code == 404
    gone = compute.client.simulate_delete("/v2.1/os-keypairs/", headers=compute.admin)
    assert fault(gone) == ("itemNotFound", "The resource could not be found.")
    assert compute.client.simulate_get("/v2.1/servers/").status_code == 401
    assert compute.client.simulate_get("/v2.1/servers", headers=compute.admin).status_code == 200
    root = compute.client.simulate_get("/v2.1/", headers=compute.admin)
    assert root.status_code == 200
    assert root.json["version"]["id"] == "v2.1"
