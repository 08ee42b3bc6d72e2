"""The dashboard as a falcon app, mounted at /dashboard: Horizon's everyday project pages,
rendered on the server, with the little script they need shipped in the package."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

import falcon
from falcon.media.multipart import MultipartFormHandler, MultipartParseOptions

from pocketstack.cloud.dashboard import (
    auth_pages,
    floating_ip_pages,
    identity_pages,
    image_pages,
    instance_pages,
    network_pages,
    project_pages,
    role_pages,
    router_pages,
    security_group_pages,
)
from pocketstack.cloud.dashboard.calls import ServiceError, Services, WSGIApp
from pocketstack.cloud.dashboard.render import Renderer
from pocketstack.cloud.dashboard.sessions import SessionStore
from pocketstack.cloud.dashboard.web import (
    Dashboard,
    Page,
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


# Each page's path and resource; every resource is built with the same Dashboard.
PAGES: tuple[tuple[str, type[Page]], ...] = (
    ("/auth/login", auth_pages.Login),
    ("/auth/logout", auth_pages.Logout),
    ("/auth/switch", auth_pages.Switch),
    ("/project/overview", project_pages.Overview),
    ("/project/images", image_pages.Images),
    ("/project/images/create", image_pages.ImageCreate),
    ("/project/flavors", project_pages.Flavors),
    ("/project/key_pairs", project_pages.KeyPairs),
    ("/project/key_pairs/create", project_pages.KeyPairCreate),
    ("/project/key_pairs/import", project_pages.KeyPairImport),
    ("/project/key_pairs/delete", project_pages.KeyPairDelete),
    ("/project/networks", network_pages.Networks),
    ("/project/networks/{network_id}", network_pages.Network),
    ("/project/networks/{network_id}/delete", network_pages.NetworkDelete),
    ("/project/networks/{network_id}/subnets", network_pages.Subnets),
    ("/project/networks/{network_id}/subnets/delete", network_pages.SubnetDelete),
    ("/project/routers", router_pages.Routers),
    ("/project/routers/{router_id}", router_pages.Router),
    ("/project/routers/{router_id}/delete", router_pages.RouterDelete),
    ("/project/routers/{router_id}/interfaces", router_pages.Interfaces),
    ("/project/routers/{router_id}/interfaces/delete", router_pages.InterfaceDelete),
    ("/project/floating_ips", floating_ip_pages.FloatingIPs),
    ("/project/floating_ips/{ip_id}/associate", floating_ip_pages.Associate),
    ("/project/floating_ips/{ip_id}/release", floating_ip_pages.Release),
    ("/project/security_groups", security_group_pages.SecurityGroups),
    ("/project/security_groups/{group_id}", security_group_pages.SecurityGroup),
    ("/project/security_groups/{group_id}/delete", security_group_pages.GroupDelete),
    ("/project/security_groups/{group_id}/rules", security_group_pages.Rules),
    ("/project/security_groups/{group_id}/rules/delete", security_group_pages.RuleDelete),
    ("/identity/projects", identity_pages.Projects),
    ("/identity/projects/delete", identity_pages.ProjectDelete),
    ("/identity/users", identity_pages.Users),
    ("/identity/users/delete", identity_pages.UserDelete),
    ("/identity/groups", identity_pages.Groups),
    ("/identity/groups/delete", identity_pages.GroupDelete),
    ("/identity/role_assignments", role_pages.RoleAssignments),
    ("/identity/role_assignments/delete", role_pages.Revoke),
    ("/project/instances", instance_pages.Instances),
    ("/project/instances/rows", instance_pages.Rows),
    ("/project/instances/launch", project_pages.Launch),
    ("/project/instances/{server_id}", instance_pages.Instance),
    ("/project/instances/{server_id}/row", instance_pages.Row),
    ("/project/instances/{server_id}/action", instance_pages.Action),
    ("/project/instances/{server_id}/delete", instance_pages.ConfirmDelete),
)


def create_app(
    deps: CloudDeps, services: Mapping[str, WSGIApp]
) -> falcon.App[falcon.Request, falcon.Response]:
    calls = Services(services, public_url=deps.config.public_url)
    dashboard = Dashboard(deps=deps, services=calls, sessions=SessionStore(deps, calls),
                          renderer=Renderer())  # fmt: skip
    app = falcon.App(middleware=[SecurityHeaders()])
    # The image form is the one multipart form: a few small fields, then the file, streamed.
    form = MultipartParseOptions()
    form.max_body_part_count = image_pages.TEXT_FIELDS + 1
    form.max_body_part_buffer_size = image_pages.TEXT_LIMIT
    app.req_options.media_handlers[falcon.MEDIA_MULTIPART] = MultipartFormHandler(form)
    app.req_options.strip_url_path_trailing_slash = True
    app.add_error_handler(falcon.HTTPError, http_error(dashboard))
    app.add_error_handler(ServiceError, service_error(dashboard))
    app.add_route("/", Home())
    app.add_route("/project", Home())
    app.add_route("/static/{name}", Static())
    for path, page in PAGES:
        app.add_route(path, page(dashboard))
    return app
