"""Role assignments for admins: every assignment listed with names, a role granted to a user or a
group on a project, and a project assignment revoked, through the identity API."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.dashboard.identity_pages import IDENTITY, IdentityList, Row, named
from pocketstack.cloud.dashboard.sessions import Session
from pocketstack.cloud.dashboard.web import Page, field, redirect, resource_id

ACTORS = {"user": "users", "group": "groups"}


def _grant_path(actor: str, project_id: str, role_id: str) -> str:
    """The API path of one project grant; `actor` is "user:<id>" or "group:<id>" as the forms
    send it."""
    kind, _, actor_id = actor.partition(":")
    if kind not in ACTORS:
        raise falcon.HTTPBadRequest(title="Choose a user or a group.")
    return (f"/v3/projects/{resource_id(project_id, 'Project')}/{ACTORS[kind]}/"
            f"{resource_id(actor_id, kind.capitalize())}/roles/{resource_id(role_id, 'Role')}")


def _target(scope: dict[str, Any]) -> str:
    if "project" in scope:
        return f"Project {scope['project'].get('name', scope['project']['id'])}"
    if "domain" in scope:
        return f"Domain {scope['domain'].get('name', scope['domain']['id'])}"
    return "System"


class RoleAssignments(IdentityList):
    title, nav, noun, template, collection = (
        "Role Assignments", "identity_role_assignments", "role assignment",
        "identity_roles.html", "role_assignments")
    columns = ("Role", "Actor", "Target", "Inherited")

    def rows(self, session: Session) -> list[Row]:
        found = self.call(session, "GET", IDENTITY, "/v3/role_assignments",
                          query={"include_names": "true"})["role_assignments"]  # fmt: skip
        rows = []
        for entry in found:
            kind = "user" if "user" in entry else "group"
            actor = entry.get(kind, {})
            scope = entry.get("scope", {})
            inherited = "OS-INHERIT:inherited_to" in scope
            role = entry.get("role", {})
            # Only a direct project grant is revoked here: the row's id names it whole.
            direct = "project" in scope and not inherited and "id" in actor
            grant = (f"{kind}:{actor.get('id', '')}|{scope.get('project', {}).get('id', '')}|"
                     f"{role.get('id', '')}")  # fmt: skip
            who = f"{kind.capitalize()} {actor.get('name', actor.get('id', '-'))}"
            cells = (role.get("name", "-"), who, _target(scope), "Yes" if inherited else "No")
            rows.append(Row(grant, cells, direct))
        return sorted(rows, key=lambda row: row.cells)

    def choices(self, session: Session) -> dict[str, Any]:
        actors = [(f"user:{u['id']}", f"User {u['name']}") for u in named(self, session, "users")]
        actors += [(f"group:{g['id']}", f"Group {g['name']}")
                   for g in named(self, session, "groups")]  # fmt: skip
        return {"actors": actors, "all_projects": named(self, session, "projects"),
                "roles": named(self, session, "roles")}  # fmt: skip

    def create(self, session: Session, form: dict[str, list[str]]) -> None:
        path = _grant_path(field(form, "actor"), field(form, "project_id"), field(form, "role_id"))
        self.call(session, "PUT", IDENTITY, path)


class Revoke(Page):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session, form = self.posted(req)
        actor, _, rest = field(form, "id").partition("|")
        project_id, _, role_id = rest.partition("|")
        self.call(session, "DELETE", IDENTITY, _grant_path(actor, project_id, role_id))
        redirect(req, "/identity/role_assignments")
