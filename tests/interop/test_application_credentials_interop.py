"""The genuine `openstack application credential ...` commands and keystoneauth's
`v3applicationcredential` plugin against a real `pocketstack serve`: a credential created with
one role authenticates (by id, and by name and user), reaches compute, and stops working once
deleted."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop

_PASSWORD_SETTINGS = (
    "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME", "OS_PROJECT_DOMAIN_NAME", "OS_TENANT_NAME",
)  # fmt: skip


def _by_credential(live: Live, **settings: str) -> Live:
    env = {k: v for k, v in live.env.items() if k not in _PASSWORD_SETTINGS}
    env["OS_AUTH_TYPE"] = "v3applicationcredential"
    env.update(settings)
    return Live(live.venv, env, live.workdir)


def _fails(live: Live, *argv: str) -> bool:
    result = subprocess.run(
        [str(live.venv / "bin" / "openstack"), *argv], env=live.env, capture_output=True,
        text=True, timeout=120, check=False, cwd=live.workdir,
    )  # fmt: skip
    return result.returncode != 0


def test_application_credential_lifecycle(live: Live) -> None:
    admin = live
    tag = uuid.uuid4().hex[:8]
    name, user, project = f"ci-{tag}", f"ciuser-{tag}", f"ciproj-{tag}"
    admin.json("openstack", "project", "create", project)
    admin.json("openstack", "user", "create", "--password", "pw-1", user)
    admin.run("openstack", "role", "add", "--user", user, "--project", project, "member")
    admin.run("openstack", "role", "add", "--user", user, "--project", project, "reader")
    live = Live(
        admin.venv,
        {**admin.env, "OS_USERNAME": user, "OS_PASSWORD": "pw-1", "OS_PROJECT_NAME": project},
        admin.workdir,
    )
    created = live.json(
        "openstack", "application", "credential", "create", "--secret", "s3cret-value",
        "--role", "member", "--description", "interop", name,
    )  # fmt: skip
    assert created["Name"] == name
    assert created["Secret"] == "s3cret-value"
    assert created["Unrestricted"] is False
    assert [role["name"] for role in created["Roles"]] == ["member"]
    shown = live.json("openstack", "application", "credential", "show", name)
    assert shown["ID"] == created["ID"]
    assert "Secret" not in shown
    listed = live.json("openstack", "application", "credential", "list")
    assert name in {row["Name"] for row in listed}

    by_id = _by_credential(
        live,
        OS_APPLICATION_CREDENTIAL_ID=created["ID"],
        OS_APPLICATION_CREDENTIAL_SECRET="s3cret-value",
    )
    token = by_id.json("openstack", "token", "issue")
    assert token["project_id"] == created["Project ID"]
    # Compute takes the credential's token.
    by_id.json("openstack", "server", "list")
    by_name = _by_credential(
        live,
        OS_APPLICATION_CREDENTIAL_NAME=name,
        OS_APPLICATION_CREDENTIAL_SECRET="s3cret-value",
        OS_USERNAME=user,
        OS_USER_DOMAIN_NAME="Default",
    )
    assert by_name.json("openstack", "token", "issue")["project_id"] == created["Project ID"]
    wrong = _by_credential(
        live, OS_APPLICATION_CREDENTIAL_ID=created["ID"], OS_APPLICATION_CREDENTIAL_SECRET="no"
    )
    assert _fails(wrong, "token", "issue")

    live.run("openstack", "application", "credential", "delete", name)
    assert _fails(by_id, "token", "issue")
