"""Subnet pools declared (Neutron's subnet_allocation, default-subnetpools and
subnetpool-prefix-ops): the five operations of a resource, and a pool's prefixes added or
removed.

Policy (neutron/conf/policies/subnetpool.py): creating a pool needs a member of the project (or
an admin), sharing one or making it a default an admin (the responder's attribute checks);
everything else depends on the pool's project and whether it is shared, which the responders
check.
"""

from __future__ import annotations

import dataclasses

from pocketstack.cloud.api.operation import JSON, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import BOOL, INT, NSTR, STR, arr, obj, query
from pocketstack.cloud.network import policy
from pocketstack.cloud.network.api.common import WRITE_ERRORS, crud
from pocketstack.cloud.network.subnetpool_attributes import SUBNETPOOL
from pocketstack.cloud.network.subnetpool_prefixes import parse_prefixes

_NINT: JSON = {"type": ["integer", "null"]}
_PREFIX_ACTIONS = ("add_prefixes", "remove_prefixes")


def _pool_props() -> dict[str, JSON]:
    return {
        "id": STR, "name": STR, "tenant_id": STR, "project_id": STR, "prefixes": arr(STR),
        "default_prefixlen": INT, "min_prefixlen": INT, "max_prefixlen": INT,
        "default_quota": _NINT, "ip_version": {"enum": [4, 6]}, "is_default": BOOL,
        "shared": BOOL, "address_scope_id": NSTR, "description": STR, "created_at": STR,
        "updated_at": STR, "revision_number": INT, "tags": arr(STR),
    }  # fmt: skip


def schemas() -> dict[str, JSON]:
    pool = _pool_props()
    return {
        "Subnetpool": obj(pool, closed=True),
        "SubnetpoolFields": obj(pool, required=(), closed=True),
    }


def _with_tag_filters(op: Operation) -> Operation:
    if op.method != "GET" or op.path != "/v2.0/subnetpools":
        return op
    filters = tuple(query(name) for name in ("tags", "tags-any", "not-tags", "not-tags-any"))
    return dataclasses.replace(op, parameters=op.parameters + filters)


def _prefix_operation(action: str) -> Operation:
    listed = every_version(obj({"prefixes": arr(STR)}, required=("prefixes",), closed=True))
    return Operation(
        method="PUT", path=f"/v2.0/subnetpools/{{subnetpool_id}}/{action}",
        summary=f"{action.replace('_', ' ').capitalize()} of a subnet pool",
        policy=Rule(action), status=(200,),
        # Any object: its check and Neutron's words are parse_prefixes'.
        request=every_version({"type": "object"}),
        parse=parse_prefixes, response=listed, errors=WRITE_ERRORS,
    )  # fmt: skip


def operations() -> tuple[Operation, ...]:
    rules = {
        "get": Rule("get_subnetpool"),
        "create": Rule("create_subnetpool", policy.project_member),
        "update": Rule("update_subnetpool"),
        "delete": Rule("delete_subnetpool"),
    }
    return (
        *(_with_tag_filters(op) for op in crud("subnetpool", dict(SUBNETPOOL), rules=rules,
                                               summary="subnet pool")),
        *(_prefix_operation(action) for action in _PREFIX_ACTIONS),
    )  # fmt: skip
