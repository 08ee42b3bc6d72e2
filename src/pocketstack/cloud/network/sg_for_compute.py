"""What the compute service's proxies ask of the network service (Nova's
nova/network/security_group_api.py and its network API's get_all/get): security groups and their
ingress rules in Nova's shapes, and the networks a project sees (a server's groups:
sg_for_servers.py).

Compute calls these, never the network tables. Who may see or change what is the network
service's rule (the caller's token decides, as when Nova relays it to Neutron); its refusals come
back in the words Nova answers with. The proxies' own functions take the store (a project's
default group is made in a transaction of its own first, as Neutron does on a project's first
use); a server action's take the session compute holds the server in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import BadRequest, Forbidden, NotFound
from pocketstack.cloud.network import access, attributes, faults, policy, sg_store
from pocketstack.cloud.network import sg_rules_validation as checks
from pocketstack.cloud.network.values import Invalid
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.network import Network
from pocketstack.cloud.store.models.network_security import SecurityGroup, SecurityGroupRule

ANY_IPV4 = "0.0.0.0/0"
_PORTED = ("TCP", "UDP")


# --- Nova's view ---------------------------------------------------------------------------


def _nova_ports(rule: SecurityGroupRule) -> tuple[int | None, int | None]:
    """Nova's from_port/to_port: a protocol without ports is its whole range (TCP, UDP) or -1."""
    low, high = rule.port_range_min, rule.port_range_max
    if rule.protocol and low is None and high is None:
        return (1, 65535) if rule.protocol.upper() in _PORTED else (-1, -1)
    return low, high


def _rule_view(rule: SecurityGroupRule, remote: dict[str, Any] | None) -> dict[str, Any]:
    low, high = _nova_ports(rule)
    return {
        "id": rule.id,
        "parent_group_id": rule.security_group_id,
        "ip_protocol": rule.protocol,
        "from_port": low,
        "to_port": high,
        "group": remote or {},
        "ip_range": {} if rule.remote_group_id else {"cidr": rule.remote_ip_prefix or ANY_IPV4},
    }


def _remotes(session: Session, rules: Iterable[SecurityGroupRule]) -> dict[str, dict[str, Any]]:
    ids = {r.remote_group_id for r in rules if r.remote_group_id}
    if not ids:
        return {}
    rows = session.execute(select(SecurityGroup.id, SecurityGroup.name, SecurityGroup.project_id)
                           .where(SecurityGroup.id.in_(sorted(ids))))  # fmt: skip
    return {gid: {"name": name, "tenant_id": project} for gid, name, project in rows}


def group_views(session: Session, groups: Sequence[SecurityGroup]) -> list[dict[str, Any]]:
    """Nova's security groups: their ingress rules only, a rule naming a group gone skipped."""
    rules = sg_store.rules_of(session, [g.id for g in groups])
    ingress = {gid: [r for r in found if r.direction == "ingress"] for gid, found in rules.items()}
    remotes = _remotes(session, (r for found in ingress.values() for r in found))
    views = []
    for group in groups:
        shown = [_rule_view(r, remotes.get(r.remote_group_id) if r.remote_group_id else None)
                 for r in ingress[group.id]
                 if not r.remote_group_id or r.remote_group_id in remotes]  # fmt: skip
        views.append({"id": group.id, "name": group.name, "description": group.description,
                      "tenant_id": group.project_id, "rules": shown})  # fmt: skip
    return views


def sorted_views(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(views, key=lambda v: (v["tenant_id"], v["name"]))


# --- groups --------------------------------------------------------------------------------


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise BadRequest("Security group id should be uuid") from None


def _group(session: Session, ctx: RequestContext, group_id: str, lock: str | None = None) -> Any:
    try:
        return access.group(session, ctx, group_id, lock=lock)
    except faults.NeutronError as exc:
        raise NotFound(exc.message) from None


def _prepare(store: Store, ctx: RequestContext, now: dt.datetime) -> None:
    if ctx.project_id is not None:
        sg_store.ensure_default(store, ctx, ctx.project_id, now)


def list_groups(store: Store, ctx: RequestContext, now: dt.datetime, *, all_projects: bool,
                offset: int, limit: int) -> list[dict[str, Any]]:  # fmt: skip
    """Nova's list: the caller's project's groups (every project's for an admin asking
    all_tenants), cut by offset and limit in the network service's order, then sorted by
    project and name."""
    _prepare(store, ctx, now)
    stmt = select(SecurityGroup).where(access.visible_groups(ctx))
    if not (all_projects and ctx.is_admin):
        stmt = stmt.where(SecurityGroup.project_id == (ctx.project_id or ""))
    stmt = stmt.order_by(SecurityGroup.id).offset(offset).limit(limit)
    with store.session() as session:
        return sorted_views(group_views(session, list(session.scalars(stmt))))


def show_group(store: Store, ctx: RequestContext, group_id: str) -> dict[str, Any]:
    group_id = _uuid(group_id)
    with store.session() as session:
        return group_views(session, [_group(session, ctx, group_id)])[0]


def create_group(store: Store, ctx: RequestContext, now: dt.datetime, *, name: str,
                 description: str) -> dict[str, Any]:  # fmt: skip
    if ctx.project_id is None:
        raise BadRequest("A project is needed to create a security group.")
    try:
        attributes.SECURITY_GROUP["name"].check(name)  # type: ignore[misc]
    except faults.NeutronError as exc:
        # Neutron's 409 (a second `default`), which Nova answers as over the limit.
        raise Forbidden(exc.message) from None
    except Invalid as exc:
        raise BadRequest(str(exc)) from None
    _prepare(store, ctx, now)
    with store.session(write=True) as session:
        group = sg_store.new_group(session, project=ctx.project_id, name=name,
                                   description=description, stateful=True, now=now)  # fmt: skip
        return group_views(session, [group])[0]


def update_group(store: Store, ctx: RequestContext, now: dt.datetime, group_id: str, *,
                 name: str, description: str) -> dict[str, Any]:  # fmt: skip
    group_id = _uuid(group_id)
    with store.session(write=True) as session:
        group = _group(session, ctx, group_id, lock=access.UPDATE)
        if not policy.changes_group(ctx, group):
            raise Forbidden("rule:update_security_group is disallowed by policy")
        if name != group.name:
            if group.name == sg_store.DEFAULT_NAME:
                raise BadRequest("Updating default security group not allowed.")
            if name.lower() == sg_store.DEFAULT_NAME:
                raise BadRequest("Default security group already exists.")
        group.name, group.description = name, description
        group.revision_number += 1
        group.updated_at = now
        session.flush()
        return group_views(session, [group])[0]


def delete_group(store: Store, ctx: RequestContext, group_id: str) -> None:
    """Neutron's refusals (in use, the default group) are Nova's 400."""
    group_id = _uuid(group_id)
    with store.session(write=True) as session:
        group = _group(session, ctx, group_id, lock=access.UPDATE)
        if not policy.changes_group(ctx, group):
            raise Forbidden("rule:delete_security_group is disallowed by policy")
        try:
            sg_store.check_unused(session, group)
        except faults.NeutronError as exc:
            raise BadRequest(exc.message) from None
        if group.name == sg_store.DEFAULT_NAME and not ctx.is_admin:
            raise BadRequest("Insufficient rights for removing default security group.")
        session.delete(group)


# --- rules ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NewRule:
    """Nova's security_group_rule body, its values as given (Nova checks them itself)."""

    parent_group_id: str
    group_id: str | None
    ip_protocol: Any
    from_port: Any
    to_port: Any
    cidr: Any


def _neutron_rule(parent: str, nova: dict[str, Any]) -> dict[str, Any]:
    """Nova's rule as it asks Neutron for it: ingress, IPv4 unless the prefix is IPv6, -1 no
    port; then Neutron's conversions and checks."""
    cidr = nova.get("cidr")
    ethertype = checks.IPV4
    if cidr and ipaddress.ip_network(cidr, strict=False).version == 6:
        ethertype = checks.IPV6
    low, high = nova.get("from_port"), nova.get("to_port")
    try:
        rule = sg_store.blank_rule(
            direction="ingress", ethertype=ethertype,
            protocol=checks.protocol(nova.get("protocol")),
            port_range_min=checks.port(None if low == -1 else low),
            port_range_max=checks.port(None if high == -1 else high),
            remote_ip_prefix=checks.remote_ip_prefix(cidr),
            remote_group_id=nova.get("group_id"), security_group_id=parent,
        )  # fmt: skip
        checks.check(rule)
    except faults.NeutronError as exc:
        raise BadRequest(exc.message) from None
    return rule


def _exists(session: Session, group_id: str, nova: dict[str, Any]) -> bool:
    """Nova's _rule_exists: an ingress rule of the group with the same remote, ports and
    protocol as Nova shows them (a group's rule never matches: Nova compares its missing cidr
    with the any-address one it shows)."""
    wanted = (nova.get("group_id"), nova.get("cidr"), nova.get("from_port"), nova.get("to_port"),
              nova.get("protocol"))  # fmt: skip
    for rule in sg_store.rules_of(session, [group_id])[group_id]:
        if rule.direction != "ingress":
            continue
        low, high = _nova_ports(rule)
        shown = (rule.remote_group_id, rule.remote_ip_prefix or ANY_IPV4, low, high,
                 rule.protocol)  # fmt: skip
        if shown == wanted:
            return True
    return False


def create_rule(store: Store, ctx: RequestContext, now: dt.datetime, new: NewRule,
                nova_rule: Callable[[NewRule], dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    """Nova's rule create: its groups found (404), then the rule Nova makes of the request
    (`nova_rule`: Nova's own checks, in compute), refused when the group shows it already, then
    Neutron's rule made of it and Neutron's checks."""
    with store.session(write=True) as session:
        ids = {new.parent_group_id} | ({new.group_id} if new.group_id else set())
        # Locked in id order (as the network service's own rule creates lock them).
        stmt = select(SecurityGroup).where(SecurityGroup.id.in_(sorted(ids)))
        session.scalars(access.locked(stmt.order_by(SecurityGroup.id), access.UPDATE)).all()
        parent = _group(session, ctx, new.parent_group_id)
        remote = _group(session, ctx, new.group_id) if new.group_id is not None else None
        nova = nova_rule(new)
        if _exists(session, parent.id, nova):
            raise BadRequest(f"This rule already exists in group {new.parent_group_id}")
        if not policy.changes_group(ctx, parent):
            raise Forbidden("rule:create_security_group_rule is disallowed by policy")
        rule = _neutron_rule(parent.id, nova)
        if remote is not None and not (ctx.is_admin or remote.project_id == parent.project_id):
            raise NotFound(f"Security group {remote.id} does not exist")
        try:
            row = sg_store.insert_rule(session, parent, parent.project_id, rule, now)
        except faults.NeutronError as exc:
            # Neutron's 409 (the same rule), which Nova answers as over the limit.
            raise (Forbidden if exc.status == 409 else NotFound)(exc.message) from None
        parent.revision_number += 1
        parent.updated_at = now
        session.flush()
        data = {"name": remote.name, "tenant_id": remote.project_id} if remote else None
        return _rule_view(row, data)


def delete_rule(store: Store, ctx: RequestContext, now: dt.datetime, rule_id: str) -> None:
    rule_id = _uuid(rule_id)
    with store.session(write=True) as session:
        rule: SecurityGroupRule | None = session.get(SecurityGroupRule, rule_id)
        group = None if rule is None else session.get(SecurityGroup, rule.security_group_id)
        if rule is None or group is None or not policy.sees_group(ctx, group):
            raise NotFound(f"Security group rule {rule_id} does not exist")
        group = _group(session, ctx, group.id, lock=access.UPDATE)
        relocked = session.scalars(access.locked(
            select(SecurityGroupRule).where(SecurityGroupRule.id == rule_id),
            access.UPDATE)).first()  # fmt: skip
        if relocked is None:
            raise NotFound(f"Security group rule {rule_id} does not exist")
        if not policy.changes_group(ctx, group):
            raise Forbidden("rule:delete_security_group_rule is disallowed by policy")
        session.delete(relocked)
        group.revision_number += 1
        group.updated_at = now


# --- networks ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NetworkInfo:
    id: str
    name: str


def list_networks(store: Store, ctx: RequestContext) -> list[NetworkInfo]:
    """The networks the caller sees (its project's, shared and external ones; all for an
    admin), as Nova's network API get_all lists them."""
    stmt = select(Network.id, Network.name).where(access.visible_networks(ctx))
    with store.session() as session:
        rows = session.execute(stmt.order_by(Network.created_at, Network.id))
        return [NetworkInfo(id=i, name=n) for i, n in rows]


def show_network(store: Store, ctx: RequestContext, network_id: str) -> NetworkInfo | None:
    with store.session() as session:
        try:
            found = access.network(session, ctx, network_id)
        except faults.NeutronError:
            return None
        return NetworkInfo(id=found.id, name=found.name)
