"""Where a compute request is going: API root (/v2.1 or legacy /v2), optional project id, path.

Nova answers `/v2.1/servers` and `/v2.1/{project_id}/servers` alike (the seed's catalog uses the
legacy `/v2/{tenant_id}` form). The prefix is taken off before falcon routes, and kept on
`req.context` for building links the same way the client addressed us.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
import uuid
from collections.abc import Collection, Iterable
from typing import Any

import falcon

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute.microversion import LEGACY, ApiVersion, requested_version
from pocketstack.cloud.errors import BadRequest, CloudError

# First path segments after the API root that name a resource rather than a project id.
COLLECTIONS = frozenset(
    {"servers", "flavors", "images", "limits", "extensions", "os-keypairs", "os-hypervisors"}
)
# Nova's own rule for a project id in the path; anything else is a (maybe unknown) resource, so
# `/v2.1/os-networks` is a 404 rather than someone's project.
_PROJECT_ID = re.compile(r"[0-9a-f\-]+")
ROOT_PATH = "/_versions"
VERSION_PATH = "/_version"
# A path no route matches.
NO_ROUTE = "/_no_route"
API_ROOTS = ("v2.1", "v2")


@dataclasses.dataclass(frozen=True)
class Where:
    api_root: str  # "v2.1", "v2" or "" for the versions list
    path_project: str | None


class RoutingMiddleware:
    """Rewrites the path for falcon's router and gives every request an id."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.request_id = f"req-{uuid.uuid4()}"
        req.context.api = None
        segments = [s for s in req.path.split("/") if s]
        if not segments:
            req.context.where = Where("", None)
            req.path = ROOT_PATH
            return
        root = segments[0]
        if root not in API_ROOTS:
            req.context.where = Where("", None)
            return
        rest = segments[1:]
        project = None
        if rest and rest[0] not in COLLECTIONS and _PROJECT_ID.fullmatch(rest[0]):
            project, rest = rest[0], rest[1:]
        req.context.where = Where(root, project)
        if rest and req.path.endswith("/"):
            # Nova's routes match no path with a trailing slash past the version's root
            # (`/v2.1/os-security-groups/` is no security group): a 404 once authenticated.
            # Falcon would take the slash for an empty last field of an item's route.
            req.path = NO_ROUTE
            return
        req.path = "/" + "/".join(rest) if rest else VERSION_PATH

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, req_succeeded: bool
    ) -> None:
        request_id = getattr(req.context, "request_id", "")
        if request_id:
            resp.set_header("x-openstack-request-id", request_id)
            resp.set_header("x-compute-request-id", request_id)


def is_public(req: falcon.Request) -> bool:
    return req.path in (ROOT_PATH, VERSION_PATH)


class VersionMiddleware:
    """Parses the microversion (after auth, as Nova does) and echoes it on every response."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if resp.complete or req.path == ROOT_PATH:
            return
        where: Where = req.context.where
        if where.api_root == "v2":
            # The legacy v2 API takes no microversion and reports none.
            req.context.api = LEGACY
            return
        req.context.api = requested_version(req.headers)

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, params: dict[str, Any]
    ) -> None:
        where: Where = req.context.where
        auth: RequestContext | None = req.context.auth
        if where.path_project and auth is not None and where.path_project != auth.project_id:
            raise BadRequest(
                f"Malformed request URL: URL's project_id '{where.path_project}' doesn't match"
                f" Context's project_id '{auth.project_id}'"
            )

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, req_succeeded: bool
    ) -> None:
        where: Where | None = getattr(req.context, "where", None)
        if where is None or where.api_root != "v2.1":
            return
        api: ApiVersion | None = getattr(req.context, "api", None)
        if api is None:
            # The request failed before its version was read (401, or the version itself was
            # bad): echo it when it is valid. Nova leaves these bare; the contract wants every
            # response to carry the headers, and a cache must know the answer varies by them.
            try:
                api = requested_version(req.headers)
            except CloudError:
                api = None
        if api is not None:
            resp.set_header("OpenStack-API-Version", f"compute {api}")
            resp.set_header("X-OpenStack-Nova-API-Version", str(api))
        resp.append_header("Vary", "OpenStack-API-Version")
        resp.append_header("Vary", "X-OpenStack-Nova-API-Version")


def version_of(req: falcon.Request) -> ApiVersion:
    api: ApiVersion = req.context.api
    return api


def microversion_of(req: falcon.Request) -> tuple[int, int] | None:
    """(major, minor) of the request's version; None before it is read (the version documents)."""
    api: ApiVersion | None = getattr(req.context, "api", None)
    return None if api is None else (api.version.major, api.version.minor)


def caller_of(req: falcon.Request) -> RequestContext | None:
    """The token's context; None on the public paths, which take no token."""
    caller: RequestContext | None = getattr(req.context, "auth", None)
    return caller


def auth_of(req: falcon.Request) -> RequestContext:
    auth: RequestContext = req.context.auth
    return auth


def refuse_unknown_params(names: Iterable[str], allowed: Collection[str]) -> None:
    """Nova's query schemas that allow nothing more (most lists from 2.75): every parameter not
    in `allowed` named at once, in the words of Nova's validator."""
    extra = sorted(set(names) - set(allowed))
    if extra:
        listed = ", ".join(repr(name) for name in extra)
        verb = "were" if len(extra) > 1 else "was"
        raise BadRequest(f"Additional properties are not allowed ({listed} {verb} unexpected)")


class Links:
    """Builds Nova's self/bookmark/next links from how the request addressed us."""

    def __init__(self, req: falcon.Request) -> None:
        where: Where = req.context.where
        self.base = req.prefix.rstrip("/")
        self.root = where.api_root or "v2.1"
        self.project = f"/{where.path_project}" if where.path_project else ""

    def self_href(self, collection: str, ident: str) -> str:
        return f"{self.base}/{self.root}{self.project}/{collection}/{ident}"

    def bookmark(self, collection: str, ident: str) -> str:
        return f"{self.base}{self.project}/{collection}/{ident}"

    def pair(self, collection: str, ident: str) -> list[dict[str, str]]:
        return [
            {"rel": "self", "href": self.self_href(collection, ident)},
            {"rel": "bookmark", "href": self.bookmark(collection, ident)},
        ]

    def collection(self, collection: str) -> str:
        return f"{self.base}/{self.root}{self.project}/{collection}"


def next_link(req: falcon.Request, collection: str, marker: str) -> list[dict[str, str]]:
    """A page's `next` link: the request's own query (each parameter once, sorted) with the
    marker last, as Nova's key pair and migration listings write it."""
    params = dict(urllib.parse.parse_qsl(req.query_string, keep_blank_values=True))
    params.pop("marker", None)
    pairs = [*sorted(params.items()), ("marker", marker)]
    href = f"{Links(req).collection(collection)}?{urllib.parse.urlencode(pairs)}"
    return [{"rel": "next", "href": href}]
