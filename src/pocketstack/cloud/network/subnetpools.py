"""`/v2.0/subnetpools`: list, create (one or a bulk list), show, update, delete (Neutron's
subnet_allocation, with default-subnetpools' `is_default`).

A pool's prefixes are merged on every write (subnetpool_rules.py); an update may add to them but
never drop an address (the prefix-ops' remove_prefixes does that, subnetpool_prefixes.py). One
pool per IP version is the default: the `default_for` unique column refuses a second whatever
the timing, and a pool is written holding its row lock, as a subnet's allocation from it holds
it (subnetpool_alloc.py). Only an admin shares a pool or makes it a default.
"""

from __future__ import annotations

import ipaddress
import json
import uuid
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import access, faults, listing, policy, tags
from pocketstack.cloud.network import subnetpool_access as pools
from pocketstack.cloud.network import subnetpool_rules as rules
from pocketstack.cloud.network.body import Creates, Update, is_set
from pocketstack.cloud.network.networks import owner_of
from pocketstack.cloud.network.subnetpool_attributes import SUBNETPOOL
from pocketstack.cloud.network.values import IPNetwork
from pocketstack.cloud.store.models.network_subnetpool import SubnetPool, SubnetPoolSubnet

LISTABLE = listing.Listable(
    collection="subnetpools",
    attributes=SUBNETPOOL,
    id_column=SubnetPool.id,
    updated_column=SubnetPool.updated_at,
    tagged=True,
    columns={
        "id": SubnetPool.id, "name": SubnetPool.name, "project_id": SubnetPool.project_id,
        "description": SubnetPool.description, "ip_version": SubnetPool.ip_version,
        "default_prefixlen": SubnetPool.default_prefixlen,
        "min_prefixlen": SubnetPool.min_prefixlen, "max_prefixlen": SubnetPool.max_prefixlen,
        "default_quota": SubnetPool.default_quota, "is_default": SubnetPool.is_default,
        "shared": SubnetPool.shared, "created_at": SubnetPool.created_at,
        "updated_at": SubnetPool.updated_at, "revision_number": SubnetPool.revision_number,
    },
    hooks={
        # No pool is in an address scope.
        "address_scope_id": lambda wanted: SubnetPool.id.is_(None),
    },
    nullable=frozenset({"default_quota"}),
)  # fmt: skip


def _optional(item: dict[str, Any], name: str) -> Any:
    value = item.get(name)
    return value if value is not None and is_set(value) else None


def _default_taken() -> faults.NeutronError:
    return faults.invalid_input("A default subnetpool for this IP family has already been set."
                                " Only one default may exist per IP family")  # fmt: skip


def stored(session: Session, pool: SubnetPool) -> None:
    """The pool written; a second default of its IP version refused (the unique column)."""
    try:
        with session.begin_nested():
            session.add(pool)
            session.flush()
    except IntegrityError:
        raise _default_taken() from None


def prefixes_of(pool: SubnetPool) -> list[IPNetwork]:
    return [ipaddress.ip_network(p) for p in json.loads(pool.prefixes)]


def set_prefixes(pool: SubnetPool, prefixes: list[IPNetwork]) -> None:
    pool.prefixes = json.dumps([str(p) for p in prefixes])


def _new_pool(ctx: RequestContext, item: dict[str, Any], now: Any) -> SubnetPool:
    project = owner_of(ctx, item)
    if not ctx.is_admin:
        # Attribute rules apply to a value other than the default (False).
        policy.refuse_attributes("create_subnetpool",
                                 [a for a in ("shared", "is_default") if item[a]])  # fmt: skip
    prefixes = rules.merged(item["prefixes"])
    version = prefixes[0].version
    bounds = rules.bounds(
        version,
        _optional(item, "min_prefixlen"),
        _optional(item, "max_prefixlen"),
        _optional(item, "default_prefixlen"),
    )
    pool = SubnetPool(
        id=str(uuid.uuid4()), project_id=project, name=item["name"],
        description=item["description"], ip_version=version,
        default_prefixlen=bounds.default_prefixlen, min_prefixlen=bounds.min_prefixlen,
        max_prefixlen=bounds.max_prefixlen, default_quota=_optional(item, "default_quota"),
        shared=item["shared"], is_default=item["is_default"],
        default_for=version if item["is_default"] else None, revision_number=1,
        created_at=now, updated_at=now,
    )  # fmt: skip
    set_prefixes(pool, prefixes)
    return pool


class SubnetPoolList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        query = listing.parse(req.query_string, LISTABLE)
        stmt = select(SubnetPool).where(pools.visible(ctx),
                                        *listing.where(LISTABLE, query.filters))  # fmt: skip
        with self._deps.store.session() as session:
            marker = None
            if query.limit is not None and query.marker is not None:
                marker = listing.marker_of(pools.pool(session, ctx, query.marker), LISTABLE)
            rows = listing.keyset_page(session, stmt, LISTABLE, query, marker)
            views = pools.views(session, rows)
        resp.media = listing.page_body(req, query, "subnetpools", views, [r.id for r in rows])

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        new = request_of(req, Creates)
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            made = [_new_pool(ctx, item, now) for item in new.items]
            for pool in made:
                stored(session, pool)
            views = pools.views(session, made)
        resp.status = falcon.HTTP_201
        resp.media = {"subnetpools": views} if new.bulk else {"subnetpool": views[0]}


def _update(ctx: RequestContext, pool: SubnetPool, changes: dict[str, Any]) -> None:
    if "is_default" in changes and not ctx.is_admin:
        policy.refuse_attributes("update_subnetpool", ["is_default"])
    prefixes = prefixes_of(pool)
    if "prefixes" in changes:
        prefixes = rules.grown(prefixes, changes["prefixes"])
    bounds = rules.bounds(pool.ip_version, changes.get("min_prefixlen", pool.min_prefixlen),
                          changes.get("max_prefixlen", pool.max_prefixlen),
                          changes.get("default_prefixlen", pool.default_prefixlen))  # fmt: skip
    set_prefixes(pool, prefixes)
    pool.min_prefixlen = bounds.min_prefixlen
    pool.max_prefixlen = bounds.max_prefixlen
    pool.default_prefixlen = bounds.default_prefixlen
    for name in ("name", "description", "default_quota", "is_default"):
        if name in changes:
            setattr(pool, name, changes[name])
    pool.default_for = pool.ip_version if pool.is_default else None


class SubnetPoolItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, subnetpool_id: str) -> None:
        with self._deps.store.session() as session:
            pool = pools.pool(session, req.context.auth, subnetpool_id)
            view = pools.views(session, [pool])[0]
        resp.media = {"subnetpool": listing.select_fields(view, listing.show_fields(req))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, subnetpool_id: str) -> None:
        ctx: RequestContext = req.context.auth
        changes = request_of(req, Update).changes
        with self._deps.store.session(write=True) as session:
            pool = pools.pool(session, ctx, subnetpool_id, lock=access.UPDATE)
            if not pools.changes(ctx, pool):
                raise faults.policy_refused("update_subnetpool")
            _update(ctx, pool, changes)
            pool.revision_number += 1
            pool.updated_at = self._deps.clock.now()
            stored(session, pool)
            view = pools.views(session, [pool])[0]
        resp.media = {"subnetpool": view}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, subnetpool_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            pool = pools.pool(session, ctx, subnetpool_id, lock=access.UPDATE)
            if not pools.changes(ctx, pool):
                raise faults.policy_refused("delete_subnetpool")
            # Allocations are made holding the pool's lock, which this delete holds now.
            used = session.scalars(select(SubnetPoolSubnet.subnet_id).where(
                SubnetPoolSubnet.subnetpool_id == pool.id).limit(1).with_for_update(read=True)
            ).first()  # fmt: skip
            if used is not None:
                raise faults.bad_request(
                    "Unable to delete subnet pool: Subnet pool has existing allocations.",
                    kind="SubnetPoolDeleteError",
                )
            tags.forget(session, [pool.id])
            session.delete(pool)
        resp.status = falcon.HTTP_204
