"""Setting and removing limits (os-quota-sets PUT/DELETE, os-quota-class-sets PUT).

A new project or user limit may not go below what is in use (nor, for a project, below what its
users' own limits add up to; nor, for a user, above what the project leaves them) unless the
admin forces it, as Nova's database driver rules. The check runs under the project's quota lock
(quotas.py), the lock every server create of the project takes: a create can never slip in
between the count and the new limit.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

from sqlalchemy import delete
from sqlalchemy.orm import Session

from pocketstack.cloud.compute.quota_limits import (
    PER_PROJECT,
    PROJECT_WIDE,
    project_limits,
    unlimited,
    usage,
    user_limit_totals,
    user_set_limits,
)
from pocketstack.cloud.compute.quotas import lock, project_scope
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.store.models.quota import QuotaClassLimit, QuotaLimit


@dataclasses.dataclass(frozen=True)
class Settable:
    minimum: int
    maximum: int


def _inf(value: int) -> float:
    return math.inf if unlimited(value) else value


def _project_minimum(limit: int, users_total: int, in_use: int) -> int:
    # Nova: what the users' limits take out of the project's ("limit - remains"), where an
    # unlimited limit or an overdrawn remainder counts for nothing.
    remains = limit - users_total
    taken = -1 if unlimited(limit) or unlimited(remains) else limit - remains
    return max(taken, in_use)


def settable(session: Session, project_id: str, user_id: str | None) -> dict[str, Settable]:
    """The range each limit may be set to, per resource."""
    limits = project_limits(session, project_id)
    totals = user_limit_totals(session, project_id)
    if user_id is None:
        in_use = usage(session, project_id)
        return {
            r: Settable(_project_minimum(limit, totals.get(r, 0), in_use[r]), -1)
            for r, limit in limits.items()
        }
    own = user_set_limits(session, project_id, user_id)
    in_use = usage(session, project_id, user_id)
    ranges = {}
    for r, limit in limits.items():
        remains = limit - totals.get(r, 0)
        mine = own.get(r, 0)
        maximum = (
            -1 if unlimited(limit) or unlimited(remains) or unlimited(mine) else remains + mine
        )
        ranges[r] = Settable(in_use[r], maximum)
    return ranges


def check_settable(resource: str, value: int, allowed: Settable) -> None:
    if _inf(value) < _inf(allowed.minimum):
        raise BadRequest(
            f"Quota limit {value} for {resource} must be greater than or equal to already used"
            f" and reserved {allowed.minimum}."
        )
    if _inf(value) > _inf(allowed.maximum):
        raise BadRequest(
            f"Quota limit {value} for {resource} must be less than or equal to {allowed.maximum}."
        )


def update_limits(
    session: Session,
    *,
    project_id: str,
    user_id: str | None,
    values: Mapping[str, int],
    force: bool,
) -> None:
    """Sets a project's (or a user's) limits; all checked before any is written (400 with
    Nova's message for the first one out of range), none checked when `force`."""
    lock(session, project_scope(project_id))
    if not force:
        ranges = settable(session, project_id, user_id)
        for resource, value in values.items():
            check_settable(resource, value, ranges[resource])
    for resource, value in values.items():
        owner = PROJECT_WIDE if user_id is None or resource in PER_PROJECT else user_id
        # Under the project's lock: no other request writes this project's rows meanwhile.
        row = session.get(QuotaLimit, (project_id, owner, resource))
        if row is None:
            session.add(
                QuotaLimit(project_id=project_id, user_id=owner, resource=resource,
                           hard_limit=value)
            )  # fmt: skip
        else:
            row.hard_limit = value
    session.flush()


def delete_limits(session: Session, *, project_id: str, user_id: str | None) -> None:
    """Back to the defaults: every limit of the project and of its users, or one user's."""
    lock(session, project_scope(project_id))
    stmt = delete(QuotaLimit).where(QuotaLimit.project_id == project_id)
    if user_id is not None:
        stmt = stmt.where(QuotaLimit.user_id == user_id)
    session.execute(stmt)


def update_class_limits(session: Session, class_name: str, values: Mapping[str, int]) -> None:
    """Sets a quota class's limits (no usage to check: Nova checks none)."""
    lock(session, f"class:{class_name}")
    for resource, value in values.items():
        row = session.get(QuotaClassLimit, (class_name, resource))
        if row is None:
            session.add(QuotaClassLimit(class_name=class_name, resource=resource, hard_limit=value))
        else:
            row.hard_limit = value
    session.flush()
