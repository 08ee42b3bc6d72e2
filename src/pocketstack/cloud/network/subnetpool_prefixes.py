"""`PUT /v2.0/subnetpools/{id}/add_prefixes` and `.../remove_prefixes` (Neutron's
subnetpool-prefix-ops): prefixes added to a pool (merged, as an update's are), or taken out of it
unless a subnet was allocated from any of them. Policy: whoever may update the pool
(add_prefixes, remove_prefixes: ADMIN_OR_PROJECT_MEMBER of its project).
"""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import Any

import falcon
from sqlalchemy import select

from pocketstack.cloud.api.operation import Microversion
from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import access, faults, values
from pocketstack.cloud.network import subnetpool_access as pools
from pocketstack.cloud.network import subnetpool_rules as rules
from pocketstack.cloud.network.subnetpools import prefixes_of, set_prefixes
from pocketstack.cloud.network.values import IPNetwork
from pocketstack.cloud.store.models.network_subnetpool import SubnetPoolSubnet


@dataclasses.dataclass(frozen=True)
class Prefixes:
    prefixes: list[IPNetwork]


def _invalid() -> faults.NeutronError:
    return faults.bad_request("Request body contains invalid data")


def parse_prefixes(body: Any, version: Microversion | None) -> Prefixes:
    """`{"prefixes": [CIDR, ...]}`, not empty (Neutron's get_operation_request_body)."""
    if not isinstance(body, dict):
        raise _invalid()
    given = body.get("prefixes")
    if not given or not isinstance(given, list):
        raise _invalid()
    try:
        return Prefixes([values.parse_cidr(p).network for p in given])
    except values.Invalid:
        raise _invalid() from None


class PrefixOperation:
    def __init__(self, deps: CloudDeps, action: str) -> None:
        self._deps = deps
        self._action = action

    def on_put(self, req: falcon.Request, resp: falcon.Response, subnetpool_id: str) -> None:
        ctx: RequestContext = req.context.auth
        given = request_of(req, Prefixes).prefixes
        with self._deps.store.session(write=True) as session:
            pool = pools.pool(session, ctx, subnetpool_id, lock=access.UPDATE)
            if not pools.changes(ctx, pool):
                raise faults.policy_refused(self._action)
            old = prefixes_of(pool)
            if self._action == "add_prefixes":
                new = rules.grown(old, [*old, *given])
            elif not any(o.version == g.version and o.overlaps(g) for o in old for g in given):
                # Nothing of them is in the pool: nothing to do.
                new = old
            else:
                held = session.scalars(
                    select(SubnetPoolSubnet.cidr)
                    .where(SubnetPoolSubnet.subnetpool_id == pool.id)
                    .with_for_update(read=True)
                )
                allocated = [ipaddress.ip_network(c) for c in held]
                new = rules.removed(old, given, allocated)  # fmt: skip
            if new != old:
                set_prefixes(pool, new)
                pool.revision_number += 1
                pool.updated_at = self._deps.clock.now()
            resp.media = {"prefixes": [str(p) for p in new]}
