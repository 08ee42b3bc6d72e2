"""A subnet pool's attributes as neutron-lib's `subnetpool` definition declares them (with
standard-attr-description and, since no address scope is served, `address_scope_id` taken only
as null), and the subnet attributes of subnet_allocation and default-subnetpools.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pocketstack.cloud.api.operation import JSON
from pocketstack.cloud.inputs import MAX_INT
from pocketstack.cloud.network import faults, values
from pocketstack.cloud.network.attributes import MAX_NAME, MAX_PROJECT_ID, REQUIRED, Attr

_STR: JSON = {"type": "string"}
_BOOL: JSON = {"type": ["boolean", "string", "integer"]}
_INT: JSON = {"type": ["integer", "string"]}
_ANY: JSON = {}


def _same(value: str) -> str:
    return value


def _query_bool(value: str) -> bool:
    return values.boolean(value)


def _query_int(value: str) -> int:
    return values.integer(value)


def non_negative(value: Any) -> int:
    """convert_to_int, then type:non_negative; and at most what an INTEGER column holds, which
    Neutron's database refuses with a 500."""
    number = values.integer(value)
    if number < 0:
        raise values.Invalid(f"'{number}' should be non-negative")
    if number > MAX_INT:
        raise values.Invalid(f"'{number}' is too large - must be no more than '{MAX_INT}'")
    return number


def _name(value: Any) -> str:
    """type:not_empty_name_string."""
    name = values.string(value, MAX_NAME)
    if not name.strip():
        raise values.Invalid(f"'{name}' Blank strings are not permitted")
    return name


def _text(value: Any) -> str:
    return values.string(value, MAX_NAME)


def _project(value: Any) -> str:
    return values.string(value, MAX_PROJECT_ID)


def prefix_list(value: Any) -> list[values.IPNetwork]:
    """type:subnet_list: CIDRs (host bits dropped), none given twice."""
    if not isinstance(value, list):
        raise values.Invalid(f"'{values.text(value)}' is not a list")
    twice = sorted({str(v) for v in value if value.count(v) > 1})
    if twice:
        raise values.Invalid(f"Duplicate items in the list: '{', '.join(twice)}'")
    return [values.parse_cidr(item).network for item in value]


def no_address_scope(value: Any) -> None:
    """type:uuid_or_none; no address scope exists here, so any UUID names a missing one."""
    if value is None:
        return None
    scope = values.uuid_like(value)
    raise faults.not_found("AddressScopeNotFound",
                           f"Address scope {scope} could not be found.")  # fmt: skip


def subnetpool_attributes() -> dict[str, Attr]:
    project = Attr(post=True, check=_project, schema=_STR, query=_same, sortable=True)
    length = Attr(post=True, put=True, check=non_negative, schema=_INT, query=_query_int,
                  sortable=True)  # fmt: skip
    return {
        "id": Attr(query=_same, sortable=True),
        "name": Attr(post=True, put=True, default=REQUIRED, check=_name, schema=_STR,
                     query=_same, sortable=True),
        "tenant_id": project,
        "project_id": project,
        "description": Attr(post=True, put=True, default="", check=_text, schema=_STR,
                            query=_same, sortable=True),
        "prefixes": Attr(post=True, put=True, default=REQUIRED, check=prefix_list,
                         schema={"type": ["array", "string", "null"]}),
        "default_quota": length,
        "ip_version": Attr(query=_query_int, sortable=True),
        "default_prefixlen": length,
        "min_prefixlen": length,
        "max_prefixlen": length,
        "is_default": Attr(post=True, put=True, default=False, check=values.boolean,
                           schema=_BOOL, query=_query_bool, sortable=True),
        "shared": Attr(post=True, default=False, check=values.boolean, schema=_BOOL,
                       query=_query_bool, sortable=True),
        "address_scope_id": Attr(post=True, put=True, check=no_address_scope, schema=_ANY,
                                 query=_same),
        "created_at": Attr(sortable=True),
        "updated_at": Attr(sortable=True),
        "revision_number": Attr(query=_query_int, sortable=True),
    }  # fmt: skip


SUBNETPOOL: Mapping[str, Attr] = subnetpool_attributes()
