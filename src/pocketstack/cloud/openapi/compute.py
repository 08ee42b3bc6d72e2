"""The compute API (Nova v2.1 subset) under `/compute`.

Every resource answers at `/v2.1/...`, `/v2.1/{project_id}/...` and the legacy
`/v2/{project_id}/...` (the seed's catalog form); all three are described, from one table.
"""

from __future__ import annotations

from pocketstack.cloud.openapi.shapes import (
    BOOL,
    INT,
    JSON,
    NSTR,
    STR,
    arr,
    header,
    json_body,
    no_body,
    obj,
    operation,
    path_param,
    query,
    ref,
)

TAG = "compute"
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
MICROVERSION_HEADERS = [
    header("OpenStack-API-Version", description="`compute X.Y` or `compute latest`; 2.1..2.100"),
    header("X-OpenStack-Nova-API-Version", description="legacy form: `X.Y` or `latest`"),
]


def schemas() -> dict[str, JSON]:
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


def _errors(*codes: int) -> dict[int, JSON]:
    result: dict[int, JSON] = {}
    for code in codes:
        if code == 401:
            result[code] = json_body(ref("AuthError"), "No valid token (keystonemiddleware's body)")
        else:
            result[code] = json_body(ref("ComputeFault"), "Nova fault")
    return result


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
# Only such a segment is taken for a project id (Nova's rule); anything else names a resource.
_PROJECT_ID: JSON = {"type": "string", "pattern": "^[0-9a-f-]+$"}
_FLAVOR_FILTERS = ("minRam", "minDisk", "is_public", "sort_key", "sort_dir", "limit", "marker")


def _resources() -> dict[str, JSON]:
    """Paths relative to an API root, and their operations (without the root's parameters)."""
    server_id, tag, key, flavor_id = (
        path_param(n) for n in ("server_id", "tag", "key", "flavor_id")
    )
    servers = json_body(
        obj(
            {"servers": arr(ref("ServerRef")), "servers_links": arr(ref("ComputeLink"))},
            required=("servers",),
        )
    )
    details = json_body(
        obj(
            {"servers": arr(ref("Server")), "servers_links": arr(ref("ComputeLink"))},
            required=("servers",),
        )
    )
    one_server = json_body(obj({"server": ref("Server")}))
    flavors = json_body(
        obj(
            {"flavors": arr(ref("Flavor")), "flavors_links": arr(ref("ComputeLink"))},
            required=("flavors",),
        )
    )
    one_flavor = json_body(obj({"flavor": ref("Flavor")}))
    tags = json_body(obj({"tags": arr(STR)}))
    metadata = json_body(obj({"metadata": {"type": "object", "additionalProperties": STR}}))
    meta = json_body(obj({"meta": {"type": "object", "additionalProperties": STR}}))
    server_queries = [query(n) for n in _SERVER_FILTERS]
    flavor_queries = [query(n) for n in _FLAVOR_FILTERS]
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
    not_allowed = {405: json_body(ref("ComputeFault"), "Only GET is allowed here")}
    return {
        "/servers": {
            "get": operation(
                "List servers (id, name, links)",
                tag=TAG,
                parameters=server_queries,
                responses={200: servers, **_errors(*READ_ERRORS)},
            ),
            "post": operation(
                "Create servers",
                tag=TAG,
                body=create_body,
                responses={
                    202: json_body(obj({"server": ref("ServerCreated")})),
                    **_errors(*WRITE_ERRORS),
                },
            ),
        },
        "/servers/detail": {
            "get": operation(
                "List servers with details",
                tag=TAG,
                parameters=server_queries,
                responses={200: details, **_errors(*READ_ERRORS)},
            ),
            "post": operation(
                "Not allowed: answers 405",
                tag=TAG,
                responses={**not_allowed, **_errors(400, 401, 406)},
            ),
        },
        "/servers/{server_id}": {
            "parameters": [server_id],
            "get": operation(
                "Show a server", tag=TAG, responses={200: one_server, **_errors(*READ_ERRORS)}
            ),
            "put": operation(
                "Update a server",
                tag=TAG,
                body=obj({"server": {"type": "object"}}),
                responses={200: one_server, **_errors(*WRITE_ERRORS)},
            ),
            "delete": operation(
                "Delete a server",
                tag=TAG,
                responses={204: no_body("Deleted"), **_errors(*WRITE_ERRORS)},
            ),
        },
        "/servers/{server_id}/action": {
            "parameters": [server_id],
            "post": operation(
                "Run an action (os-start, os-stop, reboot, pause, unpause, suspend, resume, lock,"
                " unlock)",
                tag=TAG,
                body={"type": "object", "minProperties": 1, "maxProperties": 1},
                responses={202: no_body("Accepted"), **_errors(*WRITE_ERRORS)},
            ),
        },
        "/servers/{server_id}/tags": {
            "parameters": [server_id],
            "get": operation(
                "List tags (2.26+)", tag=TAG, responses={200: tags, **_errors(*READ_ERRORS)}
            ),
            "put": operation(
                "Replace tags (2.26+)",
                tag=TAG,
                body=obj({"tags": arr(STR)}),
                responses={200: tags, **_errors(*WRITE_ERRORS)},
            ),
            "delete": operation(
                "Delete all tags (2.26+)",
                tag=TAG,
                responses={204: no_body("Deleted"), **_errors(*WRITE_ERRORS)},
            ),
        },
        "/servers/{server_id}/tags/{tag}": {
            "parameters": [server_id, tag],
            "get": operation(
                "Check a tag (2.26+)",
                tag=TAG,
                responses={204: no_body("Present"), **_errors(*READ_ERRORS)},
            ),
            "put": operation(
                "Add a tag (2.26+)",
                tag=TAG,
                responses={
                    201: no_body("Added"),
                    204: no_body("Already there"),
                    **_errors(*WRITE_ERRORS),
                },
            ),
            "delete": operation(
                "Delete a tag (2.26+)",
                tag=TAG,
                responses={204: no_body("Deleted"), **_errors(*WRITE_ERRORS)},
            ),
        },
        "/servers/{server_id}/metadata": {
            "parameters": [server_id],
            "get": operation(
                "List metadata", tag=TAG, responses={200: metadata, **_errors(*READ_ERRORS)}
            ),
            "post": operation(
                "Merge metadata",
                tag=TAG,
                body=obj({"metadata": {"type": "object"}}),
                responses={200: metadata, **_errors(*WRITE_ERRORS)},
            ),
            "put": operation(
                "Replace metadata",
                tag=TAG,
                body=obj({"metadata": {"type": "object"}}),
                responses={200: metadata, **_errors(*WRITE_ERRORS)},
            ),
        },
        "/servers/{server_id}/metadata/{key}": {
            "parameters": [server_id, key],
            "get": operation(
                "Show a metadata item", tag=TAG, responses={200: meta, **_errors(*READ_ERRORS)}
            ),
            "put": operation(
                "Set a metadata item",
                tag=TAG,
                body=obj({"meta": {"type": "object"}}),
                responses={200: meta, **_errors(*WRITE_ERRORS)},
            ),
            "delete": operation(
                "Delete a metadata item",
                tag=TAG,
                responses={204: no_body("Deleted"), **_errors(*WRITE_ERRORS)},
            ),
        },
        "/flavors": {
            "get": operation(
                "List flavors",
                tag=TAG,
                parameters=flavor_queries,
                responses={200: flavors, **_errors(*READ_ERRORS)},
            ),
            "post": operation(
                "Create a flavor (admin)",
                tag=TAG,
                body=obj({"flavor": {"type": "object"}}),
                responses={200: one_flavor, **_errors(*WRITE_ERRORS)},
            ),
        },
        "/flavors/detail": {
            "get": operation(
                "List flavors with details",
                tag=TAG,
                parameters=flavor_queries,
                responses={200: flavors, **_errors(*READ_ERRORS)},
            ),
            "post": operation(
                "Not allowed: answers 405",
                tag=TAG,
                responses={**not_allowed, **_errors(400, 401, 406)},
            ),
        },
        "/flavors/{flavor_id}": {
            "parameters": [flavor_id],
            "get": operation(
                "Show a flavor", tag=TAG, responses={200: one_flavor, **_errors(*READ_ERRORS)}
            ),
            "delete": operation(
                "Delete a flavor (admin)",
                tag=TAG,
                responses={202: no_body("Deleted"), **_errors(*WRITE_ERRORS)},
            ),
        },
    }


def paths() -> dict[str, JSON]:
    versions = json_body(obj({"versions": arr(ref("ComputeVersion"))}))
    version = json_body(obj({"version": ref("ComputeVersion")}))
    result: dict[str, JSON] = {
        "/compute/": {
            "get": operation(
                "Compute API versions", tag=TAG, public=True, responses={200: versions}
            )
        },
        "/compute/v2.1": {
            "get": operation(
                "The v2.1 API version document",
                tag=TAG,
                public=True,
                responses={200: version, **_errors(400, 406)},
            )
        },
        "/compute/v2": {
            "get": operation(
                "The legacy v2 API version document", tag=TAG, public=True, responses={200: version}
            )
        },
    }
    resources = _resources()
    for root, root_params in API_ROOTS:
        legacy = root.startswith("/compute/v2/")
        for sub, item in resources.items():
            entry: JSON = {}
            params = [path_param(n, _PROJECT_ID) for n in root_params] + list(
                item.get("parameters", [])
            )
            if params:
                entry["parameters"] = params
            for method, op in item.items():
                if method == "parameters":
                    continue
                op = dict(op)
                op["operationId"] = f"{method}:{root}{sub}"
                if not legacy:
                    op["parameters"] = [*MICROVERSION_HEADERS, *op.get("parameters", [])]
                entry[method] = op
            result[root + sub] = entry
    return result
