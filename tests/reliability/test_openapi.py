"""The OpenAPI description against the falcon routers it describes, and the served document."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import falcon
import falcon.inspect
import falcon.testing
import pytest
import schemathesis

from pocketstack.cloud.compute import routing
from pocketstack.cloud.compute.app import create_app as create_compute
from pocketstack.cloud.identity.app import create_app as create_identity
from pocketstack.cloud.image.app import create_app as create_image
from pocketstack.cloud.network.app import create_app as create_network
from pocketstack.cloud.openapi import DOCUMENT_PATH, build_document
from tests.reliability.conftest import InProcessCloud

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
COMPUTE_ROOTS = ("/compute/v2.1", "/compute/v2.1/{project_id}", "/compute/v2/{project_id}")
# Answered by the dispatcher in front of the three apps, not by a falcon router.
DISPATCHER_ROUTES = {("/", "get"), (DOCUMENT_PATH, "get")}


def public_paths(service: str, route: str) -> list[str]:
    """Where a falcon route of `service` is reachable through the combined cloud app."""
    if service == "compute":
        if route == routing.ROOT_PATH:
            return ["/compute/"]
        if route == routing.VERSION_PATH:
            return ["/compute/v2.1", "/compute/v2"]
        return [root + route for root in COMPUTE_ROOTS]
    return [f"/{service}/" if route == "/" else f"/{service}{route}"]


def served_operations(deps: Any) -> set[tuple[str, str]]:
    """(public path, method) for every responder of the three falcon apps."""
    apps = {
        "identity": create_identity(deps),
        "compute": create_compute(deps),
        "image": create_image(deps),
        "networking": create_network(deps),
    }
    served: set[tuple[str, str]] = set()
    for service, app in apps.items():
        for route in falcon.inspect.inspect_app(app).routes:
            for method in route.methods:
                if method.internal:  # falcon's own 405 responders
                    continue
                for path in public_paths(service, route.path):
                    served.add((path, method.method.lower()))
    return served


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def drift(document: dict[str, Any], deps: Any) -> tuple[set[Any], set[Any]]:
    """(served but undocumented, documented but not served)."""
    served = served_operations(deps) | DISPATCHER_ROUTES
    documented = documented_operations(document)
    return served - documented, documented - served


def test_every_served_route_is_documented_and_nothing_else(
    inprocess_cloud: InProcessCloud,
) -> None:
    missing, extra = drift(build_document(), inprocess_cloud.deps)
    assert not missing, f"served but not in the OpenAPI document: {sorted(missing)}"
    assert not extra, f"in the OpenAPI document but not served: {sorted(extra)}"


def test_drift_check_notices_a_missing_and_an_invented_operation(
    inprocess_cloud: InProcessCloud,
) -> None:
    document = copy.deepcopy(build_document())
    del document["paths"]["/compute/v2.1/servers/{server_id}"]["delete"]
    invented = "/identity/v3/OS-FEDERATION/identity_providers"
    document["paths"][invented] = {"get": {"responses": {"200": {}}}}
    missing, extra = drift(document, inprocess_cloud.deps)
    assert missing == {("/compute/v2.1/servers/{server_id}", "delete")}
    assert extra == {(invented, "get")}


@pytest.mark.parametrize("test_controls", [False, True], ids=["cloud", "with-test-controls"])
def test_document_loads_as_openapi_3_1_with_every_reference_resolved(test_controls: bool) -> None:
    document = build_document(test_controls=test_controls)
    assert any(p.startswith("/pocketstack/") for p in document["paths"]) == test_controls
    assert document["openapi"].startswith("3.1")
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(documented_operations(document))
    text = json.dumps(document)
    for name in set(re.findall(r'"#/components/schemas/([^"]+)"', text)):
        assert name in document["components"]["schemas"], name
    for path, item in document["paths"].items():
        for template in re.findall(r"{([^}]+)}", path):
            names = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
            assert template in names, (path, template)


def test_the_cloud_serves_the_document(inprocess_cloud: InProcessCloud) -> None:
    app = inprocess_cloud.app
    result = falcon.testing.simulate_get(app, DOCUMENT_PATH)
    assert result.status_code == 200
    assert result.headers["content-type"] == "application/json"
    assert result.json == build_document()
    head = falcon.testing.simulate_head(app, DOCUMENT_PATH)
    assert head.status_code == 200
    assert head.content == b""
    post = falcon.testing.simulate_post(app, DOCUMENT_PATH, body=b"{}")
    assert post.status_code == 405
    assert post.headers["allow"] == "GET, HEAD"
    index = falcon.testing.simulate_get(app, "/").json
    assert {s["name"] for s in index["services"]} == {"identity", "compute", "image", "networking"}


def _fill(path: str, cloud: InProcessCloud, *, destructive: bool) -> str:
    values = {"project_id": cloud.member.project_id}
    if not destructive:  # real ids only where nothing gets deleted
        values.update(server_id=cloud.server_ids[0], user_id=cloud.member.id)
    return re.sub(r"{([^}]+)}", lambda m: values.get(m.group(1), "no-such-thing"), path)


@pytest.mark.parametrize("who", ["admin", "member"])
def test_each_documented_operation_answers_a_documented_status(
    inprocess_cloud: InProcessCloud, who: str
) -> None:
    """Every operation, called once with placeholder ids and an empty JSON object as body."""
    cloud = inprocess_cloud
    token = cloud.admin_token if who == "admin" else cloud.member_token
    document = build_document()
    wrong = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            body = b"{}" if "requestBody" in op else None
            url = _fill(path, cloud, destructive=method == "delete")
            result = cloud.request(
                method.upper(), url, token=token, raw=body, headers={"X-Subject-Token": "none"}
            )
            if str(result.status_code) not in op["responses"] or result.status_code >= 500:
                wrong.append((method, path, result.status_code, result.text[:200]))
    assert not wrong, wrong
