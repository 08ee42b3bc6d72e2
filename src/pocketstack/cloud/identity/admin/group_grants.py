"""Role grants to groups: /v3/{projects|domains}/{t}/groups/{g}/roles[/{r}] and
/v3/system/groups/{g}/roles[/{r}]. Each member of the group holds the role there (directory.py
reads both kinds of grant when a token is issued); revoking one ends the members' tokens
scoped there (group_tokens.py)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from pocketstack.cloud.errors import NotFound
from pocketstack.cloud.identity.admin import grants_base, group_tokens
from pocketstack.cloud.store.models.identity import Group, GroupRoleAssignment, Role


class _GroupGrants(grants_base.GrantResource):
    actors = "groups"
    model = GroupRoleAssignment
    actor_column = GroupRoleAssignment.group_id

    def _check_actor(self, session: Session, actor_id: str, *, lock: bool) -> None:
        """`lock` holds the group's row: a member joining meanwhile waits (see groups.py)."""
        if session.get(Group, actor_id, with_for_update=lock) is None:
            raise NotFound(f"Could not find group: {actor_id}.")


class GroupGrant(_GroupGrants, grants_base.Grant):
    """PUT/HEAD/GET/DELETE .../groups/{g}/roles/{r}."""

    def _new(self, target_id: str, actor_id: str, role_id: str) -> GroupRoleAssignment:
        return GroupRoleAssignment(
            target_type=self.target_type, target_id=target_id, group_id=actor_id, role_id=role_id
        )

    def _lost_race(
        self, session: Session, key: grants_base.Key, actor_id: str, role_id: str
    ) -> None:
        # The same grant committed since the check is granted all the same; a group, role or
        # target deleted since is not.
        if session.get(GroupRoleAssignment, key, populate_existing=True) is None:
            if session.get(Role, role_id, populate_existing=True) is None:
                raise NotFound(f"Could not find role: {role_id}.") from None
            raise NotFound(f"Could not find group: {actor_id}.") from None

    def _revocation(
        self, session: Session, target_id: str, actor_id: str, role_id: str
    ) -> Callable[[], None]:
        lost = group_tokens.of_grant(
            session,
            group_id=actor_id,
            target_type=self.target_type,
            target_id=target_id,
            role_id=role_id,
        )
        tokens = self.identity.deps.tokens
        return lambda: group_tokens.revoke(tokens, lost)


class GroupGrantList(_GroupGrants, grants_base.GrantList):
    """GET .../groups/{g}/roles."""
