"""Nova's quota resources, their built-in defaults, which of them each microversion shows, and
a project's (or user's) limits and usage as read from the store.

A limit is found as Nova's database driver finds it: the user's own limit, else the project's,
else the 'default' quota class's, else the built-in default. Usage is counted from the rows
themselves (live instances), never kept in a counter that could drift from them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pocketstack.cloud.compute import states
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.store.models.compute import Instance
from pocketstack.cloud.store.models.quota import QuotaClassLimit, QuotaLimit
from pocketstack.cloud.store.models.server_group import ServerGroup

UNLIMITED = -1
# The largest limit Nova stores (its database's MAX_INT).
MAX_LIMIT = 0x7FFFFFFF
DEFAULT_CLASS = "default"
# The project-wide row of quota_limit has no user.
PROJECT_WIDE = ""

# Nova's defaults without unified limits ([quota] options); the nova-network quotas it still
# lists before 2.36 have no option and are unlimited.
DEFAULTS: Mapping[str, int] = {
    "cores": 20,
    "fixed_ips": UNLIMITED,
    "floating_ips": UNLIMITED,
    "injected_file_content_bytes": 10 * 1024,
    "injected_file_path_bytes": 255,
    "injected_files": 5,
    "instances": 10,
    "key_pairs": 100,
    "metadata_items": 128,
    "ram": 50 * 1024,
    "security_group_rules": UNLIMITED,
    "security_groups": UNLIMITED,
    "server_group_members": 10,
    "server_groups": 10,
}
RESOURCES: tuple[str, ...] = tuple(sorted(DEFAULTS))
NETWORK = frozenset({"fixed_ips", "floating_ips", "security_groups", "security_group_rules"})
INJECTED = frozenset({"injected_files", "injected_file_content_bytes", "injected_file_path_bytes"})
SERVER_GROUPS = frozenset({"server_groups", "server_group_members"})
# Limits Nova keeps per project even when a user is named (its PER_PROJECT_QUOTAS).
PER_PROJECT = frozenset({"fixed_ips", "floating_ips"})
# What a server counts against.
INSTANCE_RESOURCES = ("instances", "cores", "ram")


def quota_set_resources(api: ApiVersion) -> tuple[str, ...]:
    """os-quota-sets: the nova-network quotas go at 2.36, the personality ones at 2.57."""
    hidden: frozenset[str] = frozenset()
    if api.at_least("2.57"):
        hidden = NETWORK | INJECTED
    elif api.at_least("2.36"):
        hidden = NETWORK
    return tuple(r for r in RESOURCES if r not in hidden)


def class_set_resources(api: ApiVersion) -> tuple[str, ...]:
    """os-quota-class-sets: the server group quotas appear, and the nova-network ones go, at 2.50;
    the personality ones go at 2.57."""
    if api.at_least("2.57"):
        hidden = NETWORK | INJECTED
    elif api.at_least("2.50"):
        hidden = NETWORK
    else:
        hidden = SERVER_GROUPS
    return tuple(r for r in RESOURCES if r not in hidden)


def class_limits(session: Session, class_name: str) -> dict[str, int]:
    """A quota class's limits; what the class does not set is the built-in default."""
    rows = session.execute(
        select(QuotaClassLimit.resource, QuotaClassLimit.hard_limit).where(
            QuotaClassLimit.class_name == class_name
        )
    )
    limits = dict(DEFAULTS)
    limits.update({resource: value for resource, value in rows if resource in DEFAULTS})
    return limits


def _set_limits(session: Session, project_id: str, user_id: str) -> dict[str, int]:
    rows = session.execute(
        select(QuotaLimit.resource, QuotaLimit.hard_limit).where(
            QuotaLimit.project_id == project_id, QuotaLimit.user_id == user_id
        )
    )
    return {resource: value for resource, value in rows if resource in DEFAULTS}


def project_limits(session: Session, project_id: str) -> dict[str, int]:
    limits = class_limits(session, DEFAULT_CLASS)
    limits.update(_set_limits(session, project_id, PROJECT_WIDE))
    return limits


def user_limits(session: Session, project_id: str, user_id: str) -> dict[str, int]:
    """A user's limits inside a project: their own where set, the project's otherwise."""
    limits = project_limits(session, project_id)
    limits.update(_set_limits(session, project_id, user_id))
    return limits


def limits_for(session: Session, project_id: str, user_id: str | None) -> dict[str, int]:
    if user_id is None:
        return project_limits(session, project_id)
    return user_limits(session, project_id, user_id)


def user_set_limits(session: Session, project_id: str, user_id: str) -> dict[str, int]:
    """Only the limits set for the user (no fallback)."""
    return _set_limits(session, project_id, user_id)


def user_limit_totals(session: Session, project_id: str) -> dict[str, int]:
    """Per resource, the sum of the limits set for the project's users (Nova's 'remains')."""
    rows = session.execute(
        select(QuotaLimit.resource, func.sum(QuotaLimit.hard_limit))
        .where(QuotaLimit.project_id == project_id, QuotaLimit.user_id != PROJECT_WIDE)
        .group_by(QuotaLimit.resource)
    )
    return {resource: int(total or 0) for resource, total in rows}


@dataclasses.dataclass(frozen=True)
class InstanceUsage:
    instances: int
    cores: int
    ram: int

    def as_dict(self) -> dict[str, int]:
        return {"instances": self.instances, "cores": self.cores, "ram": self.ram}


def instance_usage(session: Session, project_id: str, user_id: str | None = None) -> InstanceUsage:
    """What a project's (or one user's) live servers hold, as Nova counts it: every server not
    deleted nor soft-deleted, building and deleting ones included. A server being restored
    counts already: it claimed its room when the restore began, and stays soft-deleted until
    the driver's delay ends. An index range scan of the project's live rows
    (ix_instance_project_created)."""
    stmt = select(
        func.count(Instance.id),
        func.coalesce(func.sum(Instance.vcpus), 0),
        func.coalesce(func.sum(Instance.memory_mb), 0),
    ).where(
        Instance.project_id == project_id,
        Instance.deleted.is_(False),
        or_(
            Instance.vm_state != states.SOFT_DELETED,
            Instance.task_state == states.RESTORING,
        ),
    )
    if user_id is not None:
        stmt = stmt.where(Instance.user_id == user_id)
    count, cores, ram = session.execute(stmt).one()
    return InstanceUsage(int(count), int(cores), int(ram))


def server_group_count(session: Session, project_id: str, user_id: str | None = None) -> int:
    stmt = select(func.count()).select_from(ServerGroup).where(ServerGroup.project_id == project_id)
    if user_id is not None:
        stmt = stmt.where(ServerGroup.user_id == user_id)
    return int(session.scalar(stmt) or 0)


def usage(session: Session, project_id: str, user_id: str | None = None) -> dict[str, int]:
    """In-use amounts for the detailed quota view, /limits and the not-below-usage rule, every
    resource present: servers (instances, cores, ram) and server groups are counted; key pairs
    and server group members are per-user (or per-group) resources whose usage Nova always
    reports as 0 here, and the other resources are limits, not usage.
    """
    in_use = dict.fromkeys(RESOURCES, 0)
    in_use.update(instance_usage(session, project_id, user_id).as_dict())
    in_use["server_groups"] = server_group_count(session, project_id, user_id)
    return in_use


def unlimited(value: int) -> bool:
    return value <= UNLIMITED
