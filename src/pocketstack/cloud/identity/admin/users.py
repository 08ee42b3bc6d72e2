"""/v3/users: admin CRUD; users may read themselves and list their own projects."""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import Conflict, NotFound
from pocketstack.cloud.identity import (
    app_credential_reaping,
    directory,
    entities,
    project_tags,
    user_extras,
    user_options,
)
from pocketstack.cloud.identity.admin.common import conflicts, get_or_404, new_id
from pocketstack.cloud.identity.requests import UserCreate, UserUpdate
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links, isotime, query_bool
from pocketstack.cloud.store.models.identity import Domain, FailedLogin, Project, User

DEFAULT_DOMAIN_ID = "default"


def default_domain_id(session: Session, ctx: RequestContext) -> str:
    """Keystone puts new entities in the caller's domain: the scope's, or its project's."""
    if ctx.domain_id:
        return ctx.domain_id
    if ctx.project_id:
        found = session.execute(
            select(Project.domain_id).where(Project.id == ctx.project_id)
        ).scalar_one_or_none()
        if found:
            return str(found)
    return DEFAULT_DOMAIN_ID


def _check_domain(session: Session, domain_id: str) -> None:
    if session.get(Domain, domain_id) is None:
        raise NotFound(f"Could not find domain: {domain_id}.")


def _check_project(session: Session, project_id: str | None) -> None:
    if project_id is not None and session.get(Project, project_id) is None:
        raise NotFound(f"Could not find project: {project_id}.")


def _duplicate(session: Session, *, name: str, domain_id: str, exclude: str | None = None) -> None:
    query = select(User.id).where(User.name == name, User.domain_id == domain_id)
    found = session.execute(query).scalar_one_or_none()
    if found is not None and found != exclude:
        raise Conflict(
            "Conflict occurred attempting to store user - Duplicate entry found with name"
            f" {name} at domain ID {domain_id}."
        )


def _shown(ident: Identity, req: falcon.Request, row: User, extra: dict[str, Any],
           options: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    body = user_options.shown(user_extras.shown(entities.user(req, row), extra), options)
    expires = ident.password_rules.expires_at(row.password_created_at, options=options)
    body["password_expires_at"] = isotime(expires)
    return body


class Users:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = select(User).order_by(User.name, User.id)
        name = req.get_param("name")
        if name is not None:
            query = query.where(User.name == name)
        domain_id = req.get_param("domain_id")
        if domain_id is not None:
            query = query.where(User.domain_id == domain_id)
        enabled = query_bool(req, "enabled")
        if enabled is not None:
            query = query.where(User.enabled.is_(enabled))
        with self.identity.deps.store.session() as session:
            rows = session.execute(query).scalars().all()
            extras = user_extras.load(session, (row.id for row in rows))
            options = user_options.load(session, (row.id for row in rows))
            users = [_shown(self.identity, req, row, extras.get(row.id, {}),
                            options.get(row.id, {})) for row in rows]  # fmt: skip
        resp.media = {"users": users, "links": collection_links(req, "users")}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        new = request_of(req, UserCreate)
        name = new.name
        if new.password is not None:
            ident.password_rules.check_new(new.password)
        # Hash before the transaction: bcrypt is slow on purpose.
        password_hash = ident.hasher.hash(new.password) if new.password is not None else None
        with ident.deps.store.session(write=True) as session:
            domain_id = new.domain_id or default_domain_id(session, ctx)
            _check_domain(session, domain_id)
            _check_project(session, new.default_project_id)
            _duplicate(session, name=name, domain_id=domain_id)
            row = User(
                id=new_id(),
                name=name,
                domain_id=domain_id,
                password_hash=password_hash,
                password_created_at=ident.deps.clock.now() if password_hash else None,
                enabled=new.enabled,
                default_project_id=new.default_project_id,
                email=new.email,
                description=new.description,
            )
            session.add(row)
            with conflicts("user", f"Duplicate entry found with name {name}"):
                session.flush()
            extra = user_extras.merge(session, row.id, new.extra)
            body = _shown(ident, req, row, extra, user_options.apply(session, row.id, new.options))
        resp.status = falcon.HTTP_201
        resp.media = {"user": body}


class UserItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        self.identity.admin_or_self(req, user_id, "get_user")
        with self.identity.deps.store.session() as session:
            row = get_or_404(session, User, user_id, "user")
            extra = user_extras.load(session, [user_id]).get(user_id, {})
            options = user_options.of(session, user_id)
            resp.media = {"user": _shown(self.identity, req, row, extra, options)}

    def on_patch(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        ident = self.identity
        change = request_of(req, UserUpdate)
        name, enabled = change.name, change.enabled
        if change.password is not None:
            ident.password_rules.check_new(change.password)
        password_hash = ident.hasher.hash(change.password) if change.password is not None else None
        revoke = False
        with ident.deps.store.session(write=True) as session:
            row = get_or_404(session, User, user_id, "user")
            if name is not None and name != row.name:
                _duplicate(session, name=name, domain_id=row.domain_id, exclude=row.id)
                row.name = name
            if enabled is not None:
                if row.enabled and not enabled:
                    revoke = True
                    app_credential_reaping.of_user(session, user_id)
                row.enabled = enabled
            if password_hash is not None:
                # An administrator's reset is not held to the history, but joins it.
                ident.password_rules.remember(session, user_id=user_id, replaced=row.password_hash,
                                              now=ident.deps.clock.now())  # fmt: skip
                row.password_hash = password_hash
                row.password_created_at = ident.deps.clock.now()
                session.execute(delete(FailedLogin).where(FailedLogin.user_id == user_id))
                revoke = True
            if change.sets("default_project_id"):
                _check_project(session, change.default_project_id)
                row.default_project_id = change.default_project_id
            if change.sets("email"):
                row.email = change.email
            if change.sets("description"):
                row.description = change.description
            with conflicts("user", "Duplicate entry"):
                session.flush()
            extra = user_extras.merge(session, user_id, change.extra)
            body = _shown(ident, req, row, extra,
                          user_options.apply(session, user_id, change.options))  # fmt: skip
        if revoke:
            # A new password or a disabled account ends every token the user holds.
            ident.deps.tokens.revoke_user(user_id)
        resp.media = {"user": body}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        ident = self.identity
        with ident.deps.store.session(write=True) as session:
            row = get_or_404(session, User, user_id, "user")
            session.delete(row)
        ident.deps.tokens.revoke_user(user_id)
        resp.status = falcon.HTTP_204


class UserProjects:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        self.identity.admin_or_self(req, user_id, "list_user_projects")
        with self.identity.deps.store.session() as session:
            get_or_404(session, User, user_id, "user")
            rows = directory.projects_for_user(session, user_id)
            tags = project_tags.tags_by_project(session, [row.id for row in rows])
            projects = [{**entities.project(req, row), "tags": tags[row.id]} for row in rows]
        resp.media = {
            "projects": projects,
            "links": collection_links(req, f"users/{user_id}/projects"),
        }
