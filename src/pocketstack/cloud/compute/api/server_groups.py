"""The compute API's server groups (`/os-server-groups`) declared, with the typed request a create
hands its responder.

Nova's shapes by microversion: before 2.64 a group has a `policies` list of one and an always
empty `metadata`; 2.13 adds `project_id` and `user_id`; 2.15 allows the soft policies; 2.64
replaces `policies` with `policy` and `rules` (max_server_per_host, anti-affinity only) and drops
`metadata`; 2.75 refuses unknown query parameters of the list.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion, Operation, Versioned
from pocketstack.cloud.api.shapes import STR, arr, obj, query
from pocketstack.cloud.compute import policy
from pocketstack.cloud.compute.api.common import (
    MEMBER,
    READ_ERRORS,
    READER,
    WRITE_ERRORS,
    rule,
)
from pocketstack.cloud.compute.api.params import MAX_DIGITS, NAME, POSITIVE_INTEGER
from pocketstack.cloud.compute.requests import integer
from pocketstack.cloud.inputs import MAX_INT

AFFINITY = "affinity"
ANTI_AFFINITY = "anti-affinity"
SOFT_AFFINITY = "soft-affinity"
SOFT_ANTI_AFFINITY = "soft-anti-affinity"
HARD_POLICIES = (ANTI_AFFINITY, AFFINITY)
POLICIES = (*HARD_POLICIES, SOFT_ANTI_AFFINITY, SOFT_AFFINITY)

OWNERS_SINCE: Microversion = (2, 13)
SOFT_SINCE: Microversion = (2, 15)
POLICY_SINCE: Microversion = (2, 64)
STRICT_QUERY_SINCE: Microversion = (2, 75)

# Admins only, checked by the responder once the query asks for every project.
ALL_PROJECTS = rule("os-server-groups:index:all_projects", policy.admin_api)
LIST_PARAMETERS = ("all_projects", "limit", "offset", "marker")


@dataclasses.dataclass(frozen=True)
class NewServerGroup:
    name: str
    policy: str
    # {} or {"max_server_per_host": N}.
    rules: dict[str, int]


def parse_create(body: Any, version: Microversion | None) -> NewServerGroup:
    spec = body["server_group"]
    if version is not None and version >= POLICY_SINCE:
        rules: dict[str, int] = {}
        if "max_server_per_host" in (spec.get("rules") or {}):
            # The schema took an integer or a string of digits, from 1 to MAX_INT.
            rules["max_server_per_host"] = integer(spec["rules"]["max_server_per_host"])
        return NewServerGroup(name=spec["name"], policy=spec["policy"], rules=rules)
    return NewServerGroup(name=spec["name"], policy=spec["policies"][0], rules={})


def _create_body(group: JSON) -> JSON:
    return obj({"server_group": {**group, "additionalProperties": False}}, closed=True)


def _policies_body(allowed: tuple[str, ...]) -> JSON:
    policies: JSON = {
        "type": "array",
        "prefixItems": [{"type": "string", "enum": list(allowed)}],
        "uniqueItems": True,
        "minItems": 1,
        "maxItems": 1,
    }
    return _create_body(obj({"name": NAME, "policies": policies}))


# A number past what a JSON integer column means is refused as the database would refuse it; a
# string of digits is a number's length, not a page of leading zeros.
MAX_PER_HOST: JSON = {**POSITIVE_INTEGER, "maximum": MAX_INT, "maxLength": MAX_DIGITS}


def _create_requests() -> tuple[Versioned, ...]:
    v264 = obj(
        {
            "name": NAME,
            "policy": {"type": "string", "enum": list(POLICIES)},
            "rules": {
                "type": "object",
                "properties": {"max_server_per_host": MAX_PER_HOST},
                "additionalProperties": False,
            },
        },
        required=("name", "policy"),
    )
    return (
        Versioned(_policies_body(HARD_POLICIES), None, (2, 14)),
        Versioned(_policies_body(POLICIES), SOFT_SINCE, (2, 63)),
        Versioned(_create_body(v264), POLICY_SINCE),
    )


def _group(*, owners: bool, policy_field: bool) -> JSON:
    props: JSON = {"id": {"type": "string", "format": "uuid"}, "name": STR, "members": arr(STR)}
    if policy_field:
        props["policy"] = {"type": "string", "enum": list(POLICIES)}
        props["rules"] = obj({"max_server_per_host": {"type": "integer"}}, required=(),
                             closed=True)  # fmt: skip
    else:
        # A group made at 2.15+ with a soft policy shows it at any version.
        policies = {"type": "string", "enum": list(POLICIES)}
        props["policies"] = {"type": "array", "items": policies, "maxItems": 1}
        props["metadata"] = obj({}, closed=True)
    if owners:
        props["project_id"] = STR
        props["user_id"] = STR
    return obj(props, closed=True)


def _by_version(wrap: Any) -> tuple[Versioned, ...]:
    return (
        Versioned(wrap(_group(owners=False, policy_field=False)), None, (2, 12)),
        Versioned(wrap(_group(owners=True, policy_field=False)), OWNERS_SINCE, (2, 63)),
        Versioned(wrap(_group(owners=True, policy_field=True)), POLICY_SINCE),
    )


def operations() -> tuple[Operation, ...]:
    one = _by_version(lambda group: obj({"server_group": group}))
    listed = _by_version(lambda group: obj({"server_groups": arr(group)}))
    paging = (
        query("all_projects", description="Every project's groups (admins; any value)"),
        query("limit", {"type": "integer", "minimum": 0}),
        query("offset", {"type": "integer", "minimum": 0}),
        query("marker", description="The id of the last group seen (pocketstack: keyset paging)"),
    )
    return (
        Operation(method="GET", path="/os-server-groups", summary="List server groups",
                  policy=rule("os-server-groups:index", READER), status=(200,), response=listed,
                  parameters=paging, errors=READ_ERRORS),
        Operation(method="POST", path="/os-server-groups", summary="Create a server group",
                  policy=rule("os-server-groups:create",
                              policy.project_member_or_admin_in_project),
                  status=(200,), request=_create_requests(), parse=parse_create, response=one,
                  errors=WRITE_ERRORS),
        Operation(method="GET", path="/os-server-groups/{server_group_id}",
                  summary="Show a server group", policy=rule("os-server-groups:show", READER),
                  status=(200,), response=one, errors=READ_ERRORS),
        Operation(method="DELETE", path="/os-server-groups/{server_group_id}",
                  summary="Delete a server group", policy=rule("os-server-groups:delete", MEMBER),
                  status=(204,), errors=WRITE_ERRORS),
    )  # fmt: skip
