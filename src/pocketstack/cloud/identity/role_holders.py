"""Which tokens end when what some role gives changes (a rule added or removed, a role
implying others deleted).

Tokens carry role names fixed at issue, where Keystone's name their roles anew at each
validation: so a token that holds a role affected by a rule must end, or it would keep a role
the rule no longer gives (or miss one it now gives). Holders through direct and group grants
lose their tokens scoped where the grant is (as admin/roles.py does for a lost grant); holders
through an inherited grant lose all their tokens, as the projects below may be many.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.revocation import Grant
from pocketstack.cloud.auth.tokens import TokenProvider
from pocketstack.cloud.identity import implied_roles, inherited_grants
from pocketstack.cloud.identity.admin import group_tokens
from pocketstack.cloud.store.models.identity import GroupRoleAssignment, RoleAssignment


@dataclasses.dataclass(frozen=True)
class Holders:
    grants: tuple[Grant, ...]
    through_groups: group_tokens.LostRoles
    users: tuple[str, ...]

    def revoke(self, tokens: TokenProvider) -> None:
        if self.grants:
            tokens.revoke_grants(self.grants)
        group_tokens.revoke(tokens, self.through_groups)
        for user_id in self.users:
            tokens.revoke_user(user_id)


NOBODY = Holders((), group_tokens.NOTHING, ())


def of_roles(session: Session, role_ids: Collection[str]) -> Holders:
    """Whoever holds any of the roles, or a role implying one of them."""
    wanted: set[str] = set()
    for role_id in role_ids:
        wanted |= implied_roles.implying(session, role_id)
    if not wanted:
        return NOBODY
    direct = session.execute(
        select(RoleAssignment.user_id, RoleAssignment.target_type, RoleAssignment.target_id)
        .where(RoleAssignment.role_id.in_(sorted(wanted)))
        .distinct()
    ).all()
    return Holders(
        grants=tuple(Grant(user_id=u, target_type=t, target_id=i) for u, t, i in direct),
        through_groups=group_tokens.lost_roles(
            session, GroupRoleAssignment.role_id.in_(sorted(wanted))
        ),
        users=tuple(sorted(inherited_grants.holders_of(session, wanted))),
    )
