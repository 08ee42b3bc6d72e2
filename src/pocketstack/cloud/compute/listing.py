"""`GET /servers` and `/servers/detail` query parameters, interpreted as Nova does.

The steps follow upstream's order: schema check by microversion (unknown parameters stripped below
2.75, refused from 2.75), the non-admin allow-list, joined-table and `_` parameters refused, status
mapped to vm/task states, change times parsed, deleted/all_tenants/locked resolved, then paging and
sorting parameters checked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import policy, states
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.regex import check_pattern
from pocketstack.cloud.errors import BadRequest, Forbidden
from pocketstack.cloud.inputs import decimal

MAX_LIMIT = 1000

_EXACT_PARAMS = (
    "user_id", "project_id", "tenant_id", "launch_index", "image_ref", "image", "vm_state",
    "task_state", "host", "uuid", "sort_dir", "all_tenants", "soft_deleted", "deleted", "status",
    "marker",
)  # fmt: skip
_REGEX_PARAMS = (
    "kernel_id", "ramdisk_id", "hostname", "key_name", "power_state", "node", "flavor",
    "reservation_id", "launched_at", "terminated_at", "availability_zone", "name", "display_name",
    "description", "display_description", "locked_by", "root_device_name", "config_drive",
    "access_ip_v4", "access_ip_v6", "auto_disk_config", "progress", "ip", "ip6", "created_at",
)  # fmt: skip
JOINED_PARAMS = frozenset(
    {"block_device_mapping", "services", "metadata", "system_metadata", "info_cache",
     "security_groups", "pci_devices"}
)  # fmt: skip
TAG_PARAMS = ("tags", "tags-any", "not-tags", "not-tags-any")
PAGING_SORTING = ("sort_key", "sort_dir", "limit", "marker")

# Sort keys accepted before 2.75 but ignored (with their direction).
IGNORED_SORT_KEYS = frozenset(
    {"architecture", "cell_name", "cleaned", "default_ephemeral_device", "default_swap_device",
     "deleted", "deleted_at", "disable_terminate", "ephemeral_gb", "ephemeral_key_uuid", "id",
     "key_data", "launched_on", "locked", "memory_mb", "os_type", "reservation_id", "root_gb",
     "shutdown_terminate", "user_data", "vcpus", "vm_mode"}
)  # fmt: skip
SORT_KEYS = frozenset(
    {"access_ip_v4", "access_ip_v6", "auto_disk_config", "availability_zone", "config_drive",
     "created_at", "display_description", "display_name", "host", "hostname", "image_ref",
     "instance_type_id", "kernel_id", "key_name", "launch_index", "launched_at", "locked_by",
     "node", "power_state", "progress", "project_id", "ramdisk_id", "root_device_name",
     "task_state", "terminated_at", "updated_at", "user_id", "uuid", "vm_state"}
)  # fmt: skip
ADMIN_SORT_KEYS = frozenset({"host", "node"})

_TRUE = frozenset({"1", "t", "true", "on", "y", "yes"})
_FALSE = frozenset({"0", "f", "false", "off", "n", "no"})


def bool_from_string(value: str, *, name: str, strict: bool, default: bool = False) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    if strict:
        accepted = ", ".join(f"'{v}'" for v in sorted(_TRUE | _FALSE))
        raise BadRequest(f"Unrecognized value '{value}', acceptable values are: {accepted}")
    return default


def _allowed_params(api: ApiVersion) -> set[str]:
    allowed = set(_EXACT_PARAMS) | set(_REGEX_PARAMS) | {"sort_key", "limit", "changes-since"}
    allowed |= JOINED_PARAMS
    if api.at_least("2.26"):
        allowed |= set(TAG_PARAMS)
    if api.at_least("2.66"):
        allowed.add("changes-before")
    if api.at_least("2.73"):
        allowed.add("locked")
    return allowed


def non_admin_filters(api: ApiVersion) -> set[str]:
    allowed = {"reservation_id", "name", "status", "image", "flavor", "ip", "changes-since",
               "all_tenants"}  # fmt: skip
    if api.at_least("2.5"):
        allowed.add("ip6")
    if api.at_least("2.26"):
        allowed |= set(TAG_PARAMS)
    if api.at_least("2.66"):
        allowed.add("changes-before")
    if api.at_least("2.73"):
        allowed.add("locked")
    if api.at_least("2.83"):
        allowed |= {"availability_zone", "config_drive", "key_name", "created_at",
                    "launched_at", "terminated_at", "power_state", "task_state", "vm_state",
                    "progress", "user_id"}  # fmt: skip
    if api.at_least("2.90"):
        allowed.add("hostname")
    return allowed


def valid_sort_keys(api: ApiVersion) -> frozenset[str]:
    if api.at_least("2.75"):
        return SORT_KEYS | {"locked"}
    return SORT_KEYS | IGNORED_SORT_KEYS


def _ignored_sort_keys(api: ApiVersion) -> frozenset[str]:
    if api.at_least("2.75"):
        return frozenset()
    if api.at_least("2.73"):
        return IGNORED_SORT_KEYS - {"locked"}
    return IGNORED_SORT_KEYS


def parse_time(name: str, value: str) -> dt.datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(
            f"Invalid input for query parameters {name}. Value: {value}. '{value}' is not a"
            " 'date-time'"
        ) from None
    if "T" not in text.upper() and " " not in text:
        raise BadRequest(
            f"Invalid input for query parameters {name}. Value: {value}. '{value}' is not a"
            " 'date-time'"
        )
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    try:
        return when.astimezone(dt.UTC)
    except OverflowError:
        # 0001-01-01T00:00:00+05:00 is a date-time, but before the first one in UTC.
        raise BadRequest(
            f"Invalid input for query parameters {name}. Value: {value}. '{value}' is out of"
            " the range of dates (0001-01-01 to 9999-12-31 UTC)"
        ) from None


@dataclasses.dataclass
class ServerQuery:
    """What to list: exact filters (column -> allowed values), regex filters, and the rest."""

    exact: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    regex: dict[str, str] = dataclasses.field(default_factory=dict)
    deleted: bool | None = False
    soft_deleted: bool = False
    changes_since: dt.datetime | None = None
    changes_before: dt.datetime | None = None
    tags: list[str] = dataclasses.field(default_factory=list)
    tags_any: list[str] = dataclasses.field(default_factory=list)
    not_tags: list[str] = dataclasses.field(default_factory=list)
    not_tags_any: list[str] = dataclasses.field(default_factory=list)
    locked: bool | None = None
    flavor: str | None = None
    limit: int = MAX_LIMIT
    marker: str | None = None
    sort: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    # Nothing can match (an invalid status before 2.38).
    empty: bool = False
    # The project a non-admin (or admin without all_tenants) is confined to.
    visible_project: str | None = None


def _last(values: Sequence[str]) -> str:
    return values[-1]


def parse_server_query(
    pairs: Sequence[tuple[str, str]], *, api: ApiVersion, ctx: RequestContext, detail: bool
) -> ServerQuery:
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)

    # 1. The query schema of this microversion.
    allowed = _allowed_params(api)
    for key in list(params):
        if key in allowed or key.startswith("_"):
            continue
        if api.at_least("2.75"):
            raise BadRequest(f"Additional properties are not allowed ('{key}' was unexpected)")
        del params[key]
    for key in _REGEX_PARAMS + TAG_PARAMS:
        for value in params.get(key, ()):
            check_pattern(key, value)
    sort_keys_ok = valid_sort_keys(api)
    for value in params.get("sort_key", ()):
        if value.strip() not in sort_keys_ok:
            # Nova's own wording (jsonschema's enum message): the keys that would have worked.
            raise BadRequest(
                f"Invalid input for query parameters sort_key. Value: {value}. '{value}' is not"
                f" one of {sorted(sort_keys_ok)!r}"
            )
    for value in params.get("limit", ()):
        if decimal(value, cap=MAX_LIMIT) is None:
            raise BadRequest(
                f"Invalid input for query parameters limit. Value: {value}. '{value}' does not"
                " match '^[0-9]*$'"
            )
    for name in ("changes-since", "changes-before"):
        for value in params.get(name, ()):
            parse_time(name, value)

    # 2. Filters a non-admin may not use are dropped silently.
    opts = {k: v for k, v in params.items() if k not in PAGING_SORTING}
    if not ctx.is_admin:
        permitted = non_admin_filters(api)
        opts = {k: v for k, v in opts.items() if k in permitted}
    for key in opts:
        if key in JOINED_PARAMS or key.startswith("_"):
            raise BadRequest(f"Invalid filter field: {key}.")

    query = ServerQuery()
    exact = query.exact

    # 3. status -> vm_state/task_state.
    if "status" in opts:
        vm_states, task_states = states.states_for_statuses(opts.pop("status"))
        if not vm_states and not task_states:
            if api.at_least("2.38"):
                raise BadRequest("Invalid status value")
            query.empty = True
        else:
            opts["vm_state"] = vm_states
            if states.DEFAULT not in task_states:
                opts["task_state"] = task_states

    # 4. Change times include deleted servers.
    if "changes-since" in opts:
        query.changes_since = parse_time("changes-since", _last(opts.pop("changes-since")))
    if "changes-before" in opts:
        query.changes_before = parse_time("changes-before", _last(opts.pop("changes-before")))
        if query.changes_since and query.changes_before < query.changes_since:
            raise BadRequest(
                "The value of changes-since must be less than or equal to changes-before."
            )

    if "deleted" in opts:
        query.deleted = bool_from_string(_last(opts.pop("deleted")), name="deleted", strict=False)
    elif query.changes_since or query.changes_before:
        query.deleted = None
    if "soft_deleted" in opts:
        query.soft_deleted = bool_from_string(
            _last(opts.pop("soft_deleted")), name="soft_deleted", strict=False
        )

    if opts.get("vm_state") == [states.DELETED]:
        if not ctx.is_admin:
            raise Forbidden("Only administrators may list deleted instances")
        query.deleted = True

    if api.at_least("2.26"):
        query.tags = _split_tags(opts.pop("tags", None))
        query.tags_any = _split_tags(opts.pop("tags-any", None))
        query.not_tags = _split_tags(opts.pop("not-tags", None))
        query.not_tags_any = _split_tags(opts.pop("not-tags-any", None))

    # 5. all_tenants: bare or truthy enables it; only admins may.
    all_tenants = False
    if "all_tenants" in opts:
        raw = _last(opts.pop("all_tenants"))
        all_tenants = bool_from_string(raw, name="all_tenants", strict=True) if raw else True

    if "locked" in opts:
        query.locked = bool_from_string(_last(opts.pop("locked")), name="locked", strict=True)

    if all_tenants:
        rule = "servers:detail:get_all_tenants" if detail else "servers:index:get_all_tenants"
        policy.admin_api(ctx, f"os_compute_api:{rule}")
        if "tenant_id" in opts:
            exact["project_id"] = opts.pop("tenant_id")
    else:
        opts.pop("tenant_id", None)
        opts.pop("project_id", None)
        query.visible_project = ctx.project_id
        if ctx.project_id is None:
            exact["user_id"] = [ctx.user_id]

    # 6. Paging and sorting.
    if "limit" in params:
        query.limit = decimal(_last(params["limit"]), cap=MAX_LIMIT) or 0
    if "marker" in params:
        query.marker = _last(params["marker"])
    query.sort = _sort_params(params, api=api, ctx=ctx)

    # 7. What remains are column filters: exact or regex, as upstream's database layer does.
    for key, values in opts.items():
        if key in ("image", "image_ref"):
            exact["image_ref"] = values
        elif key == "flavor":
            query.flavor = _last(values)
        elif key in ("project_id", "user_id", "vm_state", "task_state", "host", "uuid"):
            exact[key] = values
        elif key in ("name", "display_name"):
            query.regex["display_name"] = _last(values)
        elif key in ("description", "display_description"):
            query.regex["display_description"] = _last(values)
        else:
            query.regex[key] = _last(values)
    return query


def _split_tags(values: list[str] | None) -> list[str]:
    if not values:
        return []
    return [tag for tag in _last(values).split(",")]


def _sort_params(
    params: dict[str, list[str]], *, api: ApiVersion, ctx: RequestContext
) -> list[tuple[str, str]]:
    keys = [k.strip() for k in params.get("sort_key", [])] or ["created_at"]
    dirs = [d.strip() for d in params.get("sort_dir", [])] or ["desc"]
    ignored = _ignored_sort_keys(api)
    for key in list(keys):
        if key in ignored:
            index = keys.index(key)
            if len(dirs) > index:
                dirs.pop(index)
            keys.pop(index)
        elif key in ADMIN_SORT_KEYS and not ctx.is_admin:
            raise Forbidden(f"Only administrators can sort servers by {key}")
    default_dir = dirs[0] if dirs else "desc"
    for direction in dirs:
        if direction not in ("asc", "desc"):
            raise BadRequest("Unknown sort direction, must be 'desc' or 'asc'")
    while len(dirs) < len(keys):
        dirs.append(default_dir)
    if len(dirs) > len(keys):
        raise BadRequest("Sort direction size exceeds sort key size")
    # A repeated key cannot change the order; keeping its first use only also bounds the
    # ORDER BY sent to the database, however long the query string.
    first: dict[str, str] = {}
    for key, direction in zip(keys, dirs, strict=True):
        first.setdefault(key, direction)
    keys, dirs = list(first), list(first.values())
    for key in ("created_at", "id"):
        if key not in keys:
            keys.append(key)
            dirs.append(default_dir)
    return list(zip(keys, dirs, strict=True))
