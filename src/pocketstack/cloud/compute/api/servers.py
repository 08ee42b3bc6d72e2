"""The compute API's versions documents and servers (with their tags, metadata and actions)
declared."""

from __future__ import annotations

from pocketstack.cloud.api.operation import Operation, every_version
from pocketstack.cloud.api.shapes import NSTR, STR, arr, obj, query, ref
from pocketstack.cloud.compute import action_requests, policy, requests, server_create
from pocketstack.cloud.compute.api import requests as request_schemas
from pocketstack.cloud.compute.api import server_views
from pocketstack.cloud.compute.api.common import (
    MEMBER,
    READ_ERRORS,
    READER,
    TAGS_SINCE,
    WRITE_ERRORS,
    rule,
)
from pocketstack.cloud.compute.routing import ROOT_PATH, VERSION_PATH

SERVER_FILTERS = (
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

# The actions that answer with a body: rebuild (the server), rescue (its password) and
# os-getConsoleOutput.
ACTION_REPLIES = every_version(
    {
        "anyOf": [
            # The server's detail and its new adminPass.
            obj({"server": obj({"id": STR, "status": STR, "adminPass": STR})}, closed=True),
            # Rescue's; evacuate's before 2.14 (null when the disk was said to be shared).
            obj({"adminPass": NSTR}, closed=True),
            obj({"output": STR}, closed=True),
            # createImage's and createBackup's from 2.45 (before: a Location header only).
            obj({"image_id": STR}, closed=True),
        ]
    }
)


def operations() -> tuple[Operation, ...]:
    server_queries = tuple(query(n) for n in SERVER_FILTERS)
    servers = every_version(
        obj(
            {"servers": arr(ref("ServerRef")), "servers_links": arr(ref("ComputeLink"))},
            required=("servers",),
            closed=True,
        )
    )
    details = server_views.versioned(
        "Server",
        lambda server: obj(
            {"servers": arr(server), "servers_links": arr(ref("ComputeLink"))},
            required=("servers",),
            closed=True,
        ),
    )
    one_server = server_views.versioned(
        "ServerShown", lambda server: obj({"server": server}, closed=True)
    )
    updated = server_views.versioned(
        "ServerUpdated", lambda server: obj({"server": server}, closed=True)
    )
    tags = every_version(obj({"tags": arr(STR)}))
    metadata = every_version(obj({"metadata": {"type": "object", "additionalProperties": STR}}))
    meta = every_version(obj({"meta": {"type": "object", "additionalProperties": STR}}))
    created = every_version(
        {
            "anyOf": [
                obj({"server": ref("ServerCreated")}, closed=True),
                # With return_reservation_id: the servers' reservation instead.
                obj({"reservation_id": STR}, closed=True),
            ]
        }
    )
    versions = every_version(obj({"versions": arr(ref("ComputeVersion"))}))
    version = every_version(obj({"version": ref("ComputeVersion")}))
    return (
        Operation(method="GET", path=ROOT_PATH, summary="Compute API versions", policy=None,
                  status=(200,), response=versions),
        Operation(method="GET", path=VERSION_PATH, summary="The API version document",
                  policy=None, status=(200,), response=version, errors=(400, 406)),
        Operation(method="GET", path="/servers", summary="List servers (id, name, links)",
                  policy=rule("servers:index", READER), status=(200,), response=servers,
                  parameters=server_queries, errors=READ_ERRORS),
        Operation(method="POST", path="/servers", summary="Create servers",
                  policy=rule("servers:create", policy.project_member_or_admin_in_project),
                  status=(202,), request=request_schemas.SERVER_CREATE,
                  parse=server_create.parse_server_create, response=created,
                  errors=WRITE_ERRORS),
        Operation(method="GET", path="/servers/detail", summary="List servers with details",
                  policy=rule("servers:detail", READER), status=(200,), response=details,
                  parameters=server_queries, errors=READ_ERRORS),
        Operation(method="GET", path="/servers/{server_id}", summary="Show a server",
                  policy=rule("servers:show", READER), status=(200,), response=one_server,
                  errors=READ_ERRORS),
        Operation(method="PUT", path="/servers/{server_id}", summary="Update a server",
                  policy=rule("servers:update", MEMBER), status=(200,),
                  request=request_schemas.SERVER_UPDATE, parse=requests.parse_server_update,
                  response=updated, errors=WRITE_ERRORS),
        Operation(method="DELETE", path="/servers/{server_id}", summary="Delete a server",
                  policy=rule("servers:delete", MEMBER), status=(204,), errors=WRITE_ERRORS),
        # Each action has its own rule, checked once the body names the action.
        Operation(method="POST", path="/servers/{server_id}/action",
                  summary="Run an action (power, lock, rebuild, resize, migrate, shelve,"
                  " rescue, os-resetState, changePassword, os-getConsoleOutput, ...): 202,"
                  " rescue and os-getConsoleOutput 200, confirmResize 204",
                  policy=rule("servers:<the action's rule>", None), status=(202, 200, 204),
                  request=request_schemas.SERVER_ACTION,
                  parse=action_requests.parse_server_action, response=ACTION_REPLIES,
                  body_optional=True, errors=WRITE_ERRORS),
        Operation(method="GET", path="/servers/{server_id}/tags", summary="List tags",
                  policy=rule("os-server-tags:index", READER), status=(200,), response=tags,
                  errors=READ_ERRORS, since=TAGS_SINCE),
        Operation(method="PUT", path="/servers/{server_id}/tags", summary="Replace tags",
                  policy=rule("os-server-tags:update_all", MEMBER), status=(200,),
                  request=request_schemas.TAGS, parse=requests.parse_tags, response=tags,
                  errors=WRITE_ERRORS, since=TAGS_SINCE),
        Operation(method="DELETE", path="/servers/{server_id}/tags",
                  summary="Delete all tags", policy=rule("os-server-tags:delete_all", MEMBER),
                  status=(204,), errors=WRITE_ERRORS, since=TAGS_SINCE),
        Operation(method="GET", path="/servers/{server_id}/tags/{tag}", summary="Check a tag",
                  policy=rule("os-server-tags:show", READER), status=(204,),
                  errors=READ_ERRORS, since=TAGS_SINCE),
        Operation(method="PUT", path="/servers/{server_id}/tags/{tag}",
                  summary="Add a tag (201; 204 when already there)",
                  policy=rule("os-server-tags:update", MEMBER), status=(201, 204),
                  request=request_schemas.TAG_BODY, errors=WRITE_ERRORS, since=TAGS_SINCE),
        Operation(method="DELETE", path="/servers/{server_id}/tags/{tag}",
                  summary="Delete a tag", policy=rule("os-server-tags:delete", MEMBER),
                  status=(204,), errors=WRITE_ERRORS, since=TAGS_SINCE),
        Operation(method="GET", path="/servers/{server_id}/metadata", summary="List metadata",
                  policy=rule("server-metadata:index", READER), status=(200,),
                  response=metadata, errors=READ_ERRORS),
        Operation(method="POST", path="/servers/{server_id}/metadata", summary="Merge metadata",
                  policy=rule("server-metadata:create", MEMBER), status=(200,),
                  request=request_schemas.METADATA, parse=requests.parse_metadata,
                  response=metadata, errors=WRITE_ERRORS),
        Operation(method="PUT", path="/servers/{server_id}/metadata",
                  summary="Replace metadata", policy=rule("server-metadata:update_all", MEMBER),
                  status=(200,), request=request_schemas.METADATA, parse=requests.parse_metadata,
                  response=metadata, errors=WRITE_ERRORS),
        Operation(method="GET", path="/servers/{server_id}/metadata/{key}",
                  summary="Show a metadata item", policy=rule("server-metadata:show", READER),
                  status=(200,), response=meta, errors=READ_ERRORS),
        Operation(method="PUT", path="/servers/{server_id}/metadata/{key}",
                  summary="Set a metadata item", policy=rule("server-metadata:update", MEMBER),
                  status=(200,), request=request_schemas.METADATA_ITEM,
                  parse=requests.parse_metadata_item, response=meta, errors=WRITE_ERRORS),
        Operation(method="DELETE", path="/servers/{server_id}/metadata/{key}",
                  summary="Delete a metadata item",
                  policy=rule("server-metadata:delete", MEMBER), status=(204,),
                  errors=WRITE_ERRORS),
    )  # fmt: skip
