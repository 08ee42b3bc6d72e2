"""Security groups and their rules kept: each project's `default` group made once on its first
use, the rules a new group starts with, rules inserted under their uniqueness key, and the groups
a port is in.

Locks: what binds a port to groups reads them FOR SHARE, and what deletes a group (or makes it
stateless) reads it FOR UPDATE before asking whether a port uses it, so that neither misses the
other; a rule's create or delete reads its group FOR UPDATE (its revision changes).

Quotas (quotas.py): the API's group and rule creates claim what they make before calling
`new_group` and `insert_rule`; the rules a new group starts with and a project's default group
are counted but not checked, as Neutron makes them without a quota check.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.network import access, faults
from pocketstack.cloud.network import sg_rules_validation as rules
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.network_security import (
    DefaultSecurityGroup,
    PortSecurityGroup,
    SecurityGroup,
    SecurityGroupRule,
)

DEFAULT_NAME = "default"
DEFAULT_DESCRIPTION = "Default security group"
# Neutron's default rule templates: every group may send anything; the default group also
# takes anything from its own members.
_EGRESS = ({"direction": "egress", "ethertype": rules.IPV4},
           {"direction": "egress", "ethertype": rules.IPV6})  # fmt: skip
_FROM_ITSELF = ({"direction": "ingress", "ethertype": rules.IPV4},
                {"direction": "ingress", "ethertype": rules.IPV6})  # fmt: skip
ENSURE_ATTEMPTS = 3


def blank_rule(**given: Any) -> dict[str, Any]:
    """A rule's attributes, those not given as Neutron defaults them."""
    rule: dict[str, Any] = {"protocol": None, "port_range_min": None, "port_range_max": None,
                            "remote_ip_prefix": None, "remote_group_id": None,
                            "description": ""}  # fmt: skip
    rule.update(given)
    return rule


def _rule_row(group_id: str, project: str, rule: dict[str, Any], now: dt.datetime) -> Any:
    return SecurityGroupRule(
        id=str(uuid.uuid4()), security_group_id=group_id, project_id=project,
        description=rule["description"], direction=rule["direction"],
        ethertype=rule["ethertype"], protocol=rule["protocol"],
        port_range_min=rule["port_range_min"], port_range_max=rule["port_range_max"],
        remote_ip_prefix=rule["remote_ip_prefix"],
        normalized_cidr=rules.normalized_cidr(rule["remote_ip_prefix"]),
        remote_group_id=rule["remote_group_id"], dedup_key=rules.dedup_key(rule),
        revision_number=1, created_at=now, updated_at=now,
    )  # fmt: skip


def new_group(session: Session, *, project: str, name: str, description: str, stateful: bool,
              now: dt.datetime, default: bool = False) -> SecurityGroup:  # fmt: skip
    """Inserts a group with the rules it starts with; the project's default group also with its
    marker, whose key a concurrent insert of another default group breaks (IntegrityError)."""
    group = SecurityGroup(id=str(uuid.uuid4()), project_id=project, name=name,
                          description=description, stateful=stateful, revision_number=1,
                          created_at=now, updated_at=now)  # fmt: skip
    session.add(group)
    session.flush()
    templates = [blank_rule(**t) for t in _EGRESS]
    if default:
        session.add(DefaultSecurityGroup(project_id=project, security_group_id=group.id))
        session.flush()
        templates += [blank_rule(remote_group_id=group.id, **t) for t in _FROM_ITSELF]
    session.add_all([_rule_row(group.id, project, t, now) for t in templates])
    session.flush()
    return group


def default_group_id(session: Session, project: str) -> str | None:
    found: str | None = session.scalar(select(DefaultSecurityGroup.security_group_id).where(
        DefaultSecurityGroup.project_id == project))  # fmt: skip
    return found


def ensure_default(store: Store, ctx: RequestContext, project: str | None,
                   now: dt.datetime) -> str | None:  # fmt: skip
    """Neutron's _ensure_default_security_group: the project's default group, made if it has
    none yet, in a transaction of its own (never call it inside an open write session). Only
    the project itself or an admin makes one; for anyone else, None.

    Concurrent first requests each try to insert; the marker's key lets one through, and the
    others read that one."""
    if not project or (project != ctx.project_id and not ctx.is_admin):
        return None
    for _ in range(ENSURE_ATTEMPTS):
        with store.session() as session:
            found = default_group_id(session, project)
        if found is not None:
            return found
        try:
            with store.session(write=True) as session:
                made = new_group(session, project=project, name=DEFAULT_NAME,
                                 description=DEFAULT_DESCRIPTION, stateful=True, now=now,
                                 default=True)  # fmt: skip
            return made.id
        except IntegrityError:
            continue
    raise faults.conflict("SecurityGroupConflict", "Error the project's default security group"
                          " changed meanwhile while attempting the operation.")  # fmt: skip


def insert_rule(session: Session, group: SecurityGroup, project: str, rule: dict[str, Any],
                now: dt.datetime) -> SecurityGroupRule:  # fmt: skip
    """Inserts a checked rule into the group (locked by the caller): SecurityGroupRuleExists
    when the group holds the same rule, whoever inserted it first."""
    row: SecurityGroupRule = _rule_row(group.id, project, rule, now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        if row in session:
            session.expunge(row)
        existing = session.scalar(select(SecurityGroupRule.id).where(
            SecurityGroupRule.security_group_id == group.id,
            SecurityGroupRule.dedup_key == row.dedup_key))  # fmt: skip
        if existing is not None:
            raise faults.conflict("SecurityGroupRuleExists", "Security group rule already"
                                  f" exists. Rule id is {existing}.") from None  # fmt: skip
        if rule["remote_group_id"] is not None:
            # The remote group was deleted meanwhile.
            raise access.group_missing(rule["remote_group_id"]) from None
        raise
    return row


def rules_of(session: Session, group_ids: Iterable[str]) -> dict[str, list[SecurityGroupRule]]:
    wanted = list(set(group_ids))
    found: dict[str, list[SecurityGroupRule]] = {g: [] for g in wanted}
    if wanted:
        stmt = (select(SecurityGroupRule).where(SecurityGroupRule.security_group_id.in_(wanted))
                .order_by(SecurityGroupRule.created_at, SecurityGroupRule.id))  # fmt: skip
        for row in session.scalars(stmt):
            found[row.security_group_id].append(row)
    return found


def defaults_among(session: Session, group_ids: Iterable[str]) -> set[str]:
    """Which of the groups are some project's default group."""
    wanted = list(set(group_ids))
    if not wanted:
        return set()
    return set(session.scalars(select(DefaultSecurityGroup.security_group_id).where(
        DefaultSecurityGroup.security_group_id.in_(wanted))))  # fmt: skip


def check_unused(session: Session, group: SecurityGroup) -> None:
    """SecurityGroupInUse while a port is in the group (locked FOR UPDATE by the caller)."""
    used = session.scalar(select(PortSecurityGroup.port_id).where(
        PortSecurityGroup.security_group_id == group.id).limit(1))  # fmt: skip
    if used is not None:
        raise faults.conflict("SecurityGroupInUse", f"Security Group {group.id} in use.")


# Ports


def groups_of_ports(session: Session, port_ids: Iterable[str]) -> dict[str, list[str]]:
    wanted = list(set(port_ids))
    found: dict[str, list[str]] = {p: [] for p in wanted}
    if wanted:
        rows = session.execute(
            select(PortSecurityGroup.port_id, PortSecurityGroup.security_group_id)
            .where(PortSecurityGroup.port_id.in_(wanted))
            .order_by(PortSecurityGroup.port_id, PortSecurityGroup.security_group_id)
        )
        for port_id, group_id in rows:
            found[port_id].append(group_id)
    return found


def groups_for_port(session: Session, ctx: RequestContext, project: str,
                    requested: Sequence[str]) -> list[str]:  # fmt: skip
    """Neutron's _get_security_groups_on_port: the groups asked for, each existing and the
    port's project's (any project's for an admin), read FOR SHARE so that none is deleted before
    the port is bound to it. SecurityGroupNotFound names the others; stateful and stateless
    groups together are a SecurityGroupConflict."""
    if not requested:
        return []
    stmt = access.locked(select(SecurityGroup).where(SecurityGroup.id.in_(list(requested))),
                         access.SHARE)  # fmt: skip
    found = {g.id: g for g in session.scalars(stmt)
             if ctx.is_admin or g.project_id == project}  # fmt: skip
    missing = [g for g in requested if g not in found]
    if missing:
        raise access.group_missing(", ".join(missing))
    if len({g.stateful for g in found.values()}) > 1:
        raise faults.conflict("SecurityGroupConflict", "Error Cannot apply both stateful and"
                              " stateless security groups on the same port at the same time"
                              " while attempting the operation.")  # fmt: skip
    return list(requested)


def bind(session: Session, port_id: str, group_ids: Sequence[str], *, new: bool = False) -> None:
    """The port's groups, replacing those it was in (a `new` port was in none)."""
    if not new:
        session.execute(delete(PortSecurityGroup).where(PortSecurityGroup.port_id == port_id))
    session.add_all([PortSecurityGroup(port_id=port_id, security_group_id=g) for g in group_ids])
    session.flush()
