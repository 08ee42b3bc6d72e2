"""The compute API (Nova v2.1 with microversions) declared: every operation once, with its
route, policy rule, microversions, schemas and statuses (see cloud/api/operation.py).

Every route answers at `/v2.1/...`, `/v2.1/{project_id}/...` and the legacy `/v2/{project_id}/...`
(the seed's catalog form); routing.py takes the root off before the app routes.
"""

from __future__ import annotations

from collections.abc import Sequence

from pocketstack.cloud.api.operation import (
    JSON,
    Operation,
    PublicPath,
    Rule,
    Service,
    every_version,
)
from pocketstack.cloud.api.shapes import (
    BOOL,
    INT,
    NSTR,
    STR,
    arr,
    header,
    json_body,
    obj,
    path_param,
    query,
    ref,
)
from pocketstack.cloud.compute import policy
from pocketstack.cloud.compute.routing import ROOT_PATH, VERSION_PATH

FAULT_NAMES = (
    "badRequest",
    "unauthorized",
    "forbidden",
    "itemNotFound",
    "badMethod",
    "conflictingRequest",
    "overLimit",
    "notImplemented",
    "serviceUnavailable",
    "computeFault",
)
# (path prefix, extra path parameters) for each way the API is addressed.
API_ROOTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("/compute/v2.1", ()),
    ("/compute/v2.1/{project_id}", ("project_id",)),
    ("/compute/v2/{project_id}", ("project_id",)),
)
MICROVERSION_HEADERS = (
    header("OpenStack-API-Version", description="`compute X.Y` or `compute latest`; 2.1..2.100"),
    header("X-OpenStack-Nova-API-Version", description="legacy form: `X.Y` or `latest`"),
)
TAGS_SINCE = (2, 26)


def _schemas() -> dict[str, JSON]:
    link = obj({"rel": STR, "href": STR}, required=("rel", "href"))
    fault_body = obj({"code": INT, "message": STR}, required=("code", "message"))
    return {
        "ComputeLink": link,
        "ComputeFault": {
            "type": "object",
            "oneOf": [obj({name: fault_body}, closed=True) for name in FAULT_NAMES],
        },
        "ComputeVersion": obj(
            {
                "id": STR,
                "status": STR,
                "version": STR,
                "min_version": STR,
                "updated": STR,
                "links": arr(ref("ComputeLink")),
            },
            required=("id", "status", "version", "min_version", "links"),
        ),
        "ServerRef": obj({"id": STR, "name": STR, "links": arr(ref("ComputeLink"))}, closed=True),
        "Server": obj(
            {
                "id": STR,
                "name": STR,
                "status": STR,
                "tenant_id": STR,
                "user_id": STR,
                "created": STR,
                "updated": STR,
                "hostId": STR,
                "metadata": {"type": "object"},
                "links": arr(ref("ComputeLink")),
                "addresses": {"type": "object"},
                "accessIPv4": STR,
                "accessIPv6": STR,
                "flavor": {"type": "object"},
                "image": {"anyOf": [{"type": "object"}, {"const": ""}]},
                "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
                "OS-EXT-STS:task_state": NSTR,
                "OS-EXT-STS:vm_state": STR,
                "OS-EXT-STS:power_state": INT,
                "locked": BOOL,
                "tags": arr(STR),
                "description": NSTR,
                "progress": INT,
            },
            required=(
                "id",
                "name",
                "status",
                "tenant_id",
                "user_id",
                "created",
                "updated",
                "links",
                "addresses",
                "flavor",
                "image",
                "metadata",
                "hostId",
            ),
        ),
        "ServerCreated": obj(
            {
                "id": STR,
                "links": arr(ref("ComputeLink")),
                "OS-DCF:diskConfig": STR,
                "security_groups": arr(obj({"name": STR})),
                "adminPass": STR,
            },
            closed=True,
        ),
        "Flavor": obj(
            {
                "id": STR,
                "name": STR,
                "links": arr(ref("ComputeLink")),
                "ram": INT,
                "disk": INT,
                "vcpus": INT,
                "swap": {"anyOf": [INT, {"const": ""}]},
                "OS-FLV-EXT-DATA:ephemeral": INT,
                "OS-FLV-DISABLED:disabled": BOOL,
                "os-flavor-access:is_public": BOOL,
                "rxtx_factor": {"type": "number"},
                "description": NSTR,
                "extra_specs": {"type": "object"},
            },
            required=("id", "name", "links"),
        ),
    }



def error_response(code: int) -> JSON:
    if code == 401:
        return json_body(ref("AuthError"), "No valid token (keystonemiddleware's body)")
    return json_body(ref("ComputeFault"), "Nova fault")


READ_ERRORS = (400, 401, 403, 404, 406)
WRITE_ERRORS = (400, 401, 403, 404, 406, 409, 413)

_SERVER_FILTERS = (
    "name",
    "status",
    "image",
    "flavor",
    "ip",
    "ip6",
    "changes-since",
    "changes-before",
    "reservation_id",
    "all_tenants",
    "tags",
    "tags-any",
    "not-tags",
    "not-tags-any",
    "locked",
    "availability_zone",
    "config_drive",
    "key_name",
    "created_at",
    "launched_at",
    "terminated_at",
    "power_state",
    "task_state",
    "vm_state",
    "progress",
    "user_id",
    "project_id",
    "tenant_id",
    "hostname",
    "host",
    "node",
    "uuid",
    "deleted",
    "sort_key",
    "sort_dir",
    "limit",
    "marker",
)
_FLAVOR_FILTERS = ("minRam", "minDisk", "is_public", "sort_key", "sort_dir", "limit", "marker")




def _rule(name: str, check: policy.Check | None) -> Rule:
    return Rule(f"os_compute_api:{name}", check)


READER = policy.project_reader_or_admin
MEMBER = policy.project_member_or_admin
ADMIN = policy.admin_api



def _operations() -> tuple[Operation, ...]:
    server_queries = tuple(query(n) for n in _SERVER_FILTERS)
    flavor_queries = tuple(query(n) for n in _FLAVOR_FILTERS)
    servers = every_version(
        obj(
            {"servers": arr(ref("ServerRef")), "servers_links": arr(ref("ComputeLink"))},
            required=("servers",),
        )
    )
    details = every_version(
        obj(
            {"servers": arr(ref("Server")), "servers_links": arr(ref("ComputeLink"))},
            required=("servers",),
        )
    )
    one_server = every_version(obj({"server": ref("Server")}))
    flavors = every_version(
        obj(
            {"flavors": arr(ref("Flavor")), "flavors_links": arr(ref("ComputeLink"))},
            required=("flavors",),
        )
    )
    one_flavor = every_version(obj({"flavor": ref("Flavor")}))
    tags = every_version(obj({"tags": arr(STR)}))
    metadata = every_version(obj({"metadata": {"type": "object", "additionalProperties": STR}}))
    meta = every_version(obj({"meta": {"type": "object", "additionalProperties": STR}}))
    create_body = obj(
        {
            "server": obj(
                {
                    "name": STR,
                    "imageRef": STR,
                    "flavorRef": {"type": ["string", "integer"]},
                    "networks": {"anyOf": [{"enum": ["auto", "none"]}, arr(obj({"uuid": STR}))]},
                },
                required=("name", "imageRef", "flavorRef"),
            )
        },
    )
    versions = every_version(obj({"versions": arr(ref("ComputeVersion"))}))
    version = every_version(obj({"version": ref("ComputeVersion")}))
    return (
        Operation(method="GET", path=ROOT_PATH, summary="Compute API versions", policy=None,
                  status=(200,), response=versions),
        Operation(method="GET", path=VERSION_PATH, summary="The API version document",
                  policy=None, status=(200,), response=version, errors=(400, 406)),
        Operation(method="GET", path="/servers", summary="List servers (id, name, links)",
                  policy=_rule("servers:index", READER), status=(200,), response=servers,
                  parameters=server_queries, errors=READ_ERRORS),
        Operation(method="POST", path="/servers", summary="Create servers",
                  policy=_rule("servers:create", policy.project_member_or_admin_in_project),
                  status=(202,), request=every_version(create_body),
                  response=every_version(obj({"server": ref("ServerCreated")})),
                  errors=WRITE_ERRORS),
        Operation(method="GET", path="/servers/detail", summary="List servers with details",
                  policy=_rule("servers:detail", READER), status=(200,), response=details,
                  parameters=server_queries, errors=READ_ERRORS),
        Operation(method="GET", path="/servers/{server_id}", summary="Show a server",
                  policy=_rule("servers:show", READER), status=(200,), response=one_server,
                  errors=READ_ERRORS),
        Operation(method="PUT", path="/servers/{server_id}", summary="Update a server",
                  policy=_rule("servers:update", MEMBER), status=(200,),
                  request=every_version(obj({"server": {"type": "object"}})), response=one_server,
                  errors=WRITE_ERRORS),
        Operation(method="DELETE", path="/servers/{server_id}", summary="Delete a server",
                  policy=_rule("servers:delete", MEMBER), status=(204,), errors=WRITE_ERRORS),
        # Each action has its own rule, checked once the body names the action.
        Operation(method="POST", path="/servers/{server_id}/action",
                  summary="Run an action (os-start, os-stop, reboot, pause, unpause, suspend,"
                  " resume, lock, unlock)",
                  policy=_rule("servers:<the action's rule>", None), status=(202,),
                  request=every_version({"type": "object", "minProperties": 1, "maxProperties": 1}),
                  errors=WRITE_ERRORS),
        Operation(method="GET", path="/servers/{server_id}/tags", summary="List tags",
                  policy=_rule("os-server-tags:index", READER), status=(200,), response=tags,
                  errors=READ_ERRORS, since=TAGS_SINCE),
        Operation(method="PUT", path="/servers/{server_id}/tags", summary="Replace tags",
                  policy=_rule("os-server-tags:update_all", MEMBER), status=(200,),
                  request=every_version(obj({"tags": arr(STR)})), response=tags,
                  errors=WRITE_ERRORS, since=TAGS_SINCE),
        Operation(method="DELETE", path="/servers/{server_id}/tags",
                  summary="Delete all tags", policy=_rule("os-server-tags:delete_all", MEMBER),
                  status=(204,), errors=WRITE_ERRORS, since=TAGS_SINCE),
        Operation(method="GET", path="/servers/{server_id}/tags/{tag}", summary="Check a tag",
                  policy=_rule("os-server-tags:show", READER), status=(204,),
                  errors=READ_ERRORS, since=TAGS_SINCE),
        Operation(method="PUT", path="/servers/{server_id}/tags/{tag}",
                  summary="Add a tag (201; 204 when already there)",
                  policy=_rule("os-server-tags:update", MEMBER), status=(201, 204),
                  errors=WRITE_ERRORS, since=TAGS_SINCE),
        Operation(method="DELETE", path="/servers/{server_id}/tags/{tag}",
                  summary="Delete a tag", policy=_rule("os-server-tags:delete", MEMBER),
                  status=(204,), errors=WRITE_ERRORS, since=TAGS_SINCE),
        Operation(method="GET", path="/servers/{server_id}/metadata", summary="List metadata",
                  policy=_rule("server-metadata:index", READER), status=(200,),
                  response=metadata, errors=READ_ERRORS),
        Operation(method="POST", path="/servers/{server_id}/metadata", summary="Merge metadata",
                  policy=_rule("server-metadata:create", MEMBER), status=(200,),
                  request=every_version(obj({"metadata": {"type": "object"}})), response=metadata,
                  errors=WRITE_ERRORS),
        Operation(method="PUT", path="/servers/{server_id}/metadata",
                  summary="Replace metadata", policy=_rule("server-metadata:update_all", MEMBER),
                  status=(200,), request=every_version(obj({"metadata": {"type": "object"}})),
                  response=metadata, errors=WRITE_ERRORS),
        Operation(method="GET", path="/servers/{server_id}/metadata/{key}",
                  summary="Show a metadata item", policy=_rule("server-metadata:show", READER),
                  status=(200,), response=meta, errors=READ_ERRORS),
        Operation(method="PUT", path="/servers/{server_id}/metadata/{key}",
                  summary="Set a metadata item", policy=_rule("server-metadata:update", MEMBER),
                  status=(200,), request=every_version(obj({"meta": {"type": "object"}})),
                  response=meta, errors=WRITE_ERRORS),
        Operation(method="DELETE", path="/servers/{server_id}/metadata/{key}",
                  summary="Delete a metadata item",
                  policy=_rule("server-metadata:delete", MEMBER), status=(204,),
                  errors=WRITE_ERRORS),
        Operation(method="GET", path="/flavors", summary="List flavors",
                  policy=_rule("flavors:index", READER), status=(200,), response=flavors,
                  parameters=flavor_queries, errors=READ_ERRORS),
        Operation(method="POST", path="/flavors", summary="Create a flavor",
                  policy=_rule("os-flavor-manage:create", ADMIN), status=(200,),
                  request=every_version(obj({"flavor": {"type": "object"}})), response=one_flavor,
                  errors=WRITE_ERRORS),
        Operation(method="GET", path="/flavors/detail", summary="List flavors with details",
                  policy=_rule("flavors:index", READER), status=(200,), response=flavors,
                  parameters=flavor_queries, errors=READ_ERRORS),
        Operation(method="GET", path="/flavors/{flavor_id}", summary="Show a flavor",
                  policy=_rule("flavors:show", READER), status=(200,), response=one_flavor,
                  errors=READ_ERRORS),
        Operation(method="DELETE", path="/flavors/{flavor_id}", summary="Delete a flavor",
                  policy=_rule("os-flavor-manage:delete", ADMIN), status=(202,),
                  errors=WRITE_ERRORS),
    )  # fmt: skip


# Only such a segment is taken for a project id (Nova's rule); anything else names a resource.
_PROJECT_ID: JSON = {"type": "string", "pattern": "^[0-9a-f-]+$"}


def public_paths(route: str) -> Sequence[PublicPath]:
    if route == ROOT_PATH:
        return [PublicPath("/compute/")]
    if route == VERSION_PATH:
        return [PublicPath("/compute/v2.1"), PublicPath("/compute/v2")]
    return [
        PublicPath(
            root + route,
            tuple(path_param(n, _PROJECT_ID) for n in params),
            # The legacy v2 API takes no microversion.
            versioned=not root.startswith("/compute/v2/"),
        )
        for root, params in API_ROOTS
    ]


SERVICE = Service(
    name="compute",
    operations=_operations(),
    schemas=_schemas(),
    error_response=error_response,
    public_paths=public_paths,
    versioned_parameters=MICROVERSION_HEADERS,
)
