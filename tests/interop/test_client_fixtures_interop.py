"""keystoneauth1's own view of the world (its `fixture` token and discovery builders), fed to
our discovery, access, catalog and generic Password plugin."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from pocketstack.client.access import AccessInfoV2, AccessInfoV3, access_from_body
from pocketstack.client.auth.base import Scope
from pocketstack.client.auth.discovery import parse_versions
from pocketstack.client.auth.generic import Password
from pocketstack.client.auth.v2 import V2Password
from pocketstack.client.auth.v3 import V3Password
from pocketstack.client.session import Session
from pocketstack.client.transport.wsgi import WSGITransport

pytestmark = pytest.mark.interop
BASE = "http://keystone.test"

BUILD = f"""
import json
from keystoneauth1 import fixture

v2 = fixture.V2Token(token_id="v2-token", tenant_id="t1", tenant_name="demo",
                     user_id="u1", user_name="alice")
v2.add_role(name="member")
service = v2.add_service("compute", name="nova")
service.add_endpoint(public="http://nova.test/v2.1", internal="http://nova-int.test/v2.1",
                     admin="http://nova-adm.test/v2.1", region="RegionOne")
v3 = fixture.V3Token(user_id="u1", user_name="alice", user_domain_id="default",
                     project_id="t1", project_name="demo", project_domain_id="default")
v3.add_role(name="member")
v3_service = v3.add_service("compute", name="nova")
v3_service.add_standard_endpoints(public="http://nova.test/v2.1",
                                  internal="http://nova-int.test/v2.1",
                                  admin="http://nova-adm.test/v2.1", region="RegionOne")
print(json.dumps({{
    "v2": v2, "v3": v3,
    "list": fixture.DiscoveryList(href="{BASE}/"),
    "v3doc": {{"version": fixture.V3Discovery(href="{BASE}/v3/")}},
    "v2doc": {{"version": fixture.V2Discovery(href="{BASE}/v2.0/")}},
}}))
"""


@pytest.fixture(scope="module")
def documents(interop_venv: Path) -> dict[str, Any]:
    result = subprocess.run(
        [str(interop_venv / "bin" / "python"), "-c", BUILD],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_discovery_shapes(documents: dict[str, Any]) -> None:
    versions = parse_versions(documents["list"], url=f"{BASE}/")
    assert [v.version[0] for v in versions] == [3, 2]
    assert versions[0].url.rstrip("/") == f"{BASE}/v3"
    (v3,) = parse_versions(documents["v3doc"], url=f"{BASE}/v3")
    assert v3.version[0] == 3
    (v2,) = parse_versions(documents["v2doc"], url=f"{BASE}/v2.0")
    assert (v2.version, v2.url) == ((2, 0), f"{BASE}/v2.0/")
    # Nova style: a bare list under "versions".
    assert parse_versions({"versions": documents["list"]["versions"]["values"]}, url=BASE)


def test_v2_token(documents: dict[str, Any]) -> None:
    access = access_from_body(documents["v2"])
    assert isinstance(access, AccessInfoV2)
    assert (access.auth_token, access.project_name, access.username) == (
        "v2-token",
        "demo",
        "alice",
    )
    assert access.role_names == ["member"]
    catalog = access.service_catalog
    assert catalog.url_for(service_type="compute", interface="publicURL") == "http://nova.test/v2.1"
    assert (
        catalog.url_for(service_type="compute", interface="internal", region_name="RegionOne")
        == "http://nova-int.test/v2.1"
    )


def test_v3_token(documents: dict[str, Any]) -> None:
    access = access_from_body(documents["v3"], auth_token="v3-token")
    assert isinstance(access, AccessInfoV3)
    assert (access.project_id, access.user_domain_id, access.role_names) == (
        "t1",
        "default",
        ["member"],
    )
    assert (
        access.service_catalog.url_for(
            service_type="compute", interface="admin", region_name="RegionOne"
        )
        == "http://nova-adm.test/v2.1"
    )


class _Keystone:
    """Answers with keystoneauth's documents: 300 at the root, tokens on POST."""

    def __init__(self, documents: dict[str, Any]) -> None:
        self.documents = documents

    def __call__(self, environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"].rstrip("/")
        headers = [("Content-Type", "application/json")]
        if method == "GET" and path == "":
            status, body = "300 Multiple Choices", self.documents["list"]
        elif method == "POST" and path == "/v3/auth/tokens":
            status, body = "201 Created", self.documents["v3"]
            headers.append(("X-Subject-Token", "v3-token"))
        elif method == "POST" and path == "/v2.0/tokens":
            status, body = "200 OK", self.documents["v2"]
        else:
            status, body = "404 Not Found", {"error": {"code": 404, "message": "no"}}
        start(status, headers)
        return [json.dumps(body).encode()]


@pytest.mark.parametrize(("domains", "chosen"), [(True, V3Password), (False, V3Password)])
def test_generic_password_against_keystoneauth_documents(
    documents: dict[str, Any], domains: bool, chosen: type
) -> None:
    domain = "Default" if domains else None
    plugin = Password(
        auth_url=f"{BASE}/",
        username="alice",
        password="pw",
        user_domain_name=domain,
        scope=Scope(project_name="demo", project_domain_name=domain),
    )
    session = Session(auth=plugin, transport=WSGITransport(_Keystone(documents)))
    access = plugin.get_access(session)
    assert isinstance(plugin.chosen, chosen)
    assert access.auth_token == "v3-token"


def test_generic_password_v2_only(documents: dict[str, Any]) -> None:
    documents = {**documents, "list": documents["v2doc"]}
    plugin = Password(
        auth_url=f"{BASE}/", username="alice", password="pw", scope=Scope(project_name="demo")
    )
    session = Session(auth=plugin, transport=WSGITransport(_Keystone(documents)))
    assert plugin.get_access(session).auth_token == "v2-token"
    assert isinstance(plugin.chosen, V2Password)
