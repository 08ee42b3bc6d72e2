"""Networks, subnets, ports and security groups found for a caller: what they may see, as SQL
for a list and as a lookup by id that answers Neutron's NotFound for what is missing or hidden.

Locks: a network is read FOR SHARE by what adds to it (a port) and FOR UPDATE by what changes
what it holds (a subnet's create or delete, the network's delete), always before its subnets'
rows (ipam.py), so that a delete never misses what a concurrent create adds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.network import faults, policy
from pocketstack.cloud.store.models.network import Network, Subnet
from pocketstack.cloud.store.models.network_port import Port
from pocketstack.cloud.store.models.network_security import SecurityGroup

SHARE = "share"
UPDATE = "update"


def own_project(ctx: RequestContext) -> str:
    # A token without a project (or without a reader role) owns nothing: it matches no row.
    return ctx.project_id if ctx.project_id is not None and ctx.can_read else ""


def visible_networks(ctx: RequestContext) -> ColumnElement[bool]:
    if ctx.is_admin:
        return true()
    return or_(Network.project_id == own_project(ctx), Network.shared.is_(True),
               Network.external.is_(True))  # fmt: skip


def visible_subnets(ctx: RequestContext) -> ColumnElement[bool]:
    if ctx.is_admin:
        return true()
    project = own_project(ctx)
    open_networks = select(Network.id).where(
        or_(Network.project_id == project, Network.shared.is_(True), Network.external.is_(True))
    )
    return or_(Subnet.project_id == project, Subnet.network_id.in_(open_networks))


def visible_ports(ctx: RequestContext) -> ColumnElement[bool]:
    if policy.is_privileged(ctx):
        return true()
    project = own_project(ctx)
    owned = select(Network.id).where(Network.project_id == project)
    return or_(Port.project_id == project, Port.network_id.in_(owned))


def locked(stmt: Any, lock: str | None) -> Any:
    # A row read before in this session is read again: its locked state is the one that counts.
    if lock == SHARE:
        return stmt.with_for_update(read=True).execution_options(populate_existing=True)
    if lock == UPDATE:
        return stmt.with_for_update().execution_options(populate_existing=True)
    return stmt


def network_missing(network_id: str) -> faults.NeutronError:
    return faults.not_found("NetworkNotFound", f"Network {network_id} could not be found.")


def subnet_missing(subnet_id: str) -> faults.NeutronError:
    return faults.not_found("SubnetNotFound", f"Subnet {subnet_id} could not be found.")


def port_missing(port_id: str) -> faults.NeutronError:
    return faults.not_found("PortNotFound", f"Port {port_id} could not be found.")


def network(
    session: Session, ctx: RequestContext | None, network_id: str, *, lock: str | None = None
) -> Network:
    """The network if it exists and `ctx` may see it (None: whoever), else NetworkNotFound."""
    stmt = locked(select(Network).where(Network.id == network_id), lock)
    found: Network | None = session.scalars(stmt).first()
    if found is None or (ctx is not None and not policy.sees_network(ctx, found)):
        raise network_missing(network_id)
    return found


def subnet(
    session: Session, ctx: RequestContext, subnet_id: str, *, lock: str | None = None
) -> tuple[Subnet, Network]:
    found: Subnet | None = session.get(Subnet, subnet_id)
    if found is None:
        raise subnet_missing(subnet_id)
    net = network(session, None, found.network_id, lock=lock)
    if lock is not None:
        # Re-read under the network's lock: the subnet may have gone meanwhile.
        stmt = locked(select(Subnet).where(Subnet.id == subnet_id), lock)
        relocked: Subnet | None = session.scalars(stmt).first()
        if relocked is None:
            raise subnet_missing(subnet_id)
        found = relocked
    if not policy.sees_subnet(ctx, found, net):
        raise subnet_missing(subnet_id)
    return found, net


def port(
    session: Session, ctx: RequestContext, port_id: str, *, lock: bool = False
) -> tuple[Port, Network]:
    """The port if `ctx` may see it, else PortNotFound; with `lock`, its network read FOR SHARE
    and then the port FOR UPDATE (a network's delete locks in the same order)."""
    found: Port | None = session.get(Port, port_id)
    if found is None:
        raise port_missing(port_id)
    net = network(session, None, found.network_id, lock=SHARE if lock else None)
    if lock:
        stmt = locked(select(Port).where(Port.id == port_id), UPDATE)
        relocked: Port | None = session.scalars(stmt).first()
        if relocked is None:
            raise port_missing(port_id)
        found = relocked
    if not policy.sees_port(ctx, found, net):
        raise port_missing(port_id)
    return found, net


def visible_groups(ctx: RequestContext) -> ColumnElement[bool]:
    if ctx.is_admin:
        return true()
    return SecurityGroup.project_id == own_project(ctx)


def group_missing(group_id: str) -> faults.NeutronError:
    return faults.not_found("SecurityGroupNotFound", f"Security group {group_id} does not exist")


def group(
    session: Session, ctx: RequestContext | None, group_id: str, *, lock: str | None = None
) -> SecurityGroup:
    """The security group if it exists and `ctx` may see it (None: whoever), else
    SecurityGroupNotFound."""
    stmt = locked(select(SecurityGroup).where(SecurityGroup.id == group_id), lock)
    found: SecurityGroup | None = session.scalars(stmt).first()
    if found is None or (ctx is not None and not policy.sees_group(ctx, found)):
        raise group_missing(group_id)
    return found
