"""GET /v3/role_assignments: the grants to users and groups, or (`effective`) what each user
holds, group grants expanded into one assignment per member (with `links.membership`), as
Keystone lists them. `include_subtree` takes the projects under `scope.project.id` too.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import falcon
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links, query_flag, v3_url
from pocketstack.cloud.store.models.identity import (
    Domain,
    Group,
    GroupRoleAssignment,
    Project,
    Role,
    RoleAssignment,
    User,
    UserGroupMembership,
)

# Projects deeper than this under the scope are not listed (Keystone caps its hierarchy too).
MAX_SUBTREE_DEPTH = 64


@dataclasses.dataclass(frozen=True)
class _Assignment:
    """One row of the listing: an actor holds a role on a target, maybe through a group."""

    target_type: str
    target_id: str
    actor: str  # "user" or "group"
    actor_id: str
    role_id: str
    # The group a user's assignment comes through (effective listings only).
    via_group: str | None = None


def _order(a: _Assignment) -> tuple[str, ...]:
    return (a.actor, a.actor_id, a.target_type, a.target_id, a.role_id, a.via_group or "")


def _grant_path(a: _Assignment) -> str:
    actor = f"groups/{a.via_group}" if a.via_group else f"{a.actor}s/{a.actor_id}"
    target = "system" if a.target_type == "system" else f"{a.target_type}s/{a.target_id}"
    return f"{target}/{actor}/roles/{a.role_id}"


@dataclasses.dataclass(frozen=True)
class _Filters:
    user_id: str | None
    group_id: str | None
    role_id: str | None
    project_ids: tuple[str, ...] | None
    domain_id: str | None
    system: bool
    effective: bool

    def targets(self, type_col: Any, id_col: Any) -> list[ColumnElement[bool]]:
        if self.project_ids is not None:
            return [type_col == "project", id_col.in_(self.project_ids)]
        if self.domain_id is not None:
            return [type_col == "domain", id_col == self.domain_id]
        if self.system:
            return [type_col == "system"]
        return []


def _filters(req: falcon.Request, session: Session) -> _Filters:
    """Keystone's combinations: one actor, one kind of scope, no group filter when effective."""
    get = req.get_param
    project_id, domain_id = get("scope.project.id"), get("scope.domain.id")
    system = get("scope.system") is not None
    effective = query_flag(req, "effective")
    if project_id and domain_id:
        raise BadRequest("Specify a domain or project, not both")
    if system and domain_id:
        raise BadRequest("Specify system or domain, not both")
    if system and project_id:
        raise BadRequest("Specify system or project, not both")
    if get("user.id") and get("group.id"):
        raise BadRequest("Specify a user or group, not both")
    if effective and get("group.id"):
        raise BadRequest(
            "Combining effective and group filter will always result in an empty list."
        )
    project_ids: tuple[str, ...] | None = (project_id,) if project_id is not None else None
    if query_flag(req, "include_subtree"):
        if project_id is None:
            raise BadRequest(
                "scope.project.id must be specified if include_subtree is also specified"
            )
        project_ids = _subtree(session, project_id)
    return _Filters(
        user_id=get("user.id"),
        group_id=get("group.id"),
        role_id=get("role.id"),
        project_ids=project_ids,
        domain_id=domain_id,
        system=system,
        effective=effective,
    )


def _subtree(session: Session, project_id: str) -> tuple[str, ...]:
    found = [project_id]
    level = [project_id]
    for _ in range(MAX_SUBTREE_DEPTH):
        level = list(
            session.execute(select(Project.id).where(Project.parent_id.in_(level))).scalars()
        )
        if not level:
            break
        found.extend(level)
    return tuple(found)


def _user_rows(session: Session, f: _Filters) -> list[_Assignment]:
    ra = RoleAssignment
    where = f.targets(ra.target_type, ra.target_id)
    if f.user_id is not None:
        where.append(ra.user_id == f.user_id)
    if f.role_id is not None:
        where.append(ra.role_id == f.role_id)
    rows = session.execute(
        select(ra.target_type, ra.target_id, ra.user_id, ra.role_id).where(*where)
    ).all()
    return [_Assignment(t, i, "user", u, r) for t, i, u, r in rows]


def _group_rows(session: Session, f: _Filters) -> list[_Assignment]:
    gra = GroupRoleAssignment
    where = f.targets(gra.target_type, gra.target_id)
    if f.role_id is not None:
        where.append(gra.role_id == f.role_id)
    if not f.effective:
        if f.group_id is not None:
            where.append(gra.group_id == f.group_id)
        rows = session.execute(
            select(gra.target_type, gra.target_id, gra.group_id, gra.role_id).where(*where)
        ).all()
        return [_Assignment(t, i, "group", g, r) for t, i, g, r in rows]
    # Effective: each member of the group holds the role, through it.
    if f.user_id is not None:
        where.append(UserGroupMembership.user_id == f.user_id)
    expanded = session.execute(
        select(
            gra.target_type, gra.target_id, UserGroupMembership.user_id, gra.role_id, gra.group_id
        )
        .join(UserGroupMembership, UserGroupMembership.group_id == gra.group_id)
        .where(*where)
    ).all()
    return [_Assignment(t, i, "user", u, r, via_group=g) for t, i, u, r, g in expanded]


class RoleAssignments:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        if not ctx.is_admin and req.get_param("user.id") != ctx.user_id:
            ident.admin(req, "list_role_assignments")
        names = query_flag(req, "include_names")
        with ident.deps.store.session() as session:
            f = _filters(req, session)
            rows: list[_Assignment] = []
            if f.group_id is None:
                rows += _user_rows(session, f)
            if f.user_id is None or f.effective:
                rows += _group_rows(session, f)
            rows.sort(key=_order)
            lookup = _NameLookup(session, rows) if names else None
            items = [_render(req, row, lookup) for row in rows]
        resp.media = {"role_assignments": items, "links": collection_links(req, "role_assignments")}


def _render(req: falcon.Request, row: _Assignment, lookup: _NameLookup | None) -> dict[str, Any]:
    role: dict[str, Any] = {"id": row.role_id}
    actor: dict[str, Any] = {"id": row.actor_id}
    target: dict[str, Any] = {"id": row.target_id}
    if lookup is not None:
        role["name"] = lookup.roles.get(row.role_id, "")
        actor.update(lookup.actor(row.actor, row.actor_id))
        if row.target_type == "project":
            target.update(lookup.project(row.target_id))
        elif row.target_type == "domain":
            target["name"] = lookup.domains.get(row.target_id, "")
    scope: dict[str, Any] = {row.target_type: target}
    if row.target_type == "system":
        scope = {"system": {"all": True}}
    links: dict[str, str] = {"assignment": v3_url(req, _grant_path(row))}
    if row.via_group is not None:
        links["membership"] = v3_url(req, "groups", row.via_group, "users", row.actor_id)
    return {"role": role, row.actor: actor, "scope": scope, "links": links}


class _NameLookup:
    """Names for `include_names`, fetched with one query per kind of entity."""

    def __init__(self, session: Session, rows: list[_Assignment]) -> None:
        role_ids = {r.role_id for r in rows}
        user_ids = {r.actor_id for r in rows if r.actor == "user"}
        group_ids = {r.actor_id for r in rows if r.actor == "group"}
        project_ids = {r.target_id for r in rows if r.target_type == "project"}
        self.roles = dict(
            session.execute(select(Role.id, Role.name).where(Role.id.in_(role_ids))).all()
        )
        self.named: dict[tuple[str, str], tuple[str, str]] = {}
        for kind, model, ids in (("user", User, user_ids), ("group", Group, group_ids)):
            for row in session.execute(
                select(model.id, model.name, model.domain_id).where(model.id.in_(ids))
            ):
                self.named[(kind, row[0])] = (row[1], row[2])
        self.projects = {
            row[0]: (row[1], row[2])
            for row in session.execute(
                select(Project.id, Project.name, Project.domain_id).where(
                    Project.id.in_(project_ids)
                )
            )
        }
        self.domains = dict(session.execute(select(Domain.id, Domain.name)).all())

    def _domain(self, domain_id: str) -> dict[str, str]:
        return {"id": domain_id, "name": self.domains.get(domain_id, "")}

    def actor(self, kind: str, actor_id: str) -> dict[str, Any]:
        name, domain_id = self.named.get((kind, actor_id), ("", ""))
        return {"name": name, "domain": self._domain(domain_id)}

    def project(self, project_id: str) -> dict[str, Any]:
        name, domain_id = self.projects.get(project_id, ("", ""))
        return {"name": name, "domain": self._domain(domain_id)}
