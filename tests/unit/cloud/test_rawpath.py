"""An encoded slash in a path is part of its segment, never a separator: `tokens%2F<token>` is not
`tokens/<token>`, whichever server decoded the path."""

from __future__ import annotations

from typing import Any

import falcon.testing
import pytest

from pocketstack.cloud.app import WSGIApp
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.rawpath import routing_path
from pocketstack.cloud.serving.wsgibridge import build_environ
from tests.fixtures.cloud import admin_token

COMPUTE = {"OpenStack-API-Version": "compute 2.1"}


def get(app: WSGIApp, path: str, token: str) -> falcon.testing.Result:
    headers = {"X-Auth-Token": token, **(COMPUTE if path.startswith("/compute") else {})}
    return falcon.testing.simulate_request(app, "GET", path, headers=headers)


@pytest.mark.parametrize("slash", ["%2F", "%2f"])
def test_a_v2_token_path_with_an_encoded_slash_is_not_routed(
    cloud_app: WSGIApp, cloud_deps: CloudDeps, slash: str
) -> None:
    token = admin_token(cloud_deps)
    assert get(cloud_app, f"/identity/v2.0/tokens/{token}", token).status_code == 200
    result = get(cloud_app, f"/identity/v2.0/tokens{slash}{token}", token)
    assert result.status_code == 404, result.text
    assert result.json["error"]["code"] == 404
    # Other escapes are still decoded: `%67` is the token's first letter, g.
    assert get(cloud_app, f"/identity/v2.0/tokens/%67{token[1:]}", token).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/compute/v2.1/servers%2Fdetail",
        "/identity/v3%2Fauth/projects",
        "/identity/v3/auth%2Fprojects",
        "/image/v2%2Fimages",
        "/compute%2Fv2.1/servers",
    ],
)
def test_no_service_routes_an_encoded_slash(
    cloud_app: WSGIApp, cloud_deps: CloudDeps, path: str
) -> None:
    token = admin_token(cloud_deps)
    decoded = path.replace("%2F", "/")
    assert get(cloud_app, decoded, token).status_code == 200
    assert get(cloud_app, path, token).status_code == 404


def environ(**values: Any) -> dict[str, Any]:
    return {"PATH_INFO": "/decoded/by/the/server", "SCRIPT_NAME": "", **values}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        # gunicorn and falcon.testing: RAW_URI.
        (environ(RAW_URI="/v2.0/tokens%2Fabc%41?x=%2F"), "/v2.0/tokens%2FabcA"),
        # uvicorn through serving/wsgibridge.py: RAW_URI from the ASGI scope's raw_path.
        (build_environ({"method": "GET", "path": "/a/b c", "raw_path": b"/a%2fb%20c",
                        "query_string": b"x=%2F"}, b""), "/a%2Fb c"),
        # Other servers: REQUEST_URI; an absolute-form target keeps its path only.
        (environ(REQUEST_URI="http://cloud.test/a%2Fb?c"), "/a%2Fb"),
        # Mounted below a SCRIPT_NAME: PATH_INFO is what follows it.
        (environ(RAW_URI="/base/a%2Fb", SCRIPT_NAME="/base"), "/a%2Fb"),
        # Escaped twice over: one decoding leaves a literal %2F, which routes nowhere either.
        (environ(RAW_URI="/a%252Fb%2F"), "/a%2Fb%2F"),
        # Nothing to keep: the server's PATH_INFO stands.
        (environ(RAW_URI="/a/b%20c"), None),
        (environ(), None),
    ],
)
def test_routing_path(env: dict[str, Any], expected: str | None) -> None:
    assert routing_path(env) == expected
