"""The genuine `openstack` client and keystoneauth's `v3totp` plugin against a real
`pocketstack serve`: a TOTP secret registered with `openstack credential create --type totp`,
then `openstack --os-auth-type v3totp --os-passcode ... server list` with the code an
authenticator app would show (computed here from the secret)."""

from __future__ import annotations

import base64
import secrets
import subprocess
import time
import uuid

import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop


def _passcode(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return TOTP(key, 6, SHA1(), 30).generate(time.time()).decode("ascii")


def _openstack(live: Live, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(live.venv / "bin" / "openstack"), *argv], env=live.env, capture_output=True,
        text=True, timeout=120, check=False, cwd=live.workdir,
    )  # fmt: skip


def test_openstack_server_list_with_a_totp_passcode(live: Live) -> None:
    admin = live
    tag = uuid.uuid4().hex[:8]
    user, project = f"totp-{tag}", f"totpproj-{tag}"
    admin.json("openstack", "project", "create", project)
    admin.json("openstack", "user", "create", "--password", "pw-1", user)
    admin.run("openstack", "role", "add", "--user", user, "--project", project, "member")
    secret = base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")
    created = admin.json("openstack", "credential", "create", "--type", "totp", user, secret)
    assert created["type"] == "totp"

    env = {k: v for k, v in admin.env.items() if k not in ("OS_PASSWORD", "OS_TENANT_NAME")}
    env.update(
        OS_AUTH_TYPE="v3totp", OS_USERNAME=user, OS_USER_DOMAIN_NAME="Default",
        OS_PROJECT_NAME=project, OS_PROJECT_DOMAIN_NAME="Default",
    )  # fmt: skip
    by_totp = Live(admin.venv, env, admin.workdir)
    listed = by_totp.json("openstack", "--os-passcode", _passcode(secret), "server", "list")
    assert listed == []
    token = by_totp.json("openstack", "--os-passcode", _passcode(secret), "token", "issue")
    assert token["user_id"] == admin.json("openstack", "user", "show", user)["id"]
    assert token["project_id"] == admin.json("openstack", "project", "show", project)["id"]

    good = _passcode(secret)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    refused = _openstack(by_totp, "--os-passcode", wrong, "server", "list")
    assert refused.returncode != 0
    assert "401" in refused.stderr
