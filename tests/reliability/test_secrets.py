"""Secrets stay secret: the CLI with `--debug` and a server logging at debug level, through a whole
flow (token issue, catalog list, list, a create through the API, a password change, a failed
login, v2.0 token checks) never show a password, a clear token or a Fernet key — in the CLI's
output or in the server's logs. Token-cache and key files are 0600, and refused when group- or
world-readable.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from pocketstack.client.cache import AuthStateCache
from pocketstack.cloud.auth.keys import KeyRepository
from pocketstack.cloud.errors import ConfigError
from tests.fixtures.server import clean_env, pocketstack_command
from tests.reliability.conftest import Served, ServeFactory, issue_password_token, password_auth

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cli(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*pocketstack_command(), *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def _cli_env(
    served: Served, *, user: str, password: str, project: str, cache: Path
) -> dict[str, str]:
    return {
        **clean_env(),
        "OS_AUTH_URL": f"{served.base_url}/identity/v3",
        "OS_USERNAME": user,
        "OS_PASSWORD": password,
        "OS_PROJECT_NAME": project,
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_PROJECT_DOMAIN_NAME": "Default",
        "OS_IDENTITY_API_VERSION": "3",
        "OS_REGION_NAME": "RegionOne",
        "XDG_CACHE_HOME": str(cache),
    }


def _cached_tokens(cache: Path) -> set[str]:
    """Every token the CLI kept in its auth cache (looked up by walking the JSON)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                named = key in ("token", "token_id", "auth_token", "id")
                if named and isinstance(item, str) and len(item) > 100:
                    found.add(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in cache.rglob("*.json"):
        walk(json.loads(path.read_text()))
    return found


def _leaks(text: str, secrets: dict[str, str]) -> list[str]:
    return [name for name, secret in secrets.items() if secret and secret in text]


@pytest.fixture
def debug_cloud(tmp_path: Path, serve_factory: ServeFactory) -> Served:
    return serve_factory(tmp_path / "data", config='log_level = "debug"\n', workers=2)


def test_no_secret_in_debug_output_or_server_logs(debug_cloud: Served, tmp_path: Path) -> None:
    served = debug_cloud
    admin = served.admin_token()
    secrets: dict[str, str] = {"admin password": served.admin_password, "admin token": admin}
    for key_file in sorted((served.data_dir / "fernet-keys").iterdir()):
        secrets[f"fernet key {key_file.name}"] = key_file.read_text().strip()

    # A member of their own project, made through the API (their password travels in a body).
    member_password = f"member-{uuid.uuid4().hex}"
    secrets["member password"] = member_password
    project = served.request(
        "POST",
        "/identity/v3/projects",
        token=admin,
        body={"project": {"name": "secrets", "domain_id": "default"}},
    ).json()["project"]
    user = served.request(
        "POST",
        "/identity/v3/users",
        token=admin,
        body={
            "user": {
                "name": "keeper",
                "password": member_password,
                "domain_id": "default",
                "default_project_id": project["id"],
            }
        },
    ).json()["user"]
    member_role = served.request("GET", "/identity/v3/roles?name=member", token=admin).json()
    assert (
        served.request(
            "PUT",
            f"/identity/v3/projects/{project['id']}/users/{user['id']}/roles/"
            f"{member_role['roles'][0]['id']}",
            token=admin,
        ).status
        == 204
    )

    cache = tmp_path / "cache"
    env = _cli_env(served, user="keeper", password=member_password, project="secrets", cache=cache)
    outputs: dict[str, str] = {}
    issued = _cli("--debug", "token", "issue", "-f", "json", env=env)
    assert issued.returncode == 0, issued.stderr
    cli_token = json.loads(issued.stdout)["id"]
    secrets["CLI token"] = cli_token
    # The token `token issue` was asked for is its stdout by design; its debug log is not.
    outputs["token issue (stderr)"] = issued.stderr
    for name, argv in {
        "catalog list": ("--debug", "catalog", "list"),
        "list": ("--debug", "list"),
        "list --all-tenants as member": ("--debug", "list", "--all-tenants"),
        "list (no cache)": ("--debug", "--no-cache", "list"),
    }.items():
        result = _cli(*argv, env=env)
        outputs[name] = result.stdout + result.stderr
        # A member may not list all projects' servers: that one fails (403), the rest work.
        assert (result.returncode == 0) == ("all-tenants" not in name), (name, result.stderr)
    assert "REQ: curl" in outputs["list (no cache)"], "the CLI's --debug log is missing"
    assert "{SHA256}" in outputs["list (no cache)"], "tokens are not shown hashed"
    wrong = _cli(
        "--debug", "--no-cache", "list", env={**env, "OS_PASSWORD": "wrong-" + member_password}
    )
    assert wrong.returncode != 0
    secrets["wrong password"] = "wrong-" + member_password
    outputs["failed login"] = wrong.stdout + wrong.stderr
    for token in _cached_tokens(cache):
        secrets[f"cached token {token[:8]}"] = token

    # Through the API: a create with an admin password, v2.0 checks (the token in the path),
    # a password change and a failed login.
    member_token = issue_password_token(
        served.base_url, "keeper", member_password, project_id=project["id"]
    )
    secrets["member token"] = member_token
    admin_pass = f"root-{uuid.uuid4().hex}"
    secrets["server adminPass"] = admin_pass
    created = served.request(
        "POST",
        "/compute/v2.1/servers",
        token=member_token,
        body={
            "server": {
                "name": "secret-keeper",
                "imageRef": served.request("GET", "/image/v2/images", token=member_token).json()[
                    "images"
                ][0]["id"],
                "flavorRef": "1",
                "networks": "auto",
                "adminPass": admin_pass,
            }
        },
    )
    assert created.status == 202, created
    failed = served.request(
        "POST", "/identity/v3/auth/tokens", body=password_auth("keeper", "not-" + member_password)
    )
    assert failed.status == 401
    secrets["failed password"] = "not-" + member_password
    new_password = f"changed-{uuid.uuid4().hex}"
    secrets["new password"] = new_password
    changed = served.request(
        "PATCH",
        f"/identity/v3/users/{user['id']}",
        token=admin,
        body={"user": {"password": new_password}},
    )
    assert changed.status == 200, changed
    assert served.request("GET", "/compute/v2.1/servers", token=member_token).status == 401
    v2 = served.request(
        "POST",
        "/identity/v2.0/tokens",
        body={
            "auth": {
                "passwordCredentials": {"username": "keeper", "password": new_password},
                "tenantId": project["id"],
            }
        },
    )
    assert v2.status == 200, v2
    secrets["v2 token"] = v2.json()["access"]["token"]["id"]
    assert served.request("GET", "/compute/v2/servers", token=secrets["v2 token"]).status == 200

    log = served.log_file.read_text()
    outputs["server log"] = log
    outputs["server console"] = served.output.read_text()
    assert " DEBUG " in log, "the server did not log at debug level"
    assert "POST /identity/v3/auth/tokens" in log, "the server's access log is missing"
    found = {where: _leaks(text, secrets) for where, text in outputs.items()}
    assert not any(found.values()), {where: names for where, names in found.items() if names}


def test_v2_token_paths_are_not_logged_in_clear(debug_cloud: Served) -> None:
    served = debug_cloud
    admin = served.admin_token()
    v2 = served.request(
        "POST",
        "/identity/v2.0/tokens",
        body={
            "auth": {
                "passwordCredentials": {"username": "admin", "password": served.admin_password},
                "tenantName": "admin",
            }
        },
    )
    assert v2.status == 200, v2
    v2_token = v2.json()["access"]["token"]["id"]
    assert served.request("GET", f"/identity/v2.0/tokens/{v2_token}", token=admin).status == 200
    assert served.request("HEAD", f"/identity/v2.0/tokens/{v2_token}", token=admin).status == 200
    # An encoded slash is no separator: these name no route, and are logged hashed all the same.
    for slash in ("%2F", "%2f", "%252F"):
        path = f"/identity/v2.0/tokens{slash}{v2_token}"
        assert served.request("GET", path, token=admin).status == 404, path
    # Any other escape is decoded as usual (%67 is g), and the log does not keep it either.
    escaped = f"/identity/v2.0/tokens/%{ord(v2_token[0]):02X}{v2_token[1:]}"
    assert served.request("GET", escaped, token=admin).status == 200
    listed = served.request("GET", f"/compute/v2.1/servers?name={v2_token}", token=admin)
    assert listed.status == 200
    assert served.request("DELETE", f"/identity/v2.0/tokens/{v2_token}", token=admin).status == 204
    digest = hashlib.sha256(v2_token.encode()).hexdigest()
    # An access line is written once its response is sent: the last one may lag the client.
    deadline = time.monotonic() + 10
    log = served.log_file.read_text()
    while log.count(digest) < 8 and time.monotonic() < deadline:
        time.sleep(0.1)
        log = served.log_file.read_text()
    assert "/identity/v2.0/tokens/" in log, "the requests were not logged at all"
    assert "/identity/v2.0/tokens%2F{SHA256}" in log
    assert log.count(digest) >= 8, "a request of the token was not logged, or not hashed"
    for text in (log, served.output.read_text()):
        assert v2_token not in text
        # Not a stretch of it either (as an escaped token would leave).
        assert v2_token[10:50] not in text


def test_token_cache_files_are_private_and_loose_ones_are_refused(
    debug_cloud: Served, tmp_path: Path
) -> None:
    served = debug_cloud
    cache = tmp_path / "cache"
    env = _cli_env(
        served, user="admin", password=served.admin_password, project="admin", cache=cache
    )
    first = _cli("--debug", "list", env=env)
    assert first.returncode == 0, first.stderr
    files = list((cache / "pocketstack" / "auth").glob("*.json"))
    assert files, "the CLI kept no auth state"
    assert _mode(cache / "pocketstack" / "auth") == 0o700
    for path in files:
        assert _mode(path) == 0o600
    warm = _cli("--debug", "list", env=env)
    assert warm.returncode == 0, warm.stderr
    assert "/auth/tokens" not in warm.stderr, "a private cache should be used"
    for loose in (0o640, 0o604, 0o644):
        for path in files:
            os.chmod(path, loose)
        result = _cli("--debug", "list", env=env)
        assert result.returncode == 0, result.stderr
        # Not trusted: the CLI authenticated again instead of using the cached token.
        assert "-X POST" in result.stderr, oct(loose)
        assert "/identity/v3/auth/tokens" in result.stderr, oct(loose)
        for path in (cache / "pocketstack" / "auth").glob("*.json"):
            assert _mode(path) == 0o600  # the fresh state was written privately again
        files = list((cache / "pocketstack" / "auth").glob("*.json"))


def test_auth_cache_refuses_loose_files_in_process(tmp_path: Path) -> None:
    cache = AuthStateCache(directory=tmp_path / "auth")
    cache.save("ab12", {"token": "t" * 120})
    path = cache.path_for("ab12")
    assert _mode(path) == 0o600
    assert _mode(tmp_path / "auth") == 0o700
    assert cache.load("ab12") is not None
    for loose in (0o640, 0o604, 0o660, 0o606):
        os.chmod(path, loose)
        assert cache.load("ab12") is None, oct(loose)


def test_key_files_are_private_and_loose_ones_are_refused(
    debug_cloud: Served, tmp_path: Path
) -> None:
    served = debug_cloud
    repository = served.data_dir / "fernet-keys"
    assert _mode(repository) == 0o700
    for key_file in repository.iterdir():
        assert _mode(key_file) == 0o600, key_file
    assert _mode(served.data_dir / "admin-password") == 0o600
    assert _mode(served.log_file) == 0o600
    # A rotation writes its new key privately too.
    rotated = _cli("manage", "fernet-rotate", "--data-dir", str(served.data_dir), env=clean_env())
    assert rotated.returncode == 0, rotated.stderr
    for key_file in repository.iterdir():
        assert _mode(key_file) == 0o600, key_file

    copy = tmp_path / "keys"
    keys = KeyRepository(copy)
    keys.setup()
    token = keys.fernet().encrypt(b"x")
    for name, loose in (("1", 0o640), ("1", 0o604), ("0", 0o644)):
        os.chmod(copy / name, loose)
        with pytest.raises(ConfigError, match="group or others"):
            KeyRepository(copy).fernet()
        os.chmod(copy / name, 0o600)
    os.chmod(copy, 0o750)
    with pytest.raises(ConfigError, match="group or others"):
        KeyRepository(copy).fernet()
    with pytest.raises(ConfigError, match="group or others"):
        KeyRepository(copy).rotate()
    os.chmod(copy, 0o700)
    assert KeyRepository(copy).fernet().decrypt(token) == b"x"
