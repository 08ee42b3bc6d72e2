"""Where inherited grants (OS-INHERIT) hold: a grant on a domain holds on each of its projects,
one on a project on each project below it; neither on its own target (Keystone's rule)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import CTE, BindParameter, Select, and_, literal, select, union
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from pocketstack.cloud.store.models.identity import Project, UserGroupMembership
from pocketstack.cloud.store.models.identity_roles import InheritedGroupGrant, InheritedUserGrant

# A value, or a parameter bound when the statement runs (a statement built once, kept).
Value = str | BindParameter[str]

Reader = Session | Connection
# Projects deeper than this are not followed (as the role assignment listing caps it).
MAX_DEPTH = 64


def _above(project_id: Value) -> CTE:
    """The project and its ancestors, each with its depth (0: the project itself)."""
    start = select(
        Project.id, Project.parent_id, Project.domain_id, literal(0).label("depth")
    ).where(Project.id == project_id)
    found = start.cte("above_project", recursive=True)
    return found.union_all(
        select(Project.id, Project.parent_id, Project.domain_id, found.c.depth + 1)
        .join(found, Project.id == found.c.parent_id)
        .where(found.c.depth < MAX_DEPTH)
    )


def role_ids_on_project(user_id: Value, project_id: Value) -> list[Select[str]]:
    """The roles the user's and their groups' inherited grants give on the project: two
    selects, for the caller's UNION (SQLite refuses a parenthesized one nested in another)."""
    above = _above(project_id)
    sources = union(
        select(above.c.domain_id.label("target_id"), literal("domain").label("kind")).where(
            above.c.depth == 0
        ),
        select(above.c.id.label("target_id"), literal("project").label("kind")).where(
            above.c.depth > 0
        ),
    ).subquery("inherit_source")
    user = InheritedUserGrant
    group = InheritedGroupGrant
    return [
        select(user.role_id)
        .join(
            sources,
            and_(user.target_type == sources.c.kind, user.target_id == sources.c.target_id),
        )
        .where(user.user_id == user_id),
        select(group.role_id)
        .join(
            sources,
            and_(group.target_type == sources.c.kind, group.target_id == sources.c.target_id),
        )
        .join(UserGroupMembership, UserGroupMembership.group_id == group.group_id)
        .where(UserGroupMembership.user_id == user_id),
    ]


def below(session: Reader, target_type: str, target_id: str) -> list[str]:
    """The projects an inherited grant on the target holds on."""
    if target_type == "domain":
        return list(
            session.execute(select(Project.id).where(Project.domain_id == target_id)).scalars()
        )
    found: list[str] = []
    level = [target_id]
    for _ in range(MAX_DEPTH):
        level = list(
            session.execute(select(Project.id).where(Project.parent_id.in_(level))).scalars()
        )
        if not level:
            break
        found.extend(level)
    return found


def user_targets(session: Reader, user_id: str) -> list[tuple[str, str]]:
    """(target_type, target_id) of the user's inherited grants, their own and their groups'."""
    rows = session.execute(
        union(
            select(InheritedUserGrant.target_type, InheritedUserGrant.target_id).where(
                InheritedUserGrant.user_id == user_id
            ),
            select(InheritedGroupGrant.target_type, InheritedGroupGrant.target_id)
            .join(UserGroupMembership, UserGroupMembership.group_id == InheritedGroupGrant.group_id)
            .where(UserGroupMembership.user_id == user_id),
        )
    ).all()
    return [(str(kind), str(target)) for kind, target in rows]


def projects_of_user(session: Reader, user_id: str) -> set[str]:
    """Every project where an inherited grant gives the user a role."""
    found: set[str] = set()
    for kind, target in user_targets(session, user_id):
        found.update(below(session, kind, target))
    return found


def members(session: Reader, group_ids: Collection[str]) -> list[str]:
    if not group_ids:
        return []
    return list(
        session.execute(
            select(UserGroupMembership.user_id)
            .where(UserGroupMembership.group_id.in_(list(group_ids)))
            .distinct()
        ).scalars()
    )


def holders_of(session: Reader, role_ids: Collection[str]) -> set[str]:
    """Users who hold any of the roles through an inherited grant, their own or a group's."""
    if not role_ids:
        return set()
    wanted = list(role_ids)
    users = set(
        session.execute(
            select(InheritedUserGrant.user_id).where(InheritedUserGrant.role_id.in_(wanted))
        ).scalars()
    )
    groups = set(
        session.execute(
            select(InheritedGroupGrant.group_id).where(InheritedGroupGrant.role_id.in_(wanted))
        ).scalars()
    )
    return users | set(members(session, groups))
