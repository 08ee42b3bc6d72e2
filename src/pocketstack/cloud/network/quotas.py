"""Neutron's quotas kept and enforced: each project's limits (Neutron's defaults unless an admin
set one), its usage counted from the rows themselves, and the check every create runs.

A create claims what it makes in its own write transaction, before inserting: the claim takes
the project's quota lock (compute's `quota_lock` row, scope `network:<project>`; see
compute/quotas.py for why a locked upsert serialises on every database), counts, and refuses
with Neutron's OverQuota (409) when the new rows would not fit. The lock is held until the
transaction commits, so two creates of one project never count the same usage. Deletes need
nothing: a deleted row is no longer counted.

Lock order: compute's project lock (a server create) before this one, this one before any
network row; nothing takes them the other way round.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pocketstack.cloud.compute.quotas import lock
from pocketstack.cloud.network import faults
from pocketstack.cloud.store.models.network import Network, Subnet
from pocketstack.cloud.store.models.network_l3 import FloatingIP, Router
from pocketstack.cloud.store.models.network_port import Port
from pocketstack.cloud.store.models.network_quota import NetworkQuota
from pocketstack.cloud.store.models.network_security import SecurityGroup, SecurityGroupRule

# Neutron's defaults (neutron/conf/quota.py), for the resources this service has.
DEFAULTS: dict[str, int] = {
    "network": 100, "subnet": 100, "port": 500, "router": 10, "floatingip": 50,
    "security_group": 10, "security_group_rule": 100,
}  # fmt: skip
UNLIMITED = -1
_COUNTED: dict[str, Any] = {
    "network": Network.project_id, "subnet": Subnet.project_id, "port": Port.project_id,
    "router": Router.project_id, "floatingip": FloatingIP.project_id,
    "security_group": SecurityGroup.project_id,
    "security_group_rule": SecurityGroupRule.project_id,
}  # fmt: skip


def scope(project_id: str) -> str:
    return f"network:{project_id}"


def set_limits(session: Session, project_id: str) -> dict[str, int]:
    """The limits an admin set for the project (none: it has the defaults)."""
    rows = session.execute(select(NetworkQuota.resource, NetworkQuota.hard_limit).where(
        NetworkQuota.project_id == project_id))  # fmt: skip
    return {resource: limit for resource, limit in rows if resource in DEFAULTS}


def limits(session: Session, project_id: str) -> dict[str, int]:
    return {**DEFAULTS, **set_limits(session, project_id)}


def used(session: Session, project_id: str, resource: str) -> int:
    column = _COUNTED[resource]
    stmt = select(func.count()).select_from(column.class_).where(column == project_id)
    return int(session.scalar(stmt) or 0)


def over_quota(resources: Iterable[str]) -> faults.NeutronError:
    """Neutron's OverQuota, naming the resources as its Python list prints them."""
    names = ", ".join(f"'{r}'" for r in sorted(resources))
    return faults.conflict("OverQuota", f"Quota exceeded for resources: [{names}].")


def claim(session: Session, resource: str, projects: Iterable[str]) -> None:
    """Before inserting one `resource` per entry of `projects` (a create's owners, all of a
    bulk create's): each project's usage plus what it asks for against its limit; OverQuota
    (409) if over. Call in the write transaction of the insert."""
    wanted = Counter(projects)
    # Projects in one order: two bulk creates naming the same projects wait, never deadlock.
    for project in sorted(wanted):
        claim_many(session, project, {resource: wanted[project]})


def claim_many(session: Session, project_id: str, wanted: Mapping[str, int]) -> None:
    """Several resources of one project at once (all refused together, as Neutron names every
    resource over)."""
    lock(session, scope(project_id))
    allowed = limits(session, project_id)
    overs = [resource for resource, count in wanted.items()
             if count > 0 and allowed[resource] >= 0
             and used(session, project_id, resource) + count > allowed[resource]]  # fmt: skip
    if overs:
        raise over_quota(overs)
