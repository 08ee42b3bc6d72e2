"""A subnet's prefix allocated from a subnet pool (Neutron's subnet_allocation and
default-subnetpools): any free prefix of a length (the request's `prefixlen`, else the pool's
default), or a CIDR the request names, which must be free in the pool.

Race-free: the pool's row is locked FOR UPDATE before its allocations are read (with a locking
read, which sees the latest committed rows on MariaDB too) and until the new subnet's allocation
row is stored, so two subnets created at once from one pool never get overlapping prefixes; the
(pool, cidr) unique constraint is the last word all the same. A subnet's create locks its network
first, then the pool: a pool's update and delete lock the pool alone, so no two wait on each
other.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.network import access, faults, subnetpool_access
from pocketstack.cloud.network import subnet_rules as rules
from pocketstack.cloud.network import subnetpool_rules as pool_rules
from pocketstack.cloud.network.body import is_set
from pocketstack.cloud.network.values import IPNetwork
from pocketstack.cloud.store.models.network_subnetpool import SubnetPool, SubnetPoolSubnet


@dataclasses.dataclass(frozen=True)
class Request:
    """What a subnet's create asks of a pool: the pool, and a CIDR or a prefix length (neither:
    the pool's default length)."""

    pool_id: str
    cidr: IPNetwork | None
    prefixlen: int | None


def _default_pool(session: Session, ctx: RequestContext, ip_version: int) -> str:
    stmt = select(SubnetPool.id).where(SubnetPool.is_default.is_(True),
                                       SubnetPool.ip_version == ip_version,
                                       subnetpool_access.visible(ctx))  # fmt: skip
    found = session.scalars(stmt).first()
    if found is None:
        raise rules.bad_subnets(f"No default subnetpool found for IPv{ip_version}")
    return found


def request_of(session: Session, ctx: RequestContext, item: dict[str, Any]) -> Request | None:
    """The pool request of a subnet's create (Neutron's _get_subnetpool_id and the checks
    before it), None when the subnet names its CIDR and no pool."""
    cidr = rules.network_of(item["cidr"]) if is_set(item["cidr"]) else None
    prefixlen = item.get("prefixlen")
    prefixlen = prefixlen if prefixlen is not None and is_set(prefixlen) else None
    if cidr is not None and prefixlen is not None:
        raise rules.bad_subnets("cidr and prefixlen must not be supplied together")
    pool_id = item.get("subnetpool_id")
    pool_id = pool_id if pool_id is not None and is_set(pool_id) else None
    use_default = item.get("use_default_subnetpool") is True
    if use_default and pool_id:
        raise rules.bad_subnets("subnetpool_id and use_default_subnetpool cannot both be"
                                " specified")  # fmt: skip
    if use_default:
        version = cidr.version if cidr is not None else item["ip_version"]
        pool_id = _default_pool(session, ctx, version)
    if pool_id is None:
        if cidr is None:
            raise rules.bad_subnets("a subnetpool must be specified in the absence of a cidr")
        return None
    pools_given = item.get("allocation_pools")
    if cidr is None and pools_given is not None and is_set(pools_given):
        raise rules.bad_subnets("allocation_pools allowed only for specific subnet requests.")
    return Request(pool_id, cidr, prefixlen)


def _failed(reason: str) -> faults.NeutronError:
    # Neutron lets this one through as a 500; a pool out of space is the client's conflict.
    return faults.conflict("SubnetAllocationError", f"Failed to allocate subnet: {reason}.")


def _check_quota(session: Session, pool: SubnetPool, project: str, prefixlen: int) -> None:
    if not pool.default_quota:
        return
    held = session.scalars(select(SubnetPoolSubnet.cidr).where(
        SubnetPoolSubnet.subnetpool_id == pool.id, SubnetPoolSubnet.project_id == project
    ).with_for_update(read=True))  # fmt: skip
    used = sum(pool_rules.quota_units(pool.ip_version, ipaddress.ip_network(c).prefixlen)
               for c in held)  # fmt: skip
    if used + pool_rules.quota_units(pool.ip_version, prefixlen) > pool.default_quota:
        raise faults.conflict("SubnetPoolQuotaExceeded",
                              "Per-project subnet pool prefix quota exceeded.")  # fmt: skip


def allocate(session: Session, ctx: RequestContext, request: Request, *, ip_version: int,
             project: str) -> IPNetwork:  # fmt: skip
    """The subnet's CIDR from the pool, which stays locked until the transaction ends (the
    caller stores the allocation with `record`)."""
    pool = subnetpool_access.pool(session, ctx, request.pool_id, lock=access.UPDATE)
    if ip_version != pool.ip_version:
        raise rules.bad_subnets(f"Cannot allocate IPv{ip_version} subnet from"
                                f" IPv{pool.ip_version} subnet pool")  # fmt: skip
    wanted = request.cidr.prefixlen if request.cidr is not None else request.prefixlen
    prefixlen = pool.default_prefixlen if wanted is None else wanted
    if prefixlen > pool.max_prefixlen:
        raise faults.bad_request(
            f"Unable to allocate subnet with prefix length {prefixlen}, maximum allowed prefix"
            f" is {pool.max_prefixlen}.",
            kind="MaxPrefixSubnetAllocationError",
        )
    if prefixlen < pool.min_prefixlen:
        raise faults.bad_request(
            f"Unable to allocate subnet with prefix length {prefixlen}, minimum allowed prefix"
            f" is {pool.min_prefixlen}.",
            kind="MinPrefixSubnetAllocationError",
        )
    _check_quota(session, pool, project, prefixlen)
    taken = session.scalars(select(SubnetPoolSubnet.cidr).where(
        SubnetPoolSubnet.subnetpool_id == pool.id).with_for_update(read=True))  # fmt: skip
    prefixes = [ipaddress.ip_network(p) for p in json.loads(pool.prefixes)]
    free = pool_rules.free_blocks(prefixes, [ipaddress.ip_network(c) for c in taken])
    if request.cidr is not None:
        if not pool_rules.is_free(free, request.cidr):
            raise _failed("Cannot allocate requested subnet from the available set of prefixes")
        return request.cidr
    found = pool_rules.first_fit(free, prefixlen)
    if found is None:
        raise _failed(f"Insufficient prefix space to allocate subnet size /{prefixlen}")
    return found


def record(session: Session, pool_id: str, subnet_id: str, project: str, cidr: str) -> None:
    """The subnet stored as allocated from the pool (the subnet's row flushed before)."""
    try:
        with session.begin_nested():
            session.add(SubnetPoolSubnet(subnet_id=subnet_id, subnetpool_id=pool_id,
                                         project_id=project, cidr=cidr))  # fmt: skip
    except IntegrityError:
        # Only if the pool's lock failed to order two creates: Neutron's SubnetPoolInUse.
        raise faults.conflict(
            "SubnetPoolInUse",
            f"Unable to complete operation on subnet pool {pool_id}. In use.",
        ) from None
