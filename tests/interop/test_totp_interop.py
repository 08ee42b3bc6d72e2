"""The genuine `openstack` client and keystoneauth's `v3totp` plugin against a real
`pocketstack serve`: a TOTP secret registered with `openstack credential create --type totp`,
then `openstack --os-auth-type v3totp --os-passcode ... server list` with the code an
authenticator app would show (computed here from the secret)."""

from __future__ import annotations

import base64
import json
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


# keystoneauth's receipt flow (the genuine library, in the interop venv): a password alone
# raises MissingAuthMethods with the receipt; the receipt plus a passcode gets the token; and
# its MultiFactor plugin sends both methods at once.
_RECEIPT_FLOW = """
import json, sys
from keystoneauth1 import exceptions, session
from keystoneauth1.identity import v3

a = json.loads(sys.argv[1])
scope = dict(project_name=a["project"], project_domain_name="Default")
user = dict(username=a["user"], user_domain_name="Default")
try:
    session.Session(auth=v3.Password(a["auth_url"], password="pw-1", **user, **scope)).get_token()
    sys.exit("a password alone got a token")
except exceptions.MissingAuthMethods as missing:
    receipt, methods, required = missing.receipt, missing.methods, missing.required_auth_methods
second = v3.Auth(a["auth_url"], [v3.ReceiptMethod(receipt=receipt),
                                 v3.TOTPMethod(passcode=a["passcode"], **user)], **scope)
sess = session.Session(auth=second)
sess.get_token()
both = v3.MultiFactor(a["auth_url"], ["v3password", "v3totp"], password="pw-1",
                      passcode=a["passcode"], **user, **scope)
both_sess = session.Session(auth=both)
both_sess.get_token()
print(json.dumps({"methods": methods, "required": required,
                  "token_methods": sorted(second.get_access(sess)._data["token"]["methods"]),
                  "both_methods": sorted(both.get_access(both_sess)._data["token"]["methods"])}))
"""


def test_mfa_rules_set_by_openstack_and_keystoneauths_receipt_flow(live: Live) -> None:
    admin = live
    tag = uuid.uuid4().hex[:8]
    user, project = f"mfa-{tag}", f"mfaproj-{tag}"
    admin.json("openstack", "project", "create", project)
    admin.json("openstack", "user", "create", "--password", "pw-1", user)
    admin.run("openstack", "role", "add", "--user", user, "--project", project, "member")
    secret = base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")
    admin.json("openstack", "credential", "create", "--type", "totp", user, secret)
    admin.run(
        "openstack", "user", "set", "--enable-multi-factor-auth",
        "--multi-factor-auth-rule", "password,totp", user,
    )  # fmt: skip
    shown = admin.json("openstack", "user", "show", user)
    assert shown["options"] == {
        "multi_factor_auth_enabled": True,
        "multi_factor_auth_rules": [["password", "totp"]],
    }

    args = {"auth_url": admin.env["OS_AUTH_URL"], "user": user, "project": project,
            "passcode": _passcode(secret)}  # fmt: skip
    result = subprocess.run(
        [str(live.venv / "bin" / "python"), "-c", _RECEIPT_FLOW, json.dumps(args)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    flow = json.loads(result.stdout)
    assert flow["methods"] == ["password"]
    assert sorted(map(sorted, flow["required"])) == [["password", "totp"]]
    assert flow["token_methods"] == ["password", "totp"]
    assert flow["both_methods"] == ["password", "totp"]

    # One factor through the openstack client is refused now.
    env = {k: v for k, v in admin.env.items() if k not in ("OS_PASSWORD", "OS_TENANT_NAME")}
    env.update(
        OS_AUTH_TYPE="v3totp", OS_USERNAME=user, OS_USER_DOMAIN_NAME="Default",
        OS_PROJECT_NAME=project, OS_PROJECT_DOMAIN_NAME="Default",
    )  # fmt: skip
    one_factor = _openstack(
        Live(admin.venv, env, admin.workdir), "--os-passcode", _passcode(secret), "server", "list"
    )
    assert one_factor.returncode != 0
