"""Routers and floating IPs declared (Neutron's router, ext-gw-mode, extraroute,
extraroute-atomic, dvr, l3-ha and fip-port-details extensions): the five operations of each, a
router's add_router_interface and remove_router_interface, and its add_extraroutes and
remove_extraroutes.

Policy (neutron/conf/policies/router.py, floatingip.py): creating either needs a member of the
project (or an admin); the rest depends on the router's or floating IP's project, and the
attribute rules (enable_snat, external_fixed_ips, floating_ip_address: admin only) on the body,
which the responders check.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import BOOL, INT, NSTR, STR, arr, obj, ref
from pocketstack.cloud.network import faults, l3_attributes, policy, values
from pocketstack.cloud.network.api.common import WRITE_ERRORS, crud

_STANDARD: dict[str, JSON] = {
    "tenant_id": STR, "project_id": STR, "description": STR, "created_at": STR,
    "updated_at": STR, "revision_number": INT,
}  # fmt: skip
_FIXED = arr(obj({"subnet_id": STR, "ip_address": STR}))


@dataclasses.dataclass(frozen=True)
class Interface:
    """An interface to add or remove: by subnet, by port (exactly one, as Neutron wants)."""

    subnet_id: str | None
    port_id: str | None


def _interface(body: Any, version: Microversion | None) -> Interface:
    if not isinstance(body, dict) or not body:
        raise faults.bad_request("Either subnet_id or port_id must be specified")
    subnet_id, port_id = body.get("subnet_id"), body.get("port_id")
    if subnet_id is None and port_id is None:
        raise faults.bad_request("Either subnet_id or port_id must be specified")
    try:
        found = Interface(None if subnet_id is None else values.uuid_like(subnet_id),
                          None if port_id is None else values.uuid_like(port_id))  # fmt: skip
    except values.Invalid as refusal:
        raise faults.bad_request(refusal.reason) from None
    return found


@dataclasses.dataclass(frozen=True)
class ExtraRoutes:
    """Routes to add to or remove from a router (extraroute-atomic)."""

    routes: list[dict[str, str]]


def _extraroutes(body: Any, version: Microversion | None) -> ExtraRoutes:
    # Neutron reads body['router']['routes'] alone; each route is checked as `routes` is, but
    # one given twice is no error (the router holds it once).
    router = body.get("router")
    if not isinstance(router, dict):
        raise faults.bad_request("Unable to find 'router' in request body")
    if "routes" not in router:
        raise faults.bad_request("Failed to parse request. Required attribute 'routes' not"
                                 " specified")  # fmt: skip
    raw = router["routes"]
    if not isinstance(raw, list):
        raise faults.bad_request(f"Invalid input for routes. Reason: Invalid data format for"
                                 f" hostroute: '{values.text(raw)}'.")  # fmt: skip
    try:
        routes = [values.host_routes([route])[0] for route in raw]
    except values.Invalid as refusal:
        raise faults.bad_request(f"Invalid input for routes. Reason: {refusal.reason}.") from None
    return ExtraRoutes(routes=routes)


def _extraroute_operations() -> tuple[Operation, ...]:
    request = every_version({"type": "object", "properties": {"router": {
        "type": "object", "properties": {"routes": {}}}}})  # fmt: skip
    answer = every_version(obj({"router": ref("Router")}, closed=True))
    return tuple(
        Operation(method="PUT", path=f"/v2.0/routers/{{router_id}}/{action}_extraroutes",
                  summary=f"{action.capitalize()} a router's static routes, atomically",
                  policy=Rule(f"{action}_extraroutes"), status=(200,), request=request,
                  parse=_extraroutes, response=answer, errors=WRITE_ERRORS)
        for action in ("add", "remove")
    )  # fmt: skip


def _shown_to_all(router: dict[str, JSON]) -> tuple[str, ...]:
    # distributed and ha: shown to admins only.
    return tuple(name for name in router if name not in ("distributed", "ha"))


def schemas() -> dict[str, JSON]:
    gateway = {"type": ["object", "null"], "properties": {
        "network_id": STR, "enable_snat": BOOL, "external_fixed_ips": _FIXED}}  # fmt: skip
    router = {"id": STR, "name": STR, "admin_state_up": BOOL, "status": STR,
              "external_gateway_info": gateway,
              "routes": arr(obj({"destination": STR, "nexthop": STR})), **_STANDARD,
              "tags": arr(STR), "distributed": BOOL, "ha": BOOL}  # fmt: skip
    details = {"type": ["object", "null"], "properties": {
        "name": STR, "network_id": STR, "mac_address": STR, "admin_state_up": BOOL,
        "status": STR, "device_id": STR, "device_owner": STR}}  # fmt: skip
    fip = {"id": STR, "floating_ip_address": STR, "floating_network_id": STR, "router_id": NSTR,
           "port_id": NSTR, "fixed_ip_address": NSTR, "status": STR, "port_details": details,
           **_STANDARD, "tags": arr(STR)}  # fmt: skip
    return {
        "Router": obj(router, required=_shown_to_all(router), closed=True),
        "RouterFields": obj(router, required=(), closed=True),
        "Floatingip": obj(fip, closed=True),
        "FloatingipFields": obj(fip, required=(), closed=True),
    }


def _interface_operations() -> tuple[Operation, ...]:
    request = every_version({"type": "object", "properties": {"subnet_id": {}, "port_id": {}}})
    answer = every_version(obj({"id": STR, "tenant_id": STR, "project_id": STR, "port_id": STR,
                                "subnet_id": STR, "subnet_ids": arr(STR), "network_id": STR},
                               closed=True))  # fmt: skip
    return tuple(
        Operation(method="PUT", path=f"/v2.0/routers/{{router_id}}/{action}_router_interface",
                  summary=f"{action.capitalize()} a router's interface (by subnet or port)",
                  policy=Rule(f"{action}_router_interface", policy.project_member),
                  status=(200,), request=request, parse=_interface, response=answer,
                  errors=WRITE_ERRORS)
        for action in ("add", "remove")
    )  # fmt: skip


def operations() -> tuple[Operation, ...]:
    def rules(name: str) -> dict[str, Rule]:
        return {"get": Rule(f"get_{name}"), "create": Rule(f"create_{name}",
                policy.project_member), "update": Rule(f"update_{name}"),
                "delete": Rule(f"delete_{name}")}  # fmt: skip

    return (
        *crud("router", dict(l3_attributes.ROUTER), summary="router", rules=rules("router")),
        *_interface_operations(),
        *_extraroute_operations(),
        *crud("floatingip", dict(l3_attributes.FLOATINGIP), summary="floating IP",
              rules=rules("floatingip")),
    )  # fmt: skip
