"""The compute API's quotas (os-quota-sets, os-quota-class-sets) and /limits declared, with the
request and response schemas of each microversion that changes them (2.36, 2.39, 2.50, 2.57)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion, Operation, Versioned
from pocketstack.cloud.api.shapes import STR, obj, query
from pocketstack.cloud.compute.api.common import (
    ADMIN,
    READ_ERRORS,
    READER,
    WRITE_ERRORS,
    rule,
)
from pocketstack.cloud.compute.api.params import BOOLEAN, MAX_DIGITS
from pocketstack.cloud.compute.microversion import ApiVersion, Version
from pocketstack.cloud.compute.quota_limits import (
    MAX_LIMIT,
    UNLIMITED,
    class_set_resources,
    quota_set_resources,
)
from pocketstack.cloud.compute.requests import boolean
from pocketstack.cloud.inputs import decimal

# A limit as Nova takes it: an integer, or a string of one, from -1 (unlimited) to its MAX_INT
# (compute's validator applies minimum and maximum to a numeric string too, as Nova's does).
LIMIT_VALUE: JSON = {
    "type": ["integer", "string"],
    "pattern": "^-?[0-9]+$",
    "minimum": UNLIMITED,
    "maximum": MAX_LIMIT,
    "maxLength": MAX_DIGITS,
}
LIMIT: JSON = {"type": "integer", "minimum": UNLIMITED}
USAGE: JSON = obj({"in_use": LIMIT, "limit": LIMIT, "reserved": LIMIT}, closed=True)

# The microversion ranges (first, last) over which each body stays the same.
Ranges = tuple[tuple[Microversion | None, Microversion | None], ...]
QUOTA_SET_RANGES: Ranges = ((None, (2, 35)), ((2, 36), (2, 56)), ((2, 57), None))
CLASS_SET_RANGES: Ranges = ((None, (2, 49)), ((2, 50), (2, 56)), ((2, 57), None))


def at(version: Microversion | None) -> ApiVersion:
    major, minor = version or (2, 1)
    return ApiVersion(Version(major, minor))


@dataclasses.dataclass(frozen=True)
class QuotaUpdate:
    """PUT /os-quota-sets/{project_id}: the limits to set, in the body's order, and `force`."""

    values: dict[str, int]
    force: bool


@dataclasses.dataclass(frozen=True)
class ClassUpdate:
    values: dict[str, int]


def limit_value(value: int | str) -> int:
    """A LIMIT_VALUE the schema took: an integer, or a string of one ("-0001" is -1)."""
    if isinstance(value, int):
        return value
    negative = value.startswith("-")
    # The schema bounded it to [-1, MAX_LIMIT]: the cap is never reached, only kept from int().
    number = decimal(value[1:] if negative else value, cap=MAX_LIMIT)
    assert number is not None  # the schema's pattern: an optional minus, then ASCII digits
    return -number if negative else number


def parse_quota_update(body: Any, version: Microversion | None) -> QuotaUpdate:
    quota_set: dict[str, Any] = body["quota_set"]
    return QuotaUpdate(
        values={k: limit_value(v) for k, v in quota_set.items() if k != "force"},
        force=boolean(quota_set.get("force", False)),
    )


def parse_class_update(body: Any, version: Microversion | None) -> ClassUpdate:
    values: dict[str, Any] = body["quota_class_set"]
    return ClassUpdate(values={k: limit_value(v) for k, v in values.items()})


def _by_range(ranges: Ranges, schema_at: Callable[[ApiVersion], JSON]) -> tuple[Versioned, ...]:
    return tuple(Versioned(schema_at(at(low)), low, high) for low, high in ranges)


def _limits_of(resources: tuple[str, ...], value: JSON, *, with_id: bool) -> JSON:
    props = dict.fromkeys(resources, value)
    if with_id:
        props = {"id": STR, **props}
    return obj(props, closed=True)


Resources = Callable[[ApiVersion], tuple[str, ...]]


def quota_set_body(
    key: str, resources: Resources, ranges: Ranges, *, value: JSON = LIMIT, with_id: bool = True
) -> tuple[Versioned, ...]:
    return _by_range(
        ranges,
        lambda api: obj({key: _limits_of(resources(api), value, with_id=with_id)}, closed=True),
    )


def _update_request(
    key: str, resources: Resources, ranges: Ranges, *, force: bool
) -> tuple[Versioned, ...]:
    def schema(api: ApiVersion) -> JSON:
        props = dict.fromkeys(resources(api), LIMIT_VALUE)
        if force:
            props["force"] = BOOLEAN
        inner = {"type": "object", "properties": props, "additionalProperties": False}
        return {
            "type": "object",
            "properties": {key: inner},
            "required": [key],
            "additionalProperties": False,
        }

    return _by_range(ranges, schema)


# /limits: absolute limits by the quota they show, and usage by the quota they count.
ABSOLUTE_NAMES: dict[str, tuple[str, ...]] = {
    "ram": ("maxTotalRAMSize",),
    "instances": ("maxTotalInstances",),
    "cores": ("maxTotalCores",),
    "key_pairs": ("maxTotalKeypairs",),
    "floating_ips": ("maxTotalFloatingIps",),
    "metadata_items": ("maxServerMeta", "maxImageMeta"),
    "injected_files": ("maxPersonality",),
    "injected_file_content_bytes": ("maxPersonalitySize",),
    "security_groups": ("maxSecurityGroups",),
    "security_group_rules": ("maxSecurityGroupRules",),
    "server_groups": ("maxServerGroups",),
    "server_group_members": ("maxServerGroupMembers",),
}
USED_NAMES: dict[str, str] = {
    "totalRAMUsed": "ram",
    "totalCoresUsed": "cores",
    "totalInstancesUsed": "instances",
    "totalFloatingIpsUsed": "floating_ips",
    "totalSecurityGroupsUsed": "security_groups",
    "totalServerGroupsUsed": "server_groups",
}
LIMITS_RANGES: Ranges = ((None, (2, 35)), ((2, 36), (2, 38)), ((2, 39), (2, 56)), ((2, 57), None))


def absolute_names(api: ApiVersion) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(limit name, quota) and (usage name, quota) pairs /limits shows at `api`: the nova-network
    ones go at 2.36, maxImageMeta at 2.39, the personality ones at 2.57."""
    hidden: set[str] = set()
    if api.at_least("2.36"):
        hidden |= {"floating_ips", "security_groups", "security_group_rules"}
    if api.at_least("2.57"):
        hidden |= {"injected_files", "injected_file_content_bytes"}
    limits = [
        (name, quota)
        for quota, names in ABSOLUTE_NAMES.items()
        if quota not in hidden
        for name in names
        if not (name == "maxImageMeta" and api.at_least("2.39"))
    ]
    used = [(name, quota) for name, quota in USED_NAMES.items() if quota not in hidden]
    return limits, used


def _limits_body(api: ApiVersion) -> JSON:
    limits, used = absolute_names(api)
    absolute = obj({name: LIMIT for name, _ in limits + used}, closed=True)
    rate: JSON = {"type": "array", "maxItems": 0}
    return obj({"limits": obj({"absolute": absolute, "rate": rate}, closed=True)}, closed=True)


def operations() -> tuple[Operation, ...]:
    sets, classes = quota_set_resources, class_set_resources
    shown = quota_set_body("quota_set", sets, QUOTA_SET_RANGES)
    updated = quota_set_body("quota_set", sets, QUOTA_SET_RANGES, with_id=False)
    detail = quota_set_body("quota_set", sets, QUOTA_SET_RANGES, value=USAGE)
    class_shown = quota_set_body("quota_class_set", classes, CLASS_SET_RANGES)
    class_updated = quota_set_body("quota_class_set", classes, CLASS_SET_RANGES, with_id=False)
    user = (query("user_id", description="a user's own limits inside the project"),)
    one = "/os-quota-sets/{project_id}"
    return (
        Operation(method="GET", path=one, summary="Show a project's quotas",
                  policy=rule("os-quota-sets:show", READER), status=(200,), response=shown,
                  parameters=user, errors=READ_ERRORS),
        Operation(method="PUT", path=one,
                  summary="Update a project's (or a user's) quotas; not below usage unless force",
                  policy=rule("os-quota-sets:update", ADMIN), status=(200,),
                  request=_update_request("quota_set", sets, QUOTA_SET_RANGES, force=True),
                  parse=parse_quota_update, response=updated, parameters=user,
                  errors=WRITE_ERRORS),
        Operation(method="DELETE", path=one, summary="Revert a project's quotas to the defaults",
                  policy=rule("os-quota-sets:delete", ADMIN), status=(202,), parameters=user,
                  errors=WRITE_ERRORS),
        Operation(method="GET", path=one + "/defaults", summary="Show the default quotas",
                  policy=rule("os-quota-sets:defaults", None), status=(200,), response=shown,
                  errors=READ_ERRORS),
        Operation(method="GET", path=one + "/detail",
                  summary="Show a project's quotas with usage (in_use, reserved, limit)",
                  policy=rule("os-quota-sets:detail", READER), status=(200,), response=detail,
                  parameters=user, errors=READ_ERRORS),
        Operation(method="GET", path="/os-quota-class-sets/{class_name}",
                  summary="Show a quota class ('default' holds the defaults)",
                  policy=rule("os-quota-class-sets:show", ADMIN), status=(200,),
                  response=class_shown, errors=READ_ERRORS),
        Operation(method="PUT", path="/os-quota-class-sets/{class_name}",
                  summary="Update a quota class", policy=rule("os-quota-class-sets:update", ADMIN),
                  status=(200,),
                  request=_update_request("quota_class_set", classes, CLASS_SET_RANGES,
                                          force=False),
                  parse=parse_class_update, response=class_updated, errors=WRITE_ERRORS),
        Operation(method="GET", path="/limits", summary="Show absolute limits and usage",
                  policy=rule("limits", None), status=(200,),
                  response=_by_range(LIMITS_RANGES, _limits_body),
                  parameters=(query("tenant_id", description="another project's (admin)"),),
                  errors=READ_ERRORS),
    )  # fmt: skip
