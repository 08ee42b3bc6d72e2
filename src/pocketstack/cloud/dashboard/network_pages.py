"""Networks and their subnets: the project's networks (created, with a first subnet as Horizon's
workflow does, and deleted), one network's subnets and ports, all through the network API."""

from __future__ import annotations

import dataclasses
from typing import Any

import falcon

from pocketstack.cloud.dashboard.sessions import Session
from pocketstack.cloud.dashboard.web import Page, field, redirect, refusal, resource_id, yes

NETWORK = "/networking"


def network_path(network_id: str) -> str:
    return f"/v2.0/networks/{resource_id(network_id, 'Network')}"


def fixed_ips(port: dict[str, Any]) -> str:
    return ", ".join(ip["ip_address"] for ip in port.get("fixed_ips", [])) or "-"


@dataclasses.dataclass(frozen=True)
class SubnetForm:
    name: str = ""
    cidr: str = ""
    ip_version: str = "4"
    gateway_ip: str = ""
    no_gateway: bool = False
    dhcp: bool = True

    @classmethod
    def posted(cls, form: dict[str, list[str]]) -> SubnetForm:
        return cls(name=field(form, "subnet_name"), cidr=field(form, "cidr"),
                   ip_version=field(form, "ip_version") or "4",
                   gateway_ip=field(form, "gateway_ip"), no_gateway="no_gateway" in form,
                   dhcp="enable_dhcp" in form)  # fmt: skip

    def request(self, network_id: str) -> dict[str, Any]:
        if self.ip_version not in ("4", "6"):
            raise falcon.HTTPBadRequest(title="IP Version must be 4 or 6.")
        subnet: dict[str, Any] = {"network_id": network_id, "cidr": self.cidr,
                                  "ip_version": int(self.ip_version),
                                  "enable_dhcp": self.dhcp}  # fmt: skip
        if self.name:
            subnet["name"] = self.name
        if self.no_gateway:
            subnet["gateway_ip"] = None
        elif self.gateway_ip:
            subnet["gateway_ip"] = self.gateway_ip
        return {"subnet": subnet}


@dataclasses.dataclass(frozen=True)
class NetworkForm:
    name: str = ""
    admin_state_up: bool = True
    shared: bool = False
    subnet: SubnetForm = SubnetForm()

    @classmethod
    def posted(cls, form: dict[str, list[str]]) -> NetworkForm:
        return cls(name=field(form, "name"), admin_state_up="admin_state_up" in form,
                   shared="shared" in form, subnet=SubnetForm.posted(form))  # fmt: skip

    def request(self) -> dict[str, Any]:
        network: dict[str, Any] = {"name": self.name, "admin_state_up": self.admin_state_up}
        if self.shared:
            network["shared"] = True
        return {"network": network}


class Networks(Page):
    def page(self, req: falcon.Request, resp: falcon.Response, session: Session, form: NetworkForm,
             *, error: str | None = None, status: int = 200) -> None:  # fmt: skip
        networks = self.call(session, "GET", NETWORK, "/v2.0/networks")["networks"]
        subnets = self.call(session, "GET", NETWORK, "/v2.0/subnets")["subnets"]
        cidrs = {s["id"]: f"{s.get('name') or s['id']} {s['cidr']}" for s in subnets}
        rows = [(n["id"], n.get("name") or n["id"],
                 ", ".join(cidrs.get(i, i) for i in n.get("subnets", [])) or "-",
                 yes(n.get("shared")), yes(n.get("router:external")), n.get("status", "-"),
                 "UP" if n.get("admin_state_up", True) else "DOWN",
                 n.get("project_id") == session.project_id)
                for n in sorted(networks, key=lambda n: (n.get("name") or "", n["id"]))
                ]  # fmt: skip
        self.render(req, resp, "networks.html", {
            "title": "Networks", "nav": "networks", "rows": rows, "form": form, "error": error,
        }, session=session, status=status)  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.page(req, resp, self.session(req), NetworkForm())

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session, posted = self.posted(req)
        form = NetworkForm.posted(posted)
        made: dict[str, Any] = {}

        def create() -> None:
            made.update(self.call(session, "POST", NETWORK, "/v2.0/networks",
                                  body=form.request())["network"])  # fmt: skip

        refused = refusal(create)
        if refused is None and form.subnet.cidr:
            subnet = form.subnet.request(made["id"])
            refused = refusal(lambda: self.call(session, "POST", NETWORK, "/v2.0/subnets",
                                                body=subnet))  # fmt: skip
            if refused is not None:
                # As Horizon's workflow: a network whose subnet was refused is not left behind.
                self.call(session, "DELETE", NETWORK, network_path(made["id"]))
        if refused is not None:
            self.page(req, resp, session, form, error=str(refused),
                      status=refused.answer.status)  # fmt: skip
            return
        redirect(req, "/project/networks")


class NetworkDelete(Page):
    def on_post(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        session, _ = self.posted(req)
        self.call(session, "DELETE", NETWORK, network_path(network_id))
        redirect(req, "/project/networks")


class Network(Page):
    def page(self, req: falcon.Request, resp: falcon.Response, session: Session,
             network_id: str, form: SubnetForm, *, error: str | None = None,
             status: int = 200) -> None:  # fmt: skip
        network = self.call(session, "GET", NETWORK, network_path(network_id))["network"]
        query = {"network_id": network["id"]}
        subnets = self.call(session, "GET", NETWORK, "/v2.0/subnets", query=query)["subnets"]
        ports = self.call(session, "GET", NETWORK, "/v2.0/ports", query=query)["ports"]
        self.render(req, resp, "network.html", {
            "title": f"Network: {network.get('name') or network['id']}", "nav": "networks",
            "network": network, "form": form, "error": error,
            "facts": [("ID", network["id"]), ("Project ID", network.get("project_id", "-")),
                      ("Status", network.get("status", "-")),
                      ("Admin State", "UP" if network.get("admin_state_up", True) else "DOWN"),
                      ("Shared", yes(network.get("shared"))),
                      ("External Network", yes(network.get("router:external"))),
                      ("MTU", str(network.get("mtu", "-")))],
            "subnets": sorted(subnets, key=lambda s: (s.get("name") or "", s["id"])),
            "ports": [(p.get("name") or p["id"][:13], fixed_ips(p), p.get("device_owner") or "-",
                       p.get("status", "-"), "UP" if p.get("admin_state_up", True) else "DOWN")
                      for p in ports],
        }, session=session, status=status)  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        self.page(req, resp, self.session(req), network_id, SubnetForm())


class Subnets(Network):
    """Adds a subnet (the form on the network's page)."""

    def on_post(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        session, posted = self.posted(req)
        form = SubnetForm.posted(posted)
        body = form.request(resource_id(network_id, "Network"))
        refused = refusal(lambda: self.call(session, "POST", NETWORK, "/v2.0/subnets", body=body))
        if refused is not None:
            self.page(req, resp, session, network_id, form, error=str(refused),
                      status=refused.answer.status)  # fmt: skip
            return
        redirect(req, f"/project/networks/{resource_id(network_id, 'Network')}")


class SubnetDelete(Page):
    def on_post(self, req: falcon.Request, resp: falcon.Response, network_id: str) -> None:
        session, form = self.posted(req)
        subnet = resource_id(field(form, "subnet_id"), "Subnet")
        self.call(session, "DELETE", NETWORK, f"/v2.0/subnets/{subnet}")
        redirect(req, f"/project/networks/{resource_id(network_id, 'Network')}")
