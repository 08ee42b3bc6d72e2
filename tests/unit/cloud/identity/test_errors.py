from __future__ import annotations

import json

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.identity.conftest import IDENTITY, Client

GENERIC = "The request you have made requires authentication."


def test_unknown_path_is_keystone_shaped_404(client: Client) -> None:
    result = client.get("/v3/no-such-thing")
    assert result.status_code == 404
    assert result.json["error"]["code"] == 404
    assert result.json["error"]["title"] == "Not Found"
    assert result.headers["x-openstack-request-id"].startswith("req-")


def test_wrong_method_is_405(client: Client) -> None:
    result = client.request("PUT", "/v3/auth/catalog")
    assert result.status_code == 405
    assert result.json["error"]["code"] == 405


@pytest.mark.parametrize(
    "path", ["/v3/users", "/v3/auth/catalog", "/v3/auth/projects", "/v2.0/tenants"]
)
def test_every_401_names_where_to_authenticate(client: Client, path: str) -> None:
    result = client.get(path)
    assert result.status_code == 401
    assert result.headers["WWW-Authenticate"] == f'Keystone uri="{IDENTITY}/v3"'
    assert result.json == {"error": {"code": 401, "title": "Unauthorized", "message": GENERIC}}


def test_garbage_caller_token_is_401(client: Client) -> None:
    result = client.get("/v3/users", token="not-a-token")
    assert result.status_code == 401
    assert "WWW-Authenticate" in result.headers


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b'"a string"', b"\xff\xfe", b"null", b"[" * 100000]
)
def test_malformed_bodies_are_400(client: Client, body: bytes) -> None:
    result = client.post("/v3/auth/tokens", body=body)
    assert result.status_code == 400
    assert result.json["error"]["title"] == "Bad Request"
    assert "valid JSON" in result.json["error"]["message"]


def test_oversized_body_is_413(client: Client, deps: CloudDeps) -> None:
    body = b'{"auth": "' + b"x" * deps.config.max_request_body_size + b'"}'
    result = client.post("/v3/auth/tokens", body=body)
    assert result.status_code == 413
    assert result.json["error"]["code"] == 413


def test_oversized_admin_body_is_413(client: Client, admin: str, deps: CloudDeps) -> None:
    big = "x" * (deps.config.max_request_body_size + 1)
    result = client.post("/v3/users", json={"user": {"name": big}}, token=admin)
    assert result.status_code == 413


@pytest.mark.parametrize("name", ["\ud800", "a\u0000b"])
def test_unstorable_strings_are_400_not_500(client: Client, admin: str, name: str) -> None:
    result = client.post(
        "/v3/users",
        body='{"user": {"name": ' + json.dumps(name) + "}}",
        token=admin,
    )
    assert result.status_code == 400
    login = client.post(
        "/v3/auth/tokens",
        body='{"auth": {"identity": {"methods": ["password"], "password": {"user": '
        '{"name": ' + json.dumps(name) + ', "domain": {"id": "default"}, "password": "x"}}}}}',
    )
    assert login.status_code == 400
