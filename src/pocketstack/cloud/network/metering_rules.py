"""`/v2.0/metering/metering-label-rules`: list, create, show, delete. A rule is its label's:
whoever may read the label reads its rules, whoever may manage it adds and deletes them.

A rule names traffic by remote_ip_prefix (deprecated) or by source_ip_prefix and/or
destination_ip_prefix, never both kinds. As Neutron's plugin does, a rule whose remote_ip_prefix
overlaps one of its label's with the same direction and `excluded` is refused; the check runs
under the label's row lock, so two such creates never both pass it.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Sequence
from typing import Any

import falcon
from sqlalchemy import select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import access, faults, listing, metering, metering_attributes, values
from pocketstack.cloud.network.body import Creates
from pocketstack.cloud.store.models.network_metering import MeteringLabel, MeteringLabelRule

Rule = MeteringLabelRule

LISTABLE = listing.Listable(
    collection="metering_label_rules",
    attributes=metering_attributes.RULE,
    id_column=Rule.id,
    updated_column=Rule.id,
    columns={
        "id": Rule.id, "metering_label_id": Rule.metering_label_id, "direction": Rule.direction,
        "excluded": Rule.excluded, "remote_ip_prefix": Rule.remote_ip_prefix,
        "source_ip_prefix": Rule.source_ip_prefix,
        "destination_ip_prefix": Rule.destination_ip_prefix,
    },
    nullable=frozenset({"remote_ip_prefix", "source_ip_prefix", "destination_ip_prefix"}),
)  # fmt: skip


def rule_missing(rule_id: str) -> faults.NeutronError:
    return faults.not_found("MeteringLabelRuleNotFound",
                            f"Metering label rule '{rule_id}' does not exist.")  # fmt: skip


def visible_rules(ctx: RequestContext) -> ColumnElement[bool]:
    if ctx.is_admin:
        return true()
    owned = select(MeteringLabel.id).where(MeteringLabel.project_id == access.own_project(ctx))
    return Rule.metering_label_id.in_(owned)


def _rule(session: Session, ctx: RequestContext, rule_id: str) -> Rule:
    found: Rule | None = session.get(Rule, rule_id)
    if found is None:
        raise rule_missing(rule_id)
    owner = session.get(MeteringLabel, found.metering_label_id)
    if owner is None or not metering.sees(ctx, owner.project_id):
        raise rule_missing(rule_id)
    return found


def rule_views(rules: Sequence[Rule]) -> list[dict[str, Any]]:
    return [{"id": r.id, "metering_label_id": r.metering_label_id, "direction": r.direction,
             "excluded": r.excluded, "remote_ip_prefix": r.remote_ip_prefix,
             "source_ip_prefix": r.source_ip_prefix,
             "destination_ip_prefix": r.destination_ip_prefix} for r in rules]  # fmt: skip


def _prefixes(item: dict[str, Any]) -> dict[str, str | None]:
    """The rule's prefixes as the plugin checks them (validate_metering_label_rule)."""
    found: dict[str, str | None] = {"remote_ip_prefix": item["remote_ip_prefix"]}
    for name in ("source_ip_prefix", "destination_ip_prefix"):
        try:
            found[name] = metering_attributes.ip_prefix(name, item[name])
        except values.Invalid as refusal:
            raise faults.bad_request(refusal.reason, kind="Invalid") from None
    if found["remote_ip_prefix"] and (found["source_ip_prefix"] or
                                      found["destination_ip_prefix"]):  # fmt: skip
        raise faults.bad_request("Cannot use 'remote-ip-prefix' in conjunction with"
                                 " 'source-ip-prefix' or 'destination-ip-prefix'.",
                                 kind="Invalid")  # fmt: skip
    if not any(found.values()):
        raise faults.bad_request("You must define at least one of the following parameters"
                                 " 'remote_ip_prefix', or 'source_ip_prefix' or"
                                 " 'destination_ip_prefix'.", kind="Invalid")  # fmt: skip
    return found


def _check_overlap(session: Session, label_id: str, item: dict[str, Any], remote: str) -> None:
    stmt = select(Rule.remote_ip_prefix).where(
        Rule.metering_label_id == label_id, Rule.direction == item["direction"],
        Rule.excluded == item["excluded"], Rule.remote_ip_prefix.is_not(None))  # fmt: skip
    wanted = ipaddress.ip_interface(remote).network
    for held in session.scalars(stmt):
        other = None if held is None else ipaddress.ip_interface(held).network
        if other is not None and other.version == wanted.version and other.overlaps(wanted):
            raise faults.conflict("MeteringLabelRuleOverlaps",
                                  f"Metering label rule with remote_ip_prefix '{remote}'"
                                  " overlaps another.")  # fmt: skip


class MeteringLabelRuleList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        query = metering.parse_list(req, LISTABLE)
        stmt = select(Rule).where(visible_rules(ctx), *listing.where(LISTABLE, query.filters))
        with self._deps.store.session() as session:
            marker = None
            if query.limit is not None and query.marker is not None:
                marker = listing.marker_of(_rule(session, ctx, query.marker), LISTABLE)
            rows = listing.keyset_page(session, stmt, LISTABLE, query, marker)
        resp.media = listing.page_body(req, query, "metering_label_rules", rule_views(rows),
                                       [r.id for r in rows])  # fmt: skip

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        new = request_of(req, Creates)
        if new.bulk:
            raise faults.bad_request("Bulk operation not supported")
        item = new.items[0]
        with self._deps.store.session(write=True) as session:
            # Locked: the overlap check and the insert are one step for this label.
            owner = metering.label(session, ctx, item["metering_label_id"], lock=access.UPDATE)
            if not metering.manages(ctx, owner.project_id):
                raise faults.policy_refused("create_metering_label_rule")
            prefixes = _prefixes(item)
            remote = prefixes["remote_ip_prefix"]
            if remote is not None:
                _check_overlap(session, owner.id, item, remote)
            row = Rule(id=str(uuid.uuid4()), metering_label_id=owner.id,
                       direction=item["direction"], excluded=item["excluded"],
                       **prefixes)  # fmt: skip
            session.add(row)
            session.flush()
            view = rule_views([row])[0]
        resp.status = falcon.HTTP_201
        resp.media = {"metering_label_rule": view}


class MeteringLabelRuleItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, metering_label_rule_id: str
    ) -> None:
        with self._deps.store.session() as session:
            view = rule_views([_rule(session, req.context.auth, metering_label_rule_id)])[0]
        resp.media = {"metering_label_rule": listing.select_fields(view, listing.show_fields(req))}

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, metering_label_rule_id: str
    ) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            found = _rule(session, ctx, metering_label_rule_id)
            owner = metering.label(session, ctx, found.metering_label_id, lock=access.UPDATE)
            if not metering.manages(ctx, owner.project_id):
                raise faults.policy_refused("delete_metering_label_rule")
            # Read again under the label's lock: another delete may have taken it meanwhile.
            relocked = session.scalars(access.locked(
                select(Rule).where(Rule.id == found.id), access.UPDATE)).first()  # fmt: skip
            if relocked is None:
                raise rule_missing(metering_label_rule_id)
            session.delete(relocked)
        resp.status = falcon.HTTP_204
