"""Our client against a genuine OpenStack Keystone (from PyPI, tests/fixtures/keystone.py).

The real `pocketstack` CLI runs as a subprocess; the library's generic Password plugin and
Session are driven directly. Keystone speaks v3 only: the v2-era settings (an unversioned auth
URL, a tenant name, no domains) must still work by discovering v3 and using the Default domain,
as novaclient does; a `/v2.0` auth URL must fail with a clear error, not a traceback.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from pocketstack.client.auth.base import Scope
from pocketstack.client.auth.generic import Password
from pocketstack.client.auth.v3 import V3Password
from pocketstack.client.cache import AuthStateCache
from pocketstack.client.catalog import EndpointFilter
from pocketstack.client.debug import hash_token
from pocketstack.client.errors import EndpointNotFound, Unauthorized
from pocketstack.client.session import Session
from tests.fixtures.keystone import GenuineKeystone
from tests.fixtures.server import clean_env, pocketstack_command

pytestmark = pytest.mark.interop
REQUEST_LINE = re.compile(r"^\| (GET|POST|PUT|DELETE|HEAD) (\S+) +\| (\S+) +\|", re.MULTILINE)


def run(
    argv: list[str], env: dict[str, str], *, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*pocketstack_command(), *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def requests_of(stderr: str, base: str) -> list[tuple[str, str, str]]:
    """(method, path, status) of every request in the --timings table."""
    return [(m, url.removeprefix(base), status) for m, url, status in REQUEST_LINE.findall(stderr)]


def env_for(tmp_path: Path, settings: dict[str, str]) -> dict[str, str]:
    """A client environment with no OS_* of the developer's and a private auth cache."""
    return {**clean_env(), "XDG_CACHE_HOME": str(tmp_path / "cache"), **settings}


def validate(keystone: GenuineKeystone, token: str) -> dict[str, object]:
    """Keystone's own view of a token the client got (GET /v3/auth/tokens)."""
    admin = keystone.admin_token()
    status, _, body = keystone.api("GET", "/v3/auth/tokens", token=admin, subject_token=token)
    assert status == 200, body
    result: dict[str, object] = body["token"]
    return result


def test_token_issue_with_v3_auth_url(genuine_keystone: GenuineKeystone, tmp_path: Path) -> None:
    env = env_for(tmp_path, genuine_keystone.env())
    result = run(["--timings", "token", "issue", "-f", "json"], env)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["project_id"] == genuine_keystone.admin_project_id
    assert shown["user_id"] == genuine_keystone.admin_user_id
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", shown["expires"])
    assert requests_of(result.stderr, genuine_keystone.base_url) == [
        ("GET", "/v3", "200"),
        ("POST", "/v3/auth/tokens", "201"),
    ]
    token = validate(genuine_keystone, shown["id"])
    assert token["project"] == {
        "id": genuine_keystone.admin_project_id,
        "name": "admin",
        "domain": {"id": "default", "name": "Default"},
    }


@pytest.mark.parametrize("root", ["", "/"])
def test_v2_style_settings_discover_v3_at_the_unversioned_root(
    genuine_keystone: GenuineKeystone, tmp_path: Path, root: str
) -> None:
    # A v2-era openrc: tenant name, no domain, identity API 2, the unversioned Keystone root.
    env = env_for(
        tmp_path,
        {
            "OS_AUTH_URL": genuine_keystone.base_url + root,
            "OS_USERNAME": "admin",
            "OS_PASSWORD": genuine_keystone.admin_password,
            "OS_TENANT_NAME": "admin",
            "OS_IDENTITY_API_VERSION": "2",
        },
    )
    result = run(["--timings", "token", "issue", "-f", "value", "-c", "project_id"], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == genuine_keystone.admin_project_id
    assert requests_of(result.stderr, genuine_keystone.base_url) == [
        ("GET", root, "300"),
        ("POST", "/v3/auth/tokens", "201"),
    ]


@pytest.mark.parametrize("auth_type", ["password", "v3password"])
def test_v3_auth_url_without_domains_means_the_default_domain(
    genuine_keystone: GenuineKeystone, tmp_path: Path, auth_type: str
) -> None:
    settings = genuine_keystone.env()
    del settings["OS_USER_DOMAIN_NAME"], settings["OS_PROJECT_DOMAIN_NAME"]
    result = run(
        ["--os-auth-type", auth_type, "token", "issue", "-f", "value", "-c", "project_id"],
        env_for(tmp_path, settings),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == genuine_keystone.admin_project_id


def test_v2_auth_url_fails_clearly(genuine_keystone: GenuineKeystone, tmp_path: Path) -> None:
    # Keystone removed v2.0: discovery there fails, the URL path says v2, POST /v2.0/tokens 404s.
    settings = {**genuine_keystone.env(auth_url=f"{genuine_keystone.base_url}/v2.0")}
    del settings["OS_USER_DOMAIN_NAME"], settings["OS_PROJECT_DOMAIN_NAME"]
    result = run(["token", "issue"], env_for(tmp_path, settings))
    assert result.returncode == 1
    # A NotFound that names the auth URL as the likely culprit, and the request that 404ed.
    assert result.stderr.startswith("ERROR (AuthUrlNotFound): "), result.stderr
    assert f"The auth URL {genuine_keystone.base_url}/v2.0 is likely wrong" in result.stderr
    assert f"POST {genuine_keystone.base_url}/v2.0/tokens was not found" in result.stderr
    assert "(HTTP 404)" in result.stderr
    assert "Traceback" not in result.stderr
    assert genuine_keystone.admin_password not in result.stderr


def test_wrong_password_is_unauthorized(genuine_keystone: GenuineKeystone, tmp_path: Path) -> None:
    settings = {**genuine_keystone.env(), "OS_PASSWORD": "not-the-password"}
    result = run(["token", "issue"], env_for(tmp_path, settings))
    assert result.returncode == 1
    assert result.stderr.startswith("ERROR (Unauthorized): "), result.stderr
    assert "(HTTP 401)" in result.stderr
    assert "not-the-password" not in result.stderr


def test_catalog_list_shows_the_bootstrapped_endpoints_and_warm_run_sends_nothing(
    genuine_keystone: GenuineKeystone, tmp_path: Path
) -> None:
    env = env_for(tmp_path, genuine_keystone.env())
    cold = run(["--timings", "catalog", "list", "-f", "json"], env)
    assert cold.returncode == 0, cold.stderr
    services = {row["Type"]: row for row in json.loads(cold.stdout)}
    assert set(services) == {"identity", "compute"}
    assert services["identity"]["Name"] == "keystone"
    endpoints = services["identity"]["Endpoints"]
    identity = {(e["interface"], e["region_id"], e["url"]) for e in endpoints}
    assert identity == {
        (interface, "RegionOne", genuine_keystone.v3_url)
        for interface in ("public", "internal", "admin")
    }
    assert [(e["interface"], e["url"]) for e in services["compute"]["Endpoints"]] == [
        ("public", f"{genuine_keystone.base_url}/compute/v2.1")
    ]
    assert len(requests_of(cold.stderr, genuine_keystone.base_url)) == 2

    warm = run(["--timings", "catalog", "list", "-f", "json"], env)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout == cold.stdout
    assert "Total (0 requests)" in warm.stderr
    (cache_file,) = (tmp_path / "cache" / "pocketstack" / "auth").iterdir()
    assert cache_file.stat().st_mode & 0o077 == 0
    assert genuine_keystone.admin_password not in cache_file.read_text()

    table = run(["catalog", "list"], env)
    assert f"public: {genuine_keystone.v3_url}" in table.stdout
    assert "RegionOne" in table.stdout


def test_os_cloud_from_clouds_yaml(genuine_keystone: GenuineKeystone, tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    # No domain in clouds.yaml and the password in secure.yaml, as openstacksdk allows.
    (workdir / "clouds.yaml").write_text(
        "clouds:\n"
        "  genuine:\n"
        "    auth:\n"
        f"      auth_url: {genuine_keystone.base_url}\n"
        "      username: admin\n"
        "      project_name: admin\n"
        "    region_name: RegionOne\n"
    )
    (workdir / "secure.yaml").write_text(
        f"clouds:\n  genuine:\n    auth:\n      password: {genuine_keystone.admin_password}\n"
    )
    env = {**env_for(tmp_path, {}), "HOME": str(tmp_path / "home")}
    result = run(
        ["--os-cloud", "genuine", "token", "issue", "-f", "value", "-c", "project_id"],
        env,
        cwd=workdir,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == genuine_keystone.admin_project_id
    catalog = run(["--os-cloud", "genuine", "catalog", "list", "-f", "json"], env, cwd=workdir)
    assert catalog.returncode == 0, catalog.stderr
    assert {row["Type"] for row in json.loads(catalog.stdout)} == {"identity", "compute"}


def test_debug_masks_password_and_tokens(genuine_keystone: GenuineKeystone, tmp_path: Path) -> None:
    env = env_for(tmp_path, genuine_keystone.env(auth_url=genuine_keystone.base_url))
    result = run(["--no-cache", "--debug", "token", "issue", "-f", "value", "-c", "id"], env)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token
    assert genuine_keystone.admin_password not in result.stderr
    assert token not in result.stderr
    assert f"X-Subject-Token: {hash_token(token)}" in result.stderr
    assert f"curl -g -i -X POST {genuine_keystone.v3_url}/auth/tokens" in result.stderr
    assert '"password": "***"' in result.stderr
    assert validate(genuine_keystone, token)["user"] == {
        "id": genuine_keystone.admin_user_id,
        "name": "admin",
        "domain": {"id": "default", "name": "Default"},
        "password_expires_at": None,
    }


def test_library_generic_password_and_session(
    genuine_keystone: GenuineKeystone, tmp_path: Path
) -> None:
    auth = Password(
        auth_url=genuine_keystone.base_url,
        username="admin",
        password=genuine_keystone.admin_password,
        scope=Scope(project_name="admin"),
        default_domain_id="default",
        cache=AuthStateCache(directory=tmp_path / "auth"),
    )
    session = Session(auth=auth)
    try:
        access = auth.get_access(session)
        assert isinstance(auth.chosen, V3Password)
        assert access.project_id == genuine_keystone.admin_project_id
        assert access.user_id == genuine_keystone.admin_user_id
        catalog = access.service_catalog
        assert catalog.url_for(service_type="identity", region_name="RegionOne") == (
            genuine_keystone.v3_url
        )
        assert catalog.url_for(service_type="identity", interface="internalURL") == (
            genuine_keystone.v3_url
        )
        with pytest.raises(EndpointNotFound, match="image"):
            catalog.url_for(service_type="image")

        # A relative URL goes to the identity endpoint of the catalog, with the token.
        identity = EndpointFilter(service_type="identity", region_name="RegionOne")
        projects = session.request("/auth/projects", "GET", endpoint_filter=identity).json()
        assert genuine_keystone.admin_project_id in {p["id"] for p in projects["projects"]}

        # Keystone revokes the token: the next call gets 401, re-authenticates once, succeeds.
        first = access.auth_token
        status, _, _ = genuine_keystone.api(
            "DELETE", "/v3/auth/tokens", token=first, subject_token=first
        )
        assert status == 204
        sent_before = len(session.timings)
        again = session.request("/auth/projects", "GET", endpoint_filter=identity)
        assert again.status == 200
        statuses = [(t.method, t.status) for t in session.timings[sent_before:]]
        assert statuses == [("GET", 401), ("POST", 201), ("GET", 200)]
        assert auth.get_access(session).auth_token != first
    finally:
        session.close()

    wrong = Password(
        auth_url=genuine_keystone.v3_url,
        username="admin",
        password="not-the-password",
        scope=Scope(project_name="admin", project_domain_name="Default"),
        user_domain_name="Default",
    )
    with pytest.raises(Unauthorized):
        wrong.get_access(Session(auth=wrong))
