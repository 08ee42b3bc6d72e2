"""Neutron's default policy (neutron/conf/policies/{network,subnet,port,security_group}.py):
members act in their own project, readers read it, admins do everything; a shared or external
network is visible to every project, and anyone may put a port on a shared network. A security
group rule is its group's: whoever may read or change the group may read or change its rules
(sg_owner), whoever made the rule.

The operation rules the token alone decides carry their check (api/); what depends on the
target (whose network, is it shared) is decided by the responders with the predicates here. A
target the caller may not see is answered as missing (404), one they see but may not change 403,
as Neutron does.
"""

from __future__ import annotations

from collections.abc import Iterable

import falcon

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.network import faults
from pocketstack.cloud.store.models.network import Network, Subnet
from pocketstack.cloud.store.models.network_port import Port
from pocketstack.cloud.store.models.network_security import SecurityGroup

# Port attributes only an admin (or a service) is shown (get_port:binding:*).
ADMIN_PORT_FIELDS = ("binding:host_id", "binding:profile", "binding:vif_type",
                     "binding:vif_details")  # fmt: skip


def caller_of(req: falcon.Request) -> RequestContext | None:
    caller: RequestContext | None = getattr(req.context, "auth", None)
    return caller


def is_admin(ctx: RequestContext) -> bool:
    return ctx.is_admin


def is_service(ctx: RequestContext) -> bool:
    return "service" in ctx.roles


def is_privileged(ctx: RequestContext) -> bool:
    """lib_rules.ADMIN_OR_SERVICE."""
    return ctx.is_admin or is_service(ctx)


def reads(ctx: RequestContext, project_id: str) -> bool:
    """role:reader and project_id:%(project_id)s (a member or admin role includes reader)."""
    return ctx.project_id == project_id and ctx.can_read


def writes(ctx: RequestContext, project_id: str) -> bool:
    """role:member and project_id:%(project_id)s."""
    return ctx.project_id == project_id and ctx.can_write


def project_member(ctx: RequestContext, name: str) -> None:
    """ADMIN_OR_PROJECT_MEMBER for a create in the token's project (the body's own project, if
    another, is refused by the create itself)."""
    if not (ctx.is_admin or (ctx.project_id is not None and ctx.can_write)):
        raise faults.policy_refused(name)


def anyone(ctx: RequestContext, name: str) -> None:
    """Rules whose answer depends on the target: the responder decides them."""


# Networks


def sees_network(ctx: RequestContext, net: Network) -> bool:
    return ctx.is_admin or reads(ctx, net.project_id) or net.shared or net.external


def changes_network(ctx: RequestContext, net: Network) -> bool:
    return ctx.is_admin or writes(ctx, net.project_id)


# Subnets


def sees_subnet(ctx: RequestContext, subnet: Subnet, net: Network) -> bool:
    return (ctx.is_admin or reads(ctx, subnet.project_id) or reads(ctx, net.project_id)
            or net.shared or net.external)  # fmt: skip


def creates_subnet(ctx: RequestContext, net: Network) -> bool:
    return ctx.is_admin or writes(ctx, net.project_id)


def changes_subnet(ctx: RequestContext, subnet: Subnet, net: Network) -> bool:
    return ctx.is_admin or writes(ctx, subnet.project_id) or writes(ctx, net.project_id)


# Ports


def owns_network(ctx: RequestContext, net: Network) -> bool:
    """NET_OWNER_MEMBER: a member of the project that owns the port's network."""
    return writes(ctx, net.project_id)


def sees_port(ctx: RequestContext, port: Port, net: Network) -> bool:
    return is_privileged(ctx) or reads(ctx, net.project_id) or reads(ctx, port.project_id)


def creates_port(ctx: RequestContext, net: Network) -> bool:
    """ADMIN_OR_PROJECT_MEMBER, on a network the project owns or a shared one: a reader
    creates nothing."""
    return is_privileged(ctx) or owns_network(ctx, net) or (net.shared and ctx.can_write)


def updates_port(ctx: RequestContext, port: Port) -> bool:
    return is_privileged(ctx) or writes(ctx, port.project_id)


def deletes_port(ctx: RequestContext, port: Port, net: Network) -> bool:
    return is_privileged(ctx) or owns_network(ctx, net) or writes(ctx, port.project_id)


# Security groups and their rules


def sees_group(ctx: RequestContext, group: SecurityGroup) -> bool:
    """ADMIN_OR_PROJECT_READER (and, for a rule, ADMIN_OR_SG_OWNER_READER)."""
    return ctx.is_admin or reads(ctx, group.project_id)


def changes_group(ctx: RequestContext, group: SecurityGroup) -> bool:
    """ADMIN_OR_PROJECT_MEMBER (and, for a rule, ADMIN_OR_SG_OWNER_MEMBER)."""
    return ctx.is_admin or writes(ctx, group.project_id)


def refuse_attributes(action: str, refused: Iterable[str]) -> None:
    """403 naming the action's attribute rules that failed, as oslo.policy words it."""
    names = [f"{action}:{attr}" for attr in refused]
    if names:
        raise faults.policy_refused(action, *names)
