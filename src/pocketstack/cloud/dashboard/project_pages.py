"""The project's other pages: the overview (usage against quotas), images, flavors, key pairs,
and the launch form that gathers its choices from all of them."""

from __future__ import annotations

import dataclasses
from typing import Any

import falcon

from pocketstack.cloud.dashboard.calls import ServiceError, segment
from pocketstack.cloud.dashboard.render import size
from pocketstack.cloud.dashboard.sessions import Session
from pocketstack.cloud.dashboard.web import Page, field, redirect, refusal

COMPUTE = "/compute"
IMAGE = "/image"
NETWORK = "/networking"


@dataclasses.dataclass(frozen=True)
class Usage:
    label: str
    used: int
    limit: int | None
    used_text: str
    limit_text: str


def _usage(label: str, used: int, limit: int, unit: str = "") -> Usage:
    def text(value: int) -> str:
        return size(value) if unit == "MB" else str(value)

    return Usage(label=label, used=used, limit=None if limit < 0 else limit,
                 used_text=text(used), limit_text=text(limit))  # fmt: skip


class Overview(Page):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        session = self.session(req)
        usage: list[Usage] = []
        if session.token is not None:
            limits = self.call(session, "GET", COMPUTE, "/v2.1/limits")["limits"]["absolute"]
            usage = [
                _usage("Instances", limits["totalInstancesUsed"], limits["maxTotalInstances"]),
                _usage("VCPUs", limits["totalCoresUsed"], limits["maxTotalCores"]),
                _usage("RAM", limits["totalRAMUsed"], limits["maxTotalRAMSize"], "MB"),
                _usage("Server Groups", limits["totalServerGroupsUsed"],
                       limits["maxServerGroups"]),
            ]  # fmt: skip
        self.render(req, resp, "overview.html", {"title": "Overview", "nav": "overview",
                                                 "usage": usage}, session=session)  # fmt: skip


class Flavors(Page):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        session = self.session(req)
        flavors = self.call(session, "GET", COMPUTE, "/v2.1/flavors/detail")["flavors"]
        self.render(req, resp, "flavors.html", {"title": "Flavors", "nav": "flavors",
                                                "flavors": flavors}, session=session)  # fmt: skip


class KeyPairs(Page):
    def page(self, req: falcon.Request, resp: falcon.Response, session: Session, *,
             error: str | None = None, status: int = 200, name: str = "",
             key: str = "") -> None:  # fmt: skip
        pairs = [entry["keypair"] for entry in
                 self.call(session, "GET", COMPUTE, "/v2.1/os-keypairs")["keypairs"]]  # fmt: skip
        self.render(req, resp, "key_pairs.html", {
            "title": "Key Pairs", "nav": "key_pairs", "key_pairs": pairs, "error": error,
            "form_name": name, "form_key": key}, session=session, status=status)  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.page(req, resp, self.session(req))


class KeyPairImport(KeyPairs):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session, form = self.posted(req)
        name, key = field(form, "name"), field(form, "public_key")
        body = {"keypair": {"name": name, "public_key": key}}
        refused = refusal(lambda: self.call(session, "POST", COMPUTE, "/v2.1/os-keypairs",
                                            body=body))  # fmt: skip
        if refused is not None:
            self.page(req, resp, session, error=str(refused), status=refused.answer.status,
                      name=name, key=key)  # fmt: skip
            return
        redirect(req, "/project/key_pairs")


class KeyPairCreate(KeyPairs):
    """Nova makes the pair (as at microversion 2.79) and the private key is the answer, a file
    to save: it is shown once and kept nowhere, as Horizon hands it over."""

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session, form = self.posted(req)
        name = field(form, "name")
        try:
            made = self.call(session, "POST", COMPUTE, "/v2.1/os-keypairs",
                             body={"keypair": {"name": name}})["keypair"]  # fmt: skip
        except ServiceError as refused:
            if refused.answer.status == 401:
                raise
            self.page(req, resp, session, error=str(refused), status=refused.answer.status)
            return
        resp.content_type = "application/x-pem-file"
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in made["name"]) or "key"
        resp.set_header("Content-Disposition", f'attachment; filename="{safe}.pem"')
        resp.text = made["private_key"]


class KeyPairDelete(KeyPairs):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session, form = self.posted(req)
        self.call(session, "DELETE", COMPUTE, f"/v2.1/os-keypairs/{segment(field(form, 'name'))}")
        redirect(req, "/project/key_pairs")


@dataclasses.dataclass(frozen=True)
class LaunchForm:
    name: str = ""
    count: str = "1"
    image: str = ""
    flavor: str = ""
    network: str = ""
    key_name: str = ""
    security_groups: tuple[str, ...] = ("default",)

    @classmethod
    def posted(cls, form: dict[str, list[str]]) -> LaunchForm:
        return cls(name=field(form, "name"), count=field(form, "count") or "1",
                   image=field(form, "image"), flavor=field(form, "flavor"),
                   network=field(form, "network"), key_name=field(form, "key_name"),
                   security_groups=tuple(form.get("security_group", [])))  # fmt: skip

    def request(self) -> dict[str, Any]:
        try:
            count = int(self.count)
        except ValueError:
            raise falcon.HTTPBadRequest(title="Count must be a whole number.") from None
        server: dict[str, Any] = {
            "name": self.name, "imageRef": self.image, "flavorRef": self.flavor,
            "min_count": count, "max_count": count,
            "networks": [{"uuid": self.network}] if self.network else "auto",
        }  # fmt: skip
        if self.key_name:
            server["key_name"] = self.key_name
        if self.security_groups:
            server["security_groups"] = [{"name": name} for name in self.security_groups]
        return {"server": server}


class Launch(Page):
    def _choices(self, session: Session) -> dict[str, Any]:
        images = self.call(session, "GET", IMAGE, "/v2/images",
                           query={"status": "active", "sort_key": "name", "sort_dir": "asc",
                                  "limit": "200"})["images"]  # fmt: skip
        flavors = self.call(session, "GET", COMPUTE, "/v2.1/flavors/detail")["flavors"]
        pairs = [e["keypair"] for e in
                 self.call(session, "GET", COMPUTE, "/v2.1/os-keypairs")["keypairs"]]  # fmt: skip
        project = {"project_id": session.project_id or ""}
        networks = self.call(session, "GET", NETWORK, "/v2.0/networks")["networks"]
        groups = self.call(session, "GET", NETWORK, "/v2.0/security-groups",
                           query=project)["security_groups"]  # fmt: skip
        return {"images": images, "flavors": sorted(flavors, key=lambda f: (f["ram"], f["name"])),
                "key_pairs": pairs, "networks": networks,
                "security_groups": sorted(groups, key=lambda g: g["name"])}  # fmt: skip

    def _page(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        session: Session,
        form: LaunchForm,
        *,
        error: str | None = None,
        status: int = 200,
    ) -> None:
        self.render(req, resp, "launch.html", {
            "title": "Launch Instance", "nav": "instances", "form": form, "error": error,
            **self._choices(session),
        }, session=session, status=status)  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        session = self.session(req)
        self._page(req, resp, session, LaunchForm())

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session, posted = self.posted(req)
        form = LaunchForm.posted(posted)
        body = form.request()
        refused = refusal(lambda: self.call(session, "POST", COMPUTE, "/v2.1/servers", body=body))
        if refused is not None:
            # The form again, filled in, with the service's reason.
            self._page(req, resp, session, form, error=str(refused),
                       status=refused.answer.status)  # fmt: skip
            return
        redirect(req, "/project/instances")
