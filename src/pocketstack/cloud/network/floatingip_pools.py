"""`/v2.0/floatingip_pools` (Neutron's floatingip-pools): the subnets a project may take a
floating IP from, those of the external networks. IPv4 ones only: floating IPv6 addresses need
fip64, which is not served. Each pool names the caller's project, as Neutron's does.
"""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import select

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import access, listing
from pocketstack.cloud.network.attributes import Attr
from pocketstack.cloud.store.models.network import Network, Subnet

POOL: dict[str, Attr] = {name: Attr() for name in ("subnet_id", "subnet_name", "network_id",
                                                    "cidr", "tenant_id", "project_id")}  # fmt: skip
# Pages run in subnet id order.
LISTABLE = listing.Listable(collection="floatingip_pools", attributes=POOL,
                            id_column=Subnet.id, updated_column=Subnet.updated_at,
                            columns={"id": Subnet.id})  # fmt: skip


def reads_pools(ctx: RequestContext) -> bool:
    """ADMIN_OR_PROJECT_READER; as Neutron's list, one who may not read is shown no pools."""
    return ctx.is_admin or (ctx.project_id is not None and ctx.can_read)


def pool_view(subnet: Subnet, ctx: RequestContext) -> dict[str, Any]:
    return {"subnet_id": subnet.id, "subnet_name": subnet.name,
            "network_id": subnet.network_id, "cidr": subnet.cidr,
            "tenant_id": ctx.project_id, "project_id": ctx.project_id}  # fmt: skip


class PoolList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        query = listing.parse(req.query_string, LISTABLE)
        if not reads_pools(ctx):
            resp.media = {"floatingip_pools": []}
            return
        external = select(Network.id).where(Network.external.is_(True))
        stmt = select(Subnet).where(Subnet.network_id.in_(external), Subnet.ip_version == 4)
        with self._deps.store.session() as session:
            marker = None
            if query.limit is not None and query.marker is not None:
                marker = {"id": access.subnet(session, ctx, query.marker)[0].id}
            rows = listing.keyset_page(session, stmt, LISTABLE, query, marker)
        views = [pool_view(row, ctx) for row in rows]
        resp.media = listing.page_body(req, query, "floatingip_pools", views,
                                       [r.id for r in rows])  # fmt: skip
