"""Routers: the project's routers (created with an external gateway or none, and deleted) and
one router's interfaces (a subnet added, an interface removed), through the network API."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.dashboard.network_pages import NETWORK, fixed_ips, network_path
from pocketstack.cloud.dashboard.sessions import Session
from pocketstack.cloud.dashboard.web import Page, field, redirect, refusal, resource_id

GATEWAY_OWNER = "network:router_gateway"


def router_path(router_id: str) -> str:
    return f"/v2.0/routers/{resource_id(router_id, 'Router')}"


def _external(page: Page, session: Session) -> list[dict[str, Any]]:
    found = page.call(session, "GET", NETWORK, "/v2.0/networks",
                      query={"router:external": "true"})["networks"]  # fmt: skip
    return sorted(found, key=lambda n: (n.get("name") or "", n["id"]))


class Routers(Page):
    def page(self, req: falcon.Request, resp: falcon.Response, session: Session, *,
             error: str | None = None, status: int = 200) -> None:  # fmt: skip
        routers = self.call(session, "GET", NETWORK, "/v2.0/routers")["routers"]
        external = _external(self, session)
        names = {n["id"]: n.get("name") or n["id"] for n in external}
        rows = [(r["id"], r.get("name") or r["id"], r.get("status", "-"),
                 names.get((r.get("external_gateway_info") or {}).get("network_id", ""), "-"),
                 "UP" if r.get("admin_state_up", True) else "DOWN")
                for r in sorted(routers, key=lambda r: (r.get("name") or "", r["id"]))]  # fmt: skip
        self.render(req, resp, "routers.html", {
            "title": "Routers", "nav": "routers", "rows": rows, "external": external,
            "error": error,
        }, session=session, status=status)  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.page(req, resp, self.session(req))

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session, form = self.posted(req)
        router: dict[str, Any] = {"name": field(form, "name"),
                                  "admin_state_up": "admin_state_up" in form}  # fmt: skip
        gateway = field(form, "external_network")
        if gateway:
            router["external_gateway_info"] = {"network_id": gateway}
        refused = refusal(lambda: self.call(session, "POST", NETWORK, "/v2.0/routers",
                                            body={"router": router}))  # fmt: skip
        if refused is not None:
            self.page(req, resp, session, error=str(refused), status=refused.answer.status)
            return
        redirect(req, "/project/routers")


class RouterDelete(Page):
    def on_post(self, req: falcon.Request, resp: falcon.Response, router_id: str) -> None:
        session, _ = self.posted(req)
        self.call(session, "DELETE", NETWORK, router_path(router_id))
        redirect(req, "/project/routers")


class Router(Page):
    def page(self, req: falcon.Request, resp: falcon.Response, session: Session,
             router_id: str, *, error: str | None = None, status: int = 200) -> None:  # fmt: skip
        router = self.call(session, "GET", NETWORK, router_path(router_id))["router"]
        ports = self.call(session, "GET", NETWORK, "/v2.0/ports",
                          query={"device_id": router["id"]})["ports"]  # fmt: skip
        subnets = self.call(session, "GET", NETWORK, "/v2.0/subnets")["subnets"]
        attached = {ip["subnet_id"] for p in ports for ip in p.get("fixed_ips", [])}
        gateway = (router.get("external_gateway_info") or {}).get("network_id")
        gateway_name = "-"
        if gateway:
            network = self.services.call("GET", NETWORK, network_path(gateway),
                                         token=session.token)  # fmt: skip
            gateway_name = (network.body or {}).get("network", {}).get("name") or gateway
        self.render(req, resp, "router.html", {
            "title": f"Router: {router.get('name') or router['id']}", "nav": "routers",
            "router": router, "error": error,
            "facts": [("ID", router["id"]), ("Project ID", router.get("project_id", "-")),
                      ("Status", router.get("status", "-")),
                      ("Admin State", "UP" if router.get("admin_state_up", True) else "DOWN"),
                      ("External Network", gateway_name)],
            "interfaces": [(p["id"], p.get("name") or p["id"][:13], fixed_ips(p),
                            p.get("status", "-"),
                            "External Gateway" if p.get("device_owner") == GATEWAY_OWNER
                            else "Internal Interface") for p in ports],
            "subnets": sorted((s for s in subnets if s["id"] not in attached),
                              key=lambda s: (s.get("name") or "", s["cidr"])),
        }, session=session, status=status)  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response, router_id: str) -> None:
        self.page(req, resp, self.session(req), router_id)


class Interfaces(Router):
    """Adds an interface on a subnet (the form on the router's page)."""

    def on_post(self, req: falcon.Request, resp: falcon.Response, router_id: str) -> None:
        session, form = self.posted(req)
        subnet = resource_id(field(form, "subnet_id"), "Subnet")
        path = f"{router_path(router_id)}/add_router_interface"
        refused = refusal(lambda: self.call(session, "PUT", NETWORK, path,
                                            body={"subnet_id": subnet}))  # fmt: skip
        if refused is not None:
            self.page(req, resp, session, router_id, error=str(refused),
                      status=refused.answer.status)  # fmt: skip
            return
        redirect(req, f"/project/routers/{resource_id(router_id, 'Router')}")


class InterfaceDelete(Page):
    def on_post(self, req: falcon.Request, resp: falcon.Response, router_id: str) -> None:
        session, form = self.posted(req)
        port = resource_id(field(form, "port_id"), "Port")
        self.call(session, "PUT", NETWORK, f"{router_path(router_id)}/remove_router_interface",
                  body={"port_id": port})  # fmt: skip
        redirect(req, f"/project/routers/{resource_id(router_id, 'Router')}")
