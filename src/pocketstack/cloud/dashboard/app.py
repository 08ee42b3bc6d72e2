"""The dashboard as a falcon app, mounted at /dashboard: Horizon's everyday project pages,
rendered on the server, with the little script they need shipped in the package."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

import falcon

from pocketstack.cloud.dashboard import (
    auth_pages,
    instance_pages,
    listing_pages,
    network_pages,
    project_pages,
)
from pocketstack.cloud.dashboard.calls import ServiceError, Services, WSGIApp
from pocketstack.cloud.dashboard.render import Renderer
from pocketstack.cloud.dashboard.sessions import SessionStore
from pocketstack.cloud.dashboard.web import (
    Dashboard,
    SecurityHeaders,
    http_error,
    redirect,
    service_error,
)
from pocketstack.cloud.deps import CloudDeps

_STATIC_TYPES = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"}


class Static:
    """The stylesheet and the script, from the package (no CDN, no build step)."""

    def __init__(self) -> None:
        folder = resources.files("pocketstack.cloud.dashboard") / "static"
        self._files = {entry.name: entry.read_bytes() for entry in folder.iterdir()
                       if entry.name.rpartition(".")[2] in _STATIC_TYPES}  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        data = self._files.get(name)
        if data is None:
            raise falcon.HTTPNotFound()
        resp.content_type = _STATIC_TYPES[name.rpartition(".")[2]]
        resp.set_header("Cache-Control", "public, max-age=3600")
        resp.data = data


class Home:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        redirect(req, "/project/instances")


def create_app(
    deps: CloudDeps, services: Mapping[str, WSGIApp]
) -> falcon.App[falcon.Request, falcon.Response]:
    calls = Services(services, public_url=deps.config.public_url)
    dashboard = Dashboard(deps=deps, services=calls, sessions=SessionStore(deps, calls),
                          renderer=Renderer())  # fmt: skip
    app = falcon.App(middleware=[SecurityHeaders()])
    app.req_options.strip_url_path_trailing_slash = True
    app.add_error_handler(falcon.HTTPError, http_error(dashboard))
    app.add_error_handler(ServiceError, service_error(dashboard))
    app.add_route("/", Home())
    app.add_route("/static/{name}", Static())
    app.add_route("/auth/login", auth_pages.Login(dashboard))
    app.add_route("/auth/logout", auth_pages.Logout(dashboard))
    app.add_route("/auth/switch", auth_pages.Switch(dashboard))
    app.add_route("/project", Home())
    app.add_route("/project/overview", project_pages.Overview(dashboard))
    app.add_route("/project/images", project_pages.Images(dashboard))
    app.add_route("/project/flavors", project_pages.Flavors(dashboard))
    app.add_route("/project/key_pairs", project_pages.KeyPairs(dashboard))
    app.add_route("/project/key_pairs/create", project_pages.KeyPairCreate(dashboard))
    app.add_route("/project/key_pairs/import", project_pages.KeyPairImport(dashboard))
    app.add_route("/project/key_pairs/delete", project_pages.KeyPairDelete(dashboard))
    app.add_route("/project/networks", listing_pages.Networks(dashboard))
    app.add_route("/project/security_groups", network_pages.SecurityGroups(dashboard))
    app.add_route("/project/security_groups/{group_id}", network_pages.SecurityGroup(dashboard))
    app.add_route("/project/security_groups/{group_id}/delete",
                  network_pages.GroupDelete(dashboard))  # fmt: skip
    app.add_route("/project/security_groups/{group_id}/rules", network_pages.Rules(dashboard))
    app.add_route("/project/security_groups/{group_id}/rules/delete",
                  network_pages.RuleDelete(dashboard))  # fmt: skip
    app.add_route("/identity/projects", listing_pages.Projects(dashboard))
    app.add_route("/identity/users", listing_pages.Users(dashboard))
    app.add_route("/identity/groups", listing_pages.Groups(dashboard))
    app.add_route("/identity/role_assignments", listing_pages.RoleAssignments(dashboard))
    app.add_route("/project/instances", instance_pages.Instances(dashboard))
    app.add_route("/project/instances/rows", instance_pages.Rows(dashboard))
    app.add_route("/project/instances/launch", project_pages.Launch(dashboard))
    app.add_route("/project/instances/{server_id}", instance_pages.Instance(dashboard))
    app.add_route("/project/instances/{server_id}/row", instance_pages.Row(dashboard))
    app.add_route("/project/instances/{server_id}/action", instance_pages.Action(dashboard))
    app.add_route("/project/instances/{server_id}/delete",
                  instance_pages.ConfirmDelete(dashboard))  # fmt: skip
    return app
