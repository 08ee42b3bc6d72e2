"""The identity pages for admins: projects, users and groups made and deleted, roles granted on
projects and revoked; each a call to the identity API with the session's token, so a member
gets that API's 403 (shown as a page) and an admin exactly what the API allows."""

from __future__ import annotations

import dataclasses
from typing import Any

import falcon

from pocketstack.cloud.dashboard.sessions import Session
from pocketstack.cloud.dashboard.web import Page, field, redirect, refusal, resource_id, yes

IDENTITY = "/identity"


@dataclasses.dataclass(frozen=True)
class Row:
    id: str
    cells: tuple[str, ...]
    # False: no Delete for this row (the signed-in user's own).
    deletable: bool = True


class IdentityList(Page):
    """One identity list with its create form and each row's Delete."""

    title = ""
    nav = ""
    noun = ""
    template = ""
    collection = ""
    columns: tuple[str, ...] = ()

    def rows(self, session: Session) -> list[Row]:
        raise NotImplementedError

    def choices(self, session: Session) -> dict[str, Any]:
        """What the create form offers to pick from."""
        return {}

    def page(self, req: falcon.Request, resp: falcon.Response, session: Session, *,
             error: str | None = None, status: int = 200,
             form: dict[str, list[str]] | None = None) -> None:  # fmt: skip
        self.render(req, resp, self.template, {
            "title": self.title, "nav": self.nav, "noun": self.noun, "columns": self.columns,
            "rows": self.rows(session), "error": error,
            # A refused form comes back filled in (never its passwords).
            "form": {name: values[0] for name, values in (form or {}).items()
                     if values and "password" not in name},
            "collection": self.collection, **self.choices(session),
        }, session=session, status=status)  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.page(req, resp, self.session(req))

    def create(self, session: Session, form: dict[str, list[str]]) -> None:
        raise NotImplementedError

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session, form = self.posted(req)
        refused = refusal(lambda: self.create(session, form))
        if refused is not None:
            self.page(req, resp, session, error=str(refused), status=refused.answer.status,
                      form=form)  # fmt: skip
            return
        redirect(req, f"/identity/{self.collection}")


class Delete(Page):
    """Deletes the row the form names from one identity collection."""

    collection = ""

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session, form = self.posted(req)
        target = resource_id(field(form, "id"), self.collection.rstrip("s").capitalize())
        self.call(session, "DELETE", IDENTITY, f"/v3/{self.collection}/{target}")
        redirect(req, f"/identity/{self.collection}")


def named(page: Page, session: Session, collection: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.call(session, "GET", IDENTITY, f"/v3/{collection}")[
        collection]
    return sorted(found, key=lambda entry: (entry["name"], entry["id"]))


class Projects(IdentityList):
    title, nav, noun, template, collection = (
        "Projects", "identity_projects", "project", "identity_projects.html", "projects")
    columns = ("Name", "Description", "Project ID", "Domain ID", "Enabled")

    def rows(self, session: Session) -> list[Row]:
        return [Row(p["id"], (p["name"], p.get("description") or "-", p["id"],
                              p.get("domain_id", "-"), yes(p.get("enabled", True))))
                for p in named(self, session, "projects")]  # fmt: skip

    def create(self, session: Session, form: dict[str, list[str]]) -> None:
        self.call(session, "POST", IDENTITY, "/v3/projects", body={"project": {
            "name": field(form, "name"), "description": field(form, "description"),
            "enabled": "enabled" in form}})  # fmt: skip


class Users(IdentityList):
    title, nav, noun, template, collection = (
        "Users", "identity_users", "user", "identity_users.html", "users")
    columns = ("User Name", "Email", "User ID", "Domain ID", "Enabled")

    def rows(self, session: Session) -> list[Row]:
        return [Row(u["id"], (u["name"], u.get("email") or "-", u["id"], u.get("domain_id", "-"),
                              yes(u.get("enabled", True))), u["id"] != session.user_id)
                for u in named(self, session, "users")]  # fmt: skip

    def choices(self, session: Session) -> dict[str, Any]:
        return {"all_projects": named(self, session, "projects"),
                "roles": named(self, session, "roles")}  # fmt: skip

    def create(self, session: Session, form: dict[str, list[str]]) -> None:
        """The user, then (as Horizon's form) a role on the primary project; a user whose role
        was refused is deleted again, so the form can be sent again as it is."""
        if field(form, "password") != field(form, "confirm_password"):
            raise falcon.HTTPBadRequest(title="The passwords do not match.")
        user: dict[str, Any] = {"name": field(form, "name"), "password": field(form, "password"),
                                "enabled": "enabled" in form}  # fmt: skip
        if field(form, "email"):
            user["email"] = field(form, "email")
        project = field(form, "project_id")
        if project:
            user["default_project_id"] = project
        made = self.call(session, "POST", IDENTITY, "/v3/users", body={"user": user})["user"]
        role = field(form, "role_id")
        if not (project and role):
            return
        path = (f"/v3/projects/{resource_id(project, 'Project')}/users/"
                f"{resource_id(made['id'], 'User')}/roles/{resource_id(role, 'Role')}")  # fmt: skip
        refused = refusal(lambda: self.call(session, "PUT", IDENTITY, path))
        if refused is not None:
            self.call(session, "DELETE", IDENTITY, f"/v3/users/{resource_id(made['id'], 'User')}")
            raise refused


class Groups(IdentityList):
    title, nav, noun, template, collection = (
        "Groups", "identity_groups", "group", "identity_groups.html", "groups")
    columns = ("Name", "Description", "Group ID", "Domain ID")

    def rows(self, session: Session) -> list[Row]:
        return [Row(g["id"], (g["name"], g.get("description") or "-", g["id"],
                              g.get("domain_id", "-")))
                for g in named(self, session, "groups")]  # fmt: skip

    def create(self, session: Session, form: dict[str, list[str]]) -> None:
        self.call(session, "POST", IDENTITY, "/v3/groups", body={"group": {
            "name": field(form, "name"), "description": field(form, "description")}})  # fmt: skip


class ProjectDelete(Delete):
    collection = "projects"


class UserDelete(Delete):
    collection = "users"


class GroupDelete(Delete):
    collection = "groups"
