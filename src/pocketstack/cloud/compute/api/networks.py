"""The compute API's network proxies declared: os-networks and os-tenant-networks (Nova's views
of the networks a project sees; deprecated and gone from 2.36: 404 past 2.35). What only
nova-network did (creating, deleting, adding and disassociating networks) is gone: 410 at every
microversion, as Nova answers since 21.0.0."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Versioned
from pocketstack.cloud.api.shapes import NSTR, STR, arr, obj
from pocketstack.cloud.compute.api.common import READ_ERRORS, READER, WRITE_ERRORS, rule

LAST = (2, 35)

NETWORKS_LIST = rule("os-networks:list", READER)
NETWORKS_SHOW = rule("os-networks:show", READER)
TENANT_LIST = rule("os-tenant-networks:list", READER)
TENANT_SHOW = rule("os-tenant-networks:show", READER)
# What Nova removed answers 410 to anyone with a token, before any rule is asked.
GONE = rule("<removed: 410>", None)

# Nova's network_dict: what nova-network knew of a network, null for a Neutron one.
FIELDS = ("cidr", "netmask", "gateway", "broadcast", "dns1", "dns2", "cidr_v6", "gateway_v6",
          "netmask_v6")  # fmt: skip
ADMIN_FIELDS = ("created_at", "updated_at", "deleted_at", "deleted", "injected", "bridge",
                "vlan", "vpn_public_address", "vpn_public_port", "vpn_private_address",
                "dhcp_start", "project_id", "host", "bridge_interface", "multi_host",
                "priority", "rxtx_base", "mtu", "dhcp_server", "enable_dhcp",
                "share_address")  # fmt: skip
_NULL: JSON = {"type": "null"}
_NETWORK = obj(
    {"id": STR, "label": STR, **{f: _NULL for f in FIELDS}, **{f: _NULL for f in ADMIN_FIELDS}},
    required=("id", "label", *FIELDS),
    closed=True,
)
_TENANT_NETWORK = obj({"id": STR, "cidr": NSTR, "label": STR}, closed=True)
_GONE_ERRORS = (401, 410, *WRITE_ERRORS)


def _upto(schema: JSON) -> tuple[Versioned, ...]:
    return (Versioned(schema, None, LAST),)


def _gone(method: str, path: str, what: str) -> Operation:
    return Operation(method=method, path=path, summary=f"{what} (nova-network only: 410)",
                     policy=GONE, status=(202,),
                     errors=tuple(sorted(set(_GONE_ERRORS))))  # fmt: skip


def operations() -> tuple[Operation, ...]:
    many = obj({"networks": arr(_NETWORK)}, closed=True)
    one = obj({"network": _NETWORK}, closed=True)
    tenant_many = obj({"networks": arr(_TENANT_NETWORK)}, closed=True)
    tenant_one = obj({"network": _TENANT_NETWORK}, closed=True)
    return (
        Operation(until=LAST, method="GET", path="/os-networks",
                  summary="List the networks the project sees (deprecated; up to 2.35)",
                  policy=NETWORKS_LIST, status=(200,), response=_upto(many),
                  errors=READ_ERRORS),
        Operation(until=LAST, method="GET", path="/os-networks/{network_id}",
                  summary="Show a network (deprecated; up to 2.35)", policy=NETWORKS_SHOW,
                  status=(200,), response=_upto(one), errors=READ_ERRORS),
        _gone("POST", "/os-networks", "Create a network"),
        _gone("POST", "/os-networks/add", "Add a network to a project"),
        _gone("DELETE", "/os-networks/{network_id}", "Delete a network"),
        _gone("POST", "/os-networks/{network_id}/action", "Disassociate a network"),
        Operation(until=LAST, method="GET", path="/os-tenant-networks",
                  summary="List the project's networks (deprecated; up to 2.35)",
                  policy=TENANT_LIST, status=(200,), response=_upto(tenant_many),
                  errors=READ_ERRORS),
        Operation(until=LAST, method="GET", path="/os-tenant-networks/{network_id}",
                  summary="Show a project's network (deprecated; up to 2.35)",
                  policy=TENANT_SHOW, status=(200,), response=_upto(tenant_one),
                  errors=READ_ERRORS),
        _gone("POST", "/os-tenant-networks", "Create a project network"),
        _gone("DELETE", "/os-tenant-networks/{network_id}", "Delete a project network"),
    )  # fmt: skip
