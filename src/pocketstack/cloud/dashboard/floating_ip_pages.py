"""Floating IPs: allocated from an external network's pool, associated with an instance's port
(offered as "instance: address", as Horizon does), disassociated and released, through the
network API."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.dashboard.network_pages import NETWORK
from pocketstack.cloud.dashboard.sessions import Session
from pocketstack.cloud.dashboard.web import Page, field, redirect, refusal, resource_id

COMPUTE = "/compute"


def _ip_path(ip_id: str) -> str:
    return f"/v2.0/floatingips/{resource_id(ip_id, 'Floating IP')}"


class FloatingIPPage(Page):
    """The list, the allocation form and each address's association form."""

    def _targets(self, session: Session) -> list[tuple[str, str]]:
        """(port id, "instance: address") of each instance port a floating IP can go to."""
        ports = self.call(session, "GET", NETWORK, "/v2.0/ports",
                          query={"project_id": session.project_id or ""})["ports"]  # fmt: skip
        servers = self.call(session, "GET", COMPUTE, "/v2.1/servers")["servers"]
        names = {s["id"]: s.get("name") or s["id"] for s in servers}
        targets = []
        for port in ports:
            if not str(port.get("device_owner") or "").startswith("compute:"):
                continue
            owner = names.get(port.get("device_id", ""), port.get("device_id", "-"))
            for ip in port.get("fixed_ips", []):
                if ":" not in ip["ip_address"]:
                    targets.append((port["id"], f"{owner}: {ip['ip_address']}"))
        return sorted(targets, key=lambda t: t[1])

    def page(self, req: falcon.Request, resp: falcon.Response, session: Session, *,
             error: str | None = None, status: int = 200) -> None:  # fmt: skip
        mine = {"project_id": session.project_id or ""}
        found = self.call(session, "GET", NETWORK, "/v2.0/floatingips", query=mine)["floatingips"]
        pools = self.call(session, "GET", NETWORK, "/v2.0/networks",
                          query={"router:external": "true"})["networks"]  # fmt: skip
        pool_names = {n["id"]: n.get("name") or n["id"] for n in pools}
        targets = self._targets(session)
        by_port = dict(targets)
        rows: list[dict[str, Any]] = [{
            "id": ip["id"], "address": ip["floating_ip_address"],
            "mapped": (by_port.get(ip["port_id"], ip.get("fixed_ip_address") or ip["port_id"])
                       if ip.get("port_id") else "-"),
            "pool": pool_names.get(ip["floating_network_id"], ip["floating_network_id"]),
            "status": ip.get("status", "-"), "associated": bool(ip.get("port_id")),
        } for ip in sorted(found, key=lambda ip: ip["floating_ip_address"])]  # fmt: skip
        self.render(req, resp, "floating_ips.html", {
            "title": "Floating IPs", "nav": "floating_ips", "rows": rows, "error": error,
            "pools": sorted(pools, key=lambda n: (n.get("name") or "", n["id"])),
            "targets": targets,
        }, session=session, status=status)  # fmt: skip


class FloatingIPs(FloatingIPPage):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.page(req, resp, self.session(req))

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Allocates one from the chosen pool."""
        session, form = self.posted(req)
        wanted: dict[str, Any] = {"floating_network_id": field(form, "pool")}
        if field(form, "description"):
            wanted["description"] = field(form, "description")
        refused = refusal(lambda: self.call(session, "POST", NETWORK, "/v2.0/floatingips",
                                            body={"floatingip": wanted}))  # fmt: skip
        if refused is not None:
            self.page(req, resp, session, error=str(refused), status=refused.answer.status)
            return
        redirect(req, "/project/floating_ips")


class Associate(FloatingIPPage):
    def on_post(self, req: falcon.Request, resp: falcon.Response, ip_id: str) -> None:
        session, form = self.posted(req)
        port = field(form, "port_id")
        # An empty choice disassociates, as the API's null port does.
        body = {"floatingip": {"port_id": resource_id(port, "Port") if port else None}}
        refused = refusal(lambda: self.call(session, "PUT", NETWORK, _ip_path(ip_id), body=body))
        if refused is not None:
            self.page(req, resp, session, error=str(refused), status=refused.answer.status)
            return
        redirect(req, "/project/floating_ips")


class Release(Page):
    def on_post(self, req: falcon.Request, resp: falcon.Response, ip_id: str) -> None:
        session, _ = self.posted(req)
        self.call(session, "DELETE", NETWORK, _ip_path(ip_id))
        redirect(req, "/project/floating_ips")
