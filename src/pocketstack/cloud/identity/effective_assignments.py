"""GET /v3/role_assignments with inherited grants (OS-INHERIT) and implied roles, on top of
admin/assignments.py's direct and group grants.

Listed as granted, an inherited grant shows on its own target with
`scope.OS-INHERIT:inherited_to: projects` (and `scope.OS-INHERIT:inherited_to=projects` keeps
only those). Listed `effective`, as Keystone does: each inherited grant becomes one assignment
per project below its target (its `links.assignment` naming the grant), each assignment is
followed by one per role its role implies (with `links.prior_role`), the role filter applies
after that, and domain-specific roles are dropped, as a token never carries them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.identity import implied_roles, inherited_grants
from pocketstack.cloud.identity.admin import assignments as base
from pocketstack.cloud.identity.web import collection_links, query_flag, v3_url
from pocketstack.cloud.store.models.identity import Domain, Project, UserGroupMembership
from pocketstack.cloud.store.models.identity_roles import InheritedGroupGrant, InheritedUserGrant

INHERITED_TO = "scope.OS-INHERIT:inherited_to"


@dataclasses.dataclass(frozen=True)
class _Row:
    assignment: base._Assignment
    # The inherited grant it comes from: (target type, target id, actor kind, actor id).
    inherited: tuple[str, str, str, str] | None = None
    # Effective only: the role whose rule gives this one.
    prior_role: str | None = None


def _inherited_grants(session: Session, f: base._Filters) -> list[tuple[str, str, str, str, str]]:
    """(target type, target id, actor kind, actor id, role id) of the inherited grants the
    actor filters select, as granted (groups not expanded)."""
    found: list[tuple[str, str, str, str, str]] = []
    if f.group_id is None:
        query = select(
            InheritedUserGrant.target_type, InheritedUserGrant.target_id,
            InheritedUserGrant.user_id, InheritedUserGrant.role_id,
        )  # fmt: skip
        if f.user_id is not None:
            query = query.where(InheritedUserGrant.user_id == f.user_id)
        found += [(t, i, "user", a, r) for t, i, a, r in session.execute(query).all()]
    if f.user_id is None or f.effective:
        gquery = select(
            InheritedGroupGrant.target_type, InheritedGroupGrant.target_id,
            InheritedGroupGrant.group_id, InheritedGroupGrant.role_id,
        )  # fmt: skip
        if f.group_id is not None:
            gquery = gquery.where(InheritedGroupGrant.group_id == f.group_id)
        found += [(t, i, "group", a, r) for t, i, a, r in session.execute(gquery).all()]
    return found


def _existing(session: Session, grants: list[tuple[str, str, str, str, str]]) -> set[str]:
    """The grants' targets that still exist: a grant on a deleted project or domain (when its
    deletion left it behind) is not listed."""
    found: set[str] = set()
    for kind, model in (("project", Project), ("domain", Domain)):
        ids = sorted({g[1] for g in grants if g[0] == kind})
        if ids:
            found.update(session.execute(select(model.id).where(model.id.in_(ids))).scalars())
    return found


def _as_granted(session: Session, f: base._Filters) -> list[_Row]:
    rows = []
    grants = _inherited_grants(session, f)
    existing = _existing(session, grants)
    for target_type, target_id, actor, actor_id, role_id in grants:
        if target_id not in existing:
            continue
        if f.role_id is not None and role_id != f.role_id:
            continue
        if f.system or (
            f.domain_id is not None and (target_type, target_id) != ("domain", f.domain_id)
        ):
            continue
        if f.project_ids is not None and (
            target_type != "project" or target_id not in f.project_ids
        ):
            continue
        a = base._Assignment(target_type, target_id, actor, actor_id, role_id)
        rows.append(_Row(a, inherited=(target_type, target_id, actor, actor_id)))
    return rows


def _effective_inherited(session: Session, f: base._Filters) -> list[_Row]:
    """One assignment per user and project below each inherited grant."""
    if f.system or f.domain_id is not None:
        return []
    rows = []
    for target_type, target_id, actor, actor_id, role_id in _inherited_grants(session, f):
        projects = inherited_grants.below(session, target_type, target_id)
        if f.project_ids is not None:
            projects = [p for p in projects if p in f.project_ids]
        if not projects:
            continue
        users = [(actor_id, None)] if actor == "user" else _members(session, actor_id, f)
        source = (target_type, target_id, actor, actor_id)
        for user_id, via in users:
            for project_id in projects:
                a = base._Assignment("project", project_id, "user", user_id, role_id, via)
                rows.append(_Row(a, inherited=source))
    return rows


def _members(session: Session, group_id: str, f: base._Filters) -> list[tuple[str, str | None]]:
    query = select(UserGroupMembership.user_id).where(UserGroupMembership.group_id == group_id)
    if f.user_id is not None:
        query = query.where(UserGroupMembership.user_id == f.user_id)
    return [(u, group_id) for u in session.execute(query).scalars()]


def _with_implied(session: Session, rows: list[_Row]) -> list[_Row]:
    implied = implied_roles.implied_by(session, {r.assignment.role_id for r in rows})
    out: list[_Row] = []
    for row in rows:
        out.append(row)
        prior = row.assignment.role_id
        for role_id in sorted(implied.get(prior, ())):
            if role_id == prior:
                continue
            out.append(
                dataclasses.replace(
                    row, assignment=dataclasses.replace(row.assignment, role_id=role_id),
                    prior_role=prior,
                )
            )  # fmt: skip
    return out


def _grant_path(source: tuple[str, str, str, str], role_id: str) -> str:
    target_type, target_id, actor, actor_id = source
    return (
        f"OS-INHERIT/{target_type}s/{target_id}/{actor}s/{actor_id}/roles/{role_id}"
        "/inherited_to_projects"
    )


class RoleAssignments(base.RoleAssignments):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        if not ctx.is_admin and req.get_param("user.id") != ctx.user_id:
            ident.admin(req, "list_role_assignments")
        names = query_flag(req, "include_names")
        inherited_to = req.get_param(INHERITED_TO)
        if inherited_to is not None and inherited_to != "projects":
            raise BadRequest(f"{INHERITED_TO} may only be 'projects'")
        with ident.deps.store.session() as session:
            f = base._filters(req, session)
            if f.effective:
                rows = self._effective(session, f)
            else:
                rows = [] if inherited_to else self._direct(session, f)
                rows += _as_granted(session, f)
            rows.sort(
                key=lambda r: (base._order(r.assignment), r.inherited or (), r.prior_role or "")
            )
            lookup = base._NameLookup(session, [r.assignment for r in rows]) if names else None
            items = [_render(req, row, lookup) for row in rows]
        resp.media = {"role_assignments": items, "links": collection_links(req, "role_assignments")}

    @staticmethod
    def _direct(session: Session, f: base._Filters) -> list[_Row]:
        found: list[base._Assignment] = []
        if f.group_id is None:
            found += base._user_rows(session, f)
        if f.user_id is None or f.effective:
            found += base._group_rows(session, f)
        return [_Row(a) for a in found]

    def _effective(self, session: Session, f: base._Filters) -> list[_Row]:
        # The role filter applies to what the grants give, implied roles included.
        every = dataclasses.replace(f, role_id=None)
        rows = self._direct(session, every) + _effective_inherited(session, every)
        rows = _with_implied(session, rows)
        domain_roles = implied_roles.domains_of(session, {r.assignment.role_id for r in rows})
        return [
            r for r in rows
            if r.assignment.role_id not in domain_roles
            and (f.role_id is None or r.assignment.role_id == f.role_id)
        ]  # fmt: skip


def _render(req: falcon.Request, row: _Row, lookup: base._NameLookup | None) -> dict[str, Any]:
    body = base._render(req, row.assignment, lookup)
    source = row.inherited
    if source is not None:
        # The grant's own role: an implied role's assignment names the grant that gave it.
        granted = row.prior_role or row.assignment.role_id
        body["links"]["assignment"] = v3_url(req, _grant_path(source, granted))
        if row.assignment.target_type == source[0] and row.assignment.target_id == source[1]:
            body["scope"]["OS-INHERIT:inherited_to"] = "projects"
    if row.prior_role is not None:
        if source is None:
            granted_row = dataclasses.replace(row.assignment, role_id=row.prior_role)
            body["links"]["assignment"] = v3_url(req, base._grant_path(granted_row))
        body["links"]["prior_role"] = v3_url(req, "roles", row.prior_role)
    return body
