"""Nova's network proxies: os-networks and os-tenant-networks (deprecated, 404 from 2.36),
the networks the caller sees as the network service lists them (network/sg_for_compute.py), in
the views Nova makes of Neutron's networks; and what only nova-network did, gone (410)."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import security_groups
from pocketstack.cloud.compute.api.networks import ADMIN_FIELDS, FIELDS
from pocketstack.cloud.compute.routing import auth_of
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import CloudError, NotFound
from pocketstack.cloud.network import sg_for_compute
from pocketstack.cloud.network.sg_for_compute import NetworkInfo


class Gone(CloudError):
    status = 410


_GONE = "This resource is no longer available.  No forwarding address is given."


def _network(ctx: RequestContext, network: NetworkInfo) -> dict[str, Any]:
    """Nova's network_dict: the id and name of a Neutron network, null for all nova-network
    knew (an admin is shown more of them)."""
    view: dict[str, Any] = {"id": network.id, "label": network.name}
    view.update(dict.fromkeys(FIELDS + (ADMIN_FIELDS if ctx.is_admin else ())))
    return view


def _tenant_network(network: NetworkInfo) -> dict[str, Any]:
    # Nova renders the cidr it does not know as the text "None".
    return {"id": network.id, "cidr": "None", "label": network.name}


def _found(deps: CloudDeps, ctx: RequestContext, network_id: str) -> NetworkInfo:
    found = sg_for_compute.show_network(deps.store, ctx, network_id)
    if found is None:
        raise NotFound("Network not found")
    return found


class NetworkList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = auth_of(req)
        networks = sg_for_compute.list_networks(self._deps.store, ctx)
        resp.media = {"networks": [_network(ctx, n) for n in networks]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        raise Gone(_GONE)


class NetworkAdd:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        raise Gone(_GONE)


class NetworkItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        ctx = auth_of(req)
        resp.media = {"network": _network(ctx, _found(self._deps, ctx, network_id))}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        raise Gone(_GONE)


class NetworkAction:
    def on_post(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        raise Gone(_GONE)


class TenantNetworkList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        networks = sg_for_compute.list_networks(self._deps.store, auth_of(req))
        resp.media = {"networks": [_tenant_network(n) for n in networks]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        raise Gone(_GONE)


class TenantNetworkItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        found = _found(self._deps, auth_of(req), network_id)
        resp.media = {"network": _tenant_network(found)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        raise Gone(_GONE)


def proxy_routes(deps: CloudDeps) -> dict[str, Any]:
    """The network proxies' routes (networks and security groups), as the app mounts them."""
    return {
        "/os-networks": NetworkList(deps),
        "/os-networks/add": NetworkAdd(),
        "/os-networks/{network_id}": NetworkItem(deps),
        "/os-networks/{network_id}/action": NetworkAction(),
        "/os-tenant-networks": TenantNetworkList(deps),
        "/os-tenant-networks/{network_id}": TenantNetworkItem(deps),
        "/os-security-groups": security_groups.SecurityGroupList(deps),
        "/os-security-groups/{security_group_id}": security_groups.SecurityGroupItem(deps),
        "/os-security-group-rules": security_groups.SecurityGroupRuleList(deps),
        "/os-security-group-rules/{rule_id}": security_groups.SecurityGroupRuleItem(deps),
        "/servers/{server_id}/os-security-groups": security_groups.ServerSecurityGroups(deps),
    }
