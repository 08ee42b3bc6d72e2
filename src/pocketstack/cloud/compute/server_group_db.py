"""Server groups in the store: finding a caller's group, its members as a page shows them, and
what server create, placement and the server view (2.71 `server_groups`) ask of them.

Members are shown as Nova shows them: only instances not deleted. A deleted server's membership
row stays (it counts for nothing: every reader skips deleted instances) and goes with its group.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute.api.server_groups import (
    AFFINITY,
    ANTI_AFFINITY,
    SOFT_AFFINITY,
    SOFT_ANTI_AFFINITY,
)
from pocketstack.cloud.compute.validation import uuid_like
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.store.models.compute import Instance
from pocketstack.cloud.store.models.server_group import ServerGroup, ServerGroupMember


def not_found(group_id: str) -> str:
    return f"Instance group {group_id} could not be found."


def find_group(
    session: Session, ctx: RequestContext, group_id: str, *, lock: bool = False
) -> ServerGroup | None:
    """The group `group_id` names, as the caller may see it (admins: any project's)."""
    if not uuid_like(group_id):
        # Nothing else is ever stored; and a non-uuid must not reach PostgreSQL's uuid casts.
        return None
    stmt = select(ServerGroup).where(ServerGroup.uuid == group_id)
    if not ctx.is_admin:
        stmt = stmt.where(ServerGroup.project_id == (ctx.project_id or ""))
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def get_group(session: Session, ctx: RequestContext, group_id: str) -> ServerGroup:
    """The same, or Nova's 404."""
    group = find_group(session, ctx, group_id)
    if group is None:
        raise NotFound(not_found(group_id))
    return group


def rules_of(group: ServerGroup) -> dict[str, int]:
    rules: dict[str, int] = json.loads(group.rules or "{}")
    return rules


def members_of(session: Session, group_ids: Collection[int]) -> dict[int, list[str]]:
    """The members not deleted of each group, in the order they joined; one query for a page."""
    found: dict[int, list[str]] = {gid: [] for gid in group_ids}
    if not found:
        return found
    rows = session.execute(
        select(ServerGroupMember.group_id, ServerGroupMember.instance_uuid)
        .join(Instance, Instance.uuid == ServerGroupMember.instance_uuid)
        .where(ServerGroupMember.group_id.in_(list(found)), Instance.deleted.is_(False))
        .order_by(ServerGroupMember.id)
    )
    for group_id, instance_uuid in rows:
        found[group_id].append(instance_uuid)
    return found


# --- for server create, placement and the server view ---------------------------------------


def group_for_hint(session: Session, ctx: RequestContext, hint: str) -> ServerGroup:
    """The group a create's `group` scheduler hint names, locked until the create commits so
    that concurrent creates into one group are placed one after the other.

    Nova answers a group that is missing, or another project's for a non-admin, with 400 (the
    create's request is at fault, not its URL).
    """
    group = find_group(session, ctx, hint, lock=True)
    if group is None:
        raise BadRequest(not_found(hint))
    return group


def add_member(session: Session, group: ServerGroup, instance_uuid: str) -> None:
    """Makes the (flushed) instance a member; the unique instance_uuid refuses a second group."""
    session.add(ServerGroupMember(group_id=group.id, instance_uuid=instance_uuid))
    session.flush()


def group_ids_of(session: Session, instance_uuids: Iterable[str]) -> dict[str, list[str]]:
    """Each instance's server groups (none or one) for the 2.71 `server_groups` field of a page
    of servers; one query."""
    found: dict[str, list[str]] = {u: [] for u in instance_uuids}
    if not found:
        return found
    rows = session.execute(
        select(ServerGroupMember.instance_uuid, ServerGroup.uuid)
        .join(ServerGroup, ServerGroup.id == ServerGroupMember.group_id)
        .where(ServerGroupMember.instance_uuid.in_(list(found)))
    )
    for instance_uuid, group_uuid in rows:
        found[instance_uuid].append(group_uuid)
    return found


def member_hosts(session: Session, group: ServerGroup) -> dict[str, int]:
    """How many of the group's members (not deleted, already placed) run on each host."""
    rows = session.execute(
        select(Instance.host, func.count())
        .join(ServerGroupMember, ServerGroupMember.instance_uuid == Instance.uuid)
        .where(
            ServerGroupMember.group_id == group.id,
            Instance.deleted.is_(False),
            Instance.host.is_not(None),
        )
        .group_by(Instance.host)
    )
    return {host: count for host, count in rows if host is not None}


@dataclasses.dataclass(frozen=True)
class GroupPlacement:
    """What a group asks of the host of its next member."""

    policy: str
    # Members (not deleted, placed) per host.
    used: dict[str, int]
    max_per_host: int

    def hosts(self, candidates: Sequence[str]) -> list[str]:
        """The candidates the new member may go to, best first; empty: no valid host.

        Hard policies filter (affinity: the members' host once there is one; anti-affinity:
        hosts with fewer than max_server_per_host members); soft ones only reorder (fewest
        members first for soft-anti-affinity, most first for soft-affinity).
        """
        if self.policy == AFFINITY:
            if not self.used:
                return list(candidates)
            return [h for h in candidates if h in self.used]
        if self.policy == ANTI_AFFINITY:
            return [h for h in candidates if self.used.get(h, 0) < self.max_per_host]
        if self.policy == SOFT_ANTI_AFFINITY:
            return sorted(candidates, key=lambda h: self.used.get(h, 0))
        if self.policy == SOFT_AFFINITY:
            return sorted(candidates, key=lambda h: -self.used.get(h, 0))
        return list(candidates)


def placement_for(session: Session, group: ServerGroup) -> GroupPlacement:
    return GroupPlacement(
        policy=group.policy,
        used=member_hosts(session, group),
        max_per_host=rules_of(group).get("max_server_per_host", 1),
    )
