"""The compute API's security group proxy declared (Nova's os-security-groups and
os-security-group-rules, deprecated and gone from 2.36: 404 past 2.35), and a server's groups
(`/servers/{id}/os-security-groups`, every microversion).

Nova relays these to Neutron: here they go to the network service's functions
(network/sg_for_compute.py). Nova's schemas take any other member in these bodies, and do not
check a rule's ports or protocol (Nova's own code does, in the responder)."""

from __future__ import annotations

import dataclasses
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion, Operation, Versioned
from pocketstack.cloud.api.shapes import NSTR, STR, arr, obj, query
from pocketstack.cloud.compute.api.common import MEMBER, READ_ERRORS, READER, WRITE_ERRORS, rule
from pocketstack.cloud.network.sg_for_compute import NewRule

LAST = (2, 35)

LIST = rule("os-security-groups:get", READER)
SHOW = rule("os-security-groups:show", READER)
CREATE = rule("os-security-groups:create", MEMBER)
UPDATE = rule("os-security-groups:update", MEMBER)
DELETE = rule("os-security-groups:delete", MEMBER)
RULE_CREATE = rule("os-security-groups:rule:create", MEMBER)
RULE_DELETE = rule("os-security-groups:rule:delete", MEMBER)
SERVER_LIST = rule("os-security-groups:list", READER)
# The server actions' rules (checked by the action, compute/actions_security_groups.py).
ADD = "os-security-groups:add"
REMOVE = "os-security-groups:remove"


@dataclasses.dataclass(frozen=True)
class GroupSpec:
    """A create's or an update's name and description (both required, as in Nova)."""

    name: str
    description: str


def parse_group(body: Any, version: Microversion | None) -> GroupSpec:
    spec = body["security_group"]
    return GroupSpec(name=spec["name"], description=spec["description"])


def parse_rule(body: Any, version: Microversion | None) -> NewRule:
    spec = body["security_group_rule"]
    return NewRule(
        parent_group_id=spec["parent_group_id"], group_id=spec.get("group_id"),
        ip_protocol=spec.get("ip_protocol"), from_port=spec.get("from_port"),
        to_port=spec.get("to_port"), cidr=spec.get("cidr"),
    )  # fmt: skip


def _upto(schema: JSON) -> tuple[Versioned, ...]:
    return (Versioned(schema, None, LAST),)


_TEXT: JSON = {"type": "string", "minLength": 0, "maxLength": 255}
_GROUP_REQUEST = obj(
    {
        "security_group": obj(
            {"name": _TEXT, "description": _TEXT}, required=("name", "description")
        )
    },
    required=("security_group",),
)
_RULE_REQUEST = obj(
    {"security_group_rule": obj({
        "group_id": {"type": ["string", "null"], "format": "uuid"},
        "parent_group_id": {"type": "string", "format": "uuid"},
        "to_port": {}, "from_port": {}, "ip_protocol": {}, "cidr": {},
    }, required=("parent_group_id",))},
    required=("security_group_rule",),
)  # fmt: skip
_PORT: JSON = {"type": ["integer", "null"], "minimum": -1}
RULE_VIEW = obj(
    {
        "id": STR, "parent_group_id": STR, "ip_protocol": NSTR, "from_port": _PORT,
        "to_port": _PORT,
        "group": obj({"name": STR, "tenant_id": STR}, required=(), closed=True),
        "ip_range": obj({"cidr": STR}, required=(), closed=True),
    },
    closed=True,
)  # fmt: skip
GROUP_VIEW = obj(
    {"id": STR, "name": STR, "description": NSTR, "tenant_id": STR, "rules": arr(RULE_VIEW)},
    closed=True,
)
_GROUPS = obj({"security_groups": arr(GROUP_VIEW)}, closed=True)
_GROUP = obj({"security_group": GROUP_VIEW}, closed=True)


def operations() -> tuple[Operation, ...]:
    paging = (
        query("limit", {"type": "integer", "minimum": 0}),
        query("offset", {"type": "integer", "minimum": 0}),
        query("all_tenants", description="Every project's groups (admins)"),
    )
    one_rule = obj({"security_group_rule": RULE_VIEW}, closed=True)
    return (
        Operation(until=LAST, method="GET", path="/os-security-groups",
                  summary="List security groups (deprecated; up to 2.35)", policy=LIST,
                  status=(200,), response=_upto(_GROUPS), parameters=paging,
                  errors=READ_ERRORS),
        Operation(until=LAST, method="POST", path="/os-security-groups",
                  summary="Create a security group (deprecated; up to 2.35)", policy=CREATE,
                  status=(200,), request=_upto(_GROUP_REQUEST), parse=parse_group,
                  response=_upto(_GROUP), errors=WRITE_ERRORS),
        Operation(until=LAST, method="GET", path="/os-security-groups/{security_group_id}",
                  summary="Show a security group (deprecated; up to 2.35)", policy=SHOW,
                  status=(200,), response=_upto(_GROUP), errors=READ_ERRORS),
        Operation(until=LAST, method="PUT", path="/os-security-groups/{security_group_id}",
                  summary="Update a security group (deprecated; up to 2.35)", policy=UPDATE,
                  status=(200,), request=_upto(_GROUP_REQUEST), parse=parse_group,
                  response=_upto(_GROUP), errors=WRITE_ERRORS),
        Operation(until=LAST, method="DELETE", path="/os-security-groups/{security_group_id}",
                  summary="Delete a security group (deprecated; up to 2.35)", policy=DELETE,
                  status=(202,), errors=WRITE_ERRORS),
        Operation(until=LAST, method="POST", path="/os-security-group-rules",
                  summary="Add an ingress rule to a security group (deprecated; up to 2.35)",
                  policy=RULE_CREATE, status=(200,), request=_upto(_RULE_REQUEST),
                  parse=parse_rule, response=_upto(one_rule), errors=WRITE_ERRORS),
        Operation(until=LAST, method="DELETE", path="/os-security-group-rules/{rule_id}",
                  summary="Delete a security group rule (deprecated; up to 2.35)",
                  policy=RULE_DELETE, status=(202,), errors=WRITE_ERRORS),
        Operation(method="GET", path="/servers/{server_id}/os-security-groups",
                  summary="The security groups of a server's ports", policy=SERVER_LIST,
                  status=(200,), response=(Versioned(_GROUPS),), errors=READ_ERRORS),
    )  # fmt: skip
