"""Security groups and their rules as Neutron shows them, with the attributes of the extensions
served (stateful-security-group, security-groups-normalized-cidr,
security-groups-rules-belongs-to-default-sg). A group shows all its rules; what a page of groups
or rules needs beyond its rows (the rules, which groups are defaults) is read for the page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.cloud.network import sg_store, tags
from pocketstack.cloud.network.views import timestamp
from pocketstack.cloud.store.models.network_security import SecurityGroup, SecurityGroupRule


def _standard(row: SecurityGroup | SecurityGroupRule) -> dict[str, Any]:
    return {
        "tenant_id": row.project_id,
        "project_id": row.project_id,
        "description": row.description,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
        "revision_number": row.revision_number,
    }


def rule_view(rule: SecurityGroupRule, in_default: bool) -> dict[str, Any]:
    return {
        "id": rule.id,
        "security_group_id": rule.security_group_id,
        "direction": rule.direction,
        "ethertype": rule.ethertype,
        "protocol": rule.protocol,
        "port_range_min": rule.port_range_min,
        "port_range_max": rule.port_range_max,
        "remote_ip_prefix": rule.remote_ip_prefix,
        "normalized_cidr": rule.normalized_cidr,
        "remote_group_id": rule.remote_group_id,
        "belongs_to_default_sg": in_default,
        **_standard(rule),
    }


def rule_views(session: Session, rules: Sequence[SecurityGroupRule]) -> list[dict[str, Any]]:
    defaults = sg_store.defaults_among(session, (r.security_group_id for r in rules))
    return [rule_view(r, r.security_group_id in defaults) for r in rules]


def group_view(
    group: SecurityGroup, rules: Sequence[SecurityGroupRule], is_default: bool
) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "stateful": group.stateful,
        "security_group_rules": [rule_view(r, is_default) for r in rules],
        **_standard(group),
        "tags": [],
    }


def group_views(session: Session, groups: Sequence[SecurityGroup]) -> list[dict[str, Any]]:
    ids = [g.id for g in groups]
    rules = sg_store.rules_of(session, ids)
    defaults = sg_store.defaults_among(session, ids)
    return tags.fill(session, [group_view(g, rules[g.id], g.id in defaults) for g in groups])
