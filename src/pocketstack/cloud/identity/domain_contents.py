"""What a (disabled) domain's deletion takes with it, as Keystone's: its projects (children
before parents), its users and its groups, the role assignments on the domain and on its
projects (inherited ones too), and the domain's own roles. Rows that belong to a user, a group
or a project go with them by their foreign keys (memberships, credentials, trusts, tags,
endpoint associations, the domain's configuration).
"""
from __future__ import annotations

import dataclasses

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pocketstack.cloud.store.models.identity import (
    Group,
    GroupRoleAssignment,
    Project,
    Role,
    RoleAssignment,
    User,
)
from pocketstack.cloud.store.models.identity_roles import (
    InheritedGroupGrant,
    InheritedUserGrant,
    RoleDomain,
)


@dataclasses.dataclass(frozen=True)
class Removed:
    """Whose tokens die with the domain (revoked by the caller after the commit)."""

    project_ids: tuple[str, ...]
    user_ids: tuple[str, ...]


def delete_contents(session: Session, domain_id: str) -> Removed:
    projects = tuple(
        session.execute(
            select(Project.id).where(Project.domain_id == domain_id).with_for_update()
        ).scalars()
    )
    users = tuple(session.execute(select(User.id).where(User.domain_id == domain_id)).scalars())
    for grants in (RoleAssignment, GroupRoleAssignment, InheritedUserGrant, InheritedGroupGrant):
        session.execute(
            delete(grants).where(grants.target_type == "domain", grants.target_id == domain_id)
        )
        if projects:
            session.execute(
                delete(grants).where(
                    grants.target_type == "project", grants.target_id.in_(projects)
                )
            )
    if projects:
        # The hierarchy stays within the domain: unlinked first, every project goes at once.
        session.execute(update(Project).where(Project.id.in_(projects)).values(parent_id=None))
        session.execute(delete(Project).where(Project.id.in_(projects)))
    session.execute(delete(User).where(User.domain_id == domain_id))
    session.execute(delete(Group).where(Group.domain_id == domain_id))
    # The domain's own roles (their assignments and rules go with them by their keys).
    own_roles = select(RoleDomain.role_id).where(RoleDomain.domain_id == domain_id)
    session.execute(delete(Role).where(Role.id.in_(own_roles)))
    return Removed(project_ids=projects, user_ids=users)
