"""/v3/groups, their members, and /v3/users/{u}/groups.

Keystone's default rules, which depend on the group's (and the user's) domain and so are checked
here rather than declared: an admin may do anything; a reader may read the groups of the system
(a system-scoped token) or of the domain their token is scoped to; a domain manager may change
the groups of their domain; a user may list their own groups. A domain-scoped token sees only
its domain's groups and members, as Keystone filters them.
"""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.identity import entities
from pocketstack.cloud.identity.admin import group_tokens
from pocketstack.cloud.identity.admin.common import conflicts, get_or_404, new_id
from pocketstack.cloud.identity.admin.users import default_domain_id
from pocketstack.cloud.identity.errors import PolicyDenied
from pocketstack.cloud.identity.group_requests import GroupCreate, GroupUpdate
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links, query_bool, v3_url
from pocketstack.cloud.store.models.identity import Domain, Group, User, UserGroupMembership

MANAGER_ROLE = "manager"


def render(req: falcon.Request, row: Group) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "domain_id": row.domain_id,
        "description": row.description or "",
        "links": {"self": v3_url(req, "groups", row.id)},
    }


# --- Keystone's default rules ---------------------------------------------------------------


def _in_scope(ctx: RequestContext, domain_ids: tuple[str, ...]) -> bool:
    return ctx.domain_id is not None and all(d == ctx.domain_id for d in domain_ids)


def may_read(ctx: RequestContext, *domain_ids: str) -> bool:
    """`admin_required`, or a reader of the system or of the domain(s) the target is in."""
    if ctx.is_admin:
        return True
    return ctx.can_read and (ctx.payload.system or _in_scope(ctx, domain_ids))


def may_manage(ctx: RequestContext, *domain_ids: str) -> bool:
    """`admin_required`, or a manager of the domain(s) the target is in."""
    return ctx.is_admin or (MANAGER_ROLE in ctx.roles and _in_scope(ctx, domain_ids))


def _sees_everything(ctx: RequestContext) -> bool:
    # Who learns that a group does not exist (404) rather than being refused (403): Keystone
    # checks its rule against an empty target, which only an admin or a system reader passes.
    return ctx.is_admin or (ctx.can_read and ctx.payload.system)


def _group(
    session: Session, ctx: RequestContext, group_id: str, action: str, *, lock: bool = False
) -> Group:
    """`lock`: held until the commit, so that no membership or grant of the group is added
    between the reading of what a change takes away and the change (inserting either waits for
    the group's row on PostgreSQL and MariaDB; SQLite runs one write at a time anyway)."""
    row = session.get(Group, group_id, with_for_update=lock)
    if row is None:
        if not _sees_everything(ctx):
            raise PolicyDenied(f"identity:{action}")
        raise NotFound(f"Could not find group: {group_id}.")
    return row


def _user(session: Session, ctx: RequestContext, user_id: str, action: str) -> User:
    row = session.get(User, user_id)
    if row is None:
        if not _sees_everything(ctx):
            raise PolicyDenied(f"identity:{action}")
        raise NotFound(f"Could not find user: {user_id}.")
    return row


def _duplicate(name: str, domain_id: str) -> str:
    return f"Duplicate entry found with name {name} at domain ID {domain_id}"


# --- /v3/groups -----------------------------------------------------------------------------


class Groups:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = self.identity.caller(req)
        if not (ctx.is_admin or (ctx.can_read and (ctx.payload.system or ctx.domain_id))):
            raise PolicyDenied("identity:list_groups")
        query = select(Group).order_by(Group.name, Group.id)
        for key, column in (("name", Group.name), ("domain_id", Group.domain_id)):
            value = req.get_param(key)
            if value is not None:
                query = query.where(column == value)
        if ctx.domain_id is not None:
            query = query.where(Group.domain_id == ctx.domain_id)
        with self.identity.deps.store.session() as session:
            groups = [render(req, row) for row in session.execute(query).scalars()]
        resp.media = {"groups": groups, "links": collection_links(req, "groups")}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        new = request_of(req, GroupCreate)
        with ident.deps.store.session(write=True) as session:
            domain_id = new.domain_id or default_domain_id(session, ctx)
            if not may_manage(ctx, domain_id):
                raise PolicyDenied("identity:create_group")
            get_or_404(session, Domain, domain_id, "domain")
            row = Group(
                id=new_id(), name=new.name, domain_id=domain_id, description=new.description
            )
            session.add(row)
            with conflicts("group", _duplicate(new.name, domain_id)):
                session.flush()
            body = render(req, row)
        resp.status = falcon.HTTP_201
        resp.media = {"group": body}


class GroupItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, group_id: str) -> None:
        ctx = self.identity.caller(req)
        with self.identity.deps.store.session() as session:
            row = _group(session, ctx, group_id, "get_group")
            if not may_read(ctx, row.domain_id):
                raise PolicyDenied("identity:get_group")
            resp.media = {"group": render(req, row)}

    def on_patch(self, req: falcon.Request, resp: falcon.Response, group_id: str) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        change = request_of(req, GroupUpdate)
        with ident.deps.store.session(write=True) as session:
            row = _group(session, ctx, group_id, "update_group")
            if not may_manage(ctx, row.domain_id):
                raise PolicyDenied("identity:update_group")
            if change.domain_id is not None and change.domain_id != row.domain_id:
                raise BadRequest("Cannot change Domain ID")
            if change.name is not None:
                row.name = change.name
            if change.description is not None:
                row.description = change.description
            with conflicts("group", _duplicate(row.name, row.domain_id)):
                session.flush()
            body = render(req, row)
        resp.media = {"group": body}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, group_id: str) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        with ident.deps.store.session(write=True) as session:
            row = _group(session, ctx, group_id, "delete_group", lock=True)
            if not may_manage(ctx, row.domain_id):
                raise PolicyDenied("identity:delete_group")
            # Read before the delete cascades to the memberships and grants.
            lost = group_tokens.of_group(session, group_id)
            session.delete(row)
        group_tokens.revoke(ident.deps.tokens, lost)
        resp.status = falcon.HTTP_204


# --- membership -----------------------------------------------------------------------------


class GroupUsers:
    """GET /v3/groups/{g}/users."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, group_id: str) -> None:
        ctx = self.identity.caller(req)
        query = (
            select(User)
            .join(UserGroupMembership, UserGroupMembership.user_id == User.id)
            .where(UserGroupMembership.group_id == group_id)
            .order_by(User.name, User.id)
        )
        for key, column in (("name", User.name), ("domain_id", User.domain_id)):
            value = req.get_param(key)
            if value is not None:
                query = query.where(column == value)
        enabled = query_bool(req, "enabled")
        if enabled is not None:
            query = query.where(User.enabled.is_(enabled))
        if ctx.domain_id is not None:
            query = query.where(User.domain_id == ctx.domain_id)
        with self.identity.deps.store.session() as session:
            group = _group(session, ctx, group_id, "list_users_in_group")
            if not may_read(ctx, group.domain_id):
                raise PolicyDenied("identity:list_users_in_group")
            users = [entities.user(req, row) for row in session.execute(query).scalars()]
        resp.media = {"users": users, "links": collection_links(req, f"groups/{group_id}/users")}


class GroupMember:
    """PUT/HEAD/GET/DELETE /v3/groups/{g}/users/{u}."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def _pair(
        self,
        session: Session,
        ctx: RequestContext,
        group_id: str,
        user_id: str,
        action: str,
        *,
        lock: bool = False,
    ) -> tuple[Group, User]:
        group = _group(session, ctx, group_id, action, lock=lock)
        user = _user(session, ctx, user_id, action)
        return group, user

    def on_put(
        self, req: falcon.Request, resp: falcon.Response, group_id: str, user_id: str
    ) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        with ident.deps.store.session(write=True) as session:
            group, user = self._pair(session, ctx, group_id, user_id, "add_user_to_group")
            if not may_manage(ctx, group.domain_id, user.domain_id):
                raise PolicyDenied("identity:add_user_to_group")
            if session.get(UserGroupMembership, (group_id, user_id)) is None:
                try:
                    with session.begin_nested():
                        session.add(UserGroupMembership(group_id=group_id, user_id=user_id))
                except IntegrityError:
                    # The same membership committed since the check is added all the same, as
                    # Keystone's PUT is idempotent; a user or group deleted since is not.
                    if session.get(
                        UserGroupMembership, (group_id, user_id), populate_existing=True
                    ) is None:
                        if session.get(User, user_id, populate_existing=True) is None:
                            raise NotFound(f"Could not find user: {user_id}.") from None
                        raise NotFound(f"Could not find group: {group_id}.") from None
        resp.status = falcon.HTTP_204

    def on_head(
        self, req: falcon.Request, resp: falcon.Response, group_id: str, user_id: str
    ) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        with ident.deps.store.session() as session:
            group, user = self._pair(session, ctx, group_id, user_id, "check_user_in_group")
            if not may_read(ctx, group.domain_id, user.domain_id):
                raise PolicyDenied("identity:check_user_in_group")
            if session.get(UserGroupMembership, (group_id, user_id)) is None:
                raise NotFound(f"User '{user_id}' not found in group '{group_id}'")
        resp.status = falcon.HTTP_204

    on_get = on_head

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, group_id: str, user_id: str
    ) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        with ident.deps.store.session(write=True) as session:
            group, user = self._pair(
                session, ctx, group_id, user_id, "remove_user_from_group", lock=True
            )
            if not may_manage(ctx, group.domain_id, user.domain_id):
                raise PolicyDenied("identity:remove_user_from_group")
            lost = group_tokens.of_membership(session, group_id, user_id)
            gone = session.execute(
                delete(UserGroupMembership).where(
                    UserGroupMembership.group_id == group_id,
                    UserGroupMembership.user_id == user_id,
                )
            )
            if not gone.rowcount:  # type: ignore[attr-defined]
                raise NotFound(f"User '{user_id}' not found in group '{group_id}'")
        group_tokens.revoke(ident.deps.tokens, lost)
        resp.status = falcon.HTTP_204


class UserGroups:
    """GET /v3/users/{u}/groups: the owner, an admin, or a reader of the user's domain."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        ctx = self.identity.caller(req)
        query = (
            select(Group)
            .join(UserGroupMembership, UserGroupMembership.group_id == Group.id)
            .where(UserGroupMembership.user_id == user_id)
            .order_by(Group.name, Group.id)
        )
        name = req.get_param("name")
        if name is not None:
            query = query.where(Group.name == name)
        if ctx.domain_id is not None:
            query = query.where(Group.domain_id == ctx.domain_id)
        with self.identity.deps.store.session() as session:
            if ctx.user_id != user_id:
                user = _user(session, ctx, user_id, "list_groups_for_user")
                if not may_read(ctx, user.domain_id):
                    raise PolicyDenied("identity:list_groups_for_user")
            else:
                get_or_404(session, User, user_id, "user")
            groups = [render(req, row) for row in session.execute(query).scalars()]
        resp.media = {"groups": groups, "links": collection_links(req, f"users/{user_id}/groups")}
