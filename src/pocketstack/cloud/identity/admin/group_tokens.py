"""Which tokens end when roles held through a group go away.

A token carries the names of its roles, so a member who loses a role through a group (removed
from it, the group or its grant deleted, the role deleted) must lose the tokens scoped where
the group held it. Keystone revokes every token of each member; here, as for a user's own grants
(admin/roles.py), only their tokens scoped to the group's targets end, one event per member and
target. Past MAX_EVENTS of those, each member's every token ends instead (one event per member),
so a large group costs no more events than members.

A role held through a group's inherited grant (OS-INHERIT) holds on every project below the
grant's target, maybe many: each member losing it loses every token (one event per member).

The events are read before the change and recorded after its commit (`revoke`): a token issued
from a read that still saw the role is then older than its event.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.revocation import Grant
from pocketstack.cloud.auth.tokens import TokenProvider
from pocketstack.cloud.store.models.identity import GroupRoleAssignment, UserGroupMembership
from pocketstack.cloud.store.models.identity_roles import InheritedGroupGrant

MAX_EVENTS = 1000


@dataclasses.dataclass(frozen=True)
class LostRoles:
    # Each member's tokens scoped to one target...
    grants: tuple[Grant, ...] = ()
    # ...or, when those would be too many, every token of each of these users.
    users: tuple[str, ...] = ()


NOTHING = LostRoles()


def lost_roles(session: Session, *where: ColumnElement[bool]) -> LostRoles:
    """The (member, target) pairs of the group grants and memberships `where` selects."""
    joined = (
        select(
            UserGroupMembership.user_id,
            GroupRoleAssignment.target_type,
            GroupRoleAssignment.target_id,
        )
        .join(GroupRoleAssignment, GroupRoleAssignment.group_id == UserGroupMembership.group_id)
        .where(*where)
        .distinct()
    )
    rows = session.execute(joined.limit(MAX_EVENTS + 1)).all()
    if len(rows) <= MAX_EVENTS:
        return LostRoles(
            grants=tuple(
                Grant(user_id=user_id, target_type=target_type, target_id=target_id)
                for user_id, target_type, target_id in rows
            )
        )
    users = session.execute(
        select(UserGroupMembership.user_id)
        .join(GroupRoleAssignment, GroupRoleAssignment.group_id == UserGroupMembership.group_id)
        .where(*where)
        .distinct()
    ).scalars()
    return LostRoles(users=tuple(users))


def _with_inherited(
    session: Session, lost: LostRoles, *where: ColumnElement[bool]
) -> LostRoles:
    """`lost`, and every member who loses a role through an inherited grant `where` selects."""
    inherited = session.execute(
        select(UserGroupMembership.user_id)
        .join(InheritedGroupGrant, InheritedGroupGrant.group_id == UserGroupMembership.group_id)
        .where(*where)
        .distinct()
    ).scalars()
    users = set(inherited) - set(lost.users)
    if not users:
        return lost
    return LostRoles(grants=lost.grants, users=lost.users + tuple(sorted(users)))


def of_membership(session: Session, group_id: str, user_id: str) -> LostRoles:
    where = (UserGroupMembership.group_id == group_id, UserGroupMembership.user_id == user_id)
    return _with_inherited(session, lost_roles(session, *where), *where)


def of_group(session: Session, group_id: str) -> LostRoles:
    where = (UserGroupMembership.group_id == group_id,)
    return _with_inherited(session, lost_roles(session, *where), *where)


def of_grant(
    session: Session, *, group_id: str, target_type: str, target_id: str, role_id: str
) -> LostRoles:
    return lost_roles(
        session,
        GroupRoleAssignment.group_id == group_id,
        GroupRoleAssignment.target_type == target_type,
        GroupRoleAssignment.target_id == target_id,
        GroupRoleAssignment.role_id == role_id,
    )


def of_role(session: Session, role_id: str) -> LostRoles:
    return _with_inherited(
        session,
        lost_roles(session, GroupRoleAssignment.role_id == role_id),
        InheritedGroupGrant.role_id == role_id,
    )


def revoke(tokens: TokenProvider, lost: LostRoles) -> None:
    if lost.grants:
        tokens.revoke_grants(lost.grants)
    for user_id in lost.users:
        tokens.revoke_user(user_id)
