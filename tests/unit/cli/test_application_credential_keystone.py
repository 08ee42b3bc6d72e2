"""`pocketstack` with an application credential made in a genuine Keystone with Keystone's API:
the proof that our request is the one upstream's application_credential method takes.

The real CLI runs as a subprocess (tests/fixtures/keystone.py starts Keystone). Keystone has
no compute service of its own, so `token issue` and `catalog list` stand for `list`: they
authenticate exactly as `list` does.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.keystone import GenuineKeystone
from tests.fixtures.server import clean_env, pocketstack_command

pytestmark = pytest.mark.interop
NAME = "pocketstack-ci"


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


@pytest.fixture(scope="module")
def credential(genuine_keystone: GenuineKeystone) -> dict[str, Any]:
    """An application credential of the admin on the admin project, made by Keystone."""
    token = genuine_keystone.admin_token()
    status, _, body = genuine_keystone.api(
        "POST",
        f"/v3/users/{genuine_keystone.admin_user_id}/application_credentials",
        token=token,
        body={"application_credential": {"name": NAME}},
    )
    assert status == 201, body
    created: dict[str, Any] = body["application_credential"]
    return created


def keystone_view(keystone: GenuineKeystone, token: str) -> dict[str, Any]:
    status, _, body = keystone.api(
        "GET", "/v3/auth/tokens", token=keystone.admin_token(), subject_token=token
    )
    assert status == 200, body
    result: dict[str, Any] = body["token"]
    return result


def test_token_from_the_environment_clouds_yaml_and_flags(
    genuine_keystone: GenuineKeystone, credential: dict[str, Any], tmp_path: Path
) -> None:
    base = {**clean_env(), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    by_id_env = {
        **base,
        "OS_AUTH_TYPE": "v3applicationcredential",
        "OS_AUTH_URL": genuine_keystone.v3_url,
        "OS_APPLICATION_CREDENTIAL_ID": credential["id"],
        "OS_APPLICATION_CREDENTIAL_SECRET": credential["secret"],
    }
    workdir = tmp_path / "work"
    workdir.mkdir()
    # By name and user, the unversioned auth URL, the secret in secure.yaml.
    (workdir / "clouds.yaml").write_text(
        "clouds:\n"
        "  ci:\n"
        "    auth_type: application_credential\n"
        "    auth:\n"
        f"      auth_url: {genuine_keystone.base_url}\n"
        f"      application_credential_name: {NAME}\n"
        "      username: admin\n"
        "      user_domain_name: Default\n"
    )
    (workdir / "secure.yaml").write_text(
        f"clouds:\n  ci:\n    auth:\n      application_credential_secret: {credential['secret']}\n"
    )
    flags = [
        "--os-auth-type", "v3applicationcredential",
        "--os-auth-url", genuine_keystone.v3_url,
        "--os-application-credential-name", NAME,
        "--os-application-credential-secret", credential["secret"],
        "--os-user-id", genuine_keystone.admin_user_id,
    ]  # fmt: skip
    runs = {
        "env": run(["--no-cache", "token", "issue", "-f", "json"], by_id_env),
        "clouds.yaml": run(
            ["--os-cloud", "ci", "--no-cache", "token", "issue", "-f", "json"],
            {**base, "HOME": str(tmp_path / "home")},
            cwd=workdir,
        ),
        "flags": run([*flags, "--no-cache", "token", "issue", "-f", "json"], base),
    }
    for source, result in runs.items():
        assert result.returncode == 0, (source, result.stderr)
        shown = json.loads(result.stdout)
        assert shown["project_id"] == credential["project_id"] == genuine_keystone.admin_project_id
        token = keystone_view(genuine_keystone, shown["id"])
        assert token["methods"] == ["application_credential"], source
        assert token["application_credential"]["id"] == credential["id"], source
        assert token["user"]["id"] == genuine_keystone.admin_user_id

    # Cached by the credential: the second catalog list sends nothing; no file holds the secret.
    cold = run(["--timings", "catalog", "list", "-f", "json"], by_id_env)
    assert cold.returncode == 0, cold.stderr
    assert {row["Type"] for row in json.loads(cold.stdout)} == {"identity", "compute"}
    warm = run(["--timings", "catalog", "list", "-f", "json"], by_id_env)
    assert (warm.returncode, warm.stdout) == (0, cold.stdout)
    assert "Total (0 requests)" in warm.stderr
    for path in (tmp_path / "cache" / "pocketstack" / "auth").iterdir():
        assert credential["secret"] not in path.read_text()


def test_debug_masks_the_secret_and_a_wrong_one_is_401(
    genuine_keystone: GenuineKeystone, credential: dict[str, Any], tmp_path: Path
) -> None:
    env = {
        **clean_env(),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "OS_AUTH_TYPE": "v3applicationcredential",
        "OS_AUTH_URL": genuine_keystone.v3_url,
        "OS_APPLICATION_CREDENTIAL_ID": credential["id"],
        "OS_APPLICATION_CREDENTIAL_SECRET": credential["secret"],
    }
    debug = run(["--debug", "--no-cache", "token", "issue", "-f", "value", "-c", "id"], env)
    assert debug.returncode == 0, debug.stderr
    assert '"secret": "***"' in debug.stderr
    assert credential["secret"] not in debug.stderr

    wrong = run(["token", "issue"], {**env, "OS_APPLICATION_CREDENTIAL_SECRET": "not-it"})
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("ERROR (Unauthorized): "), wrong.stderr
    assert "(HTTP 401)" in wrong.stderr
    assert "not-it" not in wrong.stderr
