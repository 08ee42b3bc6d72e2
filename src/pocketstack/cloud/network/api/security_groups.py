"""Security groups and their rules declared (Neutron's security-group extension, with
stateful-security-group, security-groups-normalized-cidr and
security-groups-rules-belongs-to-default-sg): groups have the five operations of a resource,
rules all but update.

Policy (neutron/conf/policies/security_group.py): creating a group needs a member of the project
(or an admin); everything else depends on the group's project, which the responders check.
"""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import BOOL, INT, NSTR, STR, arr, obj, query, ref
from pocketstack.cloud.network import attributes, body, policy
from pocketstack.cloud.network.api.common import READ_ERRORS, WRITE_ERRORS
from pocketstack.cloud.network.attributes import Attr

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
             "security_group_rules": arr(ref("SecurityGroupRule")), **_STANDARD}  # fmt: skip
    return {
        "SecurityGroup": obj(group, closed=True),
        "SecurityGroupFields": obj(group, required=(), closed=True),
        "SecurityGroupRule": obj(rule, closed=True),
        "SecurityGroupRuleFields": obj(rule, required=(), closed=True),
    }


def _operations(
    resource: str, path: str, shape: str, attrs: dict[str, Attr], rules: dict[str, Rule]
) -> tuple[Operation, ...]:
    collection = f"/v2.0/{path}"
    item = f"{collection}/{{{resource}_id}}"
    summary = resource.replace("_", " ")
    plural = resource + "s"
    one = every_version(obj({resource: ref(shape)}, closed=True))
    created = every_version({"oneOf": [obj({resource: ref(shape)}, closed=True),
                                       obj({plural: arr(ref(shape))}, closed=True)]})  # fmt: skip
    listed = every_version(obj({plural: arr(ref(f"{shape}Fields")),
                                f"{plural}_links": arr(ref("NetworkLink"))},
                               required=(plural,), closed=True))  # fmt: skip
    shown = every_version(obj({resource: ref(f"{shape}Fields")}, closed=True))
    filters = tuple(query(name) for name, attr in attrs.items() if attr.query is not None)
    controls = (query("fields"), query("sort_key"), query("sort_dir"),
                query("limit", {"type": "integer", "minimum": 0}), query("marker"),
                query("page_reverse", BOOL), query("changed_since"))  # fmt: skip
    operations = [
        Operation(method="GET", path=collection, summary=f"List {summary}s",
                  policy=rules["get"], status=(200,), response=listed,
                  parameters=filters + controls, errors=READ_ERRORS),
        Operation(method="POST", path=collection,
                  summary=f"Create a {summary} (or several: the plural key)",
                  policy=rules["create"], status=(201,),
                  request=every_version(attributes.request_schema(resource, attrs, create=True)),
                  parse=body.creates(resource, attrs), response=created, errors=WRITE_ERRORS),
        Operation(method="GET", path=item, summary=f"Show a {summary}", policy=rules["get"],
                  status=(200,), response=shown, parameters=(query("fields"),),
                  errors=READ_ERRORS),
        Operation(method="DELETE", path=item, summary=f"Delete a {summary}",
                  policy=rules["delete"], status=(204,), errors=WRITE_ERRORS),
    ]  # fmt: skip
    if "update" in rules:
        operations.append(Operation(
            method="PUT", path=item, summary=f"Update a {summary}", policy=rules["update"],
            status=(200,),
            request=every_version(attributes.request_schema(resource, attrs, create=False)),
            parse=body.update(resource, attrs), response=one, errors=WRITE_ERRORS))  # fmt: skip
    return tuple(operations)


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
        *_operations("security_group", "security-groups", "SecurityGroup",
                     dict(attributes.SECURITY_GROUP), groups),
        *_operations("security_group_rule", "security-group-rules", "SecurityGroupRule",
                     dict(attributes.SECURITY_GROUP_RULE), rules),
    )  # fmt: skip
