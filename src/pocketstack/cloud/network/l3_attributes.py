"""Routers' and floating IPs' attributes as Neutron's l3, l3_ext_gw_mode, extraroute, dvr,
l3_ext_ha_mode and fip-port-details definitions declare them (see attributes.py for what a
table drives)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pocketstack.cloud.api.operation import JSON
from pocketstack.cloud.network import values
from pocketstack.cloud.network.attributes import (
    MAX_NAME,
    MAX_PROJECT_ID,
    REQUIRED,
    UNSET,
    Attr,
)

_STR: JSON = {"type": "string"}
_BOOL: JSON = {"type": ["boolean", "string", "integer"]}
_ANY: JSON = {}
_GATEWAY_KEYS = ("network_id", "enable_snat", "external_fixed_ips")


def _text(value: Any) -> str:
    return values.string(value, MAX_NAME)


def _project(value: Any) -> str:
    return values.string(value, MAX_PROJECT_ID)


def _same(value: str) -> str:
    return value


def _query_bool(value: str) -> bool:
    return values.boolean(value)


def _query_int(value: str) -> int:
    return values.integer(value)


def gateway_info(value: Any) -> dict[str, Any] | None:
    """external_gateway_info: None (no gateway) or {network_id, enable_snat?,
    external_fixed_ips?}, as Neutron's type:dict_or_nodata with its key specs."""
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        raise values.Invalid(f"'{values.text(value)}' is not a dictionary")
    extra = [key for key in value if key not in _GATEWAY_KEYS]
    if extra:
        raise values.Invalid(f"Unexpected keys supplied: {', '.join(sorted(extra))}")
    if "network_id" not in value:
        raise values.Invalid("Validation of dictionary's keys failed. Expected keys:"
                             " {'network_id'} Provided keys: set()")  # fmt: skip
    info: dict[str, Any] = {"network_id": values.uuid_like(value["network_id"])}
    if "enable_snat" in value:
        info["enable_snat"] = values.boolean(value["enable_snat"])
    if "external_fixed_ips" in value:
        fixed = value["external_fixed_ips"]
        info["external_fixed_ips"] = [] if fixed is None else values.fixed_ips(fixed)
    return info


def _routes(value: Any) -> list[dict[str, str]]:
    return [] if value is None else values.host_routes(value)


def _nullable_bool(value: Any) -> bool | None:
    """convert_to_boolean_if_not_none."""
    return None if value is None else values.boolean(value)


def _nullable_uuid(value: Any) -> str | None:
    return None if value is None else values.uuid_like(value)


def _nullable_ip(value: Any) -> str | None:
    return None if value is None else values.ip_address(value)


def _standard() -> dict[str, Attr]:
    project = Attr(post=True, check=_project, schema=_STR, query=_same, sortable=True)
    return {
        "id": Attr(query=_same, sortable=True),
        "tenant_id": project,
        "project_id": project,
        "description": Attr(post=True, put=True, default="", check=_text, schema=_STR,
                            query=_same, sortable=True),
        "created_at": Attr(sortable=True),
        "updated_at": Attr(sortable=True),
        "revision_number": Attr(query=_query_int, sortable=True),
    }  # fmt: skip


def router_attributes() -> dict[str, Attr]:
    return {
        **_standard(),
        "name": Attr(post=True, put=True, default="", check=_text, schema=_STR, query=_same,
                     sortable=True),
        "admin_state_up": Attr(post=True, put=True, default=True, check=values.boolean,
                               schema=_BOOL, query=_query_bool, sortable=True),
        "status": Attr(query=_same, sortable=True),
        "external_gateway_info": Attr(post=True, put=True, default=None, check=gateway_info,
                                      schema={"type": ["object", "null"]}),
        "routes": Attr(put=True, check=_routes, schema={"type": ["array", "null"]}),
        # dvr, l3-ha: admins' only (router_flags.py); unset leaves the choice to the create.
        "distributed": Attr(post=True, put=True, default=UNSET, check=_nullable_bool,
                            schema=_ANY),
        "ha": Attr(post=True, put=True, default=UNSET, check=_nullable_bool, schema=_ANY),
    }  # fmt: skip


def floatingip_attributes() -> dict[str, Attr]:
    return {
        **_standard(),
        "floating_ip_address": Attr(post=True, check=values.ip_address, schema=_STR,
                                    query=_same, sortable=True),
        "subnet_id": Attr(post=True, default=None, check=_nullable_uuid, schema=_ANY),
        "floating_network_id": Attr(post=True, default=REQUIRED, check=values.uuid_like,
                                    schema=_STR, query=_same, sortable=True),
        "router_id": Attr(query=_same, sortable=True),
        "port_id": Attr(post=True, put=True, default=None, check=_nullable_uuid, schema=_ANY,
                        query=_same, sortable=True),
        "fixed_ip_address": Attr(post=True, put=True, default=None, check=_nullable_ip,
                                 schema=_ANY, query=_same, sortable=True),
        "status": Attr(query=_same, sortable=True),
        "port_details": Attr(),
    }  # fmt: skip


ROUTER: Mapping[str, Attr] = router_attributes()
FLOATINGIP: Mapping[str, Attr] = floatingip_attributes()
