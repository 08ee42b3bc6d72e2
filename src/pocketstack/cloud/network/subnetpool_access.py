"""Subnet pools found for a caller and shown (neutron/conf/policies/subnetpool.py): members and
readers see their project's pools, everyone sees the shared ones (shared_subnetpools), admins
see all; members change their project's pools, admins any. A pool the caller may not see is
missing (404), one they see but may not change 403.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.network import access, faults, policy, tags
from pocketstack.cloud.network.views import timestamp
from pocketstack.cloud.store.models.network_subnetpool import SubnetPool


def sees(ctx: RequestContext, pool: SubnetPool) -> bool:
    return ctx.is_admin or policy.reads(ctx, pool.project_id) or pool.shared


def changes(ctx: RequestContext, pool: SubnetPool) -> bool:
    return ctx.is_admin or policy.writes(ctx, pool.project_id)


def visible(ctx: RequestContext) -> ColumnElement[bool]:
    if ctx.is_admin:
        return true()
    return or_(SubnetPool.project_id == access.own_project(ctx), SubnetPool.shared.is_(True))


def missing(pool_id: str) -> faults.NeutronError:
    return faults.not_found("SubnetPoolNotFound", f"Subnet pool {pool_id} could not be found.")


def pool(session: Session, ctx: RequestContext, pool_id: str, *,
         lock: str | None = None) -> SubnetPool:  # fmt: skip
    """The pool if it exists and `ctx` may see it, else SubnetPoolNotFound."""
    stmt = access.locked(select(SubnetPool).where(SubnetPool.id == pool_id), lock)
    found: SubnetPool | None = session.scalars(stmt).first()
    if found is None or not sees(ctx, found):
        raise missing(pool_id)
    return found


def view(pool: SubnetPool) -> dict[str, Any]:
    return {
        "id": pool.id,
        "name": pool.name,
        "tenant_id": pool.project_id,
        "project_id": pool.project_id,
        "prefixes": json.loads(pool.prefixes),
        "default_prefixlen": pool.default_prefixlen,
        "min_prefixlen": pool.min_prefixlen,
        "max_prefixlen": pool.max_prefixlen,
        "default_quota": pool.default_quota,
        "ip_version": pool.ip_version,
        "is_default": pool.is_default,
        "shared": pool.shared,
        # No address scopes are served: no pool is in one.
        "address_scope_id": None,
        "description": pool.description,
        "created_at": timestamp(pool.created_at),
        "updated_at": timestamp(pool.updated_at),
        "revision_number": pool.revision_number,
        "tags": [],
    }


def views(session: Session, pools: Sequence[SubnetPool]) -> list[dict[str, Any]]:
    return tags.fill(session, [view(p) for p in pools])
