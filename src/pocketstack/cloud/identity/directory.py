"""Read-side queries for authentication and token rendering, each a single round trip.

Rows come back as small frozen records so the token path never lazily loads anything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Sequence

from sqlalchemy import CompoundSelect, Select, bindparam, or_, select, union
from sqlalchemy.engine import Connection
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from pocketstack.cloud.identity import implied_roles, inherited_grants
from pocketstack.cloud.identity.inherited_grants import Value
from pocketstack.cloud.store.models.identity import (
    Domain,
    FailedLogin,
    GroupRoleAssignment,
    Project,
    Role,
    RoleAssignment,
    User,
    UserGroupMembership,
)

SYSTEM_TARGET = "all"
# The token path reads through a bare connection (Store.read), the rest through ORM sessions.
Reader = Session | Connection


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainRef:
    id: str
    name: str
    enabled: bool = True


@dataclasses.dataclass(frozen=True, kw_only=True)
class UserRecord:
    id: str
    name: str
    enabled: bool
    password_hash: str | None
    default_project_id: str | None
    domain: DomainRef
    failures: int | None
    last_failure_at: dt.datetime | None
    password_created_at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProjectRecord:
    id: str
    name: str
    description: str
    enabled: bool
    domain: DomainRef


@dataclasses.dataclass(frozen=True, kw_only=True)
class RoleRef:
    id: str
    name: str


def _user_from_row(row: Sequence[object]) -> UserRecord:
    (uid, name, enabled, pw, dpid, did, dname, denabled, count, last, pw_at) = row
    return UserRecord(
        id=str(uid),
        name=str(name),
        enabled=bool(enabled),
        password_hash=pw if isinstance(pw, str) else None,
        default_project_id=dpid if isinstance(dpid, str) else None,
        domain=DomainRef(id=str(did), name=str(dname), enabled=bool(denabled)),
        failures=count if isinstance(count, int) else None,
        last_failure_at=last if isinstance(last, dt.datetime) else None,
        password_created_at=pw_at if isinstance(pw_at, dt.datetime) else None,
    )


_USER_COLUMNS = (
    select(
        User.id,
        User.name,
        User.enabled,
        User.password_hash,
        User.default_project_id,
        Domain.id,
        Domain.name,
        Domain.enabled,
        FailedLogin.count,
        FailedLogin.last_failure_at,
        User.password_created_at,
    )
    .join(Domain, Domain.id == User.domain_id)
    .outerjoin(FailedLogin, FailedLogin.user_id == User.id)
)
_USER_WIDTH = len(_USER_COLUMNS.selected_columns)
# Built once: constructing a statement costs more than SQLite takes to run it.
_USER_BY_ID = _USER_COLUMNS.where(User.id == bindparam("user_id"))
_USER_BY_NAME_IN_DOMAIN = _USER_COLUMNS.where(
    User.name == bindparam("name"), Domain.id == bindparam("domain_id")
)
_USER_BY_NAME_IN_NAMED_DOMAIN = _USER_COLUMNS.where(
    User.name == bindparam("name"), Domain.name == bindparam("domain_name")
)


def find_user(
    session: Reader,
    *,
    user_id: str | None = None,
    name: str | None = None,
    domain_id: str | None = None,
    domain_name: str | None = None,
) -> UserRecord | None:
    if user_id is not None:
        row = session.execute(_USER_BY_ID, {"user_id": user_id}).first()
    elif domain_id is not None:
        row = session.execute(
            _USER_BY_NAME_IN_DOMAIN, {"name": name, "domain_id": domain_id}
        ).first()
    else:
        row = session.execute(
            _USER_BY_NAME_IN_NAMED_DOMAIN, {"name": name, "domain_name": domain_name}
        ).first()
    return None if row is None else _user_from_row(tuple(row))


_PROJECT_COLUMNS = select(
    Project.id,
    Project.name,
    Project.description,
    Project.enabled,
    Domain.id,
    Domain.name,
    Domain.enabled,
).join(Domain, Domain.id == Project.domain_id)
_PROJECT_BY_ID = _PROJECT_COLUMNS.where(Project.id == bindparam("project_id"))
_PROJECT_BY_NAME_IN_DOMAIN = _PROJECT_COLUMNS.where(
    Project.name == bindparam("name"), Domain.id == bindparam("domain_id")
)
_PROJECT_BY_NAME_IN_NAMED_DOMAIN = _PROJECT_COLUMNS.where(
    Project.name == bindparam("name"), Domain.name == bindparam("domain_name")
)


def find_project(
    session: Reader,
    *,
    project_id: str | None = None,
    name: str | None = None,
    domain_id: str | None = None,
    domain_name: str | None = None,
) -> ProjectRecord | None:
    if project_id is not None:
        row = session.execute(_PROJECT_BY_ID, {"project_id": project_id}).first()
    elif domain_id is not None:
        row = session.execute(
            _PROJECT_BY_NAME_IN_DOMAIN, {"name": name, "domain_id": domain_id}
        ).first()
    else:
        row = session.execute(
            _PROJECT_BY_NAME_IN_NAMED_DOMAIN, {"name": name, "domain_name": domain_name}
        ).first()
    if row is None:
        return None
    (pid, pname, desc, enabled, did, dname, denabled) = tuple(row)
    return ProjectRecord(
        id=str(pid),
        name=str(pname),
        description=str(desc or ""),
        enabled=bool(enabled),
        domain=DomainRef(id=str(did), name=str(dname), enabled=bool(denabled)),
    )


def find_domain(
    session: Reader, *, domain_id: str | None = None, name: str | None = None
) -> DomainRef | None:
    query = select(Domain.id, Domain.name, Domain.enabled)
    query = (
        query.where(Domain.id == domain_id)
        if domain_id is not None
        else query.where(Domain.name == name)
    )
    row = session.execute(query).first()
    if row is None:
        return None
    return DomainRef(id=row[0], name=row[1], enabled=bool(row[2]))


def _granted_on(user_id: Value, target_type: str, target_id: Value) -> Select[str]:
    """Ids of the roles granted to the user, or to a group they belong to, on the target; on a
    project, also those inherited from its domain or the projects above it."""
    parts: list[Select[str]] = [
        select(RoleAssignment.role_id).where(
            RoleAssignment.user_id == user_id,
            RoleAssignment.target_type == target_type,
            RoleAssignment.target_id == target_id,
        ),
        select(GroupRoleAssignment.role_id)
        .join(UserGroupMembership, UserGroupMembership.group_id == GroupRoleAssignment.group_id)
        .where(
            UserGroupMembership.user_id == user_id,
            GroupRoleAssignment.target_type == target_type,
            GroupRoleAssignment.target_id == target_id,
        ),
    ]
    if target_type == "project":
        parts += inherited_grants.role_ids_on_project(user_id, target_id)
    return select(union(*parts).subquery().c[0])


_ROLES_BY_NAME = select(Role.id, Role.name).where(Role.name.in_(bindparam("names", expanding=True)))


def roles_on(session: Reader, *, user_id: str, target_type: str, target_id: str) -> list[RoleRef]:
    """The roles a token scoped to the target carries: those granted (directly, through a
    group, inherited), with every role they imply, less the domain-specific ones (Keystone's
    effective roles), each once, by name."""
    rows = session.execute(
        _roles_on_statement(target_type), {"user_id": user_id, "target_id": target_id}
    ).all()
    return [RoleRef(id=r[0], name=r[1]) for r in rows]


@functools.cache
def _roles_on_statement(target_type: str) -> Select[str, str]:
    # Built once per kind of target: building it (unions, the recursive CTEs) cost more than
    # running it, on every token.
    granted = _granted_on(bindparam("user_id"), target_type, bindparam("target_id"))
    held = implied_roles.global_reachable(granted)
    return select(Role.id, Role.name).where(Role.id.in_(held)).order_by(Role.name)


def roles_by_name(session: Reader, names: Iterable[str]) -> list[RoleRef]:
    wanted = list(names)
    if not wanted:
        return []
    rows = session.execute(_ROLES_BY_NAME, {"names": wanted}).all()
    by_name = {r[1]: r[0] for r in rows}
    # A role deleted since the token was issued no longer shows.
    return [RoleRef(id=by_name[n], name=n) for n in wanted if n in by_name]


_PROJECT_DOMAIN = aliased(Domain)
# A project-scoped token's user, project and roles in one statement (one round trip, not three):
# a row per role the token names that still exists, or one row with NULL roles if none does.
_PROJECT_TOKEN_VIEW = (
    select(
        *_USER_COLUMNS.selected_columns,
        Project.id,
        Project.name,
        Project.description,
        Project.enabled,
        _PROJECT_DOMAIN.id,
        _PROJECT_DOMAIN.name,
        _PROJECT_DOMAIN.enabled,
        Role.id,
        Role.name,
    )
    .select_from(User)
    .join(Domain, Domain.id == User.domain_id)
    .outerjoin(FailedLogin, FailedLogin.user_id == User.id)
    .outerjoin(Project, Project.id == bindparam("project_id"))
    .outerjoin(_PROJECT_DOMAIN, _PROJECT_DOMAIN.id == Project.domain_id)
    .outerjoin(Role, Role.name.in_(bindparam("names", expanding=True)))
    .where(User.id == bindparam("user_id"))
)


def project_token_view(
    session: Reader, *, user_id: str, project_id: str, role_names: Sequence[str]
) -> tuple[UserRecord, ProjectRecord | None, list[RoleRef]] | None:
    """What find_user, find_project and roles_by_name return for a project-scoped token.

    None when the user is gone; the project is None when it is gone.
    """
    rows = session.execute(
        _PROJECT_TOKEN_VIEW,
        {"user_id": user_id, "project_id": project_id, "names": list(role_names)},
    ).all()
    if not rows:
        return None
    first = tuple(rows[0])
    user = _user_from_row(first[:_USER_WIDTH])
    project = None
    (pid, pname, desc, enabled, did, dname, denabled) = first[_USER_WIDTH:_USER_WIDTH + 7]
    if pid is not None:
        project = ProjectRecord(
            id=str(pid),
            name=str(pname),
            description=str(desc or ""),
            enabled=bool(enabled),
            domain=DomainRef(id=str(did), name=str(dname), enabled=bool(denabled)),
        )
    role_id, role_name = _USER_WIDTH + 7, _USER_WIDTH + 8
    by_name = {row[role_name]: row[role_id] for row in rows if row[role_id] is not None}
    # In the token's order; a role deleted since the token was issued no longer shows.
    roles = [RoleRef(id=by_name[n], name=n) for n in role_names if n in by_name]
    return user, project, roles


def _targets_of(user_id: str, target_type: str) -> CompoundSelect[str]:
    """Ids of the targets of one type where the user holds a role, directly or through a group."""
    return union(
        select(RoleAssignment.target_id).where(
            RoleAssignment.user_id == user_id, RoleAssignment.target_type == target_type
        ),
        select(GroupRoleAssignment.target_id)
        .join(UserGroupMembership, UserGroupMembership.group_id == GroupRoleAssignment.group_id)
        .where(
            UserGroupMembership.user_id == user_id, GroupRoleAssignment.target_type == target_type
        ),
    )


def projects_for_user(session: Session, user_id: str) -> list[Project]:
    """Projects where the user holds any role, directly, through a group or inherited."""
    assigned = _targets_of(user_id, "project")
    inherited = inherited_grants.projects_of_user(session, user_id)
    query = select(Project).where(
        or_(Project.id.in_(assigned), Project.id.in_(sorted(inherited)))
        if inherited
        else Project.id.in_(assigned)
    )
    return list(session.execute(query.order_by(Project.name)).scalars())


def domains_for_user(session: Session, user_id: str) -> list[Domain]:
    """Domains where the user holds any role, in one query."""
    assigned = _targets_of(user_id, "domain")
    return list(
        session.execute(
            select(Domain).where(Domain.id.in_(assigned)).order_by(Domain.name)
        ).scalars()
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class DelegatedRole:
    """A role an application credential or a trust hands on, as their views show it."""

    id: str
    name: str
    description: str | None


def delegated_roles(
    session: Reader, owner: InstrumentedAttribute[str], role: InstrumentedAttribute[str],
    owner_ids: Sequence[str],
) -> dict[str, list[DelegatedRole]]:  # fmt: skip
    """The roles each of `owner_ids` delegates, by name, through a link table's `owner` and
    `role` columns (application credentials' roles, trusts' roles): one query for all."""
    found: dict[str, list[DelegatedRole]] = {i: [] for i in owner_ids}
    if not owner_ids:
        return found
    rows = session.execute(
        select(owner, Role.id, Role.name, Role.description)
        .join(Role, Role.id == role)
        .where(owner.in_(list(owner_ids)))
        .order_by(Role.name)
    ).all()
    for owner_id, role_id, name, description in rows:
        found[owner_id].append(DelegatedRole(id=role_id, name=name, description=description))
    return found
