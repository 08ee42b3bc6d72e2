"""The image API (Glance v2): the app that serves it, assembled from its parts: the image
records (images.py) and each part's routes (see PARTS)."""

from __future__ import annotations

import uuid
from typing import Any

import falcon

from pocketstack.cloud import jsonmedia
from pocketstack.cloud.api.enforce import enforcer, mount
from pocketstack.cloud.api.keywords import LINEAR_VALIDATOR
from pocketstack.cloud.auth.middleware import TokenAuthMiddleware
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image import (
    faults,
    images,
    policy,
    routes_data,
    routes_metadefs,
    routes_sharing,
)
from pocketstack.cloud.image.api import SERVICE
from pocketstack.cloud.image.requests import json_reader, schema_error
from pocketstack.cloud.inputs import RefuseNul

# Each part of the API beyond the image records: `routes(deps)` gives its URI templates and
# their falcon resources.
PARTS = (routes_data, routes_sharing, routes_metadefs)


class _RequestId:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.request_id = f"req-{uuid.uuid4()}"

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, req_succeeded: bool
    ) -> None:
        resp.set_header("x-openstack-request-id", req.context.request_id)


def _is_public(req: falcon.Request) -> bool:
    return req.path in ("", "/", "/versions")


def create_app(deps: CloudDeps) -> falcon.App[falcon.Request, falcon.Response]:
    middleware: list[Any] = [
        _RequestId(),
        TokenAuthMiddleware(
            tokens=deps.tokens, public_url=deps.config.public_url, is_public=_is_public
        ),
        RefuseNul(),
        enforcer(
            SERVICE,
            check_responses=deps.config.check_responses,
            caller_of=policy.caller_of,
            read_body=json_reader(deps.config.max_request_body_size),
            invalid=schema_error,
            validator=LINEAR_VALIDATOR,
        ),
    ]
    app: falcon.App[falcon.Request, falcon.Response] = falcon.App(middleware=middleware)
    app.req_options.keep_blank_qs_values = True
    app.req_options.strip_url_path_trailing_slash = True
    faults.install(app)
    jsonmedia.install(app)
    versions = images.Versions()
    resources: dict[str, object] = {
        "/": versions,
        "/versions": versions,
        "/v2/images": images.Images(deps),
        "/v2/images/{image_id}": images.ImageItem(deps),
    }
    for part in PARTS:
        resources.update(part.routes(deps))
    mount(app, SERVICE, resources)
    return app
