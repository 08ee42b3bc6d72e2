"""The genuine upstream clients (keystoneauth1, python-openstackclient) against a real `serve`."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.server import LiveCloud, clean_env

pytestmark = [pytest.mark.interop, pytest.mark.slow]

KSA_SCRIPT = """
import json, sys
from keystoneauth1 import session
from keystoneauth1.identity import generic

auth_url, password, with_domains = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
kwargs = dict(auth_url=auth_url, username="admin", password=password, project_name="admin")
if with_domains:
    kwargs.update(user_domain_name="Default", project_domain_name="Default")
plugin = generic.Password(**kwargs)
sess = session.Session(auth=plugin)
access = plugin.get_access(sess)
print(json.dumps({
    "version": access.version,
    "project_name": access.project_name,
    "user_name": access.username,
    "has_token": bool(sess.get_token()),
    "compute": sess.get_endpoint(service_type="compute", interface="public"),
}))
"""


def run(venv: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        args,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=venv,
    )
    assert result.returncode == 0, f"{args}\nstdout:{result.stdout}\nstderr:{result.stderr}"
    return result


def openstack(venv: Path, cloud: LiveCloud, *args: str, env: dict[str, str] | None = None) -> Any:
    result = run(venv, [str(venv / "bin" / "openstack"), *args], env or cloud.client_env())
    return json.loads(result.stdout) if "-f" in args else result.stdout


@pytest.mark.parametrize(
    ("suffix", "version", "domains"), [("v2.0", "v2.0", "0"), ("v3", "v3", "1")]
)
def test_keystoneauth_generic_password_through_discovery(
    interop_venv: Path, live_cloud: LiveCloud, suffix: str, version: str, domains: str
) -> None:
    result = run(
        interop_venv,
        [
            str(interop_venv / "bin" / "python"),
            "-c",
            KSA_SCRIPT,
            f"{live_cloud.identity_url}/{suffix}",
            live_cloud.admin_password,
            domains,
        ],
        clean_env(),
    )
    data = json.loads(result.stdout)
    assert data["version"] == version
    assert data["project_name"] == "admin"
    assert data["user_name"] == "admin"
    assert data["has_token"] is True
    assert data["compute"] == f"{live_cloud.base_url}/compute/v2.1"


def test_openstack_token_issue_and_catalog_list(interop_venv: Path, live_cloud: LiveCloud) -> None:
    token = openstack(interop_venv, live_cloud, "token", "issue", "-f", "json")
    assert token["id"]
    assert token["project_id"]
    assert token["user_id"]
    catalog = openstack(interop_venv, live_cloud, "catalog", "list", "-f", "json")
    assert {entry["Type"] for entry in catalog} >= {"identity", "compute", "image"}
    endpoints = openstack(interop_venv, live_cloud, "endpoint", "list", "-f", "json")
    urls = {e["URL"] for e in endpoints}
    assert f"{live_cloud.base_url}/compute/v2.1" in urls
    assert {e["Interface"] for e in endpoints} == {"public", "internal", "admin"}


def test_openstack_project_user_role(interop_venv: Path, live_cloud: LiveCloud) -> None:
    suffix = uuid.uuid4().hex[:8]
    project = openstack(
        interop_venv, live_cloud, "project", "create", f"proj-{suffix}", "-f", "json"
    )
    assert project["name"] == f"proj-{suffix}"
    assert project["domain_id"] == "default"
    user = openstack(
        interop_venv,
        live_cloud,
        "user",
        "create",
        "--password",
        "pw-interop",
        f"user-{suffix}",
        "-f",
        "json",
    )
    assert user["name"] == f"user-{suffix}"
    openstack(
        interop_venv,
        live_cloud,
        "role",
        "add",
        "--project",
        f"proj-{suffix}",
        "--user",
        f"user-{suffix}",
        "member",
    )
    env = live_cloud.client_env()
    env.update(
        {
            "OS_USERNAME": f"user-{suffix}",
            "OS_PASSWORD": "pw-interop",
            "OS_PROJECT_NAME": f"proj-{suffix}",
        }
    )
    token = openstack(interop_venv, live_cloud, "token", "issue", "-f", "json", env=env)
    assert token["project_id"] == project["id"]
    assert token["user_id"] == user["id"]
