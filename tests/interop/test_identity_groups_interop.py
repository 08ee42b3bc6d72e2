"""The genuine `openstack group ...`, `role add --group`, `role assignment list --effective` and
`user password set` commands against a real `pocketstack serve`: a user who holds a role only
through a group logs into the project, changes their own password, and loses the project when
they leave the group."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop


def _as(live: Live, user: str, password: str, project: str) -> Live:
    env = {**live.env, "OS_USERNAME": user, "OS_PASSWORD": password, "OS_PROJECT_NAME": project}
    return Live(live.venv, env, live.workdir)


def _openstack(live: Live, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(live.venv / "bin" / "openstack"), *argv], env=live.env, capture_output=True,
        text=True, timeout=120, check=False, cwd=live.workdir,
    )  # fmt: skip


def _token_fails(live: Live) -> bool:
    return _openstack(live, "token", "issue", "-f", "json").returncode != 0


def test_group_membership_roles_and_password_change(live: Live) -> None:
    tag = uuid.uuid4().hex[:8]
    project, user, group = f"gproj-{tag}", f"guser-{tag}", f"grp-{tag}"
    live.json("openstack", "project", "create", project)
    created_user = live.json("openstack", "user", "create", "--password", "pw-1", user)
    created = live.json("openstack", "group", "create", "--description", "interop", group)
    assert created["name"] == group
    assert created["domain_id"] == "default"
    assert created["description"] == "interop"
    live.run("openstack", "group", "add", "user", group, user)
    assert live.run("openstack", "group", "contains", "user", group, user).strip() == (
        f"{user} in group {group}"
    )
    assert group in {row["Name"] for row in live.json("openstack", "group", "list")}
    mine = live.json("openstack", "group", "list", "--user", user)
    assert [row["Name"] for row in mine] == [group]
    members = live.json("openstack", "user", "list", "--group", group)
    assert [row["Name"] for row in members] == [user]

    live.run("openstack", "role", "add", "--group", group, "--project", project, "member")
    direct = live.json("openstack", "role", "assignment", "list", "--group", group, "--names")
    assert [(r["Role"], r["Group"], r["Project"]) for r in direct] == [
        ("member", f"{group}@Default", f"{project}@Default")
    ]
    effective = live.json(
        "openstack", "role", "assignment", "list", "--effective", "--names", "--user", user
    )
    assert [(r["Role"], r["User"], r["Project"]) for r in effective] == [
        ("member", f"{user}@Default", f"{project}@Default")
    ]

    # The user's own view: a project token through the group, then a new password.
    theirs = _as(live, user, "pw-1", project)
    token = theirs.json("openstack", "token", "issue")
    assert token["user_id"] == created_user["id"]
    theirs.run(
        "openstack", "user", "password", "set", "--original-password", "pw-1",
        "--password", "pw-2",
    )  # fmt: skip
    assert _token_fails(theirs)
    renewed = _as(live, user, "pw-2", project)
    assert renewed.json("openstack", "token", "issue")["user_id"] == created_user["id"]

    live.run("openstack", "group", "remove", "user", group, user)
    # Told on stderr, as the client words it.
    absent = _openstack(live, "group", "contains", "user", group, user)
    assert absent.stderr.strip() == f"{user} not in group {group}"
    assert _token_fails(renewed)
    live.run("openstack", "group", "delete", group)
    assert group not in {row["Name"] for row in live.json("openstack", "group", "list")}
    live.run("openstack", "user", "delete", user)
    live.run("openstack", "project", "delete", project)
