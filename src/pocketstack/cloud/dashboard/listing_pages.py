"""Pages that are one table of a list the API gives: for admins, the identity pages (projects,
users, groups, role assignments)."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.dashboard.sessions import Session
from pocketstack.cloud.dashboard.web import Page

IDENTITY = "/identity"


def _yes(value: Any) -> str:
    return "Yes" if value else "No"


class Table(Page):
    """A list page: `fetch` gives the rows for the session; the template is listing.html."""

    title = ""
    nav = ""
    columns: tuple[str, ...] = ()

    def fetch(self, session: Session) -> list[list[str]]:
        raise NotImplementedError

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        session = self.session(req)
        self.render(req, resp, "listing.html", {
            "title": self.title, "nav": self.nav, "columns": self.columns,
            "rows": self.fetch(session), "next_url": "",
        }, session=session)  # fmt: skip


class Projects(Table):
    title, nav = "Projects", "identity_projects"
    columns = ("Name", "Description", "Project ID", "Domain ID", "Enabled")

    def fetch(self, session: Session) -> list[list[str]]:
        found = self.call(session, "GET", IDENTITY, "/v3/projects")["projects"]
        return [[p["name"], p.get("description") or "-", p["id"], p.get("domain_id", "-"),
                 _yes(p.get("enabled", True))]
                for p in sorted(found, key=lambda p: p["name"])]  # fmt: skip


class Users(Table):
    title, nav = "Users", "identity_users"
    columns = ("User Name", "Email", "User ID", "Domain ID", "Enabled")

    def fetch(self, session: Session) -> list[list[str]]:
        found = self.call(session, "GET", IDENTITY, "/v3/users")["users"]
        return [[u["name"], u.get("email") or "-", u["id"], u.get("domain_id", "-"),
                 _yes(u.get("enabled", True))]
                for u in sorted(found, key=lambda u: u["name"])]  # fmt: skip


class Groups(Table):
    title, nav = "Groups", "identity_groups"
    columns = ("Name", "Description", "Group ID", "Domain ID")

    def fetch(self, session: Session) -> list[list[str]]:
        found = self.call(session, "GET", IDENTITY, "/v3/groups")["groups"]
        return [[g["name"], g.get("description") or "-", g["id"], g.get("domain_id", "-")]
                for g in sorted(found, key=lambda g: g["name"])]  # fmt: skip


class RoleAssignments(Table):
    title, nav = "Role Assignments", "identity_role_assignments"
    columns = ("Role", "Actor", "Target", "Inherited")

    def fetch(self, session: Session) -> list[list[str]]:
        found = self.call(session, "GET", IDENTITY, "/v3/role_assignments",
                          query={"include_names": "true"})["role_assignments"]
        rows = []
        for entry in found:
            actor = entry.get("user") or entry.get("group") or {}
            kind = "User" if "user" in entry else "Group"
            scope = entry.get("scope", {})
            target = (f"Project {scope['project'].get('name', scope['project']['id'])}"
                      if "project" in scope else
                      f"Domain {scope['domain'].get('name', scope['domain']['id'])}"
                      if "domain" in scope else "System")  # fmt: skip
            rows.append([entry.get("role", {}).get("name", "-"),
                         f"{kind} {actor.get('name', actor.get('id', '-'))}", target,
                         _yes("OS-INHERIT:inherited_to" in scope)])  # fmt: skip
        return sorted(rows)
