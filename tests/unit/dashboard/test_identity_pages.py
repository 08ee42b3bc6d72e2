"""The admin's identity pages as forms: projects, users and groups made and deleted, roles
granted on projects and revoked, each through the identity API under its policy."""

from __future__ import annotations

import json
import re
from typing import Any

from pocketstack.cloud.app import WSGIApp
from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import admin_token, create_user
from tests.unit.dashboard.browser import Browser, api, names

USERS = "/dashboard/identity/users"


def _find(app: WSGIApp, deps: CloudDeps, kind: str, name: str) -> list[dict[str, Any]]:
    answer = api(app, "GET", f"/identity/v3/{kind}?name={name}", admin_token(deps))
    found: list[dict[str, Any]] = json.loads(answer.body)[kind]
    return found


def _roles(app: WSGIApp, deps: CloudDeps, query: str) -> list[str]:
    answer = api(app, "GET", f"/identity/v3/role_assignments?include_names=true&{query}",
                 admin_token(deps))  # fmt: skip
    return sorted(entry["role"]["name"] for entry in json.loads(answer.body)["role_assignments"])


def _option(page: str, label: str) -> str:
    """The value of the form's option with this label (a role's id)."""
    found = re.search(rf'<option value="([0-9a-f]+)"[^>]*>{label}</option>', page)
    assert found, label
    return found.group(1)


def test_a_project_and_its_first_user_made_from_the_dashboard_can_sign_in(
    app: WSGIApp, browser: Browser, cloud_deps: CloudDeps
) -> None:
    browser.login()
    csrf = browser.csrf(browser.go("GET", "/dashboard/identity/projects"))
    made = browser.go("POST", "/dashboard/identity/projects",
                      {"csrf_token": csrf, "name": "orange", "enabled": "1"})  # fmt: skip
    assert made.status == 303
    (project,) = _find(app, cloud_deps, "projects", "orange")
    assert project["enabled"] is True
    form = browser.go("GET", USERS).body.decode()
    role_id = _option(form, "member")
    user = {"csrf_token": csrf, "name": "olive", "email": "olive@example.org",
            "password": "Orange-1-Juice", "confirm_password": "Orange-1-Juice",
            "project_id": project["id"], "role_id": role_id, "enabled": "1"}  # fmt: skip
    assert browser.go("POST", USERS, user).status == 303
    (olive,) = _find(app, cloud_deps, "users", "olive")
    assert (olive["email"], olive["default_project_id"]) == ("olive@example.org", project["id"])
    assert _roles(app, cloud_deps, f"user.id={olive['id']}") == ["member"]
    listing = browser.go("GET", "/dashboard/identity/role_assignments").body.decode()
    assert "<td>member</td><td>User olive</td><td>Project orange</td>" in listing

    newcomer = Browser(app)
    landed = newcomer.login("olive", "Orange-1-Juice")
    assert landed.status == 303
    assert names(newcomer.go("GET", "/dashboard/project/instances")) == []
    assert b"orange" in newcomer.go("GET", "/dashboard/project/overview").body

    grant = f"user:{olive['id']}|{project['id']}|{role_id}"
    assert browser.go("POST", "/dashboard/identity/role_assignments/delete",
                      {"csrf_token": csrf, "id": grant}).status == 303  # fmt: skip
    assert _roles(app, cloud_deps, f"user.id={olive['id']}") == []
    assert browser.go("POST", "/dashboard/identity/users/delete",
                      {"csrf_token": csrf, "id": olive["id"]}).status == 303  # fmt: skip
    assert _find(app, cloud_deps, "users", "olive") == []
    assert browser.go("POST", "/dashboard/identity/projects/delete",
                      {"csrf_token": csrf, "id": project["id"]}).status == 303  # fmt: skip
    assert _find(app, cloud_deps, "projects", "orange") == []


def test_a_refused_user_is_not_left_half_made_and_the_form_keeps_what_was_typed(
    app: WSGIApp, browser: Browser, cloud_deps: CloudDeps
) -> None:
    browser.login()
    page = browser.go("GET", USERS)
    csrf = browser.csrf(page)
    typo = browser.go("POST", USERS, {"csrf_token": csrf, "name": "pat", "password": "One-1-x",
                                      "confirm_password": "Two-2-y"})  # fmt: skip
    assert typo.status == 400
    assert b"do not match" in typo.body
    # A role that is not there: the user the form made first is deleted again.
    admin_project = _find(app, cloud_deps, "projects", "admin")[0]["id"]
    refused = browser.go("POST", USERS, {
        "csrf_token": csrf, "name": "pat", "email": "pat@example.org", "password": "Pat-1-pat",
        "confirm_password": "Pat-1-pat", "project_id": admin_project,
        "role_id": "0" * 32})  # fmt: skip
    assert refused.status == 404
    assert b'value="pat@example.org"' in refused.body
    assert b"Pat-1-pat" not in refused.body
    assert _find(app, cloud_deps, "users", "pat") == []


def test_a_group_is_granted_a_role_then_revoked_and_deleted(
    app: WSGIApp, browser: Browser, cloud_deps: CloudDeps
) -> None:
    browser.login()
    csrf = browser.csrf(browser.go("GET", "/dashboard/identity/groups"))
    assert browser.go("POST", "/dashboard/identity/groups", {
        "csrf_token": csrf, "name": "ops", "description": "on call"}).status == 303  # fmt: skip
    (group,) = _find(app, cloud_deps, "groups", "ops")
    page = browser.go("GET", "/dashboard/identity/role_assignments").body.decode()
    assert f'value="group:{group["id"]}"' in page
    project = _find(app, cloud_deps, "projects", "admin")[0]["id"]
    role_id = _option(page, "reader")
    assert browser.go("POST", "/dashboard/identity/role_assignments", {
        "csrf_token": csrf, "actor": f"group:{group['id']}", "project_id": project,
        "role_id": role_id}).status == 303  # fmt: skip
    assert _roles(app, cloud_deps, f"group.id={group['id']}") == ["reader"]
    grant = f"group:{group['id']}|{project}|{role_id}"
    assert browser.go("POST", "/dashboard/identity/role_assignments/delete",
                      {"csrf_token": csrf, "id": grant}).status == 303  # fmt: skip
    assert _roles(app, cloud_deps, f"group.id={group['id']}") == []
    assert browser.go("POST", "/dashboard/identity/groups/delete",
                      {"csrf_token": csrf, "id": group["id"]}).status == 303  # fmt: skip
    assert _find(app, cloud_deps, "groups", "ops") == []


def test_a_member_cannot_delete_a_user_and_an_admin_is_offered_no_delete_of_itself(
    app: WSGIApp, browser: Browser, cloud_deps: CloudDeps
) -> None:
    carol = create_user(cloud_deps, name="carol", project_name="green")
    browser.login()
    users = browser.go("GET", USERS).body.decode()
    assert 'aria-label="Delete user carol' in users
    assert 'aria-label="Delete user admin' not in users
    member = Browser(app)
    member.login("carol", carol.password)
    csrf = member.csrf(member.go("GET", "/dashboard/project/overview"))
    (admin,) = _find(app, cloud_deps, "users", "admin")
    refused = member.go("POST", "/dashboard/identity/users/delete",
                        {"csrf_token": csrf, "id": admin["id"]})  # fmt: skip
    assert refused.status == 403
    assert len(_find(app, cloud_deps, "users", "admin")) == 1
