"""Shortcuts for router and floating IP tests: the bootstrapped `public` network, a project's
network with a subnet, a router with a gateway and an interface."""

from __future__ import annotations

from typing import Any

from falcon import testing

from pocketstack.cloud.network.bootstrap import PUBLIC_NETWORK_ID, PUBLIC_SUBNET_ID
from tests.unit.cloud.network.helpers import Headers, Net

__all__ = ["PUBLIC_NETWORK_ID", "PUBLIC_SUBNET_ID", "interface", "private", "router"]


def private(net: Net, headers: Headers, cidr: str = "10.1.0.0/24") -> tuple[str, str]:
    """A network with one subnet: their ids."""
    network = net.network(headers)
    subnet = net.subnet(headers, network["id"], cidr)
    return network["id"], subnet["id"]


def router(net: Net, headers: Headers, gateway: bool = True, **attrs: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "r", **attrs}
    if gateway:
        body["external_gateway_info"] = {"network_id": PUBLIC_NETWORK_ID}
    return net.made("/routers", headers, {"router": body})


def interface(net: Net, headers: Headers, router_id: str, action: str = "add",
              **body: str) -> testing.Result:  # fmt: skip
    return net.call("PUT", f"/routers/{router_id}/{action}_router_interface", headers, body)
