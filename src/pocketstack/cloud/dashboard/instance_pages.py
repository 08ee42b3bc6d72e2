"""Instances: the `nova list` table (filters, sorting, keyset pages, live statuses), one
instance's detail, its actions and the launch form."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import falcon

from pocketstack.cloud.dashboard.calls import ServiceError, segment
from pocketstack.cloud.dashboard.render import (
    POWER_STATES,
    addresses,
    changing,
    status_class,
    when,
)
from pocketstack.cloud.dashboard.sessions import Session
from pocketstack.cloud.dashboard.web import Page, field, redirect, resource_id

COMPUTE = "/compute"
PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
STATUSES = ("ACTIVE", "BUILD", "ERROR", "HARD_REBOOT", "PAUSED", "REBOOT", "RESCUE", "RESIZE",
            "SHELVED", "SHELVED_OFFLOADED", "SHUTOFF", "SUSPENDED", "VERIFY_RESIZE")  # fmt: skip
# The table's sortable columns and the API's sort keys behind them.
SORT_KEYS = {"name": "display_name", "status": "vm_state", "created": "created_at"}
ACTIONS = {"start": {"os-start": None}, "stop": {"os-stop": None},
           "reboot": {"reboot": {"type": "SOFT"}}}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Listing:
    """The list page's query: what the user asked for, read defensively from the URL."""

    name: str
    status: str
    sort: str
    direction: str
    marker: str
    limit: int
    # An admin's view of every project's servers (the API's all_tenants).
    everyone: bool = False

    @classmethod
    def of(cls, req: falcon.Request) -> Listing:
        sort = req.get_param("sort") or "created"
        direction = req.get_param("dir") or ("asc" if sort == "name" else "desc")
        status = (req.get_param("status") or "").upper()
        try:
            limit = int(req.get_param("limit") or PAGE_SIZE)
        except ValueError:
            limit = PAGE_SIZE
        return cls(
            name=req.get_param("name") or "", status=status if status in STATUSES else "",
            sort=sort if sort in SORT_KEYS else "created",
            direction=direction if direction in ("asc", "desc") else "desc",
            marker=req.get_param("marker") or "", limit=max(1, min(limit, MAX_PAGE_SIZE)),
            everyone=req.get_param("all_projects") == "1",
        )  # fmt: skip

    def api_query(self) -> dict[str, Any]:
        query: dict[str, Any] = {"limit": str(self.limit), "sort_key": SORT_KEYS[self.sort],
                                 "sort_dir": self.direction}  # fmt: skip
        if self.name:
            # The API's name filter is a regular expression; the box means "contains".
            query["name"] = re.escape(self.name)
        if self.status:
            query["status"] = self.status
        if self.marker:
            query["marker"] = self.marker
        if self.everyone:
            query["all_tenants"] = "1"
        return query

    def url(self, base: str, **changes: str) -> str:
        values = {"name": self.name, "status": self.status, "sort": self.sort,
                  "dir": self.direction, "marker": self.marker,
                  "all_projects": "1" if self.everyone else ""}  # fmt: skip
        if self.limit != PAGE_SIZE:
            values["limit"] = str(self.limit)
        values.update(changes)
        return f"{base}?{urlencode({k: v for k, v in values.items() if v})}"

    def aria(self, key: str) -> str:
        if key != self.sort:
            return "none"
        return "ascending" if self.direction == "asc" else "descending"

    def link(self, key: str) -> str:
        flip = "desc" if key == self.sort and self.direction == "asc" else "asc"
        values = {"name": self.name, "status": self.status, "sort": key, "dir": flip,
                  "all_projects": "1" if self.everyone else ""}  # fmt: skip
        return f"?{urlencode({k: v for k, v in values.items() if v})}"


def _server_path(server_id: str) -> str:
    """The API path of one server. Only a server id (a UUID) names one: `detail` there would
    be the list, so anything else is not found here."""
    return f"/v2.1/servers/{resource_id(server_id, 'Instance')}"


def _next_marker(body: dict[str, Any]) -> str:
    for link in body.get("servers_links", []):
        if link.get("rel") == "next":
            values = parse_qs(urlsplit(str(link["href"])).query).get("marker")
            if values:
                return str(values[-1])
    return ""


def _view(
    server: dict[str, Any], images: dict[str, str], projects: dict[str, str]
) -> tuple[Any, ...]:
    """One table row's cells, in the template's order: plain values, so that a page of 200
    rows is not 5,000 attribute lookups in the template (about a third of the page's time)."""
    task = server.get("OS-EXT-STS:task_state")
    image = server.get("image")
    image_name = images.get(image.get("id", ""), "-") if isinstance(image, dict) else "-"
    return (server["id"], server.get("name", ""), image_name,
            [address for _, address in addresses(server)],
            (server.get("flavor") or {}).get("original_name", "-"), server.get("key_name") or "-",
            server.get("status"), status_class(server.get("status"), task), task or "None",
            POWER_STATES.get(server.get("OS-EXT-STS:power_state") or 0, "No State"),
            when(server.get("created")), changing(server),
            projects.get(server.get("tenant_id", ""), server.get("tenant_id", "-")))  # fmt: skip


def _row(server: dict[str, Any]) -> dict[str, Any]:
    task = server.get("OS-EXT-STS:task_state")
    return {"id": server["id"], "status": server.get("status"), "task": task or "None",
            "power": POWER_STATES.get(server.get("OS-EXT-STS:power_state") or 0, "No State"),
            "class": status_class(server.get("status"), task),
            "changing": changing(server)}  # fmt: skip


class Instances(Page):
    def _servers(self, session: Session, listing: Listing) -> dict[str, Any]:
        body: dict[str, Any] = self.call(session, "GET", COMPUTE, "/v2.1/servers/detail",
                                         query=listing.api_query())  # fmt: skip
        return body

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        session = self.session(req)
        listing = Listing.of(req)
        body = self._servers(session, listing)
        servers = body.get("servers", [])
        image_ids = sorted({s["image"]["id"] for s in servers if isinstance(s.get("image"), dict)})
        names: dict[str, str] = {}
        if image_ids:
            images = self.call(session, "GET", "/image", "/v2/images",
                               query={"id": "in:" + ",".join(image_ids),
                                      "limit": str(len(image_ids))})  # fmt: skip
            names = {i["id"]: i.get("name") or i["id"] for i in images.get("images", [])}
        projects: dict[str, str] = {}
        if listing.everyone:
            found = self.call(session, "GET", "/identity", "/v3/projects")["projects"]
            projects = {p["id"]: p["name"] for p in found}
        base = f"{req.root_path}/project/instances"
        marker = _next_marker(body)
        self.render(req, resp, "instances.html", {
            "title": "Instances", "nav": "instances", "csrf": session.csrf_token,
            "rows": [_view(server, names, projects) for server in servers],
            "filters": listing, "sort": listing, "statuses": STATUSES,
            "marker": listing.marker, "first_url": listing.url(base, marker=""),
            "next_url": listing.url(base, marker=marker) if marker else "",
            "rows_url": listing.url(base + "/rows"),
        }, session=session)  # fmt: skip


class Rows(Instances):
    """The list's statuses as JSON: what the page's script polls while a row is changing."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        session = self.session(req)
        body = self._servers(session, Listing.of(req))
        resp.content_type = falcon.MEDIA_JSON
        resp.text = json.dumps({"rows": [_row(s) for s in body.get("servers", [])]})


class Row(Page):
    """One instance's status as JSON, for its detail page."""

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        session = self.session(req)
        server = self.call(session, "GET", COMPUTE, _server_path(server_id))["server"]
        resp.content_type = falcon.MEDIA_JSON
        resp.text = json.dumps({"rows": [_row(server)]})


class Instance(Page):
    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        session = self.session(req)
        server = self.call(session, "GET", COMPUTE, _server_path(server_id))["server"]
        actions = self.call(session, "GET", COMPUTE,
                            f"{_server_path(server_id)}/os-instance-actions")  # fmt: skip
        console = ""
        if server.get("status") == "ACTIVE":
            try:
                console = self.call(session, "POST", COMPUTE, f"{_server_path(server_id)}/action",
                                    body={"os-getConsoleOutput": {"length": 100}})["output"]
            except ServiceError:
                console = ""  # the policy or the state refused it: the page says none
        image_name = "-"
        image = server.get("image")
        if isinstance(image, dict) and image.get("id"):
            answer = self.services.call("GET", "/image", f"/v2/images/{segment(image['id'])}",
                                        token=session.token)  # fmt: skip
            image_name = answer.body.get("name") or image["id"] if answer.ok else image["id"]
        self.render(req, resp, "instance.html", {
            "title": f"Instance Details: {server.get('name', '')}", "nav": "instances",
            "server": server, "actions": actions.get("instanceActions", []),
            "console": console, "image_name": image_name,
            "rows_url": f"{req.root_path}/project/instances/{segment(server_id)}/row",
        }, session=session)  # fmt: skip


class Action(Page):
    def on_post(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        session, form = self.posted(req)
        action = field(form, "action")
        if action == "delete":
            self.call(session, "DELETE", COMPUTE, _server_path(server_id))
        elif action in ACTIONS:
            self.call(session, "POST", COMPUTE, f"{_server_path(server_id)}/action",
                      body=ACTIONS[action])  # fmt: skip
        else:
            raise falcon.HTTPBadRequest(title=f"Unknown action: {action!r}.")
        redirect(req, "/project/instances")


class ConfirmDelete(Page):
    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        session = self.session(req)
        server = self.call(session, "GET", COMPUTE, _server_path(server_id))["server"]
        self.render(req, resp, "confirm.html", {
            "title": "Confirm Delete Instance", "nav": "instances", "server": server,
            "action_url": f"{req.root_path}/project/instances/{server_id}/action",
        }, session=session)  # fmt: skip
