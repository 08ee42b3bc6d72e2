"""`/v2.0/security-group-rules`: list, create (one or a bulk list of one group's), show, delete.

A rule is its group's (Neutron's sg_owner rules): whoever may see the group sees its rules,
whoever may change the group adds and deletes them; a rule names the project that made it. A
group never holds the same rule twice: the database refuses the second (sg_store.insert_rule),
however many are created at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import falcon
from sqlalchemy import select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import access, attributes, faults, listing, policy, quotas, sg_store
from pocketstack.cloud.network import sg_rules_validation as checks
from pocketstack.cloud.network.body import Creates
from pocketstack.cloud.network.networks import owner_of
from pocketstack.cloud.network.security_groups import ensure_listed_default
from pocketstack.cloud.network.sg_views import rule_views
from pocketstack.cloud.store.models.network_security import (
    DefaultSecurityGroup,
    SecurityGroup,
    SecurityGroupRule,
)

Rule = SecurityGroupRule


def _in_default(wanted: list[Any]) -> ColumnElement[bool]:
    defaults = select(DefaultSecurityGroup.security_group_id)
    if all(wanted):
        return Rule.security_group_id.in_(defaults)
    if not any(wanted):
        return Rule.security_group_id.not_in(defaults)
    return true()


LISTABLE = listing.Listable(
    collection="security_group_rules",
    attributes=attributes.SECURITY_GROUP_RULE,
    id_column=Rule.id,
    updated_column=Rule.updated_at,
    columns={
        "id": Rule.id, "security_group_id": Rule.security_group_id,
        "remote_group_id": Rule.remote_group_id, "direction": Rule.direction,
        "protocol": Rule.protocol, "port_range_min": Rule.port_range_min,
        "port_range_max": Rule.port_range_max, "ethertype": Rule.ethertype,
        "remote_ip_prefix": Rule.remote_ip_prefix, "normalized_cidr": Rule.normalized_cidr,
        "project_id": Rule.project_id, "description": Rule.description,
        "created_at": Rule.created_at, "updated_at": Rule.updated_at,
        "revision_number": Rule.revision_number,
    },
    hooks={"belongs_to_default_sg": _in_default},
    nullable=frozenset({"remote_group_id", "protocol", "port_range_min", "port_range_max",
                        "remote_ip_prefix", "normalized_cidr"}),
)  # fmt: skip


def missing(rule_id: str) -> faults.NeutronError:
    return faults.not_found("SecurityGroupRuleNotFound",
                            f"Security group rule {rule_id} does not exist")  # fmt: skip


def visible_rules(ctx: RequestContext) -> ColumnElement[bool]:
    if ctx.is_admin:
        return true()
    owned = select(SecurityGroup.id).where(SecurityGroup.project_id == access.own_project(ctx))
    return Rule.security_group_id.in_(owned)


def _rule(session: Session, ctx: RequestContext, rule_id: str) -> Rule:
    found: Rule | None = session.get(Rule, rule_id)
    if found is None:
        raise missing(rule_id)
    group = session.get(SecurityGroup, found.security_group_id)
    if group is None or not policy.sees_group(ctx, group):
        raise missing(rule_id)
    return found


def _lock_groups(session: Session, ids: set[str]) -> dict[str, SecurityGroup]:
    """The groups, FOR UPDATE in id order: a rule's group and its remote group are locked
    together, in the same order by every create, so that two creates never wait on each other
    in turn."""
    stmt = select(SecurityGroup).where(SecurityGroup.id.in_(sorted(ids))).order_by(SecurityGroup.id)
    return {g.id: g for g in session.scalars(access.locked(stmt, access.UPDATE))}


def _check_bulk(items: Sequence[dict[str, Any]], projects: Sequence[str]) -> None:
    if len({item["security_group_id"] for item in items}) > 1:
        raise faults.bad_request("Only allowed to update rules for one security profile at a"
                                 " time", kind="SecurityGroupNotSingleGroupRules")  # fmt: skip
    if len(set(projects)) > 1:
        raise faults.bad_request("Multiple project_ids in bulk security group rule create not"
                                 " allowed", kind="SecurityGroupRulesNotSingleProject")  # fmt: skip


Prepared = tuple[list[dict[str, Any]], dict[str, SecurityGroup]]


def _prepared(
    ctx: RequestContext, session: Session, new: Creates, projects: Sequence[str]
) -> Prepared:
    """The rules checked as Neutron checks them, in its order: their groups (missing: 404, not
    the caller's to change: 403), one group and project in a bulk create, each rule's values,
    its remote group (which the rule's project must see), no rule twice in the request."""
    remotes = {i["remote_group_id"] for i in new.items if i["remote_group_id"] is not None}
    groups = _lock_groups(session, {i["security_group_id"] for i in new.items} | remotes)
    for item in new.items:
        group = groups.get(item["security_group_id"])
        if group is None:
            raise access.group_missing(item["security_group_id"])
        if not policy.changes_group(ctx, group):
            raise faults.policy_refused("create_security_group_rule")
    if new.bulk:
        _check_bulk(new.items, projects)
    prepared: list[dict[str, Any]] = []
    keys: set[str] = set()
    for item, project in zip(new.items, projects, strict=True):
        rule = {name: value for name, value in item.items() if name != "project_id"}
        checks.check(rule)
        remote = rule["remote_group_id"]
        if remote is not None and (remote not in groups or not (
                ctx.is_admin or groups[remote].project_id == project)):  # fmt: skip
            raise access.group_missing(remote)
        key = checks.dedup_key(rule)
        if key in keys:
            raise faults.conflict("DuplicateSecurityGroupRuleInPost",
                                  "Duplicate Security Group Rule in POST.")  # fmt: skip
        keys.add(key)
        prepared.append(rule)
    return prepared, groups


class SecurityGroupRuleList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        query = listing.parse(req.query_string, LISTABLE)
        ensure_listed_default(self._deps, ctx, query)
        stmt = select(Rule).where(visible_rules(ctx), *listing.where(LISTABLE, query.filters))
        with self._deps.store.session() as session:
            marker = None
            if query.limit is not None and query.marker is not None:
                marker = listing.marker_of(_rule(session, ctx, query.marker), LISTABLE)
            rows = listing.keyset_page(session, stmt, LISTABLE, query, marker)
            views = rule_views(session, rows)
        ids = [r.id for r in rows]
        resp.media = listing.page_body(req, query, "security_group_rules", views, ids)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        new = request_of(req, Creates)
        now = self._deps.clock.now()
        projects = [owner_of(ctx, item) for item in new.items]
        with self._deps.store.session(write=True) as session:
            quotas.claim(session, "security_group_rule", projects)
            prepared, groups = _prepared(ctx, session, new, projects)
            made = [sg_store.insert_rule(session, groups[rule["security_group_id"]], project,
                                         rule, now)
                    for rule, project in zip(prepared, projects, strict=True)]  # fmt: skip
            for group_id in dict.fromkeys(r.security_group_id for r in made):
                groups[group_id].revision_number += 1
                groups[group_id].updated_at = now
            session.flush()
            views = rule_views(session, made)
        resp.status = falcon.HTTP_201
        resp.media = (
            {"security_group_rules": views} if new.bulk else {"security_group_rule": views[0]}
        )


class SecurityGroupRuleItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, security_group_rule_id: str
    ) -> None:
        with self._deps.store.session() as session:
            rule = _rule(session, req.context.auth, security_group_rule_id)
            view = rule_views(session, [rule])[0]
        resp.media = {"security_group_rule": listing.select_fields(view, listing.show_fields(req))}

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, security_group_rule_id: str
    ) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            rule = _rule(session, ctx, security_group_rule_id)
            group = _lock_groups(session, {rule.security_group_id}).get(rule.security_group_id)
            # Re-read under the group's lock: the rule (or its group) may have gone meanwhile.
            relocked = session.scalars(access.locked(
                select(Rule).where(Rule.id == rule.id), access.UPDATE)).first()  # fmt: skip
            if group is None or relocked is None:
                raise missing(security_group_rule_id)
            if not policy.changes_group(ctx, group):
                raise faults.policy_refused("delete_security_group_rule")
            session.delete(relocked)
            group.revision_number += 1
            group.updated_at = self._deps.clock.now()
        resp.status = falcon.HTTP_204
