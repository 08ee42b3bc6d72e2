"""The compute API (Nova v2.1 with microversions) as a falcon app, mounted at `/compute`."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.auth.middleware import TokenAuthMiddleware
from pocketstack.cloud.compute import faults, jsonbody, routing
from pocketstack.cloud.compute.actions import ServerAction
from pocketstack.cloud.compute.flavors import FlavorItem, FlavorList
from pocketstack.cloud.compute.server_meta import (
    ServerMetadata,
    ServerMetadataItem,
    ServerTag,
    ServerTags,
)
from pocketstack.cloud.compute.servers import ServerItem, ServerList
from pocketstack.cloud.compute.versions import VersionResource, VersionsResource
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.inputs import RefuseNul


def create_app(deps: CloudDeps) -> falcon.App[falcon.Request, falcon.Response]:
    middleware: list[Any] = [
        routing.RoutingMiddleware(),
        TokenAuthMiddleware(deps=deps, is_public=routing.is_public),
        RefuseNul(),
        routing.VersionMiddleware(),
    ]
    app: falcon.App[falcon.Request, falcon.Response] = falcon.App(
        middleware=middleware,
        cors_enable=False,
    )
    app.req_options.keep_blank_qs_values = True
    app.req_options.strip_url_path_trailing_slash = True
    faults.install(app)
    jsonbody.install(app)
    app.add_route(routing.ROOT_PATH, VersionsResource())
    app.add_route(routing.VERSION_PATH, VersionResource())
    app.add_route("/servers", ServerList(deps, detail=False))
    app.add_route("/servers/detail", ServerList(deps, detail=True))
    app.add_route("/servers/{server_id}", ServerItem(deps))
    app.add_route("/servers/{server_id}/action", ServerAction(deps))
    app.add_route("/servers/{server_id}/tags", ServerTags(deps))
    app.add_route("/servers/{server_id}/tags/{tag}", ServerTag(deps))
    app.add_route("/servers/{server_id}/metadata", ServerMetadata(deps))
    app.add_route("/servers/{server_id}/metadata/{key}", ServerMetadataItem(deps))
    app.add_route("/flavors", FlavorList(deps, detail=False))
    app.add_route("/flavors/detail", FlavorList(deps, detail=True))
    app.add_route("/flavors/{flavor_id}", FlavorItem(deps))
    return app
