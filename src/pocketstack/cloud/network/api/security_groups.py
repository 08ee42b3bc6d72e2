"""Security groups and their rules declared (Neutron's security-group extension, with
stateful-security-group, security-groups-normalized-cidr and
security-groups-rules-belongs-to-default-sg): groups have the five operations of a resource,
rules all but update.

Policy (neutron/conf/policies/security_group.py): creating a group needs a member of the project
(or an admin); everything else depends on the group's project, which the responders check.
"""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule
from pocketstack.cloud.api.shapes import BOOL, INT, NSTR, STR, arr, obj, ref
from pocketstack.cloud.network import attributes, policy
from pocketstack.cloud.network.api.common import crud

_STANDARD: dict[str, JSON] = {
    "tenant_id": STR, "project_id": STR, "description": STR, "created_at": STR,
    "updated_at": STR, "revision_number": INT,
}  # fmt: skip
_NINT: JSON = {"type": ["integer", "null"]}


def _rule_props() -> dict[str, JSON]:
    return {
        "id": STR, "security_group_id": STR, "direction": {"enum": ["ingress", "egress"]},
        "ethertype": {"enum": ["IPv4", "IPv6"]}, "protocol": NSTR, "port_range_min": _NINT,
        "port_range_max": _NINT, "remote_ip_prefix": NSTR, "normalized_cidr": NSTR,
        "remote_group_id": NSTR, "belongs_to_default_sg": BOOL, **_STANDARD,
    }  # fmt: skip


def schemas() -> dict[str, JSON]:
    rule = _rule_props()
    group = {"id": STR, "name": STR, "stateful": BOOL,
             "security_group_rules": arr(ref("SecurityGroupRule")), **_STANDARD,
             "tags": arr(STR)}  # fmt: skip
    return {
        "SecurityGroup": obj(group, closed=True),
        "SecurityGroupFields": obj(group, required=(), closed=True),
        "SecurityGroupRule": obj(rule, closed=True),
        "SecurityGroupRuleFields": obj(rule, required=(), closed=True),
    }


def operations() -> tuple[Operation, ...]:
    groups = {
        "get": Rule("get_security_group"),
        "create": Rule("create_security_group", policy.project_member),
        "update": Rule("update_security_group"),
        "delete": Rule("delete_security_group"),
    }
    # The rules' checks are their group's owner's (sg_owner): the responder's.
    rules = {
        "get": Rule("get_security_group_rule"),
        "create": Rule("create_security_group_rule"),
        "delete": Rule("delete_security_group_rule"),
    }
    return (
        *crud("security_group", dict(attributes.SECURITY_GROUP), rules=groups,
              summary="security group"),
        *crud("security_group_rule", dict(attributes.SECURITY_GROUP_RULE), rules=rules,
              summary="security group rule"),
    )  # fmt: skip
